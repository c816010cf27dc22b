"""Newspaper sections: finding new articles and extracting them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import responses
from celery.exceptions import SoftTimeLimitExceeded

from newsdesk.actions import intake
from newsdesk.models import NewsItem, Source
from newsdesk.sources.article import (
    Line,
    clean_author,
    drop_boilerplate,
    extract_article,
)
from newsdesk.sources.base import FetchError
from newsdesk.sources.extract import decode_page
from newsdesk.sources.newspaper import NewspaperReader, looks_like_article
from tests.conftest import shared_path

FIXTURES = Path(__file__).parent / "fixtures"
BOGOTA = ZoneInfo("America/Bogota")
SECTION = "https://www.eldiario.example/economia/"
SUBASTA = "https://www.eldiario.example/economia/2026/12/03/subasta-de-energia-renovable-abre-inscripciones/"
CARBON = "https://www.eldiario.example/economia/precio-del-carbon-termico-sube-por-tercera-semana-consecutiva-55123"
HIDROGENO = "https://m.eldiario.example/economia/gobierno-presenta-hoja-de-ruta-del-hidrogeno-verde"
ELTIEMPO = (
    "https://www.eltiempo.com/colombia/medellin/debate-presidencial-en-eafit-669594"
)
ELESPECTADOR = "https://www.elespectador.com/judicial/asi-seran-los-tres-macrocasos-que-abrira-la-jep/"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def serve_html(url: str, body: bytes, status: int = 200) -> None:
    responses.add(
        responses.GET,
        url,
        body=body,
        status=status,
        content_type="text/html; charset=utf-8",
    )


def section_source(url: str = SECTION, **config: object) -> Source:
    return Source.objects.create(
        name="El Diario de Ejemplo: Economía",
        kind=Source.Kind.NEWSPAPER,
        url=url,
        config=config,
    )


def real_page(name: str) -> str:
    return shared_path("real-feeds", name).read_text(encoding="utf-8")


# The two saved Colombian article pages


def test_el_tiempo_page_keeps_the_story_and_drops_the_related_links():
    article = extract_article(real_page("eltiempo.com-candidatos.html"), ELTIEMPO)

    assert article.title == "Candidatos se enfrentaron a las preguntas de estudiantes"
    assert "enmarcado en 6 ejes temáticos relacionados" in article.text
    for forbidden in ("noticias para ti", "le puede interesar", "también puede leer"):
        assert forbidden not in article.text.lower()
    # The list of other stories and the "MEDELLÍN" signature after the text.
    assert "Escándalo en Cartagena" not in article.text
    assert not article.text.endswith("MEDELLÍN")
    assert article.published_at.astimezone(BOGOTA).date() == date(2022, 5, 3)


def test_el_tiempo_author_is_the_byline_not_the_template_text():
    article = extract_article(real_page("eltiempo.com-candidatos.html"), ELTIEMPO)

    assert article.author == "David Andres Calle Atehortua"
    assert "Publicación" not in article.author


def test_el_espectador_page_keeps_the_standfirst_trafilatura_misses():
    article = extract_article(real_page("elespectador.com-orion.html"), ELESPECTADOR)

    assert "contra la naturaleza serán parte de las investigaciones" in article.text
    assert "Le puede interesar" not in article.text
    assert "Lea aquí" not in article.text
    assert article.title.startswith("Operación Orión, tomas guerrilleras")
    assert article.published_at == datetime(2022, 5, 6, 2, 0, tzinfo=UTC)
    assert article.published_at.astimezone(BOGOTA).date() == date(2022, 5, 5)
    assert article.author == "Felipe Morales Sierra"
    assert article.image_url.startswith("https://www.elespectador.com/resizer/")


@responses.activate
@pytest.mark.django_db
def test_selector_picks_articles_from_other_sites_and_extracts_them():
    # given a press summary page whose chosen links go to two outlets
    serve_html("https://www.eldiario.example/resumen/", fixture("section_resumen.html"))
    serve_html(ELTIEMPO, real_page("eltiempo.com-candidatos.html").encode())
    serve_html(ELESPECTADOR, real_page("elespectador.com-orion.html").encode())
    source = section_source(
        "https://www.eldiario.example/resumen/", link_selector="ul.destacadas li"
    )

    # when
    result = NewspaperReader(source).read()

    # then
    assert [entry.link for entry in result.entries] == [ELTIEMPO, ELESPECTADOR]
    tiempo, espectador = result.entries
    assert tiempo.title == "Candidatos se enfrentaron a las preguntas de estudiantes"
    assert tiempo.summary.startswith("<p>La Universidad Eafit fue el epicentro")
    assert len(tiempo.summary) < 520
    assert espectador.summary.startswith("<p>La Operación Orión en Medellín")
    assert espectador.published_at.astimezone(BOGOTA).date() == date(2022, 5, 5)


LISTA_PAGE = f"""<!DOCTYPE html>
<html lang="es">
<head><meta charset="utf-8"><title>Economía | El Diario de Ejemplo</title></head>
<body>
<div class="lista">
  <a href="{SUBASTA}"><img src="/img/subasta.jpg" alt=""></a>
  <h2><a href="{SUBASTA}">Subasta de energía renovable abre inscripciones</a></h2>
  <a href="/autor/maria-fernanda-lopez-gutierrez">María Fernanda López</a>
  <h2><a href="{CARBON}">Precio del carbón térmico sube</a></h2>
  <a href="/tag/energia-renovable">Energía renovable</a>
  <h2><a href="{HIDROGENO}">Hoja de ruta del hidrógeno verde</a></h2>
  <a href="/economia/">Más noticias de Economía</a>
</div>
</body>
</html>
""".encode()


@responses.activate
@pytest.mark.django_db
def test_selector_on_a_container_takes_every_story_in_it():
    # given a selector that picks the element around three stories
    serve_html(SECTION, LISTA_PAGE)
    serve_articles()

    # when
    result = NewspaperReader(section_source(link_selector=".lista")).read()

    # then each story once, in page order, and no author, tag or section
    assert [entry.link for entry in result.entries] == [SUBASTA, CARBON, HIDROGENO]
    assert [call.request.url for call in responses.calls] == [
        SECTION,
        SUBASTA,
        CARBON,
        HIDROGENO,
    ]


# A section page


@responses.activate
@pytest.mark.django_db
def test_section_page_yields_its_new_articles_once_each():
    # given
    serve_html(SECTION, fixture("section_economia.html"))
    serve_html(SUBASTA, fixture("article_subasta.html"))
    serve_html(CARBON, fixture("article_carbon.html"))
    serve_html(HIDROGENO, fixture("article_carbon.html"))

    # when
    result = NewspaperReader(section_source()).read()

    # then the three article links, without tags, authors, videos or pages
    assert [entry.link for entry in result.entries] == [SUBASTA, CARBON, HIDROGENO]
    subasta = result.entries[0]
    assert subasta.title == "Subasta de energía renovable abre inscripciones"
    assert subasta.author == "María Fernanda López"
    assert subasta.image_url == "https://www.eldiario.example/img/subasta-grande.jpg"
    assert subasta.published_at == datetime(2026, 12, 3, 12, 15, tzinfo=UTC)
    assert subasta.summary.startswith("<p>El Ministerio de Minas y Energía abrió")
    assert result.warnings == []


@responses.activate
@pytest.mark.django_db
def test_article_without_an_image_has_none():
    # given an article page with no og:image
    serve_html(SECTION, fixture("section_economia.html"))
    serve_articles()

    # when
    entries = NewspaperReader(section_source()).read().entries

    # then the page's own address is not taken for its image
    carbon = next(entry for entry in entries if entry.link == CARBON)
    assert carbon.title.startswith("Precio del carbón térmico")
    assert carbon.image_url == ""


@pytest.mark.parametrize(
    "path",
    [
        "/seccion/2026/12/03/subasta-de-energia-renovable-upme-adjudica-proyectos",
        "/seccion/economia/subasta-de-energia-renovable-upme-adjudica-proyectos",
        "/seccion/economia/upme-adjudica-proyectos-de-transmision-12345",
        "/seccion/economia/articulo/12345",
        "/seccion/region-caribe/2026/12/03/apagon-en-la-guajira/",
        "/secciones/energia/20261203-upme-adjudica-subasta",
        "/noticias/subasta-de-energia-renovable-upme-adjudica-proyectos",
        "/noticias/articulo/12345",
        "/economia/2026/12/03/subasta-de-energia-renovable-upme-adjudica-proyectos",
        "/economia/upme-adjudica-proyectos-de-transmision-12345",
        "/categoria/energia/subasta-de-energia-renovable-upme-adjudica-proyectos/",
        "/tag/mineria/2026/12/03/mineria-ilegal-en-el-bajo-cauca-antioqueno",
        # Real article links of the two saved Colombian pages.
        "/colombia/medellin/queman-bus-en-anori-que-paso-669493",
        "/judicial/jep-abrira-tres-nuevos-macrocasos-guerrilleros-y-fuerza-publica-lo-senalados/",
        "/opinion/columnistas/esteban-carlos-mejia/operacion-orion-una-sombra-de-odio-column/",
        "/economia/2026/12/03/nueva-politica-de-tratamiento-de-datos-del-sector-minero",
    ],
)
def test_links_that_name_an_article_are_articles_under_any_section(path):
    assert looks_like_article(f"https://www.eldiario.example{path}")


@pytest.mark.parametrize(
    "path",
    [
        "/seccion/economia",
        "/seccion/economia/",
        "/seccion/energia-y-mineria-en-colombia",
        "/seccion/economia/pagina/2",
        "/seccion/economia/feed/",
        "/seccion/2026/12/",
        "/economia/2026/12/03/",
        "/tag/mineria",
        "/tag/energia-renovable-en-colombia-hoy",
        "/tag/mineria/page/3",
        "/autor/x",
        "/autor/maria-fernanda-lopez-gutierrez",
        "/page/2",
        "/economia/page/2",
        "/categoria/energia/",
        "/buscar/subasta-de-energia-renovable-upme",
        "/video/2026/12/03/recorrido-por-el-parque-solar-de-la-guajira",
        "/noticias/",
        # Legal, service and subscription pages linked outside the footer.
        "/politica-de-tratamiento-de-datos-personales",
        "/terminos-y-condiciones-de-uso-del-sitio",
        "/mas-contenido/servicio-al-cliente-y-suscripciones",
    ],
)
def test_listing_and_navigation_links_are_not_articles(path):
    assert not looks_like_article(f"https://www.eldiario.example{path}")


@pytest.mark.parametrize(
    "url",
    [
        # El Tiempo's and Semana's tag listings.
        "https://www.eltiempo.com/noticias/mineria-ilegal-en-colombia",
        "https://www.semana.com/noticias/precios-de-la-gasolina-en-colombia/",
        # Profiles and share buttons beside every story.
        "https://twitter.com/intent/tweet?url=https://www.eltiempo.com/x-123",
        "https://www.facebook.com/sharer/sharer.php?u=https://www.eltiempo.com/x",
        "https://api.whatsapp.com/send?text=subasta-de-energia-renovable-upme",
        "https://t.me/share/url?url=https://www.eltiempo.com/economia/x-12345",
        "https://x.com/eltiempo",
    ],
)
def test_tag_listings_and_social_links_are_not_articles(url):
    assert not looks_like_article(url)


@pytest.mark.parametrize(
    "url",
    [
        # Elsewhere /noticias/ holds the stories themselves.
        "https://www.upme.gov.co/noticias/subasta-de-energia-renovable/",
        "https://www.canal1.com.co/noticias/ecopetrol-anuncia-hallazgo-de-gas/",
        "https://www.eltiempo.com/noticias/precio-del-petroleo-brent-hoy-en-colombia-y-el-mundo",
    ],
)
def test_stories_filed_under_noticias_are_articles(url):
    assert looks_like_article(url)


SHARING_PAGE = f"""<!DOCTYPE html>
<html lang="es">
<head><meta charset="utf-8"><title>Economía | El Diario de Ejemplo</title></head>
<body>
<article class="card">
  <a href="/economia/sectores/">Sectores</a>
  <h2><a href="{SUBASTA}">Subasta de energía renovable abre inscripciones</a></h2>
  <a href="https://twitter.com/intent/tweet?url={SUBASTA}">Compartir</a>
  <a href="https://wa.me/?text={SUBASTA}">WhatsApp</a>
</article>
<article class="card">
  <h2><a href="{CARBON}">Precio del carbón térmico sube</a></h2>
  <a href="https://www.facebook.com/sharer/sharer.php?u={CARBON}">Facebook</a>
</article>
</body>
</html>
""".encode()


@responses.activate
@pytest.mark.django_db
def test_a_picked_card_gives_its_story_not_its_share_buttons():
    # given cards that hold a section link and share buttons beside the story
    serve_html(SECTION, SHARING_PAGE)
    serve_articles()

    # when the editor's selector picks the cards
    result = NewspaperReader(section_source(link_selector="article.card")).read()

    # then only the stories are read
    assert [entry.link for entry in result.entries] == [SUBASTA, CARBON]


SECCION = "https://www.eldiario.example/seccion/economia"
SECCION_PAGE = """<!DOCTYPE html>
<html lang="es">
<head><meta charset="utf-8"><title>Economía | El Diario de Ejemplo</title></head>
<body>
<nav>
  <a href="/seccion/economia">Economía</a>
  <a href="/seccion/politica">Política</a>
</nav>
<main>
  <article>
    <h2><a href="/seccion/economia/2026/12/03/subasta-de-energia-renovable-upme-adjudica-proyectos">
      Subasta de energía renovable: la UPME adjudica proyectos</a></h2>
    <a href="/autor/maria-fernanda-lopez-gutierrez">María Fernanda López</a>
    <a href="/tag/energia-renovable">Energía renovable</a>
  </article>
  <article>
    <h3><a href="/seccion/economia/precio-del-carbon-termico-sube-por-tercera-semana-55123">
      Precio del carbón térmico sube por tercera semana</a></h3>
  </article>
  <aside>
    <a href="/seccion/energia-y-mineria-en-colombia">Energía y minería</a>
    <a href="/seccion/economia/pagina/2">Más noticias de Economía</a>
  </aside>
</main>
</body>
</html>
""".encode()
SECCION_SUBASTA = (
    "https://www.eldiario.example/seccion/economia/2026/12/03/"
    "subasta-de-energia-renovable-upme-adjudica-proyectos"
)
SECCION_CARBON = (
    "https://www.eldiario.example/seccion/economia/"
    "precio-del-carbon-termico-sube-por-tercera-semana-55123"
)


@responses.activate
@pytest.mark.django_db
def test_section_whose_articles_live_under_seccion_is_polled():
    # given a section page that files its stories under /seccion/
    serve_html(SECCION, SECCION_PAGE)
    serve_html(SECCION_SUBASTA, fixture("article_subasta.html"))
    serve_html(SECCION_CARBON, fixture("article_carbon.html"))
    source = section_source(SECCION)

    # when
    attempt = intake.poll_source(source.pk)

    # then both stories are read, and no section, tag, author or page
    assert attempt.outcome == Source.Outcome.OK
    assert attempt.items_created == 2
    assert [call.request.url for call in responses.calls] == [
        SECCION,
        SECCION_SUBASTA,
        SECCION_CARBON,
    ]
    assert set(source.items.values_list("link", flat=True)) == {
        SECCION_SUBASTA,
        SECCION_CARBON,
    }


@responses.activate
@pytest.mark.django_db
def test_article_extraction_drops_related_story_paragraphs():
    serve_html(SECTION, fixture("section_economia.html"))
    serve_html(SUBASTA, fixture("article_subasta.html"))

    entry = NewspaperReader(section_source(max_articles=1)).read().entries[0]

    article = extract_article(fixture("article_subasta.html").decode(), SUBASTA)
    assert "almacenamiento con baterías" in article.text
    for related in (
        "Lea también",
        "Le puede interesar",
        "Noticias para ti",
        "Dólar cierra",
    ):
        assert related not in article.text
    assert "Lea también" not in entry.summary


@responses.activate
@pytest.mark.django_db
def test_stored_articles_are_not_fetched_again():
    # given the first article is already in the queue
    source = section_source()
    NewsItem.objects.create(
        source=source,
        identity=f"link:{SUBASTA.rstrip('/')}",
        link=SUBASTA,
        title="Subasta de energía renovable abre inscripciones",
        published_at=datetime(2026, 12, 3, 12, 15, tzinfo=UTC),
    )
    serve_html(SECTION, fixture("section_economia.html"))
    serve_html(CARBON, fixture("article_carbon.html"))
    serve_html(HIDROGENO, fixture("article_carbon.html"))

    # when
    result = NewspaperReader(source).read()

    # then only the new ones were requested
    assert [entry.link for entry in result.entries] == [CARBON, HIDROGENO]
    assert [call.request.url for call in responses.calls] == [
        SECTION,
        CARBON,
        HIDROGENO,
    ]


@responses.activate
@pytest.mark.django_db
def test_max_articles_caps_the_articles_fetched_per_poll():
    serve_html(SECTION, fixture("section_economia.html"))
    serve_html(SUBASTA, fixture("article_subasta.html"))

    result = NewspaperReader(section_source(max_articles=1)).read()

    assert [entry.link for entry in result.entries] == [SUBASTA]
    assert len(responses.calls) == 2


@responses.activate
@pytest.mark.django_db
def test_a_failing_article_is_skipped_and_the_others_are_read():
    # given
    serve_html(SECTION, fixture("section_economia.html"))
    serve_html(SUBASTA, b"<html><body>Error</body></html>", status=500)
    serve_html(CARBON, fixture("article_carbon.html"))
    serve_html(HIDROGENO, b"<html><body><p>Sin texto.</p></body></html>")

    # when
    result = NewspaperReader(section_source()).read()

    # then
    assert [entry.link for entry in result.entries] == [CARBON]
    assert len(result.warnings) == 2
    assert "HTTP 500" in result.warnings[0]
    assert "artículo reconocible" in result.warnings[1]


@responses.activate
@pytest.mark.django_db
def test_the_task_time_limit_ends_the_poll_instead_of_skipping_an_article(
    monkeypatch,
):
    # given a poll whose time runs out while an article is extracted
    serve_html(SECTION, fixture("section_economia.html"))
    serve_html(SUBASTA, fixture("article_subasta.html"))

    def out_of_time(markup: str, url: str = "") -> None:
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("newsdesk.sources.newspaper.extract_article", out_of_time)
    source = section_source()

    # when
    attempt = intake.poll_source(source.pk)

    # then the poll is a time-limit failure, not a success with a warning
    source.refresh_from_db()
    assert attempt.error_class == "time_limit"
    assert "tiempo máximo" in attempt.error
    assert source.error_count == 1
    assert source.poll_lease_until is None


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        # UTF-8 served with a Latin-1 label, in the header or the page.
        ("<p>Subasta de energía eólica</p>".encode(), "text/html; charset=iso-8859-1"),
        (
            '<meta charset="ISO-8859-1"><p>Subasta de energía eólica</p>'.encode(),
            "text/html",
        ),
        # Real Latin-1, labelled in the header or the page.
        (
            "<p>Subasta de energía eólica</p>".encode("latin-1"),
            "text/html; charset=iso-8859-1",
        ),
        (
            '<meta charset="iso-8859-1"><p>Subasta de energía eólica</p>'.encode(
                "latin-1"
            ),
            "text/html",
        ),
        # UTF-8 with one pasted Latin-1 byte.
        (
            "<p>Subasta de energía e".encode() + b"\xf3lica</p>",
            "text/html; charset=utf-8",
        ),
    ],
    ids=["utf8-header-latin1", "utf8-meta-latin1", "latin1", "latin1-meta", "stray"],
)
def test_pages_are_decoded_like_feeds(body, content_type):
    text = decode_page(body, {"Content-Type": content_type})

    assert "energía eólica" in text
    assert "Ã" not in text


@responses.activate
@pytest.mark.django_db
def test_missing_section_page_fails_the_poll_with_its_status():
    serve_html(SECTION, b"<html><body>No existe</body></html>", status=404)

    with pytest.raises(FetchError) as caught:
        NewspaperReader(section_source()).read()

    assert caught.value.error_class == "http_404"


@responses.activate
@pytest.mark.django_db
def test_page_without_article_links_asks_for_a_selector():
    serve_html(SECTION, b"<html><body><a href='/economia/'>Economia</a></body></html>")

    with pytest.raises(FetchError) as caught:
        NewspaperReader(section_source()).read()

    assert caught.value.error_class == "no_articles"
    assert "link_selector" in caught.value.message


@responses.activate
@pytest.mark.django_db
def test_invalid_selector_is_a_config_error():
    serve_html(SECTION, fixture("section_economia.html"))

    with pytest.raises(FetchError) as caught:
        NewspaperReader(section_source(link_selector="ul > > a[")).read()

    assert caught.value.error_class == "config"
    assert "ul > > a[" in caught.value.message


# Cleaning


@pytest.mark.parametrize(
    ("raw", "publishers", "expected"),
    [
        ("Medellín Hora De Publicación Del Artículo", [], ""),
        ("Por Ana María Ruiz", [], "Ana María Ruiz"),
        (
            "El Espectador; Felipe Morales Sierra",
            ["ELESPECTADOR.COM"],
            "Felipe Morales Sierra",
        ),
        ("medellín", [], ""),
        ("Ana Ruiz y Pedro Gómez", [], "Ana Ruiz, Pedro Gómez"),
        ("Actualizado hace 5 minutos", [], ""),
    ],
)
def test_clean_author(raw, publishers, expected):
    assert clean_author(raw, publishers) == expected


def test_related_story_lines_are_dropped_as_a_class():
    lines = [
        Line("El texto de la noticia sigue aquí con su contenido completo."),
        Line("(Le puede interesar: Buscan responsables de bus quemado)"),
        Line("Lea también: El gas natural en 2027"),
        Line("Vea además: Entrevista con la ministra"),
        Line("Noticias para ti"),
        Line("( Reacción de candidatos a amenazas )", link_chars=30),
        Line("Read more: Oil prices fall"),
        Line(
            "Lea el informe completo en el anexo, que detalla cada proyecto del plan."
        ),
        Line("BOGOTÁ"),
    ]

    kept = [line.text for line in drop_boilerplate(lines)]

    assert kept == [
        "El texto de la noticia sigue aquí con su contenido completo.",
        "Lea el informe completo en el anexo, que detalla cada proyecto del plan.",
    ]


@responses.activate
@pytest.mark.django_db
def test_poll_stores_the_articles_and_the_next_poll_fetches_none_again():
    # given
    serve_html(SECTION, fixture("section_economia.html"))
    serve_html(SUBASTA, fixture("article_subasta.html"))
    serve_html(CARBON, fixture("article_carbon.html"))
    serve_html(HIDROGENO, fixture("article_carbon.html"))
    source = section_source()

    # when polled twice
    first = intake.poll_source(source.pk)
    calls_after_first = len(responses.calls)
    second = intake.poll_source(source.pk)

    # then
    assert first.items_created == 3
    stored = NewsItem.objects.get(source=source, title__startswith="Subasta")
    assert stored.author == "María Fernanda López"
    assert stored.summary.startswith("<p>El Ministerio de Minas y Energía")
    assert second.outcome == Source.Outcome.OK
    assert second.items_created == 0
    assert [call.request.url for call in responses.calls[calls_after_first:]] == [
        SECTION
    ]


# Conditional GET and redirects

VALIDATORS = {"ETag": '"economia-v1"', "Last-Modified": "Thu, 03 Dec 2026 13:00:00 GMT"}


def serve_section(body: bytes, status: int = 200, **headers: str) -> None:
    responses.add(
        responses.GET,
        SECTION,
        body=body,
        status=status,
        headers=headers,
        content_type="text/html; charset=utf-8",
    )


def serve_articles() -> None:
    serve_html(SUBASTA, fixture("article_subasta.html"))
    serve_html(CARBON, fixture("article_carbon.html"))
    serve_html(HIDROGENO, fixture("article_carbon.html"))


def no_discovery(*args, **kwargs):
    raise AssertionError("an unchanged section page must not be searched")


@responses.activate
@pytest.mark.django_db
def test_unchanged_section_page_costs_no_discovery_and_no_article(monkeypatch):
    # given a section page read once, with validators, answered 304 next
    serve_section(fixture("section_economia.html"), **VALIDATORS)
    serve_section(b"", status=304, ETag=VALIDATORS["ETag"])
    serve_articles()
    source = section_source()
    intake.poll_source(source.pk)
    calls_after_first = len(responses.calls)

    # when polled again, with link discovery made to fail loudly
    monkeypatch.setattr("newsdesk.sources.newspaper.article_links", no_discovery)
    attempt = intake.poll_source(source.pk)

    # then
    second = responses.calls[calls_after_first:]
    assert [call.request.url for call in second] == [SECTION]
    assert second[0].request.headers["If-None-Match"] == '"economia-v1"'
    assert second[0].request.headers["If-Modified-Since"] == (
        "Thu, 03 Dec 2026 13:00:00 GMT"
    )
    assert attempt.outcome == Source.Outcome.NOT_MODIFIED
    assert attempt.http_status == 304
    source.refresh_from_db()
    assert source.etag == '"economia-v1"'
    assert source.items.count() == 3


@responses.activate
@pytest.mark.django_db
def test_section_page_sent_again_with_the_same_etag_is_not_searched(monkeypatch):
    # given a server that ignores If-None-Match but keeps its ETag
    serve_section(fixture("section_economia.html"), **VALIDATORS)
    serve_articles()
    source = section_source()
    intake.poll_source(source.pk)

    # when
    monkeypatch.setattr("newsdesk.sources.newspaper.article_links", no_discovery)
    attempt = intake.poll_source(source.pk)

    # then
    assert attempt.outcome == Source.Outcome.NOT_MODIFIED
    assert attempt.http_status == 200


@responses.activate
@pytest.mark.django_db
def test_changed_section_page_is_read_in_full():
    # given a first page with one article, then the page with three
    one_article = fixture("section_economia.html").split(b"<h3>", 1)[0]
    serve_section(one_article, **VALIDATORS)
    serve_section(fixture("section_economia.html"), ETag='"economia-v2"')
    serve_articles()
    source = section_source()
    first = intake.poll_source(source.pk)

    # when
    second = intake.poll_source(source.pk)

    # then
    assert first.items_created == 1
    assert second.outcome == Source.Outcome.OK
    assert second.items_created == 2
    source.refresh_from_db()
    assert source.etag == '"economia-v2"'
    assert source.last_modified == ""


@responses.activate
@pytest.mark.django_db
def test_articles_left_for_the_next_poll_keep_the_page_unconditional():
    # given a section with three new articles read one per poll
    serve_section(fixture("section_economia.html"), **VALIDATORS)
    serve_articles()
    source = section_source(max_articles=1)

    # when
    intake.poll_source(source.pk)
    calls_after_first = len(responses.calls)
    second = intake.poll_source(source.pk)

    # then the second poll asks for the whole page and reads the next one
    assert "If-None-Match" not in responses.calls[calls_after_first].request.headers
    assert second.items_created == 1
    source.refresh_from_db()
    assert source.etag == ""


@responses.activate
@pytest.mark.django_db
def test_permanent_redirect_moves_the_section_after_three_polls():
    # given a section page that moved for good
    old_url = "http://eldiario.example/economia/"
    responses.add(responses.GET, old_url, status=301, headers={"Location": SECTION})
    serve_html(SECTION, fixture("section_economia.html"))
    serve_articles()
    source = section_source(url=old_url)

    # when polled twice, the address stays
    intake.poll_source(source.pk)
    intake.poll_source(source.pk)
    source.refresh_from_db()
    assert source.url == old_url
    assert source.moved_count == 2

    # then the third poll moves it
    intake.poll_source(source.pk)
    source.refresh_from_db()
    assert source.url == SECTION
    assert source.moved_count == 0
    assert source.items.count() == 3


# Links that keep failing


def section_with(*links: str) -> bytes:
    items = "\n".join(
        f'<article><h2><a href="{link}">Nota</a></h2></article>' for link in links
    )
    return (
        '<!DOCTYPE html><html lang="es"><head><meta charset="utf-8">'
        f"<title>Economía</title></head><body><main>{items}</main></body></html>"
    ).encode()


BROKEN = [
    f"https://www.eldiario.example/economia/2026/12/0{day}/nota-que-ya-no-existe-en-el-sitio/"
    for day in (1, 2, 3)
]


def serve_broken() -> None:
    for link in BROKEN:
        serve_html(link, b"<html><body>No existe</body></html>", status=404)


def requests_of(url: str) -> int:
    return sum(call.request.url == url for call in responses.calls)


@responses.activate
@pytest.mark.django_db
def test_links_that_keep_failing_give_way_to_a_new_article():
    # given three dead links above a story, three articles per poll
    serve_section(section_with(*BROKEN, SUBASTA))
    serve_broken()
    serve_articles()
    source = section_source(max_articles=3)

    # when
    first = intake.poll_source(source.pk)
    calls_after_first = len(responses.calls)
    second = intake.poll_source(source.pk)

    # then the second poll reads the story before retrying a dead link
    assert first.items_created == 0
    assert second.items_created == 1
    assert responses.calls[calls_after_first + 1].request.url == SUBASTA
    assert source.items.get().title.startswith("Subasta de energía renovable")


@responses.activate
@pytest.mark.django_db
def test_a_dead_link_is_given_up_after_three_polls_with_one_warning():
    # given a section whose only story link keeps answering 404
    serve_section(section_with(BROKEN[0]))
    serve_broken()
    source = section_source()

    # when polled four times
    attempts = [intake.poll_source(source.pk) for _ in range(4)]

    # then it is fetched three times and its giving up is said once
    assert requests_of(BROKEN[0]) == 3
    given_up = [
        [warning for warning in attempt.warnings if "abandonado" in warning]
        for attempt in attempts
    ]
    assert [len(warnings) for warnings in given_up] == [0, 0, 1, 0]
    assert "3 consultas" in given_up[2][0]
    assert attempts[3].warnings == []


@responses.activate
@pytest.mark.django_db
def test_a_given_up_link_lets_the_section_page_be_unchanged_again():
    # given a page with validators and a dead link, then a 304
    for _ in range(3):
        serve_section(section_with(SUBASTA, BROKEN[0]), **VALIDATORS)
    serve_section(b"", status=304, ETag=VALIDATORS["ETag"])
    serve_broken()
    serve_articles()
    source = section_source()

    # when polled until the dead link is given up
    etags = []
    for _ in range(3):
        intake.poll_source(source.pk)
        source.refresh_from_db()
        etags.append(source.etag)
    fourth = intake.poll_source(source.pk)

    # then the validators are kept from then on and the page costs a 304
    assert etags == ["", "", '"economia-v1"']
    assert responses.calls[-1].request.headers["If-None-Match"] == '"economia-v1"'
    assert fourth.outcome == Source.Outcome.NOT_MODIFIED
    assert requests_of(BROKEN[0]) == 3


@responses.activate
@pytest.mark.django_db
def test_failures_are_kept_only_for_links_still_waiting_on_the_page():
    # given failures of a link gone from the page and of one that now works
    gone = "https://www.eldiario.example/economia/2026/11/30/nota-de-la-semana-pasada/"
    source = section_source()
    source.link_failures = {gone.rstrip("/"): 2, SUBASTA.rstrip("/"): 1}
    source.save(update_fields=["link_failures"])
    serve_section(section_with(SUBASTA, BROKEN[0]))
    serve_broken()
    serve_articles()

    # when
    intake.poll_source(source.pk)

    # then only the dead link on the page is remembered
    source.refresh_from_db()
    assert source.link_failures == {BROKEN[0].rstrip("/"): 1}
