"""Intake benchmark: real fetch and ingest of 300 generated feeds.

A local HTTP server on 127.0.0.1 serves 300 feeds of 50 entries each, as
real feeds are: dated within the last three days, each story composed from
varied vocabularies (entities, verbs, subjects, places, figures, context),
so unrelated stories share few words. Each entry is shaped like those of
the real RSS capture in shared/real-feeds (encoding_ISO-8859-1.xml, about
1.9 KB an entry): an escaped-HTML description, the same story again as
content:encoded with an image, an author and a comments element. About 10% of the stories are
syndicated: each appears in 2 or 3 outlets with slightly different wording,
and those should cluster. 5% of the feeds carry the faults intake repairs.
The real ingest path polls each one into a throwaway database, then polls
them all again (every answer a 304). One JSON line reports:

- entries_per_second: end-to-end ingest, first poll;
- ratio_to_feedparser: first-poll time over bare feedparser.parse of the same
  bytes in the same run (target <= 1.5), and the same ratio without the
  enrichment step (language, relevance, clustering);
- second_poll_fraction: all-304 poll time over first poll (target <= 0.05);
- peak_memory_mb: the process's peak RSS (target < 300);
- bytes_per_entry: the feeds' average size per entry, to compare with real
  feeds;
- syndicated_stories, clusters_multi_source, clusters_mixed: the stories
  meant to cluster, the clusters formed across outlets, and those among
  them that joined different stories (false matches).

Run with `make bench-intake`. DATABASE_URL picks the database (default: a
temporary SQLite file, removed afterwards).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
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
SYNDICATED_SHARE = 0.10
# How far back the stories go: within clustering's 72-hour window.
SPAN = timedelta(hours=66)
SEED = 20240304

ENTITIES = [
    "Mineros S.A.",
    "Continental Gold",
    "Zijin Continental",
    "Sator",
    "Prodeco",
    "Carbones del Cerrejón",
    "Gecelca",
    "Electrohuila",
    "Cens",
    "Essa",
    "Chec",
    "Cedenar",
    "Emcali",
    "Celsia Valle",
    "Hidroituango",
    "la Contraloría General",
    "la Procuraduría",
    "el Consejo de Estado",
    "la Corte Constitucional",
    "el Congreso",
    "Fedesarrollo",
    "Asocodis",
    "Andesco",
    "Acolgen",
    "SER Colombia",
    "la Cámara Colombiana de Minería",
    "Naturgas",
    "Campetrol",
    "la ACP",
    "Fenoco",
    "Minminas",
    "Corpoguajira",
    "la ANLA",
    "Corantioquia",
    "Cormacarena",
    "Ecopetrol Permian",
    "Reficar",
    "Hocol Offshore",
    "La UPME",
    "La CREG",
    "La ANH",
    "La Agencia Nacional de Minería",
    "XM",
    "Ecopetrol",
    "El Ministerio de Minas y Energía",
    "Celsia",
    "Enel Colombia",
    "ISA",
    "El Grupo Energía Bogotá",
    "Canacol",
    "Promigas",
    "Drummond",
    "Cerrejón",
    "Hocol",
    "Air-e",
    "Afinia",
    "EPM",
    "Isagén",
    "Vanti",
    "TGI",
    "Frontera Energy",
    "Parex",
    "Cerro Matoso",
    "El IPSE",
    "AES Colombia",
    "La Superintendencia de Servicios Públicos",
    "Termotasajero",
    "Urrá S.A.",
    "La Gobernación",
    "El Servicio Geológico Colombiano",
    "Ocensa",
    "Cenit",
]
VERBS = [
    "descarta",
    "confirma",
    "advierte sobre",
    "celebra",
    "rechaza",
    "defiende",
    "posterga",
    "destraba",
    "sanciona",
    "multa a",
    "respalda",
    "impugna",
    "renegocia",
    "subasta",
    "radica",
    "publica",
    "actualiza",
    "duplica",
    "triplica",
    "recorta",
    "ajusta",
    "conecta",
    "energiza",
    "desmantela",
    "relanza",
    "prioriza",
    "estudia",
    "proyecta",
    "anuncia",
    "aplaza",
    "adjudica",
    "suspende",
    "presenta",
    "revisa",
    "amplía",
    "cancela",
    "financia",
    "licita",
    "aprueba",
    "reactiva",
    "cuestiona",
    "investiga",
    "inaugura",
    "prorroga",
    "reduce",
    "eleva",
    "negocia",
    "firma",
    "evalúa",
    "frena",
    "acelera",
    "vende",
    "compra",
    "certifica",
    "audita",
    "reglamenta",
    "demanda",
    "modifica",
    "socializa",
    "liquida",
]
SUBJECTS = [
    "el transformador de potencia",
    "la planta térmica a carbón",
    "el oleoducto Bicentenario",
    "la terminal de importación de GNL",
    "el proyecto de cobre en el Chocó",
    "la mina de esmeraldas de Muzo",
    "el fracking experimental",
    "los pilotos de investigación integral",
    "la central de bombeo",
    "el embalse de Hidrosogamoso",
    "la línea a 500 kilovatios",
    "la microrred de Nazareth",
    "el parque solar flotante",
    "los contratos de largo plazo",
    "la opción tarifaria",
    "la deuda de los comercializadores",
    "el precio de bolsa",
    "el mantenimiento del gasoducto",
    "la producción de coque",
    "el cierre minero",
    "la reforestación compensatoria",
    "el catastro minero",
    "la titulación diferencial",
    "la mina ilegal de coltán",
    "el dragado del río",
    "la barcaza de regasificación",
    "el cargo de distribución",
    "el Fondo de Energías No Convencionales",
    "la subasta de energía eólica",
    "la línea de transmisión",
    "el contrato de exploración",
    "la tarifa de gas domiciliario",
    "el parque solar",
    "la planta de regasificación",
    "el bloque petrolero",
    "la mina de carbón térmico",
    "el título minero",
    "la central hidroeléctrica",
    "el proyecto de hidrógeno verde",
    "la interconexión con Panamá",
    "el gasoducto regional",
    "la refinería",
    "el pozo exploratorio",
    "la subestación eléctrica",
    "el plan de expansión de generación",
    "la licencia ambiental",
    "la consulta previa",
    "la mina de oro aluvial",
    "el yacimiento de níquel",
    "el giro de regalías",
    "el cargo por confiabilidad",
    "la comunidad energética",
    "el almacenamiento con baterías",
    "la planta de biogás",
    "el fondo de estabilización de combustibles",
    "la red de distribución rural",
    "el parque eólico marino",
    "el programa de formalización minera",
    "la exportación de esmeraldas",
    "la geotermia",
    "el subsidio de energía para estratos bajos",
    "la importación de gas licuado",
    "la cantera de materiales",
    "el mercado mayorista de energía",
    "la medición inteligente",
]
PLACES = [
    "Sogamoso",
    "Paipa",
    "Tasco",
    "Zipaquirá",
    "Ubaté",
    "Puerto Boyacá",
    "Aguachica",
    "La Jagua de Ibirico",
    "El Paso",
    "Becerril",
    "Albania",
    "Maicao",
    "Manaure",
    "Ciénaga",
    "Santa Marta",
    "Barranquilla",
    "Sincelejo",
    "Tolú",
    "Caucasia",
    "El Bagre",
    "Zaragoza",
    "Buriticá",
    "Andes",
    "Quibdó",
    "Istmina",
    "Florencia",
    "Mocoa",
    "Villavicencio",
    "Acacías",
    "Castilla La Nueva",
    "Tauramena",
    "Aguazul",
    "Saravena",
    "Cúcuta",
    "Tibú",
    "Ocaña",
    "Pasto",
    "Ipiales",
    "Popayán",
    "Neiva",
    "Ibagué",
    "Manizales",
    "Pereira",
    "Armenia",
    "Tunja",
    "Leticia",
    "La Guajira",
    "el Cesar",
    "Córdoba",
    "Antioquia",
    "el Bajo Cauca",
    "Boyacá",
    "Santander",
    "el Meta",
    "Casanare",
    "Arauca",
    "el Putumayo",
    "Nariño",
    "el Chocó",
    "Bolívar",
    "Atlántico",
    "Magdalena",
    "Sucre",
    "Cundinamarca",
    "el Huila",
    "el Tolima",
    "Caldas",
    "Risaralda",
    "el Quindío",
    "el Valle del Cauca",
    "el Cauca",
    "Norte de Santander",
    "el Caquetá",
    "el Guaviare",
    "Vichada",
    "San Andrés",
    "Barrancabermeja",
    "Yopal",
    "Montería",
    "Valledupar",
    "Riohacha",
    "Cartagena",
    "Buenaventura",
    "Tumaco",
    "Puerto Gaitán",
    "Segovia",
    "Remedios",
    "Marmato",
    "Uribia",
]
CONTEXTS = [
    "según documentos conocidos por este medio",
    "luego de dos años de trámites",
    "mientras crecen las quejas de los usuarios",
    "a pocos días del cierre del semestre",
    "en una sesión extraordinaria de la junta directiva",
    "tras un derrame en la zona rural",
    "por orden de un juez de tutela",
    "con el respaldo de los alcaldes de la región",
    "en respuesta a un derecho de petición",
    "tras una inspección sorpresa de la autoridad",
    "antes de la temporada de lluvias",
    "con un crédito sindicado de bancos locales",
    "luego de la salida del socio estratégico",
    "durante el foro anual del sector",
    "en el informe de sostenibilidad",
    "con base en estudios geológicos recientes",
    "según la bitácora del operador de red",
    "para atender la demanda del invierno",
    "en plena discusión del presupuesto",
    "después de un apagón de seis horas",
    "según el informe trimestral",
    "tras la audiencia pública",
    "pese a la oposición de los gremios",
    "por solicitud de la alcaldía",
    "después de la visita técnica",
    "con recursos del presupuesto nacional",
    "en medio del fenómeno de El Niño",
    "ante la caída de los embalses",
    "tras las protestas de los transportadores",
    "con apoyo de la banca multilateral",
    "luego de la mesa con las comunidades indígenas",
    "según cifras preliminares",
    "por fallas en el suministro",
    "con el aval del Consejo de Estado",
    "a la espera del concepto de la Procuraduría",
    "en el marco de la transición",
    "por el aumento de la demanda industrial",
    "tras la revisión de la Contraloría",
    "con la participación de inversionistas extranjeros",
    "después del derrumbe en la vía de acceso",
    "por retrasos en las obras civiles",
    "con metas de descarbonización a 2050",
    "según el balance del operador",
    "por incumplimientos del contratista",
    "tras el cambio de gerencia",
]
FIGURES = [
    "{n} megavatios",
    "US$ {n} millones",
    "{n} % de avance",
    "{n} barriles diarios",
    "{n} kilómetros de red",
    "{n} familias beneficiadas",
    "{n} empleos directos",
    "{n} toneladas al mes",
    "{n} pesos por kilovatio",
    "{n} millones de pies cúbicos",
]
# Words an outlet swaps when it rewrites a syndicated story.
SYNONYMS = {
    "anuncia": "informa",
    "aplaza": "pospone",
    "adjudica": "asigna",
    "suspende": "detiene",
    "presenta": "expone",
    "revisa": "analiza",
    "amplía": "extiende",
    "cancela": "anula",
    "aprueba": "autoriza",
    "reduce": "recorta",
    "eleva": "aumenta",
    "firma": "suscribe",
    "evalúa": "estudia",
    "frena": "paraliza",
    "acelera": "agiliza",
    "proyecto": "plan",
    "comunidades": "pobladores",
    "recursos": "fondos",
}
OUTLET_CLOSINGS = [
    "Con información de agencias.",
    "Redacción Economía.",
    "Noticia en desarrollo.",
    "Información suministrada por la entidad.",
]
MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
RSS_NAMESPACES = (
    'version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"'
)
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


@dataclass
class Story:
    number: int
    title: str
    sentences: list[str]
    published_at: datetime


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


def _figure(rng: random.Random) -> str:
    return rng.choice(FIGURES).format(n=rng.randint(3, 9000))


def _sentence(rng: random.Random) -> str:
    entity, verb = rng.choice(ENTITIES), rng.choice(VERBS)
    subject, place = rng.choice(SUBJECTS), rng.choice(PLACES)
    return (
        f"{entity} {verb} {subject} en {place} {rng.choice(CONTEXTS)}, "
        f"con {_figure(rng)}."
    )


def _story(rng: random.Random, number: int, now: datetime) -> Story:
    entity, verb = rng.choice(ENTITIES), rng.choice(VERBS)
    subject, place = rng.choice(SUBJECTS), rng.choice(PLACES)
    title = f"{entity} {verb} {subject} en {place}: {_figure(rng)}"
    sentences = [
        f"{entity} {verb} {subject} en {place} {rng.choice(CONTEXTS)}.",
        *(_sentence(rng) for _ in range(rng.randint(2, 4))),
    ]
    age = timedelta(seconds=rng.uniform(3600, SPAN.total_seconds()))
    return Story(number, title, sentences, now - age)


def _retold(rng: random.Random, story: Story, now: datetime) -> Story:
    """Another outlet's telling: some words swapped, one detail told its
    own way, maybe the last one left out, its own closing line, published a
    few hours apart."""

    def swap(text: str) -> str:
        for word, other in SYNONYMS.items():
            if word in text and rng.random() < 0.6:
                text = text.replace(word, other)
        return text

    sentences = [swap(sentence) for sentence in story.sentences]
    # Its own reporting of one detail.
    detail = rng.randrange(len(sentences))
    for context in CONTEXTS:
        if context in sentences[detail]:
            sentences[detail] = sentences[detail].replace(context, rng.choice(CONTEXTS))
            break
    if len(sentences) > 3 and rng.random() < 0.5:
        # A shorter telling: the last detail left out.
        sentences.pop()
    sentences.append(rng.choice(OUTLET_CLOSINGS))
    delay = timedelta(minutes=rng.randint(5, 360))
    published_at = min(story.published_at + delay, now)
    return Story(story.number, swap(story.title), sentences, published_at)


def _stories(rng: random.Random, now: datetime) -> list[list[Story]]:
    """Each feed's entries, newest first; a syndicated story sits in 2 or 3
    feeds, and the rest of each feed is its own."""
    feeds: list[list[Story]] = [[] for _ in range(FEEDS)]
    slots = FEEDS * ENTRIES
    # s syndicated stories of ~2.5 tellings and u single ones fill the
    # slots, with s = share * (s + u).
    syndicated = round(slots * SYNDICATED_SHARE / (1 + 1.5 * SYNDICATED_SHARE))
    number = 0
    for _ in range(syndicated):
        story = _story(rng, number, now)
        open_feeds = [n for n, entries in enumerate(feeds) if len(entries) < ENTRIES]
        outlets = rng.sample(open_feeds, min(rng.choice((2, 3)), len(open_feeds)))
        for position, feed in enumerate(outlets):
            feeds[feed].append(story if position == 0 else _retold(rng, story, now))
        number += 1
    for entries in feeds:
        while len(entries) < ENTRIES:
            entries.append(_story(rng, number, now))
            number += 1
        entries.sort(key=lambda story: story.published_at, reverse=True)
    return feeds


def _entry_xml(feed: int, n: int, story: Story, fault: str) -> str:
    title = story.title
    summary = (
        f"<p>{' '.join(story.sentences)}</p>"
        f'<p><a href="/notas/{story.number}-{n}">Leer más</a></p>'
    )
    date = format_datetime(story.published_at)
    guid = f"bench-{feed}-{n}"
    if fault == "undefined_entities":
        title = title.replace("í", "&iacute;").replace("ó", "&oacute;")
        summary = summary.replace("á", "&aacute;") + "&nbsp;&raquo;"
    elif fault == "control_chars":
        title = title.replace(" ", "\x13 ", 1)
        summary += "\x0b\x08"
    elif fault == "spanish_dates":
        local = story.published_at.astimezone(UTC) - timedelta(hours=5)
        month = MONTHS[local.month - 1]
        date = f"{local.day} de {month} de {local.year} {local:%H:%M}"
    elif fault == "duplicate_guids":
        guid = "N/A"
    body = (
        escape(summary)
        if fault != "undefined_entities"
        else summary.replace("<", "&lt;")
    )
    # Real feeds repeat the story as full HTML, with its picture, beside the
    # description; readers keep the description, but every byte is parsed.
    site = f"https://www.diario-{feed}.example"
    content = (
        f'<img src="{site}/fotos/{story.number}-{n}.jpg" width="140" height="140">'
        + "".join(f"<p>{sentence}</p>" for sentence in story.sentences)
        + f'<p>Temas: <a href="{site}/temas/energia">Energía</a></p>'
    )
    return (
        f"<item><title>{title if fault == 'undefined_entities' else escape(title)}</title>"
        f"<link>{site}/energia/{story.number}-{n}?utm_source=rss</link>"
        f'<guid isPermaLink="false">{guid}</guid><pubDate>{date}</pubDate>'
        f"<dc:creator>Redacción Diario {feed}</dc:creator>"
        f"<description>{body}</description>"
        f"<content:encoded><![CDATA[{content}]]></content:encoded>"
        "<slash:comments>0</slash:comments></item>"
    )


def _feed_bytes(
    feed: int, stories: list[Story], fault: str
) -> tuple[bytes, dict[str, str]]:
    items = "".join(
        _entry_xml(feed, n, story, fault) for n, story in enumerate(stories)
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
    rss = f"<rss {RSS_NAMESPACES}>{channel}</rss>"
    document = declaration + rss
    if fault == "latin1_no_declaration":
        headers["Content-Type"] = "text/xml"
        return rss.encode("latin-1", "replace"), headers
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


def _clusters(cluster_model, item_model) -> tuple[int, int]:
    """Clusters across outlets, and those that joined different stories
    (told apart by the story number in each entry's link)."""
    multi_source = cluster_model.objects.filter(source_count__gt=1).count()
    stories: dict[int, set[str]] = {}
    rows = item_model.objects.filter(cluster__isnull=False).values_list(
        "cluster_id", "link"
    )
    for cluster_id, link in rows:
        match = re.search(r"/energia/(\d+)-\d+$", link)
        stories.setdefault(cluster_id, set()).add(match[1] if match else link)
    return multi_source, sum(1 for numbers in stories.values() if len(numbers) > 1)


def main() -> None:
    temp_db = _setup_django()
    import feedparser

    import newsdesk.enrich
    from newsdesk.actions import intake
    from newsdesk.models import Cluster, NewsItem, Source

    rng = random.Random(SEED)  # noqa: S311 - reproducible test data, not security
    now = datetime.now(UTC).replace(microsecond=0)
    stories = _stories(rng, now)
    tellings: dict[int, int] = {}
    for entries in stories:
        for story in entries:
            tellings[story.number] = tellings.get(story.number, 0) + 1
    syndicated = sum(1 for count in tellings.values() if count > 1)
    faulty = set(rng.sample(range(FEEDS), round(FEEDS * FAULTY_SHARE)))
    feeds = {
        f"/feed-{n}.xml": _feed_bytes(
            n, stories[n], FAULTS[n % len(FAULTS)] if n in faulty else ""
        )
        for n in range(FEEDS)
    }
    feed_bytes = sum(
        len(gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body)
        for body, _ in feeds.values()
    )
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
    multi_source, mixed = _clusters(Cluster, NewsItem)
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
        "bytes_per_entry": round(feed_bytes / (FEEDS * ENTRIES)),
        "syndicated_stories": syndicated,
        "clusters_multi_source": multi_source,
        "clusters_mixed": mixed,
        "database": os.environ["DATABASE_URL"].split(":", 1)[0],
    }
    print(json.dumps(report, ensure_ascii=False))
    if temp_db:
        for suffix in ("", "-wal", "-shm"):
            Path(temp_db + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
