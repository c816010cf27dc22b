"""Erika's composer page sent twice makes one post, however it happens."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from html import unescape

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsdesk.models import NewsItem, Source, StaffRequest
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
    return url, page_data(client, url, text=f"{item.title} {item.link}", link=item.link)


def page_data(client: Client, url: str, *, text: str, link: str = "") -> dict:
    """What the composer page at `url` sends, as the browser shows it now."""
    page = client.get(url).content.decode()
    token = re.search(r'name="form_token" value="([0-9a-f-]+)"', page)
    assert token, "the composer carries no form token"
    accounts = re.findall(r'name="accounts" value="(\d+)"[^>]*checked', page)
    return {
        "form_token": token[1],
        "text": text,
        "link": link,
        "accounts": accounts,
        "mirror_to_facebook": "on",
        "scheduled_for": "",
    }


def another_post_link(page: str) -> str:
    """Where the page's "Redactar otra publicación" button goes."""
    link = re.search(r'<a href="([^"]+)"[^>]*>Redactar otra publicación</a>', page)
    assert link, "the page offers no way to write another post"
    return unescape(link[1])


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


def test_back_reloads_the_composer_and_send_again_keeps_one_post(
    editor_client, news_item, x_accounts, facebook_page
):
    # given Erika sent the composer page opened from the item for approval
    url, data = opened_composer(editor_client, news_item)
    first = editor_client.post(url, {**data, "submit": "1"})
    post = Post.objects.get()

    # when Back asks the server for the composer again and she resends it
    url, reloaded = opened_composer(editor_client, news_item)
    again = editor_client.post(url, {**reloaded, "submit": "1"})

    # then there is still one post, and she is taken to it and told why
    assert Post.objects.count() == 1
    assert again.url == first.url == reverse("publishing:detail", args=[post.pk])
    assert ALREADY in shown_after(editor_client, again)
    assert [e.to_status for e in post.events.all()] == ["draft", "pending"]


def test_new_words_on_a_page_already_sent_are_kept_not_dropped(
    editor_client, news_item, x_accounts, facebook_page
):
    # given Erika sent a post from the item, then opened the item again
    url, data = opened_composer(editor_client, news_item)
    editor_client.post(url, {**data, "submit": "1"})
    url, reloaded = opened_composer(editor_client, news_item)

    # when she writes another post there and sends it
    other = "La UPME explica el cronograma de la subasta de transmisión."
    answer = editor_client.post(url, {**reloaded, "text": other, "submit": "1"})

    # then nothing she typed is lost: the page comes back with her words
    # and says a send now makes a second post
    page = answer.content.decode()
    assert answer.status_code == 200
    assert Post.objects.count() == 1
    assert other in page
    assert "Su texto nuevo se conserva" in page

    # and sending it once more does make the second post
    token = re.search(r'name="form_token" value="([0-9a-f-]+)"', page)[1]
    assert token != reloaded["form_token"]
    editor_client.post(
        url, {**reloaded, "text": other, "form_token": token, "submit": "1"}
    )
    assert sorted(Post.objects.values_list("text", flat=True)) == sorted(
        [data["text"], other]
    )


def test_back_reloads_the_composer_and_save_again_keeps_one_draft(
    editor_client, news_item, x_accounts
):
    url, data = opened_composer(editor_client, news_item)
    editor_client.post(url, {**data, "save": "1"})

    url, reloaded = opened_composer(editor_client, news_item)
    again = editor_client.post(url, {**reloaded, "save": "1"})

    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT
    assert again.url == reverse("publishing:detail", args=[post.pk])
    assert ALREADY in shown_after(editor_client, again)


def test_back_to_a_blank_composer_and_send_again_keeps_one_post(
    editor_client, x_accounts
):
    # given Erika wrote a post from scratch, from the list's "Redactar"
    listing = editor_client.get(reverse("publishing:list")).content.decode()
    start = unescape(re.search(r'<a href="([^"]+)"[^>]*>Redactar</a>', listing)[1])
    url = editor_client.get(start).url
    text = "La UPME publica el boletín de demanda de energía."
    data = page_data(editor_client, url, text=text)
    editor_client.post(url, {**data, "submit": "1"})

    # when Back reloads the composer and she sends it again
    reloaded = page_data(editor_client, url, text=text)
    again = editor_client.post(url, {**reloaded, "submit": "1"})

    # then it is the same post
    assert Post.objects.count() == 1
    assert ALREADY in shown_after(editor_client, again)

    # and "Redactar" from the list starts a new one
    url = editor_client.get(start).url
    fresh = page_data(editor_client, url, text="Otro boletín.")
    editor_client.post(url, {**fresh, "save": "1"})
    assert Post.objects.count() == 2


def test_back_reloads_the_composer_for_a_request_and_keeps_one_post(
    editor_client, requester, x_accounts
):
    staff_request = StaffRequest.objects.create(
        requester=requester,
        kind=StaffRequest.Kind.NEWS,
        title="Resultados de la subasta",
        link="https://www.upme.gov.co/subasta",
    )
    url = f"{COMPOSE}?request={staff_request.pk}"
    data = page_data(editor_client, url, text="Resultados de la subasta")
    editor_client.post(url, {**data, "submit": "1"})

    reloaded = page_data(editor_client, url, text="Resultados de la subasta")
    editor_client.post(url, {**reloaded, "submit": "1"})

    assert Post.objects.count() == 1


def test_a_second_post_on_the_item_is_made_on_purpose(
    editor_client, news_item, x_accounts
):
    # given a post already made from the item
    url, data = opened_composer(editor_client, news_item)
    editor_client.post(url, {**data, "submit": "1"})
    first = Post.objects.get()

    # when Erika opens the composer from the same item again
    page = editor_client.get(url).content.decode()

    # then she is told about the first post and that this page made it
    assert "Esta noticia ya tiene una publicación:" in page
    assert reverse("publishing:detail", args=[first.pk]) in page
    assert "Pendiente de aprobación, redactada por erika" in page
    assert "Esta página ya se envió" in page

    # and "Redactar otra publicación" gives her a page that makes a second one
    landed = editor_client.get(another_post_link(page))
    assert landed.status_code == 302
    assert landed.url == url
    second = page_data(editor_client, url, text="Otra versión")
    assert second["form_token"] != data["form_token"]
    editor_client.post(url, {**second, "save": "1"})
    assert Post.objects.count() == 2

    # and Back to that page, sent again, makes no third
    reloaded = page_data(editor_client, url, text="Otra versión")
    editor_client.post(url, {**reloaded, "save": "1"})
    assert Post.objects.count() == 2


def test_an_unsent_composer_page_offers_no_second_post_button(
    editor_client, news_item, x_accounts
):
    page = editor_client.get(f"{COMPOSE}?item={news_item.pk}").content.decode()

    assert "Esta página ya se envió" not in page
    assert "Redactar otra publicación" not in page


def test_the_session_remembers_only_the_latest_pages():
    session: dict = {}
    first = once.remembered_token(session, "item:1")

    for pk in range(2, 2 + once.REMEMBERED_AT_MOST):
        once.remembered_token(session, f"item:{pk}")

    assert len(session[once.REMEMBERED]) == once.REMEMBERED_AT_MOST
    assert once.remembered_token(session, "item:1") != first


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
