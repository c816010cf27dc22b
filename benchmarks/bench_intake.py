"""Intake benchmark: real fetch and ingest of 300 generated feeds.

A local HTTP server on 127.0.0.1 serves 300 feeds of 50 entries each
(invented Spanish mining and energy headlines, summaries of a few hundred
characters), 5% of them with the faults intake repairs. The real ingest path
polls each one into a throwaway database, then polls them all again (every
answer a 304). One JSON line reports:

- entries_per_second: end-to-end ingest, first poll;
- ratio_to_feedparser: first-poll time over bare feedparser.parse of the same
  bytes in the same run (target <= 1.5), and the same ratio without the
  enrichment step (language, relevance, clustering);
- second_poll_fraction: all-304 poll time over first poll (target <= 0.05);
- peak_memory_mb: the process's peak RSS (target < 300).

Run with `make bench-intake`. DATABASE_URL picks the database (default: a
temporary SQLite file, removed afterwards). The entries are dated March 2024,
older than clustering's 72-hour window, as a new source's archive would be;
BENCH_RECENT=1 dates them within the last day, so that clustering compares
each one with the stories already stored.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Process, Queue, get_context
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FEEDS = int(os.environ.get("BENCH_FEEDS", "300"))
ENTRIES = 50
FAULTY_SHARE = 0.05
SEED = 20240304

SUBJECTS = [
    "La subasta de energía eólica",
    "El proyecto de transmisión Caribe-Antioquia",
    "La producción de carbón térmico en La Guajira",
    "El precio del gas natural importado",
    "La minería de oro en el Bajo Cauca",
    "El plan de expansión de generación",
    "La regasificadora del Pacífico",
    "Las tarifas de energía en la Costa",
    "La exploración de hidrocarburos costa afuera",
    "El hidrógeno verde en Colombia",
    "Las regalías del petróleo",
    "La formalización de pequeños mineros",
    "Los parques solares del Cesar",
    "La demanda de energía eléctrica",
    "El níquel de Córdoba",
]
VERBS = [
    "avanza según lo previsto",
    "enfrenta retrasos por consultas previas",
    "recibe nuevas ofertas",
    "preocupa a los gremios",
    "supera las expectativas del sector",
    "queda en manos del regulador",
    "abre una convocatoria pública",
    "reporta cifras récord en el trimestre",
]
LEADS = [
    "Fuentes del sector indicaron que la decisión se conocerá en las próximas semanas.",
    "El análisis técnico contempla escenarios de demanda alta y baja hasta 2038.",
    "Las comunidades de la zona pidieron mesas de diálogo antes de la licencia.",
    "El operador del mercado publicó el balance mensual con datos preliminares.",
    "Los analistas advierten sobre la volatilidad de los precios internacionales.",
    "La autoridad minera anunció visitas de fiscalización en cinco departamentos.",
    "El Ministerio de Minas y Energía presentó la hoja de ruta con metas a 2030.",
    "La Comisión de Regulación publicó el proyecto de resolución para comentarios.",
]
FAULTS = [
    "latin1_no_declaration",
    "utf8_stray_latin1",
    "undefined_entities",
    "control_chars",
    "leading_whitespace",
    "gzip_unlabelled",
    "spanish_dates",
    "duplicate_guids",
]


def _setup_django() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upme_social.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    temp_db = ""
    if not os.environ.get("DATABASE_URL"):
        handle, temp_db = tempfile.mkstemp(prefix="bench-intake-", suffix=".sqlite3")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{temp_db}"

    import django
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0)
    # Apps whose migrations are not written yet still need their tables.
    existing = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and model._meta.db_table not in existing:
                editor.create_model(model)
                existing.add(model._meta.db_table)
    return temp_db


def _entry_xml(
    rng: random.Random, feed: int, n: int, when: datetime, fault: str
) -> str:
    subject, verb = rng.choice(SUBJECTS), rng.choice(VERBS)
    title = f"{subject} {verb} ({feed}-{n})"
    lead = " ".join(rng.sample(LEADS, 4))
    summary = f'<p>{lead}</p><p><a href="/notas/{feed}-{n}">Leer más</a></p>'
    date = format_datetime(when)
    guid = f"bench-{feed}-{n}"
    if fault == "undefined_entities":
        title = title.replace("í", "&iacute;").replace("ó", "&oacute;")
        summary = summary.replace("á", "&aacute;") + "&nbsp;&raquo;"
    elif fault == "control_chars":
        title = title.replace(" ", "\x13 ", 1)
        summary += "\x0b\x08"
    elif fault == "spanish_dates":
        date = when.astimezone(UTC) - timedelta(hours=5)
        date = f"{date.day} de marzo de {date.year} {date:%H:%M}"
    elif fault == "duplicate_guids":
        guid = "N/A"
    body = (
        escape(summary)
        if fault != "undefined_entities"
        else summary.replace("<", "&lt;")
    )
    return (
        f"<item><title>{title if fault == 'undefined_entities' else escape(title)}</title>"
        f"<link>https://www.diario-{feed}.example/energia/nota-{n}?utm_source=rss</link>"
        f'<guid isPermaLink="false">{guid}</guid><pubDate>{date}</pubDate>'
        f"<description>{body}</description></item>"
    )


def _feed_bytes(
    rng: random.Random, feed: int, fault: str
) -> tuple[bytes, dict[str, str]]:
    start = datetime(2024, 3, 1, tzinfo=UTC)
    if os.environ.get("BENCH_RECENT"):
        # Today's news instead of a 2024 backlog: clustering then compares
        # every entry with the stories of the last 72 hours.
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1, hours=6)
    items = "".join(
        _entry_xml(
            rng, feed, n, start + timedelta(hours=feed % 24, minutes=n * 7), fault
        )
        for n in range(ENTRIES)
    )
    channel = (
        f"<channel><title>Diario {feed} — Energía</title>"
        f"<link>https://www.diario-{feed}.example/energia</link>"
        f"<description>Noticias de minería y energía</description>{items}</channel>"
    )
    headers = {
        "Content-Type": "application/rss+xml; charset=utf-8",
        "ETag": f'"feed-{feed}"',
    }
    declaration = '<?xml version="1.0" encoding="utf-8"?>'
    document = f'{declaration}<rss version="2.0">{channel}</rss>'
    if fault == "latin1_no_declaration":
        headers["Content-Type"] = "text/xml"
        return f'<rss version="2.0">{channel}</rss>'.encode(
            "latin-1", "replace"
        ), headers
    if fault == "leading_whitespace":
        return ("\n\n  " + document).encode(), headers
    data = document.encode()
    if fault == "utf8_stray_latin1":
        data = data.replace("ó".encode(), b"\xf3", 3)
    if fault == "gzip_unlabelled":
        headers["Content-Type"] = "application/octet-stream"
        data = gzip.compress(data)
    return data, headers


def _serve(feeds: dict[str, tuple[bytes, dict[str, str]]]) -> tuple[int, Process]:
    """Serve the feeds from another process, as a remote site would: a
    server thread here would compete with the ingest for the GIL."""
    ready: Queue = get_context("fork").Queue()
    process = get_context("fork").Process(target=_serve_forever, args=(feeds, ready))
    process.daemon = True
    process.start()
    return ready.get(timeout=30), process


def _serve_forever(
    feeds: dict[str, tuple[bytes, dict[str, str]]], ready: Queue
) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in one segment: with Nagle's algorithm and
        # delayed ACKs each response would wait ~40 ms, which no real site
        # on a real network adds.
        disable_nagle_algorithm = True
        wbufsize = 1 << 16

        def do_GET(self) -> None:
            body, headers = feeds[self.path]
            if self.headers.get("If-None-Match") == headers["ETag"]:
                self.send_response(304)
                self.send_header("ETag", headers["ETag"])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ready.put(server.server_address[1])
    server.serve_forever()


def main() -> None:
    temp_db = _setup_django()
    import feedparser

    import newsdesk.enrich
    from newsdesk.actions import intake
    from newsdesk.models import NewsItem, Source

    rng = random.Random(SEED)  # noqa: S311 - reproducible test data, not security
    faulty = set(rng.sample(range(FEEDS), round(FEEDS * FAULTY_SHARE)))
    feeds = {
        f"/feed-{n}.xml": _feed_bytes(
            rng, n, FAULTS[n % len(FAULTS)] if n in faulty else ""
        )
        for n in range(FEEDS)
    }
    port, server = _serve(feeds)
    base = f"http://127.0.0.1:{port}"
    sources = [
        Source.objects.create(name=f"Diario {n}", url=f"{base}{path}")
        for n, path in enumerate(feeds)
    ]

    # The enrichment steps (language, score and signature before the rows
    # are written, clustering after) belong to the relevance work; timed
    # apart so the report tells intake's own cost from theirs.
    enrich_time = 0.0

    def timed(step):
        def run(items):
            nonlocal enrich_time
            started = time.perf_counter()
            try:
                step(items)
            finally:
                enrich_time += time.perf_counter() - started

        return run

    for name in ("prepare_items", "cluster_items"):
        step = getattr(newsdesk.enrich, name)
        if os.environ.get("BENCH_SKIP_ENRICH"):
            step = lambda items: None  # noqa: E731 - a stand-in step
        setattr(newsdesk.enrich, name, timed(step))

    # Bare parsing and the real poll alternate feed by feed, so both see the
    # same machine load (this machine is shared; a sequential run of one and
    # then the other skews the ratio either way).
    bare = first = 0.0
    bare_entries = 0
    outcomes: dict[str, int] = {}
    for source, (body, _headers) in zip(sources, feeds.values(), strict=True):
        raw = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
        clock = time.perf_counter()
        bare_entries += len(feedparser.parse(raw).entries)
        bare += time.perf_counter() - clock

        clock = time.perf_counter()
        attempt = intake.poll_source(source.pk)
        first += time.perf_counter() - clock
        key = attempt.error_class or attempt.outcome
        outcomes[key] = outcomes.get(key, 0) + 1
    stored = NewsItem.objects.count()

    clock = time.perf_counter()
    second_outcomes: dict[str, int] = {}
    for source in sources:
        attempt = intake.poll_source(source.pk)
        second_outcomes[attempt.outcome] = second_outcomes.get(attempt.outcome, 0) + 1
    second = time.perf_counter() - clock

    server.terminate()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "feeds": FEEDS,
        "entries": FEEDS * ENTRIES,
        "faulty_feeds": len(faulty),
        "stored_items": stored,
        "first_poll_outcomes": outcomes,
        "second_poll_outcomes": second_outcomes,
        "bare_feedparser_s": round(bare, 3),
        "bare_feedparser_entries": bare_entries,
        "first_poll_s": round(first, 3),
        "enrich_s": round(enrich_time, 3),
        "second_poll_s": round(second, 3),
        "entries_per_second": round(FEEDS * ENTRIES / first, 1),
        "ratio_to_feedparser": round(first / bare, 3),
        "ratio_to_feedparser_without_enrich": round((first - enrich_time) / bare, 3),
        "second_poll_fraction": round(second / first, 4),
        "peak_memory_mb": round(peak_mb, 1),
        "database": os.environ["DATABASE_URL"].split(":", 1)[0],
    }
    print(json.dumps(report, ensure_ascii=False))
    if temp_db:
        for suffix in ("", "-wal", "-shm"):
            Path(temp_db + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
