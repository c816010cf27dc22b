"""A real Celery worker publishes from Redis into PostgreSQL.

Runs when REDIS_URL reaches a Redis server and the tests run on
PostgreSQL (as .ci/run does); skipped otherwise. The worker is a separate
process on its own queue, reading the test database pytest-django built.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from publishing import actions
from publishing.models import Delivery, Post, PublishAttempt, SocialAccount
from publishing.tasks import publish_delivery
from upme_social import celery_app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60
QUEUE = f"upme-social-test-{uuid.uuid4().hex[:8]}"


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set: the real-worker test needs a Redis server")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at REDIS_URL is unreachable ({type(exc).__name__})")
    return url


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("the real-worker test needs PostgreSQL (set DATABASE_URL)")
    user = quote(settings["USER"] or "", safe="")
    password = (
        f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    )
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Path]:
    redis_url = _redis_url()
    with django_db_blocker.unblock():
        database_url = _database_url()

    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "integration-test-only"),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "upme_social",
        "worker",
        "--pool=solo",
        "--queues",
        QUEUE,
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield log
    finally:
        # SIGTERM is Celery's warm shutdown: finish the task, then exit.
        process.send_signal(signal.SIGTERM)
        try:
            returncode = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
            returncode = None
        _drop_queue(redis_url)
    assert returncode == 0, (
        f"the worker did not stop cleanly:\n{log.read_text()[-3000:]}"
    )


def _drop_queue(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).delete(QUEUE)


@pytest.fixture
def send_to_worker(worker) -> Iterator[None]:
    """Enqueue for real, on the worker's queue, from this process."""
    conf = celery_app.conf
    previous = (conf.task_always_eager, conf.task_default_queue)
    conf.task_always_eager = False
    conf.task_default_queue = QUEUE
    yield
    conf.task_always_eager, conf.task_default_queue = previous


def wait_for(condition, log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    tail = log.read_text(errors="replace")[-3000:]
    pytest.fail(f"not done after {WAIT_SECONDS}s; worker log ends with:\n{tail}")


@pytest.fixture
def sandbox_accounts(db) -> list[SocialAccount]:
    return [
        SocialAccount.objects.create(network="x", name="UPME", handle="@UPMEOficial"),
        SocialAccount.objects.create(
            network="x", name="UPME Energía", handle="@UPMEenergia"
        ),
        SocialAccount.objects.create(
            network="facebook", name="Página", handle="178923456781234"
        ),
    ]


def approved_post(editor, approver, accounts: list[SocialAccount]) -> Post:
    post = actions.save_draft(
        editor,
        actions.Draft(
            text="Informe de demanda de gas natural 2026 https://www.upme.gov.co/gas",
            link="https://www.upme.gov.co/gas",
            accounts=[a for a in accounts if a.network == "x"],
            mirror_to_facebook=True,
            scheduled_for=None,
        ),
    )
    actions.submit(post.pk, editor)
    # Outside any transaction: approve commits, then enqueues to Redis.
    return actions.approve(post.pk, approver)


def test_worker_publishes_an_approved_post(
    worker, send_to_worker, editor, approver, sandbox_accounts
):
    # when Andrés approves a post for both X accounts and the Page
    post = approved_post(editor, approver, sandbox_accounts)

    # then the worker publishes it everywhere, with the ids it got back
    def published() -> bool:
        return Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED

    wait_for(published, worker)
    deliveries = list(Delivery.objects.filter(post=post))
    assert len(deliveries) == 3
    assert all(
        d.status == Delivery.Status.PUBLISHED and d.external_id for d in deliveries
    )
    assert PublishAttempt.objects.filter(delivery__post=post, outcome="ok").count() == 3


def test_a_delivery_enqueued_twice_is_published_once(
    worker, send_to_worker, editor, approver, sandbox_accounts
):
    # given an approved post whose sends are already on the queue
    post = approved_post(editor, approver, sandbox_accounts)
    delivery = Delivery.objects.filter(post=post).first()

    # when the same delivery is enqueued twice more (a redelivery, a retry)
    publish_delivery.delay(delivery.pk)
    publish_delivery.delay(delivery.pk)

    # then one message publishes it and the other two find nothing to claim
    skipped = f"Delivery {delivery.pk} not claimable"

    def settled() -> bool:
        published = Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED
        return published and worker.read_text(errors="replace").count(skipped) >= 2

    wait_for(settled, worker)
    attempts = PublishAttempt.objects.filter(delivery=delivery)
    assert [a.outcome for a in attempts] == ["ok"]
