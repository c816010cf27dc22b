"""Every fault case in ../shared/cases/feeds, through the real fetch and ingest.

Each file is served by a real HTTP server on 127.0.0.1 and polled as a
source; the assertions are the expected results in that folder's
EXPECTED.md, as an editor would see them in the queue.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from newsdesk.actions.intake import poll_source
from newsdesk.models import NewsItem, Source
from tests.conftest import shared_path
from tests.newsdesk.feed_server import Canned, FeedServer

pytestmark = pytest.mark.django_db

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
MOJIBAKE = ("Ã", "Ă", "\ufffd")


def case(name: str) -> bytes:
    return shared_path("cases", "feeds", name).read_bytes()


def serve_source(
    server: FeedServer, name: str, headers: dict[str, str] | None = None
) -> Source:
    url = server.route(f"/{name}", Canned(200, case(name), headers or RSS))
    return Source.objects.create(name=name, kind=Source.Kind.FEED, url=url)


def titles(source: Source) -> list[str]:
    return list(
        source.items.order_by("published_at", "pk").values_list("title", flat=True)
    )


def test_utf8_with_a_stray_latin1_byte_keeps_every_accent(feed_server, caplog):
    # given a UTF-8 feed with one Latin-1 "ó" pasted in a title
    source = serve_source(feed_server, "01-utf8-stray-latin1-byte.xml")

    # when
    with caplog.at_level(logging.WARNING, logger="newsdesk.actions.intake"):
        attempt = poll_source(source.pk)

    # then
    assert attempt.outcome == Source.Outcome.OK
    assert titles(source) == [
        "Minería de carbón en La Guajira reporta caída del 12 % en exportaciones",
        "Subasta de energía eólica: la transición avanza en el Caribe",
        "Gas natural: regasificadora del Pacífico entrará en operación en 2026",
    ]
    for item in source.items.all():
        assert not any(bad in item.title + item.summary for bad in MOJIBAKE)
    # and the charset reported is UTF-8, not the one a byte suggested
    remarks = [r.getMessage() for r in caplog.records if "charset" in r.getMessage()]
    assert remarks
    assert all("utf-8" in remark for remark in remarks)
    assert not any("windows-1252" in remark for remark in remarks)


def test_latin1_served_as_text_xml_is_healthy_with_a_warning(feed_server, caplog):
    # given an ISO-8859-1 feed served as text/xml without a charset
    source = serve_source(
        feed_server, "02-latin1-served-text-xml.xml", {"Content-Type": "text/xml"}
    )

    # when
    with caplog.at_level(logging.WARNING, logger="newsdesk.actions.intake"):
        attempt = poll_source(source.pk)

    # then the charset remark is a warning, not a failure
    source.refresh_from_db()
    assert attempt.outcome == Source.Outcome.OK
    assert source.error_count == 0
    assert titles(source) == [
        "Agencia minera otorga títulos para extracción de níquel en Córdoba",
        "Tarifas de energía bajarían en el segundo semestre, según el regulador",
        "Señalan retrasos en la línea de transmisión hacia el sur del país",
    ]
    assert any("charset" in record.getMessage() for record in caplog.records)


def test_undefined_html_entities_are_resolved(feed_server):
    source = serve_source(feed_server, "04-html-entities-undefined.xml")

    attempt = poll_source(source.pk)

    assert attempt.outcome == Source.Outcome.OK
    assert [title.replace("\xa0", " ") for title in titles(source)] == [
        "Hidroeléctrica del sur alcanza 80 % de avance",
        "Pequeños mineros piden más tiempo para formalizarse",
        "¿Qué pasará con las regalías del petróleo en 2025?",
    ]
    summary = source.items.get(title__startswith="Pequeños").summary
    assert "«El plazo no alcanza»" in summary


def test_illegal_control_characters_are_stripped(feed_server):
    source = serve_source(feed_server, "05-control-chars-illegal.xml")

    attempt = poll_source(source.pk)

    assert attempt.outcome == Source.Outcome.OK
    assert source.items.count() == 2
    item = source.items.get(guid__endswith="5001")
    assert item.title == "Nuevas reglas para la comercialización de gas natural"
    assert not any(char in item.summary for char in "\x08\x0b\x13")
    assert "publicado para comentarios." in item.summary


def test_spanish_cot_and_offsetless_dates(feed_server):
    source = serve_source(feed_server, "07-spanish-dates.xml")

    poll_source(source.pk)

    dates = {
        item.title[0]: item.published_at.astimezone(UTC) for item in source.items.all()
    }
    assert dates == {
        "A": datetime(2024, 3, 4, 12, 30, tzinfo=UTC),
        "B": datetime(2024, 3, 6, 19, 0, tzinfo=UTC),
        "C": datetime(2024, 3, 7, 14, 15, tzinfo=UTC),
        "D": datetime(2024, 1, 8, 21, 45, tzinfo=UTC),
        "E": datetime(2024, 3, 8, 21, 45, tzinfo=UTC),
        "F": datetime(2024, 3, 9, 15, 0, tzinfo=UTC),
        "G": datetime(2024, 3, 10, 13, 0, tzinfo=UTC),
    }
    assert not source.items.exclude(date_flag="").exists()


@time_machine.travel(datetime(2024, 3, 16, 12, 0, tzinfo=UTC), tick=False)
def test_future_missing_and_epoch_dates_become_the_fetch_time(feed_server):
    # given a news item of today already in the queue
    source = serve_source(feed_server, "08-future-missing-epoch-dates.xml")
    today = NewsItem.objects.create(
        source=source,
        identity="guid:today",
        title="Noticia de hoy",
        published_at=timezone.now() - timedelta(hours=1),
    )

    # when
    poll_source(source.pk)

    # then
    items = {item.guid: item for item in source.items.exclude(pk=today.pk)}
    assert len(items) == 4
    assert items["8001"].date_flag == NewsItem.DateFlag.FUTURE
    assert items["8001"].published_at == timezone.now()
    assert items["8002"].date_flag == NewsItem.DateFlag.MISSING
    assert items["8002"].published_at == timezone.now()
    assert items["8003"].published_at == datetime(2024, 3, 15, 14, 0, tzinfo=UTC)
    assert items["8003"].date_flag == ""
    assert items["8004"].date_flag == NewsItem.DateFlag.MISSING
    assert NewsItem.objects.filter(published_at__gt=timezone.now()).count() == 0


def test_repeated_guids_fall_back_to_the_link(feed_server):
    source = serve_source(feed_server, "09-duplicate-guids.xml")

    first = poll_source(source.pk)
    again = poll_source(source.pk)

    assert first.items_created == 4
    assert again.items_created == 0
    assert source.items.count() == 4


def test_tracking_parameters_and_hosts_do_not_duplicate_stories(feed_server):
    # given the same feed fetched twice, its links dressed differently
    path = "/economia.xml"
    url = feed_server.route(
        path,
        Canned(200, case("10a-no-guid-tracking-params-fetch1.xml"), RSS),
        Canned(200, case("10b-no-guid-tracking-params-fetch2.xml"), RSS),
    )
    source = Source.objects.create(name="Diario", kind=Source.Kind.FEED, url=url)

    # when
    poll_source(source.pk)
    second = poll_source(source.pk)

    # then four stories, and the edited one is flagged, not duplicated
    assert source.items.count() == 4
    assert second.items_created == 1
    assert second.items_updated == 1
    edited = source.items.get(link__endswith="alivio-tarifa-costa-10002")
    assert edited.was_updated
    assert (
        edited.title
        == "Tarifa de energía en la Costa: usuarios recibirán un alivio gradual"
    )
    assert (
        edited.link
        == "https://www.diario-ejemplo.example/economia/alivio-tarifa-costa-10002"
    )
    assert source.items.filter(was_updated=True).count() == 1


def test_entries_without_link_or_guid_are_kept(feed_server):
    source = serve_source(feed_server, "11-missing-link-and-guid.xml")

    first = poll_source(source.pk)
    again = poll_source(source.pk)

    assert first.items_created == 3
    assert again.items_created == 0
    communique = source.items.get(guid="com-2024-031")
    assert communique.link == ""
    assert communique.identity == "guid:com-2024-031"
    agenda = source.items.get(title="Agenda del foro de transición energética")
    assert agenda.identity.startswith("hash:")
    notice = source.items.get(guid="", link="", title__startswith="Aviso")
    assert notice.title.startswith("Aviso: el portal estará en mantenimiento")


def test_html_page_instead_of_feed_is_not_a_feed_and_keeps_stories(feed_server):
    # given a source with a story already stored
    url = feed_server.route(
        "/rss/economia",
        Canned(
            200, case("14-html-instead-of-feed.html"), {"Content-Type": "text/html"}
        ),
    )
    source = Source.objects.create(name="Portal", kind=Source.Kind.FEED, url=url)
    NewsItem.objects.create(
        source=source, identity="guid:1", title="Anterior", published_at=timezone.now()
    )

    # when
    attempt = poll_source(source.pk)

    # then
    source.refresh_from_db()
    assert attempt.outcome == Source.Outcome.ERROR
    assert attempt.error_class == "not_a_feed"
    assert source.error_count == 1
    assert source.suggested_url == feed_server.url("/rss/noticias.xml")
    assert source.items.count() == 1
    assert feed_server.requests_to("/rss/noticias.xml") == []


def test_escaped_titles_are_unescaped_once_and_summaries_sanitised(feed_server):
    source = serve_source(feed_server, "17-cdata-entities-title-xss.xml")

    poll_source(source.pk)

    first = source.items.get(guid="17001")
    assert first.title == "Regalías mineras: ¿quién decide su uso?"
    assert "Análisis del sistema general de regalías." in first.summary
    for banned in ("onclick", "<script", "<iframe", "javascript:", "robar"):
        assert banned not in first.summary
    assert source.items.get(guid="17002").title == (
        "Energía & minería: agenda legislativa de abril"
    )


@pytest.mark.parametrize("unsized", [False, True], ids=["declared", "streamed"])
def test_oversized_body_is_cut_with_too_large(feed_server, settings, unsized):
    # given a 20 MB body and the default 10 MiB limit, its length declared
    # or not (then only reading the stream can tell)
    settings.FETCH_MAX_BYTES = 10 * 1024 * 1024
    body = b"<rss><channel>" + b"<item><title>x</title></item>" * 700_000
    assert len(body) > 20_000_000
    url = feed_server.route("/grande.xml", Canned(200, body, RSS, unsized=unsized))
    source = Source.objects.create(name="Grande", kind=Source.Kind.FEED, url=url)

    # when
    attempt = poll_source(source.pk)

    # then
    source.refresh_from_db()
    assert attempt.error_class == "too_large"
    assert "10 MiB" in source.last_error
    assert source.items.count() == 0


def test_huge_feed_only_newest_entries_become_candidates(feed_server, settings):
    # given a feed of 3,000 items, one per minute
    settings.INTAKE_MAX_ENTRIES = 100
    start = datetime(2024, 3, 1, tzinfo=UTC)
    items = "".join(
        f"<item><title>Noticia {n}</title><guid>n-{n}</guid>"
        f"<pubDate>{(start + timedelta(minutes=n)):%a, %d %b %Y %H:%M:%S} +0000</pubDate></item>"
        for n in range(3000)
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    url = feed_server.route("/enorme.xml", Canned(200, body.encode(), RSS))
    source = Source.objects.create(name="Enorme", kind=Source.Kind.FEED, url=url)

    # when
    attempt = poll_source(source.pk)

    # then
    assert attempt.entries_found == 3000
    assert source.items.count() == 100
    assert set(source.items.values_list("guid", flat=True)) == {
        f"n-{n}" for n in range(2900, 3000)
    }
