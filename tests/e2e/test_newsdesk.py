"""The news desk tried in a real browser, as a new team would.

Adriana, the administrator, adds two outlets' feeds in the admin; Erika,
the editor, polls them from their pages and finds the story both tell once
in "Noticias", with why it is relevant. A source with a wrong address says
what is wrong on its own page.
"""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from newsdesk import clustering
from newsdesk.models import Source
from newsdesk.vocabulary import seed_vocabulary
from tests.e2e.steps import PASSWORD, sign_in
from tests.newsdesk.feed_server import Canned, FeedServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
LEAD = (
    "Ecopetrol y la ANH abrirán la subasta de bloques de gas natural costa "
    "afuera en el segundo semestre, con reglas nuevas para los operadores."
)
EL_TIEMPO_TITLE = (
    "Ecopetrol y la ANH anuncian subasta de bloques de gas natural costa afuera"
)
PORTAFOLIO_TITLE = "Subasta de bloques de gas natural costa afuera tendrá reglas nuevas"


@pytest.fixture(autouse=True)
def vocabulary(transactional_db) -> None:
    # The live server runs in this process: it shares the clustering index.
    clustering.reset_index()
    seed_vocabulary()


def rss(outlet: str, title: str, minutes_ago: int) -> Canned:
    published = format_datetime(timezone.now() - timedelta(minutes=minutes_ago))
    slug = outlet.lower().replace(" ", "-")
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>{outlet} - Economía</title>
  <link>https://{slug}.example.co/economia</link>
  <item>
    <title>{title}</title>
    <link>https://{slug}.example.co/economia/subasta-gas-costa-afuera</link>
    <guid>{slug}-subasta-gas</guid>
    <pubDate>{published}</pubDate>
    <description>{LEAD}</description>
  </item>
</channel></rss>"""
    return Canned(200, body.encode(), RSS)


def add_feed_in_admin(page: Page, name: str, url: str) -> None:
    page.goto("/admin/")
    page.get_by_role("link", name="Fuentes", exact=True).click()
    page.get_by_role("link", name="Añadir fuente").click()
    page.get_by_label("Nombre:").fill(name)
    page.get_by_label("URL:", exact=True).fill(url)
    # The interval comes filled with the model's default, 15 minutes.
    expect(page.get_by_label("Intervalo (minutos):")).to_have_value("15")
    # Django's es-CO admin says "Grabar" where the desk says "Guardar".
    page.get_by_role("button", name="Grabar", exact=True).click()
    expect(page.get_by_text(f"La fuente “{name}” fue agregada")).to_be_visible()


def poll_from_its_page(page: Page, name: str) -> None:
    page.get_by_role("link", name="Fuentes", exact=True).click()
    page.get_by_role("link", name=name, exact=True).click()
    page.get_by_role("button", name="Consultar ahora").click()


def status_of(page: Page, term: str) -> Locator:
    """What the source's status section says under `term`."""
    label = page.locator("#source-status").get_by_text(term, exact=True)
    return label.locator("xpath=following-sibling::dd[1]")


def test_a_story_two_outlets_tell_shows_once_with_its_reasons(
    open_page, feed_server: FeedServer, administrator: User, editor: User
):
    # given two outlets' feeds telling the same story, on a local server
    el_tiempo = feed_server.route(
        "/el-tiempo/economia.xml", rss("El Tiempo", EL_TIEMPO_TITLE, 90)
    )
    portafolio = feed_server.route(
        "/portafolio/economia.xml", rss("Portafolio", PORTAFOLIO_TITLE, 30)
    )

    # when Adriana signs in to the admin and adds both as sources
    admin = open_page()
    admin.goto("/admin/")
    admin.get_by_label("Nombre de usuario").fill(administrator.username)
    admin.get_by_label("Contraseña").fill(PASSWORD)
    admin.get_by_role("button", name="Iniciar sesión").click()
    expect(admin.get_by_role("button", name="Terminar sesión")).to_be_visible()
    add_feed_in_admin(admin, "El Tiempo", el_tiempo)
    add_feed_in_admin(admin, "Portafolio", portafolio)

    # and Erika polls each one from its page instead of waiting for beat
    erika = open_page()
    sign_in(erika, editor)
    for name in ("El Tiempo", "Portafolio"):
        poll_from_its_page(erika, name)
        expect(status_of(erika, "Último resultado")).to_have_text("Correcto")
        expect(status_of(erika, "Noticias guardadas")).to_have_text("1")

    # then "Noticias" lists the story once, told by two outlets
    erika.get_by_role("link", name="Noticias", exact=True).click()
    stories = erika.locator("article.queue-item")
    expect(stories).to_have_count(1)
    expect(erika.locator("#tab-count-relevantes")).to_have_text("1")
    story = stories.first
    expect(story.locator(".queue-title")).to_have_text(EL_TIEMPO_TITLE)
    expect(story.get_by_text("2 fuentes")).to_be_visible()

    # and shows the sector terms that made it relevant, and where
    expect(
        story.locator(".badge.term", has_text="gas natural (título)")
    ).to_be_visible()
    expect(story.locator(".badge.term", has_text="subasta (título)")).to_be_visible()

    # and opening "2 fuentes" shows both tellings
    story.get_by_text("2 fuentes").click()
    tellings = story.locator(".queue-cluster li")
    expect(tellings).to_have_count(2)
    for outlet, title in (
        ("El Tiempo", EL_TIEMPO_TITLE),
        ("Portafolio", PORTAFOLIO_TITLE),
    ):
        expect(tellings.filter(has_text=f"{outlet}:")).to_be_visible()
        expect(tellings.filter(has_text=f"{outlet}:")).to_contain_text(title)


def test_a_source_with_a_wrong_address_says_so_in_spanish(
    open_page, feed_server: FeedServer, editor: User
):
    # given a source whose address has a typo: the server has no such feed
    Source.objects.create(
        name="Boletín minero",
        kind=Source.Kind.FEED,
        url=feed_server.url("/boletin/rss.xmll"),
    )

    # when Erika polls it from its page
    erika = open_page()
    sign_in(erika, editor)
    poll_from_its_page(erika, "Boletín minero")

    # then the page says what failed, and where, in Spanish
    expect(status_of(erika, "Último resultado")).to_have_text("Error")
    expect(status_of(erika, "Último error")).to_have_text(
        "HTTP 404 La dirección no existe (HTTP 404): "
        + feed_server.url("/boletin/rss.xmll")
    )
    attempts = erika.locator("#source-status tbody tr")
    expect(attempts).to_have_count(1)
    expect(attempts.first).to_contain_text("HTTP 404")

    # and the list of sources shows the same error beside its name
    erika.get_by_role("link", name="← Fuentes").click()
    row = erika.get_by_role("row", name=re.compile("Boletín minero"))
    expect(row).to_contain_text("La dirección no existe (HTTP 404)")
