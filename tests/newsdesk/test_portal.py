"""The UPME portal: WordPress REST API first, the portal's pages otherwise."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from django.urls import reverse

from newsdesk.actions import intake
from newsdesk.models import NewsItem, Source
from newsdesk.sources.base import FetchError
from newsdesk.sources.portal import PortalReader

FIXTURES = Path(__file__).parent / "fixtures"
# What WordPress's "&#8211;" stands for.
DASH = "\u2013"
BASE = "https://www.upme.gov.co/"
POSTS = BASE + "wp-json/wp/v2/posts"
MEDIA = BASE + "wp-json/wp/v2/media"
NEWS_PAGE = BASE + "noticias/"
PUBLICATIONS_PAGE = BASE + "publicaciones/"
FALLBACK_CONFIG = {
    "news_path": "/noticias/",
    "news_selector": ".listado-noticias h2.titulo a",
    "publications_path": "/publicaciones/",
    "publications_selector": "ul.documentos a",
}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def serve(url: str, name: str, content_type: str, status: int = 200) -> None:
    responses.add(
        responses.GET, url, body=fixture(name), status=status, content_type=content_type
    )


def serve_api() -> None:
    serve(POSTS, "wp_posts.json", "application/json; charset=UTF-8")
    serve(MEDIA, "wp_media_pdf.json", "application/json; charset=UTF-8")


def serve_pages() -> None:
    serve(NEWS_PAGE, "portal_news.html", "text/html; charset=UTF-8")
    serve(PUBLICATIONS_PAGE, "portal_publications.html", "text/html; charset=UTF-8")


def portal_source(**config: object) -> Source:
    return Source.objects.create(
        name="Portal UPME", kind=Source.Kind.PORTAL, url=BASE, config=config
    )


def by_kind(entries, kind: str):
    return [entry for entry in entries if entry.extra.get("kind") == kind]


# The REST API


@responses.activate
@pytest.mark.django_db
def test_api_news_have_titles_unescaped_once_and_clean_excerpts():
    # given
    serve_api()

    # when
    result = PortalReader(portal_source()).read()

    # then
    news = by_kind(result.entries, "news")
    assert [entry.title for entry in news] == [
        f"UPME publica el Plan de Expansión de Referencia Generación {DASH} Transmisión 2026{DASH}2040",
        # WordPress's own double escape stays one level escaped.
        "Convocatoria “UPME STN 01-2026”: línea La Guajira &amp; Cerromatoso",
        "Boletín estadístico de minas y energía, noviembre",
    ]
    plan = news[0]
    assert plan.link == (
        "https://www.upme.gov.co/upme-publica-el-plan-de-expansion-de-referencia-"
        "generacion-transmision-2026-2040/"
    )
    assert plan.guid == "https://www.upme.gov.co/?p=20871"
    assert plan.published_at == datetime(2026, 12, 2, 21, 45, 12, tzinfo=UTC)
    assert plan.image_url.endswith("/2026/12/plan-expansion-portada.jpg")
    assert "12 GW de nuevas fuentes renovables" in plan.summary
    assert "<script" not in plan.summary and "alert" not in plan.summary
    assert "onclick" not in plan.summary
    assert 'href="https://www.upme.gov.co/planes/"' in plan.summary


@responses.activate
@pytest.mark.django_db
def test_api_asks_for_few_fields_and_only_pdf_documents():
    serve_api()

    PortalReader(portal_source(per_page=5)).read()

    posts_query = parse_qs(urlsplit(responses.calls[0].request.url).query)
    media_query = parse_qs(urlsplit(responses.calls[1].request.url).query)
    assert posts_query["per_page"] == ["5"]
    assert "title" in posts_query["_fields"][0].split(",")
    assert media_query["mime_type"] == ["application/pdf"]
    assert responses.calls[0].request.headers["Accept"] == "application/json"


@responses.activate
@pytest.mark.django_db
def test_api_publications_become_candidates_with_their_document():
    serve_api()

    result = PortalReader(portal_source()).read()

    publications = by_kind(result.entries, "publication")
    assert [entry.title for entry in publications] == [
        f"Plan de Expansión de Transmisión 2026{DASH}2040",
        # No title in WordPress: the file's name stands in.
        "estudio demanda gas natural",
    ]
    plan = publications[0]
    assert plan.document_url == (
        "https://www.upme.gov.co/wp-content/uploads/2026/12/"
        "Plan_Expansion_Transmision_2026-2040.pdf"
    )
    assert "onerror" not in plan.summary
    assert plan.published_at == datetime(2026, 12, 1, 16, 30, tzinfo=UTC)


@responses.activate
@pytest.mark.django_db
def test_poll_stores_news_and_publications_once():
    # given
    serve_api()
    serve_api()
    source = portal_source()

    # when polled twice
    first = intake.poll_source(source.pk)
    second = intake.poll_source(source.pk)

    # then
    assert first.items_created == 5
    assert second.items_created == 0
    stored = NewsItem.objects.get(
        source=source, title__startswith="Plan de Expansión de Trans"
    )
    assert stored.document_url.endswith("Plan_Expansion_Transmision_2026-2040.pdf")


@responses.activate
@pytest.mark.django_db
def test_script_links_from_the_api_never_reach_the_queue():
    # given a portal whose API hands out javascript: addresses
    post = {
        "id": 1,
        "date_gmt": "2026-12-02T21:45:12",
        "link": "javascript:alert(document.cookie)",
        "title": {"rendered": "Noticia con enlace peligroso"},
        "excerpt": {"rendered": "<p>Texto</p>"},
        "_embedded": {"wp:featuredmedia": [{"source_url": " JavaScript:alert(3)"}]},
    }
    media = {
        "id": 2,
        "date_gmt": "2026-12-01T16:30:00",
        "title": {"rendered": "Documento con enlace peligroso"},
        "source_url": "javascript:alert(2)",
        "mime_type": "application/pdf",
    }
    good = {
        "id": 3,
        "date_gmt": "2026-12-01T16:30:00",
        "link": "https://www.upme.gov.co/noticia-buena/",
        "title": {"rendered": "Noticia buena"},
        "_embedded": {"wp:featuredmedia": [{"source_url": "java\nscript:alert(4)"}]},
    }
    responses.add(responses.GET, POSTS, json=[post, good])
    responses.add(responses.GET, MEDIA, json=[media])
    source = portal_source()

    # when
    intake.poll_source(source.pk)

    # then only the post with a web address is stored, without the image
    stored = NewsItem.objects.get(source=source)
    assert stored.title == "Noticia buena"
    assert stored.link == "https://www.upme.gov.co/noticia-buena"
    assert stored.image_url == ""


# When the API does not answer


@responses.activate
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("wp_rest_no_route.json", "application/json; charset=UTF-8", 404),
        ("portal_news.html", "text/html; charset=UTF-8", 200),
        ("wp_rest_no_route.json", "application/json; charset=UTF-8", 200),
    ],
    ids=["404", "html-instead-of-json", "json-error"],
)
def test_without_the_api_the_pages_are_read_with_the_selectors(
    body, content_type, status
):
    # given
    serve(POSTS, body, content_type, status)
    serve(MEDIA, body, content_type, status)
    serve_pages()

    # when
    result = PortalReader(portal_source(**FALLBACK_CONFIG)).read()

    # then
    news = by_kind(result.entries, "news")
    assert [(entry.title, entry.link) for entry in news] == [
        (
            f"UPME publica el Plan de Expansión 2026{DASH}2040",
            "https://www.upme.gov.co/noticias/upme-publica-el-plan-de-expansion-2026-2040/",
        ),
        (
            "Subasta de almacenamiento con baterías",
            "https://www.upme.gov.co/noticias/subasta-de-almacenamiento-con-baterias/",
        ),
    ]
    assert news[0].published_at == datetime(2026, 12, 2, 21, 45, 12, tzinfo=UTC)
    assert news[1].published_at.date().isoformat() == "2026-11-28"
    assert news[0].summary == (
        "<p>La Unidad publicó para comentarios el plan de obras de transmisión.</p>"
    )

    publications = by_kind(result.entries, "publication")
    assert [(entry.title, entry.document_url) for entry in publications] == [
        (
            f"Plan de Expansión de Transmisión 2026{DASH}2040",
            "https://www.upme.gov.co/wp-content/uploads/2026/12/Plan_Expansion_Transmision_2026-2040.pdf",
        ),
        (
            "Estudio de demanda de gas natural",
            "https://www.upme.gov.co/wp-content/uploads/2026/11/estudio-demanda-gas-natural.pdf",
        ),
    ]


@responses.activate
@pytest.mark.django_db
def test_a_long_publications_page_gives_its_first_documents_up_to_per_page():
    # given the portal's archive of 70 documents, newest first, on one page
    links = "".join(
        f'<li><a href="/wp-content/uploads/doc-{n}.pdf">Informe número {n}</a></li>'
        for n in range(70)
    )
    serve(NEWS_PAGE, "portal_news.html", "text/html; charset=UTF-8")
    responses.add(
        responses.GET,
        PUBLICATIONS_PAGE,
        body=f'<html><body><ul class="documentos">{links}</ul></body></html>',
        content_type="text/html; charset=UTF-8",
    )

    # when read with ten documents a poll
    result = PortalReader(
        portal_source(api=False, per_page=10, **FALLBACK_CONFIG)
    ).read()

    # then the ten newest, so the poll's news and documents fit its
    # candidates together
    publications = by_kind(result.entries, "publication")
    assert [entry.title for entry in publications] == [
        f"Informe número {n}" for n in range(10)
    ]


@responses.activate
@pytest.mark.django_db
def test_api_off_reads_only_the_pages():
    serve_pages()

    result = PortalReader(portal_source(api=False, **FALLBACK_CONFIG)).read()

    assert len(result.entries) == 4
    assert all("wp-json" not in call.request.url for call in responses.calls)


@responses.activate
@pytest.mark.django_db
def test_broken_api_and_no_matching_page_is_a_clear_error():
    # given a truncated JSON answer and a news page the selector does not fit
    responses.add(
        responses.GET,
        POSTS,
        body=fixture("wp_posts.json")[:300],
        content_type="application/json; charset=UTF-8",
    )
    serve(NEWS_PAGE, "portal_publications.html", "text/html; charset=UTF-8")

    # when
    with pytest.raises(FetchError) as caught:
        PortalReader(portal_source(**FALLBACK_CONFIG)).read()

    # then the editor reads what failed and which key to fix
    assert caught.value.error_class == "no_articles"
    assert "JSON dañado" in caught.value.message
    assert "news_selector" in caught.value.message
    assert NEWS_PAGE in caught.value.message


@responses.activate
@pytest.mark.django_db
def test_failing_publications_leave_the_news_with_a_warning():
    serve(POSTS, "wp_posts.json", "application/json; charset=UTF-8")
    serve(MEDIA, "wp_rest_no_route.json", "application/json", status=401)
    responses.add(responses.GET, PUBLICATIONS_PAGE, status=503)

    result = PortalReader(portal_source(**FALLBACK_CONFIG)).read()

    assert len(by_kind(result.entries, "news")) == 3
    assert by_kind(result.entries, "publication") == []
    assert "publicaciones" in result.warnings[0]
    assert "HTTP 503" in result.warnings[0]


@responses.activate
@pytest.mark.django_db
def test_an_editor_sees_on_the_source_page_that_documents_failed(editor_client):
    # given a portal whose publications page is gone
    serve(NEWS_PAGE, "portal_news.html", "text/html; charset=UTF-8")
    responses.add(responses.GET, PUBLICATIONS_PAGE, status=404)
    source = portal_source(api=False, **FALLBACK_CONFIG)

    # when it is polled and the editor opens its page
    attempt = intake.poll_source(source.pk)
    page = editor_client.get(
        reverse("newsdesk:source_detail", args=[source.pk])
    ).content.decode()

    # then the news were stored, and the page says documents were not read
    assert attempt.outcome == Source.Outcome.OK
    assert source.items.count() == 2
    assert len(attempt.warnings) == 1
    # naming the page that failed, not the portal's own address
    assert attempt.warnings[0] == (
        "No se pudieron leer las publicaciones: La dirección no existe (HTTP 404): "
        + PUBLICATIONS_PAGE
    )
    assert "Avisos" in page
    assert "No se pudieron leer las publicaciones" in page


@responses.activate
@pytest.mark.django_db
def test_a_media_api_that_fails_with_no_page_to_stand_in_is_a_warning():
    # given a portal read through its API alone, whose media route is gone
    serve(POSTS, "wp_posts.json", "application/json; charset=UTF-8")
    serve(MEDIA, "wp_rest_no_route.json", "application/json", status=404)

    # when it is read
    result = PortalReader(portal_source()).read()

    # then the news come, and the warning names the missing key
    assert len(by_kind(result.entries, "news")) == 3
    assert len(result.warnings) == 1
    assert "API de documentos no respondió" in result.warnings[0]
    assert "«publications_path»" in result.warnings[0]


@responses.activate
@pytest.mark.django_db
def test_unreachable_portal_is_not_read_from_its_pages():
    responses.add(responses.GET, POSTS, body=requests.ConnectionError("sin red"))

    with pytest.raises(FetchError) as caught:
        PortalReader(portal_source(**FALLBACK_CONFIG)).read()

    assert caught.value.error_class == "connection"
    assert len(responses.calls) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"per_page": 0}, "per_page"),
        ({"api": "quizá"}, "api"),
        ({"news_path": 3}, "news_path"),
    ],
)
def test_bad_config_names_the_key(config, key):
    with pytest.raises(FetchError) as caught:
        PortalReader(portal_source(**config)).read()

    assert caught.value.error_class == "config"
    assert key in caught.value.message


# Conditional GET and redirects

VALIDATORS = {"ETag": '"posts-v1"', "Last-Modified": "Thu, 03 Dec 2026 13:00:00 GMT"}
JSON = "application/json; charset=UTF-8"


def serve_listing(url: str, name: str, status: int, headers: dict[str, str]) -> None:
    """A REST listing: the fixture on 200, an empty body otherwise (304)."""
    responses.add(
        responses.GET,
        url,
        body=fixture(name) if status == 200 else b"",
        status=status,
        headers=headers,
        content_type=JSON,
    )


def serve_posts(status: int = 200, **headers: str) -> None:
    serve_listing(POSTS, "wp_posts.json", status, headers)


def no_parsing(*args, **kwargs):
    raise AssertionError("an unchanged listing must not be parsed")


@responses.activate
@pytest.mark.django_db
def test_unchanged_posts_listing_costs_no_parsing(monkeypatch):
    # given a portal read once, with validators, answered 304 next
    serve_posts(**VALIDATORS)
    serve_posts(status=304, ETag=VALIDATORS["ETag"])
    source = portal_source(publications=False)
    intake.poll_source(source.pk)

    # when polled again, with parsing made to fail loudly
    monkeypatch.setattr("newsdesk.sources.portal._api_data", no_parsing)
    attempt = intake.poll_source(source.pk)

    # then
    sent = responses.calls[1].request.headers
    assert sent["If-None-Match"] == '"posts-v1"'
    assert sent["If-Modified-Since"] == "Thu, 03 Dec 2026 13:00:00 GMT"
    assert len(responses.calls) == 2
    assert attempt.outcome == Source.Outcome.NOT_MODIFIED
    assert attempt.http_status == 304
    source.refresh_from_db()
    assert source.etag == '"posts-v1"'
    assert source.items.count() == 3


@responses.activate
@pytest.mark.django_db
def test_unchanged_news_still_let_new_publications_in(monkeypatch):
    # given posts that answer 304 the second time, and a media listing that
    # sends no validators, so it is read in full each time
    serve_posts(**VALIDATORS)
    serve_posts(status=304)
    responses.add(responses.GET, MEDIA, json=[])
    serve(MEDIA, "wp_media_pdf.json", JSON)
    source = portal_source()
    intake.poll_source(source.pk)

    # when polled again, with the news made to fail loudly if parsed
    monkeypatch.setattr(PortalReader, "_post_entry", no_parsing)
    attempt = intake.poll_source(source.pk)

    # then the publications are stored and the posts' validators kept
    assert responses.calls[2].request.headers["If-None-Match"] == '"posts-v1"'
    assert "If-None-Match" not in responses.calls[3].request.headers
    assert attempt.outcome == Source.Outcome.OK
    assert attempt.items_created == 2
    source.refresh_from_db()
    assert source.etag == '"posts-v1"'
    assert source.last_modified == "Thu, 03 Dec 2026 13:00:00 GMT"


MEDIA_VALIDATORS = {"ETag": '"media-v1"'}


def serve_media(status: int = 200, **headers: str) -> None:
    serve_listing(MEDIA, "wp_media_pdf.json", status, headers)


@responses.activate
@pytest.mark.django_db
def test_unchanged_news_and_publications_make_an_unchanged_poll(monkeypatch):
    # given a portal whose posts and documents both carry validators
    serve_posts(**VALIDATORS)
    serve_media(**MEDIA_VALIDATORS)
    serve_posts(status=304)
    serve_media(status=304)
    source = portal_source()
    intake.poll_source(source.pk)

    # when polled again, with parsing made to fail loudly
    monkeypatch.setattr("newsdesk.sources.portal._api_data", no_parsing)
    attempt = intake.poll_source(source.pk)

    # then each listing was asked with its own validators, and nothing read
    assert responses.calls[2].request.headers["If-None-Match"] == '"posts-v1"'
    assert responses.calls[3].request.headers["If-None-Match"] == '"media-v1"'
    assert attempt.outcome == Source.Outcome.NOT_MODIFIED
    source.refresh_from_db()
    assert source.items.count() == 5
    assert [kept["etag"] for kept in source.request_validators.values()] == [
        '"media-v1"'
    ]


@responses.activate
@pytest.mark.django_db
def test_changed_publications_are_read_under_unchanged_news():
    serve_posts(**VALIDATORS)
    responses.add(responses.GET, MEDIA, json=[], headers=MEDIA_VALIDATORS)
    serve_posts(status=304)
    serve_media(ETag='"media-v2"')
    source = portal_source()
    intake.poll_source(source.pk)

    attempt = intake.poll_source(source.pk)

    assert responses.calls[3].request.headers["If-None-Match"] == '"media-v1"'
    assert attempt.outcome == Source.Outcome.OK
    assert attempt.items_created == 2
    source.refresh_from_db()
    assert '"media-v2"' in str(source.request_validators)


@responses.activate
@pytest.mark.django_db
def test_a_documents_listing_that_could_not_be_read_keeps_no_validators():
    # given a media listing that answers with an ETag but broken JSON
    serve_posts(**VALIDATORS)
    responses.add(
        responses.GET, MEDIA, body=b"[{", content_type=JSON, headers=MEDIA_VALIDATORS
    )
    serve_posts(status=304)
    serve_media(**MEDIA_VALIDATORS)
    source = portal_source()
    intake.poll_source(source.pk)

    # when polled again
    attempt = intake.poll_source(source.pk)

    # then the listing is asked in full, and its documents come in
    assert "If-None-Match" not in responses.calls[3].request.headers
    assert attempt.items_created == 2


@responses.activate
@pytest.mark.django_db
def test_unchanged_pages_make_an_unchanged_poll_with_the_api_off():
    for url, name, etag in (
        (NEWS_PAGE, "portal_news.html", '"noticias-v1"'),
        (PUBLICATIONS_PAGE, "portal_publications.html", '"docs-v1"'),
    ):
        responses.add(
            responses.GET,
            url,
            body=fixture(name),
            headers={"ETag": etag},
            content_type="text/html; charset=UTF-8",
        )
    responses.add(responses.GET, NEWS_PAGE, status=304)
    responses.add(responses.GET, PUBLICATIONS_PAGE, status=304)
    source = portal_source(api=False, **FALLBACK_CONFIG)
    intake.poll_source(source.pk)

    attempt = intake.poll_source(source.pk)

    assert responses.calls[3].request.headers["If-None-Match"] == '"docs-v1"'
    assert attempt.outcome == Source.Outcome.NOT_MODIFIED


@responses.activate
@pytest.mark.django_db
def test_changed_posts_listing_is_read_in_full():
    # given a listing with no posts, then with three
    responses.add(responses.GET, POSTS, json=[], headers={"ETag": '"posts-v1"'})
    serve_posts(ETag='"posts-v2"')
    source = portal_source(publications=False)
    intake.poll_source(source.pk)

    # when
    attempt = intake.poll_source(source.pk)

    # then
    assert responses.calls[1].request.headers["If-None-Match"] == '"posts-v1"'
    assert attempt.outcome == Source.Outcome.OK
    assert attempt.items_created == 3
    source.refresh_from_db()
    assert source.etag == '"posts-v2"'


@responses.activate
@pytest.mark.django_db
def test_unchanged_news_page_costs_no_parsing_with_the_api_off(monkeypatch):
    responses.add(
        responses.GET,
        NEWS_PAGE,
        body=fixture("portal_news.html"),
        headers={"ETag": '"noticias-v1"'},
        content_type="text/html; charset=UTF-8",
    )
    responses.add(responses.GET, NEWS_PAGE, status=304)
    source = portal_source(api=False, publications=False, **FALLBACK_CONFIG)
    intake.poll_source(source.pk)

    monkeypatch.setattr("newsdesk.sources.portal._select_links", no_parsing)
    attempt = intake.poll_source(source.pk)

    assert responses.calls[1].request.headers["If-None-Match"] == '"noticias-v1"'
    assert attempt.outcome == Source.Outcome.NOT_MODIFIED


@responses.activate
@pytest.mark.django_db
def test_news_page_read_for_a_failing_api_sends_no_validators():
    # given an API that is gone and a source with the API's validators
    serve(POSTS, "wp_rest_no_route.json", JSON, status=404)
    serve_pages()
    source = portal_source(publications=False, **FALLBACK_CONFIG)
    Source.objects.filter(pk=source.pk).update(etag='"posts-v1"')

    # when
    attempt = intake.poll_source(source.pk)

    # then the page is read in full and the API's validators dropped
    page_call = responses.calls[1].request
    assert page_call.url == NEWS_PAGE
    assert "If-None-Match" not in page_call.headers
    assert attempt.items_created == 2
    source.refresh_from_db()
    assert source.etag == ""


@responses.activate
@pytest.mark.django_db
def test_permanent_redirect_moves_the_portal_base_after_three_polls():
    # given a portal that moved to https for good, with its API
    old_base = "http://www.upme.gov.co/"

    def to_https(request):
        return 301, {"Location": request.url.replace("http:", "https:", 1)}, ""

    responses.add_callback(responses.GET, old_base + "wp-json/wp/v2/posts", to_https)
    serve_posts()
    source = portal_source(publications=False)
    Source.objects.filter(pk=source.pk).update(url=old_base)

    # when polled twice, the address stays
    intake.poll_source(source.pk)
    intake.poll_source(source.pk)
    source.refresh_from_db()
    assert source.url == old_base
    assert source.moved_count == 2

    # then the third poll moves the base, not the API's address
    intake.poll_source(source.pk)
    source.refresh_from_db()
    assert source.url == BASE
    assert source.items.count() == 3


@responses.activate
@pytest.mark.django_db
def test_a_route_sent_elsewhere_does_not_move_the_portal():
    # given a posts route that moved for good to another route
    moved_route = BASE + "wp-json/wp/v2/noticias"
    responses.add(responses.GET, POSTS, status=301, headers={"Location": moved_route})
    serve(moved_route, "wp_posts.json", JSON)
    source = portal_source(publications=False)

    # when
    for _ in range(3):
        intake.poll_source(source.pk)

    # then the portal is still where it was
    source.refresh_from_db()
    assert source.url == BASE
    assert source.moved_count == 0
    assert source.items.count() == 3
