"""Races that only a real database with row locks can show.

Runs on PostgreSQL (skipped on SQLite, which serialises every writer): many
threads, each with its own connection, approve the same post, publish the
same delivery or poll outlets telling the same story at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import timezone

from newsdesk import clustering
from newsdesk.actions import intake
from newsdesk.models import NewsItem, Source
from newsdesk.sources.base import EntryData, Reader, ReadResult
from publishing import actions
from publishing.models import Delivery, Post, PublishAttempt, SocialAccount
from publishing.networks import PublishResult
from publishing.networks.sandbox import SandboxBackend
from upme_social import celery_app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

THREADS = 8


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races need PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def eager():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


class SlowSandbox(SandboxBackend):
    """Holds the call open long enough for every thread to arrive."""

    def publish(self, text: str, link: str = "") -> PublishResult:
        time.sleep(0.3)
        return super().publish(text, link)


def race(work: Callable[[], object]) -> list[object]:
    start = threading.Barrier(THREADS)

    def run() -> object:
        try:
            start.wait()
            return work()
        except Exception as exc:
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        return [f.result() for f in [pool.submit(run) for _ in range(THREADS)]]


@pytest.fixture
def pending(editor, db) -> Post:
    x = SocialAccount.objects.create(network="x", name="UPME", handle="@UPMEOficial")
    SocialAccount.objects.create(
        network="facebook", name="Página", handle="178923456781234"
    )
    post = actions.save_draft(
        editor,
        actions.Draft("Balance minero 2026", "", [x], True, None),
    )
    return actions.submit(post.pk, editor)


def test_simultaneous_publishes_of_one_delivery_send_once(
    pending, approver, monkeypatch
):
    monkeypatch.setattr(actions, "enqueue_due", lambda: 0)
    monkeypatch.setattr(actions, "_enqueue_on_commit", lambda ids: None)
    actions.approve(pending.pk, approver)
    delivery = Delivery.objects.filter(post=pending).first()
    monkeypatch.setattr(actions, "get_backend", SlowSandbox)

    runs = race(lambda: actions.publish_delivery(delivery.pk))

    assert [getattr(r, "claimed", r) for r in runs].count(True) == 1
    assert PublishAttempt.objects.filter(delivery=delivery).count() == 1


def test_simultaneous_approvals_create_each_delivery_once(pending, approver, eager):
    results = race(lambda: actions.approve(pending.pk, approver))

    approved = [r for r in results if isinstance(r, Post)]
    refused = [r for r in results if isinstance(r, actions.PostError)]
    assert (len(approved), len(refused)) == (1, THREADS - 1)
    assert Delivery.objects.filter(post=pending).count() == 2
    assert PublishAttempt.objects.filter(delivery__post=pending).count() == 2
    assert Post.objects.get(pk=pending.pk).status == Post.Status.PUBLISHED


# One story as eight outlets tell it; each telling shares most content words.
TELLINGS = [
    (
        f"UPME adjudica la subasta de transmisión Colectora en La Guajira ({n})",
        "La Unidad de Planeación Minero Energética adjudicó la subasta de la "
        "línea de transmisión Colectora, que conectará los parques eólicos de "
        "La Guajira con el sistema interconectado nacional.",
    )
    for n in range(THREADS)
]


def test_simultaneous_polls_of_one_story_make_one_cluster(monkeypatch):
    # given eight outlets whose feeds all answer at the same moment
    outlets = [
        Source.objects.create(name=f"Diario {n}", url=f"https://{n}.example.co/rss")
        for n in range(THREADS)
    ]
    tellings = dict(zip((o.pk for o in outlets), TELLINGS, strict=True))
    answered = threading.Barrier(THREADS)

    class SameMoment(Reader):
        def read(self) -> ReadResult:
            title, summary = tellings[self.source.pk]
            answered.wait(timeout=10)
            return ReadResult(
                entries=[
                    EntryData(
                        title=title,
                        summary=summary,
                        link=f"https://{self.source.pk}.example.co/colectora",
                        published_at=timezone.now(),
                    )
                ]
            )

    monkeypatch.setattr(intake, "get_reader", SameMoment)
    clustering.reset_index()
    polls = iter(outlets)
    lock = threading.Lock()

    def poll_next():
        with lock:
            source = next(polls)
        return intake.poll_source(source.pk)

    # when eight workers poll them at once
    results = race(poll_next)

    # then the eight tellings met each other: one story, eight sources
    assert not [r for r in results if isinstance(r, Exception)]
    items = NewsItem.objects.all()
    assert items.count() == THREADS
    assert {item.cluster_id for item in items} != {None}
    assert len({item.cluster_id for item in items}) == 1
    assert items.first().cluster.source_count == THREADS
