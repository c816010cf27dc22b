"""Polling sources: conditional GET, redirects, back-off, recovery, locking."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.utils import timezone

from newsdesk import enrich, tasks
from newsdesk.actions import intake
from newsdesk.models import ATTENTION_THRESHOLD, FetchAttempt, NewsItem, Source, Term
from newsdesk.sources.base import EntryData, Reader, ReadResult
from tests.newsdesk.feed_server import Canned, FeedServer

pytestmark = pytest.mark.django_db

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def rss(*titles: str) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><guid>{n}</guid>"
        f"<pubDate>Mon, 04 Mar 2024 0{n % 10}:00:00 -0500</pubDate></item>"
        for n, title in enumerate(titles)
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Demo</title>{items}</channel></rss>'.encode()


def feed_source(server: FeedServer, path: str, *responses: Canned, **fields) -> Source:
    url = server.route(path, *responses)
    return Source.objects.create(
        name="Energía Hoy", kind=Source.Kind.FEED, url=url, **fields
    )


def test_second_poll_of_an_unchanged_feed_costs_no_parsing(feed_server, monkeypatch):
    # given a feed with validators, answered 304 the second time
    source = feed_source(
        feed_server,
        "/feed.xml",
        Canned(
            200,
            rss("Subasta eólica"),
            {**RSS, "ETag": '"v1"', "Last-Modified": "Mon, 04 Mar 2024 12:00:00 GMT"},
        ),
        Canned(304, b"", {"ETag": '"v1"'}),
    )
    intake.poll_source(source.pk)

    # when polled again, with parsing made to fail loudly
    def no_parsing(*args, **kwargs):
        raise AssertionError("a 304 must not be parsed")

    monkeypatch.setattr("newsdesk.sources.feed.parse_feed", no_parsing)
    attempt = intake.poll_source(source.pk)

    # then
    sent = feed_server.requests_to("/feed.xml")[1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Mon, 04 Mar 2024 12:00:00 GMT"
    assert attempt.outcome == Source.Outcome.NOT_MODIFIED
    assert attempt.http_status == 304
    source.refresh_from_db()
    assert source.last_outcome == Source.Outcome.NOT_MODIFIED
    assert source.etag == '"v1"'
    assert source.items.count() == 1


def test_permanent_redirect_moves_the_url_after_three_polls(feed_server):
    # given a feed that moved for good
    new_url = feed_server.route("/nuevo.xml", Canned(200, rss("Gas natural"), RSS))
    source = feed_source(
        feed_server, "/viejo.xml", Canned(301, b"", {"Location": "/nuevo.xml"})
    )
    old_url = source.url

    # when polled twice, the address stays
    intake.poll_source(source.pk)
    intake.poll_source(source.pk)
    source.refresh_from_db()
    assert source.url == old_url
    assert source.moved_count == 2

    # then the third poll moves it
    intake.poll_source(source.pk)
    source.refresh_from_db()
    assert source.url == new_url
    assert source.items.count() == 1


def test_temporary_redirect_never_moves_the_url(feed_server):
    feed_server.route("/nuevo.xml", Canned(200, rss("Gas natural"), RSS))
    source = feed_source(
        feed_server, "/viejo.xml", Canned(302, b"", {"Location": "/nuevo.xml"})
    )

    for _ in range(4):
        intake.poll_source(source.pk)

    source.refresh_from_db()
    assert source.url.endswith("/viejo.xml")
    assert source.moved_count == 0


def test_backoff_grows_and_is_capped_at_a_day():
    delays = [intake.backoff(failures) for failures in range(1, 30)]

    assert timedelta(minutes=1) <= delays[0] <= timedelta(minutes=2)
    assert delays[3] > delays[1] > delays[0]
    assert all(delay <= timedelta(days=1) for delay in delays)
    assert max(delays) > timedelta(hours=19)


def test_sources_failing_at_the_cap_do_not_all_retry_at_once():
    # given a hundred sources that have failed for days (an outage)
    delays = [intake.backoff(30) for _ in range(100)]

    # then they come back spread over hours, never later than a day
    assert all(timedelta(hours=19) <= delay <= timedelta(days=1) for delay in delays)
    assert len(set(delays)) > 90
    assert max(delays) - min(delays) > timedelta(hours=2)


@pytest.mark.parametrize(
    "header",
    ["7200", format_datetime(timezone.now() + timedelta(hours=2), usegmt=True)],
)
def test_a_site_that_asks_to_wait_is_not_polled_before_then(feed_server, header):
    # given a site answering 429 with Retry-After two hours (seconds or a date)
    source = feed_source(
        feed_server, "/feed.xml", Canned(429, b"despacio", {"Retry-After": header})
    )

    # when the desk polls it
    before = timezone.now()
    intake.poll_source(source.pk)

    # then the next poll waits the two hours, not the first short back-off
    source.refresh_from_db()
    assert source.last_error_class == "http_429"
    wait = source.next_fetch_at - before
    assert timedelta(hours=1, minutes=59) <= wait <= timedelta(hours=2, minutes=1)


def test_a_retry_after_past_the_cap_waits_one_day_at_most(feed_server):
    source = feed_source(
        feed_server, "/feed.xml", Canned(503, b"", {"Retry-After": "9999999"})
    )

    before = timezone.now()
    intake.poll_source(source.pk)

    source.refresh_from_db()
    assert source.next_fetch_at - before <= timedelta(days=1, seconds=5)


def test_failures_back_off_and_ten_flag_the_source(feed_server):
    # given a source whose feed disappeared
    source = feed_source(feed_server, "/feed.xml", Canned(404, b"no"))
    delays = []

    # when it fails ten times in a row
    for _ in range(ATTENTION_THRESHOLD):
        before = timezone.now()
        intake.poll_source(source.pk)
        source.refresh_from_db()
        delays.append(source.next_fetch_at - before)

    # then the retries spread out and the desk is told
    assert source.needs_attention
    assert source.error_count == ATTENTION_THRESHOLD
    assert source.total_errors == ATTENTION_THRESHOLD
    assert source.last_error_class == "http_404"
    assert "no existe" in source.last_error
    assert delays[-1] > delays[0]
    assert FetchAttempt.objects.filter(source=source, outcome="error").count() == 10


def test_broken_source_recovers_by_itself_when_fixed(feed_server):
    # given a source down for a while, with stories already stored
    source = feed_source(
        feed_server,
        "/feed.xml",
        Canned(200, rss("Primera"), RSS),
        Canned(503, b"mantenimiento"),
        Canned(503, b"mantenimiento"),
        Canned(200, rss("Primera", "Segunda"), RSS),
    )
    intake.poll_source(source.pk)
    intake.poll_source(source.pk)
    intake.poll_source(source.pk)
    source.refresh_from_db()
    assert source.error_count == 2
    assert source.items.count() == 1

    # when the site is back
    attempt = intake.poll_source(source.pk)

    # then it is healthy again, on its normal interval
    source.refresh_from_db()
    assert attempt.outcome == Source.Outcome.OK
    assert source.error_count == 0
    assert source.total_errors == 2
    assert source.last_error == ""
    assert source.items.count() == 2
    assert source.next_fetch_at > timezone.now() + source.interval - timedelta(
        minutes=1
    )


def test_first_retry_after_a_failure_is_short(feed_server):
    source = feed_source(feed_server, "/feed.xml", Canned(500, b"falla"))

    intake.poll_source(source.pk)

    source.refresh_from_db()
    assert source.next_fetch_at - timezone.now() <= timedelta(minutes=2)


def test_only_one_poll_of_a_source_at_a_time(feed_server):
    # given a poll that holds the source's lease
    source = feed_source(feed_server, "/feed.xml", Canned(200, rss("x"), RSS))
    Source.objects.filter(pk=source.pk).update(
        poll_lease_until=timezone.now() + timedelta(minutes=5)
    )

    # when another poll starts, it steps aside without fetching
    assert intake.poll_source(source.pk) is None
    assert feed_server.requests_to("/feed.xml") == []

    # and an expired lease (a killed worker) does not block for ever
    Source.objects.filter(pk=source.pk).update(
        poll_lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert intake.poll_source(source.pk).outcome == Source.Outcome.OK
    source.refresh_from_db()
    assert source.poll_lease_until is None


class ScriptedReader(Reader):
    """A reader standing in for a mailbox: it must hear when items are stored."""

    confirmed: list[ReadResult] = []

    def read(self) -> ReadResult:
        return ReadResult(
            entries=[EntryData(title="Boletín", guid="m-1", link="https://b.example/1")]
        )

    def confirm(self, result: ReadResult) -> None:
        assert NewsItem.objects.filter(guid="m-1").exists()
        self.confirmed.append(result)


def test_reader_confirms_after_storing_and_items_are_enriched(monkeypatch):
    source = Source.objects.create(name="Buzón", kind=Source.Kind.MAILBOX)
    enriched = []
    monkeypatch.setattr("newsdesk.actions.intake.get_reader", ScriptedReader)
    monkeypatch.setattr(
        "newsdesk.enrich.prepare_items", lambda items: enriched.extend(items)
    )
    ScriptedReader.confirmed = []

    attempt = intake.poll_source(source.pk)

    assert attempt.items_created == 1
    assert len(ScriptedReader.confirmed) == 1
    assert [item.guid for item in enriched] == ["m-1"]


def test_a_failing_enrichment_loses_nothing(feed_server, monkeypatch):
    source = feed_source(feed_server, "/feed.xml", Canned(200, rss("Gas"), RSS))

    def broken(items):
        raise RuntimeError("modelo no disponible")

    monkeypatch.setattr("newsdesk.enrich.prepare_items", broken)

    attempt = intake.poll_source(source.pk)

    assert attempt.outcome == Source.Outcome.OK
    assert source.items.count() == 1


def test_a_failing_clustering_loses_nothing(feed_server, monkeypatch):
    source = feed_source(feed_server, "/feed.xml", Canned(200, rss("Gas"), RSS))

    def broken(items):
        raise RuntimeError("índice no disponible")

    monkeypatch.setattr("newsdesk.clustering.cluster_items", broken)

    attempt = intake.poll_source(source.pk)

    assert attempt.outcome == Source.Outcome.OK
    item = source.items.get()
    assert item.cluster is None
    # Language, score and signature were kept: only clustering failed.
    assert item.minhash is not None


def test_an_unexpected_reader_crash_is_recorded_not_raised(monkeypatch):
    source = Source.objects.create(
        name="Rota", kind=Source.Kind.FEED, url="https://x.example/f"
    )

    class Crashing(Reader):
        def read(self) -> ReadResult:
            raise KeyError("sorpresa")

    monkeypatch.setattr("newsdesk.actions.intake.get_reader", Crashing)

    attempt = intake.poll_source(source.pk)

    source.refresh_from_db()
    assert attempt.error_class == "internal"
    assert source.error_count == 1


def test_a_poll_out_of_task_time_is_a_time_limit_failure(monkeypatch):
    # given a reader interrupted by the task's soft time limit
    source = Source.objects.create(
        name="Lenta", kind=Source.Kind.FEED, url="https://x.example/f"
    )

    class OutOfTime(Reader):
        def read(self) -> ReadResult:
            raise SoftTimeLimitExceeded()

    monkeypatch.setattr("newsdesk.actions.intake.get_reader", OutOfTime)

    # when
    attempt = intake.poll_source(source.pk)

    # then
    source.refresh_from_db()
    assert attempt.error_class == "time_limit"
    assert source.error_count == 1
    assert source.last_error_class == "time_limit"
    assert source.poll_lease_until is None
    assert source.next_fetch_at > timezone.now()


def test_beat_queues_each_due_enabled_source_once(
    feed_server, django_capture_on_commit_callbacks
):
    # given one due source, one not yet due and one disabled
    due = feed_source(feed_server, "/a.xml", Canned(200, rss("A"), RSS))
    feed_source(
        feed_server,
        "/b.xml",
        Canned(200, rss("B"), RSS),
        next_fetch_at=timezone.now() + timedelta(hours=1),
    )
    feed_source(feed_server, "/c.xml", Canned(200, rss("C"), RSS), enabled=False)

    # when beat ticks twice (tasks run eagerly in tests)
    with django_capture_on_commit_callbacks(execute=True):
        queued = tasks.poll_due_sources()
    with django_capture_on_commit_callbacks(execute=True):
        queued_again = tasks.poll_due_sources()

    # then only the due source was polled, and only once
    assert queued == 1
    assert queued_again == 0
    assert list(FetchAttempt.objects.values_list("source_id", flat=True)) == [due.pk]
    assert len(feed_server.requests_to("/a.xml")) == 1
    assert feed_server.requests_to("/b.xml") == feed_server.requests_to("/c.xml") == []


def test_add_source_validates_in_spanish():
    with pytest.raises(ValidationError) as error:
        intake.add_source(kind="fax", name="", url="ftp://x", interval_minutes=0)

    messages = error.value.message_dict
    assert "Tipo desconocido" in messages["kind"][0]
    assert "nombre" in messages["name"][0]
    assert "no es una URL" in messages["url"][0]
    assert "intervalo" in messages["interval"][0]
    assert not Source.objects.exists()


def test_add_source_creates_a_due_source():
    source = intake.add_source(
        kind="feed",
        name="Diario",
        url="https://diario.example/rss",
        interval_minutes=30,
    )

    assert source.interval == timedelta(minutes=30)
    assert source.next_fetch_at <= timezone.now()
    assert source.enabled


def test_any_readers_text_is_made_storable(monkeypatch):
    # given a reader (a newsletter, say) handing over NULs and no titles
    class Untidy(Reader):
        def read(self) -> ReadResult:
            return ReadResult(
                entries=[
                    EntryData(
                        title="Gas\x00 natural",
                        guid="a\x00",
                        link="https://b.example/a",
                    ),
                    EntryData(
                        title="", summary="<p>Aviso de mantenimiento</p>", guid="b"
                    ),
                    EntryData(title="  ", guid="c"),
                ]
            )

    source = Source.objects.create(name="Buzón", kind=Source.Kind.MAILBOX)
    monkeypatch.setattr("newsdesk.actions.intake.get_reader", Untidy)

    # when
    attempt = intake.poll_source(source.pk)

    # then
    assert attempt.items_created == 3
    assert set(source.items.values_list("title", flat=True)) == {
        "Gas natural",
        "Aviso de mantenimiento",
        "sin título",
    }
    assert source.items.filter(guid="a").exists()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        " JAVASCRIPT:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "/noticias/relativa",
        "//otro.example/sin-esquema",
        "mailto:prensa@x.example",
        "http:/sin-servidor",
    ],
)
def test_only_web_addresses_of_any_reader_become_links(monkeypatch, url):
    # given a reader handing over an address no browser should follow
    class Careless(Reader):
        def read(self) -> ReadResult:
            return ReadResult(
                entries=[
                    EntryData(
                        title="Aviso",
                        guid="a",
                        link=url,
                        image_url=url,
                        document_url=url,
                    ),
                    EntryData(
                        title="Otro aviso",
                        guid="b",
                        link="https://x.example/b",
                        image_url="https://x.example/b.jpg",
                        document_url="https://x.example/b.pdf",
                    ),
                ]
            )

    source = Source.objects.create(name="Buzón", kind=Source.Kind.MAILBOX)
    monkeypatch.setattr("newsdesk.actions.intake.get_reader", Careless)

    # when
    intake.poll_source(source.pk)

    # then the bad address is dropped (the queue shows "sin enlace")
    bad = source.items.get(guid="a")
    assert (bad.link, bad.image_url, bad.document_url) == ("", "", "")
    good = source.items.get(guid="b")
    assert good.link == "https://x.example/b"
    assert good.image_url == "https://x.example/b.jpg"
    assert good.document_url == "https://x.example/b.pdf"


def _bulletin(*titles: str) -> bytes:
    # Every item has GUID "N/A" and links to the home page; its date is its
    # own, whatever its place in the feed.
    items = "".join(
        f"<item><title>{title}</title><guid>N/A</guid>"
        "<link>https://www.gremio.example/</link>"
        f"<pubDate>Mon, 04 Mar 2024 {len(title):02}:00:00 -0500</pubDate></item>"
        for title in titles
    )
    return f'<rss version="2.0"><channel><title>Gremio</title>{items}</channel></rss>'.encode()


def test_items_sharing_guid_and_link_are_each_kept_once(feed_server):
    # given a bulletin board with four items, then a fifth on top
    four = ["Asamblea anual", "Nuevo presidente", "Informe de gas", "Foro minero"]
    source = feed_source(
        feed_server,
        "/gremio.xml",
        Canned(200, _bulletin(*four), RSS),
        Canned(200, _bulletin(*four), RSS),
        Canned(200, _bulletin("Tarifas de energía", *four), RSS),
    )

    # when polled three times
    first = intake.poll_source(source.pk)
    second = intake.poll_source(source.pk)
    third = intake.poll_source(source.pk)

    # then each item is stored once and none is taken for another
    assert first.items_created == 4
    assert (second.items_created, second.items_updated) == (0, 0)
    assert (third.items_created, third.items_updated) == (1, 0)
    assert sorted(source.items.values_list("title", flat=True)) == sorted(
        ["Tarifas de energía", *four]
    )


def _story_feed(title: str, summary: str, guid: str) -> bytes:
    when = format_datetime(timezone.now() - timedelta(hours=1))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Demo</title><item><title>{title}</title><guid>{guid}</guid>"
        f"<description>{summary}</description><pubDate>{when}</pubDate>"
        "</item></channel></rss>"
    ).encode()


def _two_tellings_of_the_auction(feed_server) -> tuple[Source, Source]:
    """Two outlets telling, today, how the Colectora line was auctioned."""
    first = feed_source(
        feed_server,
        "/uno.xml",
        Canned(
            200,
            _story_feed(
                "UPME adjudica la subasta de transmisión Colectora en La Guajira",
                "La Unidad de Planeación Minero Energética adjudicó la subasta "
                "de la línea Colectora, que conectará parques eólicos.",
                "uno-1",
            ),
            RSS,
        ),
    )
    second = feed_source(
        feed_server,
        "/dos.xml",
        Canned(
            200,
            _story_feed(
                "Adjudicada la subasta de la línea Colectora en La Guajira",
                "La UPME adjudicó la subasta de la línea de transmisión "
                "Colectora, que conectará los parques eólicos.",
                "dos-1",
            ),
            RSS,
        ),
    )
    return first, second


def test_polled_items_arrive_scored_and_clustered_across_outlets(feed_server):
    # given a sector term and two outlets telling the same story today
    Term.objects.create(text="subasta", weight=1.5)
    first, second = _two_tellings_of_the_auction(feed_server)

    # when both are polled
    intake.poll_source(first.pk)
    intake.poll_source(second.pk)

    # then each row was written with its language, score and reasons, and
    # the two tellings share one cluster
    items = list(NewsItem.objects.order_by("pk"))
    assert [item.language for item in items] == ["es", "es"]
    assert all(item.score == 3.0 + 1.5 for item in items)
    assert items[0].matched_terms[0] == {
        "term": "subasta",
        "weight": 3.0,
        "field": "title",
    }
    assert items[0].cluster_id is not None
    assert items[0].cluster_id == items[1].cluster_id
    assert items[0].cluster.source_count == 2


def test_items_a_failed_enrichment_left_bare_are_enriched_by_beat(
    feed_server, monkeypatch
):
    # given two outlets telling one story, the second polled while its
    # enrichment failed
    Term.objects.create(text="subasta", weight=1.5)
    first, second = _two_tellings_of_the_auction(feed_server)
    intake.poll_source(first.pk)

    def broken(items):
        raise SoftTimeLimitExceeded()

    with monkeypatch.context() as patched:
        patched.setattr("newsdesk.enrich.prepare_items", broken)
        intake.poll_source(second.pk)
    bare = second.items.get()
    assert (bare.minhash, bare.score, bare.language) == (None, 0.0, "")

    # when beat's repair runs, twice
    enriched = tasks.enrich_pending_items()
    again = tasks.enrich_pending_items()

    # then the item has its language, score and reasons, joined its
    # story's cluster, and nothing was left to do the second time
    bare.refresh_from_db()
    told_first = first.items.get()
    assert (enriched, again) == (1, 0)
    assert bare.language == "es"
    assert bare.score == told_first.score == 4.5
    assert {reason["term"] for reason in bare.matched_terms} == {"subasta"}
    assert bare.cluster_id is not None
    assert bare.cluster_id == told_first.cluster_id
    assert bare.cluster.source_count == 2


def test_an_item_whose_enrichment_keeps_failing_holds_back_only_itself(
    monkeypatch,
):
    # given bare items in batches of two, one of them unreadable for good,
    # and one bare for more than a week
    source = Source.objects.create(
        name="Energía Hoy", kind=Source.Kind.FEED, url="https://x.example/f"
    )
    NewsItem.objects.bulk_create(
        NewsItem(
            source=source,
            identity=f"id-{n}",
            title=f"Noticia de gas número {n}",
            published_at=timezone.now(),
            fetched_at=timezone.now() - timedelta(days=8 if n == 0 else 0),
        )
        for n in range(5)
    )
    monkeypatch.setattr("newsdesk.enrich.PENDING_BATCH", 2)
    old = source.items.get(identity="id-0")
    poison = source.items.get(identity="id-3")
    real = enrich.prepare_items

    def failing_for_one(items):
        if any(item.pk == poison.pk for item in items):
            raise RuntimeError("texto ilegible")
        real(items)

    monkeypatch.setattr("newsdesk.enrich.prepare_items", failing_for_one)

    # when the repair runs, twice
    enriched = enrich.enrich_pending()
    again = enrich.enrich_pending()

    # then every recent item but the unreadable one was enriched, its batch
    # mate included; the week-old one is no longer tried
    assert (enriched, again) == (3, 0)
    bare = set(source.items.filter(minhash__isnull=True).values_list("pk", flat=True))
    assert bare == {poison.pk, old.pk}


def test_an_edit_that_makes_a_telling_relevant_moves_the_story_up(feed_server):
    # given two outlets telling one story in words of no sector weight,
    # clustered under the first outlet's telling
    Term.objects.create(text="subasta", weight=1.5)
    lead = (
        "La línea Colectora conectará los parques eólicos de La Guajira con "
        "el sistema interconectado nacional."
    )
    first = feed_source(
        feed_server,
        "/uno.xml",
        Canned(
            200,
            _story_feed("Avanza la línea Colectora en La Guajira", lead, "uno-1"),
            RSS,
        ),
    )
    second = feed_source(
        feed_server,
        "/dos.xml",
        Canned(
            200,
            _story_feed("Avanza la línea Colectora en La Guajira hoy", lead, "dos-1"),
            RSS,
        ),
        Canned(
            200,
            _story_feed(
                "Avanza la línea Colectora en La Guajira tras la subasta", lead, "dos-1"
            ),
            RSS,
        ),
    )
    intake.poll_source(first.pk)
    intake.poll_source(second.pk)
    told_first, told_second = first.items.get(), second.items.get()
    assert told_first.cluster_id == told_second.cluster_id is not None
    assert told_first.cluster.representative_id == told_first.pk

    # when the second outlet edits its telling to name the auction
    second.refresh_from_db()
    second.next_fetch_at = timezone.now()
    second.save()
    attempt = intake.poll_source(second.pk)

    # then the story shows the now relevant telling
    told_second.refresh_from_db()
    assert attempt.items_updated == 1
    assert told_second.score > told_first.score
    assert told_second.cluster.representative_id == told_second.pk
