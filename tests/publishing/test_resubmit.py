"""Erika's composer page sent twice makes one post, however it happens."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsdesk.models import NewsItem, Source
from publishing.models import Post
from upme_social import once

pytestmark = pytest.mark.django_db

COMPOSE = reverse("publishing:compose")
ALREADY = "Este formulario ya se había enviado: no se creó otra publicación."


@pytest.fixture
def news_item(db) -> NewsItem:
    source = Source.objects.create(name="Demo", url="http://127.0.0.1/feed.xml")
    return NewsItem.objects.create(
        source=source,
        identity="subasta-2026",
        title="La UPME abre la subasta de energías renovables 2026",
        link="https://n.example.co/subasta",
        published_at=timezone.now(),
    )


def opened_composer(client: Client, item: NewsItem) -> tuple[str, dict]:
    """What the composer page, opened from the item, would send as is."""
    url = f"{COMPOSE}?item={item.pk}"
    page = client.get(url).content.decode()
    token = re.search(r'name="form_token" value="([0-9a-f-]+)"', page)
    assert token, "the composer carries no form token"
    accounts = re.findall(r'name="accounts" value="(\d+)"[^>]*checked', page)
    data = {
        "form_token": token[1],
        "text": f"{item.title} {item.link}",
        "link": item.link,
        "accounts": accounts,
        "mirror_to_facebook": "on",
        "scheduled_for": "",
    }
    return url, data


def shown_after(client: Client, response) -> str:
    """The page the browser lands on after the redirect."""
    return client.get(response.url).content.decode()


def test_back_and_send_again_keeps_one_pending_post(
    editor_client, news_item, x_accounts, facebook_page
):
    # given Erika sent the composer page for approval
    url, data = opened_composer(editor_client, news_item)
    first = editor_client.post(url, {**data, "submit": "1"})
    post = Post.objects.get()

    # when she goes Back and presses "Enviar a aprobación" again
    again = editor_client.post(url, {**data, "submit": "1"})

    # then there is still one post, and she is taken to it and told why
    assert Post.objects.count() == 1
    assert again.status_code == 302
    assert again.url == first.url == reverse("publishing:detail", args=[post.pk])
    assert ALREADY in shown_after(editor_client, again)
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING
    assert [e.to_status for e in post.events.all()] == ["draft", "pending"]


def test_save_draft_sent_twice_keeps_one_draft(editor_client, news_item, x_accounts):
    url, data = opened_composer(editor_client, news_item)

    editor_client.post(url, {**data, "save": "1"})
    editor_client.post(url, {**data, "save": "1"})

    assert Post.objects.get().status == Post.Status.DRAFT


def test_a_page_sent_again_after_it_went_stale_still_finds_its_post(
    editor_client, news_item, x_accounts
):
    # given the post was saved, then an account on the page was disabled
    url, data = opened_composer(editor_client, news_item)
    editor_client.post(url, {**data, "save": "1"})
    x_accounts[1].enabled = False
    x_accounts[1].save(update_fields=["enabled"])

    # when the old page is sent again
    again = editor_client.post(url, {**data, "submit": "1"})

    # then she is sent to the post she made, not shown a form error
    assert again.status_code == 302
    assert Post.objects.count() == 1


def test_a_send_that_loses_the_race_finds_the_winners_post(
    editor_client, news_item, x_accounts, monkeypatch
):
    # given the first send's post is stored while a second send is past
    # every look-up (as when both arrive within milliseconds)
    url, data = opened_composer(editor_client, news_item)
    editor_client.post(url, {**data, "submit": "1"})
    real = once.created_from
    calls = []

    def after_the_insert(model, token):
        calls.append(token)
        # The view and the action look first and see nothing; the unique
        # constraint then refuses the insert and the row is looked up.
        return None if len(calls) <= 2 else real(model, token)

    monkeypatch.setattr(once, "created_from", after_the_insert)

    # when the second send arrives
    again = editor_client.post(url, {**data, "submit": "1"})

    # then the constraint, not a check, kept it to one post
    assert len(calls) == 3
    assert Post.objects.count() == 1
    assert again.url == reverse("publishing:detail", args=[Post.objects.get().pk])
    assert ALREADY in shown_after(editor_client, again)


def test_a_new_composer_page_may_make_a_second_post_and_is_warned(
    editor_client, news_item, x_accounts
):
    # given a post already made from the item
    url, data = opened_composer(editor_client, news_item)
    editor_client.post(url, {**data, "submit": "1"})
    first = Post.objects.get()

    # when Erika opens the composer from the same item on purpose
    url, second_data = opened_composer(editor_client, news_item)
    page = editor_client.get(url).content.decode()

    # then she is told about the first post, with a link to it
    assert "Esta noticia ya tiene una publicación:" in page
    assert reverse("publishing:detail", args=[first.pk]) in page
    assert "Pendiente de aprobación, redactada por erika" in page

    # and she can still make a second one
    assert second_data["form_token"] != data["form_token"]
    editor_client.post(url, {**second_data, "text": "Otra versión", "save": "1"})
    assert Post.objects.count() == 2


def test_the_composer_page_disables_its_buttons_when_sent(editor_client):
    page = editor_client.get(COMPOSE).content.decode()

    assert '<form method="post" novalidate data-send-once>' in page
    assert "publishing/send_once.js" in page


@pytest.mark.django_db(transaction=True)
def test_a_true_double_click_makes_one_post(editor, news_item, x_accounts):
    if connection.vendor != "postgresql":
        pytest.skip("simultaneous inserts need PostgreSQL (set DATABASE_URL)")

    # given the composer page, sent by several clicks at the same moment
    browser = Client()
    browser.force_login(editor)
    url, data = opened_composer(browser, news_item)
    start = threading.Barrier(6)

    def click() -> str:
        client = Client()
        client.force_login(editor)
        try:
            start.wait()
            return client.post(url, {**data, "submit": "1"}).url
        finally:
            connections.close_all()

    with ThreadPoolExecutor(6) as pool:
        landed = [f.result() for f in [pool.submit(click) for _ in range(6)]]

    # then one post exists and every click landed on it
    post = Post.objects.get()
    assert set(landed) == {reverse("publishing:detail", args=[post.pk])}
    assert post.status == Post.Status.PENDING
