"""The sources page: editors see how each source is doing and why it fails."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import newsdesk
from newsdesk.models import (
    ATTENTION_THRESHOLD,
    ERROR_LABELS,
    FetchAttempt,
    Source,
    error_label,
)
from tests.newsdesk.feed_server import Canned

pytestmark = pytest.mark.django_db


def broken_source(**fields) -> Source:
    defaults = {
        "name": "Portal caído",
        "url": "https://portal.example/rss",
        "last_outcome": Source.Outcome.ERROR,
        "last_fetched_at": timezone.now(),
        "last_error_class": "not_a_feed",
        "last_error": "La dirección devolvió una página web, no un feed.",
        "suggested_url": "https://portal.example/rss/noticias.xml",
        "error_count": 3,
    }
    return Source.objects.create(**{**defaults, **fields})


def test_editor_sees_the_error_in_spanish_and_the_suggested_url(editor_client):
    broken_source()

    response = editor_client.get(reverse("newsdesk:sources"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Portal caído" in page
    assert "No es un feed" in page
    assert "not_a_feed" not in page
    assert "La dirección devolvió una página web, no un feed." in page
    assert 'href="https://portal.example/rss/noticias.xml"' in page
    assert "requiere atención" not in page


def test_ten_failures_show_requiere_atencion(editor_client):
    broken_source(error_count=ATTENTION_THRESHOLD)

    page = editor_client.get(reverse("newsdesk:sources")).content.decode()

    assert "requiere atención" in page


def test_list_queries_do_not_grow_with_sources(
    editor_client, django_assert_max_num_queries
):
    for n in range(30):
        broken_source(name=f"Fuente {n}", error_count=n)

    with django_assert_max_num_queries(8):
        response = editor_client.get(reverse("newsdesk:sources"))

    assert response.status_code == 200


def test_outsider_and_requester_are_refused(client, outsider, requester):
    source = broken_source()
    for person in (outsider, requester):
        client.force_login(person)
        assert client.get(reverse("newsdesk:sources")).status_code == 403
        assert (
            client.get(reverse("newsdesk:source_detail", args=[source.pk])).status_code
            == 403
        )
        assert (
            client.post(reverse("newsdesk:source_poll", args=[source.pk])).status_code
            == 403
        )


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("newsdesk:sources"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_detail_lists_recent_attempts(editor_client):
    source = broken_source()
    FetchAttempt.objects.create(
        source=source,
        outcome=Source.Outcome.ERROR,
        error_class="http_503",
        error="El sitio tiene una falla temporal (HTTP 503).",
        http_status=503,
    )

    response = editor_client.get(reverse("newsdesk:source_detail", args=[source.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "El sitio tiene una falla temporal (HTTP 503)." in page
    assert '<span class="badge badge-danger">HTTP 503</span>' in page
    assert "No es un feed" in page
    assert "http_503" not in page
    assert "not_a_feed" not in page
    assert "Consultar ahora" in page


def test_unknown_source_is_a_404_not_a_500(editor_client):
    assert (
        editor_client.get(reverse("newsdesk:source_detail", args=[999])).status_code
        == 404
    )
    assert (
        editor_client.post(reverse("newsdesk:source_poll", args=[999])).status_code
        == 404
    )


def test_consultar_ahora_polls_the_source(
    editor_client, feed_server, django_capture_on_commit_callbacks
):
    # given a source that failed and is fixed now
    url = feed_server.route(
        "/feed.xml",
        Canned(
            200,
            b'<rss version="2.0"><channel><title>t</title><item><title>Gas</title>'
            b"<guid>1</guid></item></channel></rss>",
            {"Content-Type": "application/rss+xml"},
        ),
    )
    source = broken_source(url=url)

    # when the editor asks for a poll (tasks run eagerly in tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(reverse("newsdesk:source_poll", args=[source.pk]))

    # then
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.last_outcome == Source.Outcome.OK
    assert source.error_count == 0
    assert source.items.count() == 1


def test_consultar_ahora_needs_post(editor_client):
    source = broken_source()

    assert (
        editor_client.get(reverse("newsdesk:source_poll", args=[source.pk])).status_code
        == 405
    )


def test_admin_shows_failures_and_recent_attempts(client, django_user_model):
    # given an administrator and a source that keeps failing
    admin_user = django_user_model.objects.create_superuser(
        "admin", "admin@upme.gov.co", "clave-segura-1"
    )
    client.force_login(admin_user)
    source = broken_source(error_count=ATTENTION_THRESHOLD)
    other = broken_source(name="Otra fuente")
    FetchAttempt.objects.create(
        source=source, outcome=Source.Outcome.ERROR, error_class="http_410"
    )
    FetchAttempt.objects.create(
        source=other, outcome=Source.Outcome.ERROR, error_class="http_503"
    )

    # when
    listing = client.get(reverse("admin:newsdesk_source_changelist"))
    change = client.get(reverse("admin:newsdesk_source_change", args=[source.pk]))
    attempts = client.get(reverse("admin:newsdesk_fetchattempt_changelist"))
    items = client.get(reverse("admin:newsdesk_newsitem_changelist"))

    # then
    assert listing.status_code == 200
    assert "No es un feed" in listing.content.decode()
    assert "not_a_feed" not in listing.content.decode()
    assert change.status_code == 200
    page = change.content.decode()
    assert "HTTP 410" in page
    assert "http_410" not in page
    assert "HTTP 503" not in page  # the other source's attempt stays out
    assert attempts.status_code == 200
    # The filter's query string keeps the code; what a person reads does not.
    assert ">HTTP 410<" in attempts.content.decode()
    assert ">http_410<" not in attempts.content.decode()
    assert items.status_code == 200


def test_editor_switches_to_the_feed_an_html_page_advertised(
    editor_client, feed_server, django_capture_on_commit_callbacks
):
    # given a source pointed at a section page that advertises its feed
    feed_url = feed_server.route(
        "/rss/noticias.xml",
        Canned(
            200,
            b'<rss version="2.0"><channel><title>t</title><item><title>Carb\xc3\xb3n'
            b"</title><guid>1</guid></item></channel></rss>",
            {"Content-Type": "application/rss+xml"},
        ),
    )
    page_url = feed_server.route(
        "/noticias",
        Canned(
            200,
            b"<html><head><link rel='alternate' type='application/rss+xml' "
            b"href='/rss/noticias.xml'></head><body>Noticias</body></html>",
            {"Content-Type": "text/html"},
        ),
    )
    source = Source.objects.create(name="Sección", kind=Source.Kind.FEED, url=page_url)
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(reverse("newsdesk:source_poll", args=[source.pk]))
    source.refresh_from_db()
    assert source.last_error_class == "not_a_feed"
    assert source.suggested_url == feed_url
    page = editor_client.get(reverse("newsdesk:source_detail", args=[source.pk]))
    assert "Usar esta URL" in page.content.decode()

    # when Erika accepts the suggestion
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("newsdesk:source_use_suggested", args=[source.pk])
        )

    # then the source reads the feed from now on, and is healthy again
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.url == feed_url
    assert source.suggested_url == ""
    assert source.last_outcome == Source.Outcome.OK
    assert list(source.items.values_list("title", flat=True)) == ["Carbón"]


def test_using_a_suggestion_that_is_not_there_says_so(editor_client):
    source = broken_source()
    Source.objects.filter(pk=source.pk).update(suggested_url="")

    response = editor_client.post(
        reverse("newsdesk:source_use_suggested", args=[source.pk]), follow=True
    )

    assert "no tiene una URL sugerida" in response.content.decode()


@pytest.mark.parametrize(
    ("error_class", "label"),
    [
        ("not_a_feed", "No es un feed"),
        ("too_many_redirects", "Demasiadas redirecciones"),
        ("http_404", "HTTP 404"),
        ("http_", "Error de la consulta"),
        ("a_class_added_later", "Error de la consulta"),
        ("", ""),
    ],
)
def test_every_error_class_has_a_spanish_label(error_class, label):
    assert error_label(error_class) == label


def test_every_class_the_readers_raise_has_its_own_label():
    # A FetchError class written anywhere in the code must have a label,
    # or the desk reads the generic one.
    pattern = re.compile(r'FetchError\(\s*"([a-z_]+)"')
    code = "".join(
        path.read_text() for path in Path(newsdesk.__file__).parent.rglob("*.py")
    )
    raised = set(pattern.findall(code))

    assert raised
    assert raised <= set(ERROR_LABELS)


def test_an_attempt_reads_in_spanish_and_bogota_time(client, django_user_model):
    # given an attempt that failed at 03:31 UTC, 22:31 the evening before
    source = broken_source()
    attempt = FetchAttempt.objects.create(
        source=source,
        started_at=datetime(2026, 12, 4, 3, 31, tzinfo=UTC),
        outcome=Source.Outcome.ERROR,
        error_class="timeout",
    )
    ok = FetchAttempt.objects.create(
        source=source,
        started_at=datetime(2026, 12, 4, 3, 46, tzinfo=UTC),
        outcome=Source.Outcome.OK,
    )

    # then its name says when and what, in the desk's words
    assert str(attempt) == "Consulta del 3 dic 2026, 22:31: Sin respuesta a tiempo"
    assert str(ok) == "Consulta del 3 dic 2026, 22:46: Correcto"

    # and the admin's inline rows read the same
    admin_user = django_user_model.objects.create_superuser(
        "admin", "admin@upme.gov.co", "clave-segura-1"
    )
    client.force_login(admin_user)
    page = client.get(
        reverse("admin:newsdesk_source_change", args=[source.pk])
    ).content.decode()
    assert "Consulta del 3 dic 2026, 22:31: Sin respuesta a tiempo" in page
    assert "timeout" not in page


def test_the_page_refreshes_itself_until_the_requested_poll_shows(
    editor_client, django_capture_on_commit_callbacks
):
    # given a source whose poll Erika asked for, not run by a worker yet
    source = broken_source()
    with django_capture_on_commit_callbacks(execute=False):
        response = editor_client.post(reverse("newsdesk:source_poll", args=[source.pk]))
    waiting_url = response.url

    # then its page keeps asking for its status section
    page = editor_client.get(waiting_url).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "esta sección se actualiza sola" in page
    # Said once, in the section that changes, not also in a message that
    # would stay on the page after the result.
    assert "quedó en cola" not in page
    partial = editor_client.get(waiting_url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.strip().startswith('<section id="source-status" hx-get=')
    assert "<html" not in partial

    # when the attempt arrives, the section shows it and stops asking
    FetchAttempt.objects.create(
        source=source,
        outcome=Source.Outcome.ERROR,
        error_class="http_503",
        error="El sitio tiene una falla temporal (HTTP 503).",
    )
    partial = editor_client.get(waiting_url, HTTP_HX_REQUEST="true").content.decode()
    assert "El sitio tiene una falla temporal (HTTP 503)." in partial
    assert "hx-trigger" not in partial


def test_the_page_stops_waiting_for_a_poll_that_never_runs(
    editor_client, django_capture_on_commit_callbacks
):
    source = broken_source()
    with django_capture_on_commit_callbacks(execute=False):
        response = editor_client.post(reverse("newsdesk:source_poll", args=[source.pk]))

    with time_machine.travel(timedelta(minutes=3)):
        page = editor_client.get(response.url).content.decode()

    assert "hx-trigger" not in page
    assert "La consulta sigue en cola" in page


def test_a_plain_visit_does_not_poll(editor_client):
    source = broken_source()

    page = editor_client.get(
        reverse("newsdesk:source_detail", args=[source.pk])
    ).content.decode()

    assert "hx-trigger" not in page
    assert "sigue en cola" not in page


def test_the_polling_status_section_costs_no_navigation_counts(editor_client):
    # given a source page whose status section asks for itself every 2 s
    source = broken_source(error_count=12)
    url = reverse("newsdesk:source_detail", args=[source.pk])

    # then the full page counts the sources needing attention, once
    with CaptureQueriesContext(connection) as full:
        page = editor_client.get(url).content.decode()
    assert 'title="Fuentes que requieren atención">1<' in page
    attention = [q for q in full if '"error_count" >=' in q["sql"]]
    assert len(attention) == 1

    # and the section alone, which shows no navigation, does not
    with CaptureQueriesContext(connection) as partial:
        editor_client.get(url, HTTP_HX_REQUEST="true")
    assert not [q for q in partial if '"error_count" >=' in q["sql"]]
