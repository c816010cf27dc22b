"""Erika searches "Noticias" the way she types: without accents or capitals."""

from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsdesk import clustering
from newsdesk.actions import intake
from newsdesk.models import NewsItem, StaffRequest
from newsdesk.sources.base import EntryData

from .review_factories import make_item, make_source

QUEUE = reverse("newsdesk:queue")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_index():
    clustering.reset_index()


def found(client, tab: str = "baja", **params) -> str:
    response = client.get(QUEUE, {"tab": tab, **params})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("typed", ["energía", "energia", "ENERGÍA", "Energia"])
def test_search_ignores_accents_and_case(editor_client, typed):
    outlet = make_source()
    make_item(outlet, "Subasta de Energía eólica", enrich=False)
    make_item(outlet, "Festival gastronómico en la región", enrich=False)

    html = found(editor_client, q=typed)

    assert "Subasta de Energía eólica" in html
    assert "Festival gastronómico" not in html


def test_search_reads_the_summary_as_plain_text(editor_client):
    make_item(
        make_source(),
        "Informe semanal",
        "<p>La <b>Minería</b> de oro crece en el Chocó</p>",
        enrich=False,
    )

    assert "Informe semanal" in found(editor_client, q="mineria de oro")
    assert "Informe semanal" in found(editor_client, q="CHOCO")


def test_items_stored_and_edited_by_a_poll_are_searchable(editor_client):
    # given an entry stored by a poll, then edited by its outlet
    source = make_source()
    now = timezone.now()
    entry = EntryData(title="Regalías del carbón", guid="1", published_at=now)
    intake.store_entries(source, [entry], now)
    edited = EntryData(title="Regalías del petróleo", guid="1", published_at=now)
    intake.store_entries(source, [edited], now)

    # then the search follows the edited text
    item = NewsItem.objects.get()
    assert item.search == "regalias del petroleo"
    assert "Regalías del petróleo" in found(editor_client, q="regalias del petroleo")
    assert "Regalías" not in found(editor_client, q="carbon")


def test_migration_fills_the_rows_stored_before_it(monkeypatch):
    # given rows stored before the search column existed
    outlet = make_source()
    for number in range(3):
        make_item(outlet, f"Subasta de energía número {number}", enrich=False)
    NewsItem.objects.update(search="")

    # when the data migration runs
    migration = import_module("newsdesk.migrations.0006_fill_newsitem_search")
    monkeypatch.setattr(migration, "BATCH", 2)
    migration.fill_search(apps, None)

    # then every row can be found again
    assert NewsItem.objects.filter(search__contains="energia").count() == 3


def test_a_search_over_the_limit_says_so_instead_of_listing_everything(
    editor_client,
):
    make_item(make_source(), "Subasta de energía eólica", enrich=False)

    html = found(editor_client, q="energía " * 30)

    assert "Subasta de energía eólica" not in html
    assert "La búsqueda admite hasta 200 caracteres y tiene 239" in html


def test_search_narrows_the_requests_tab_and_its_count(editor_client, requester):
    # given two requests waiting for the desk
    for title in ("Foro de Energía Solar en Valledupar", "Rueda de prensa minera"):
        StaffRequest.objects.create(
            requester=requester, title=title, description="Por favor publicar."
        )

    # when Erika searches without accents on the requests tab
    html = found(editor_client, tab="solicitudes", q="energia solar")

    # then only the matching request is listed, and the tab counts it alone
    assert "Foro de Energía Solar" in html
    assert "Rueda de prensa minera" not in html
    assert 'id="tab-count-solicitudes">1<' in html.replace(" ", "")
    # and the box that narrowed it is on the page, to change or clear
    assert 'name="q" value="energia solar"' in html


def test_requests_tab_reads_the_requests_once(editor_client, requester):
    StaffRequest.objects.create(
        requester=requester, title="Foro solar", description="Publicar."
    )
    with CaptureQueriesContext(connection) as queries:
        found(editor_client, tab="solicitudes", q="solar")

    reads = [q for q in queries if 'FROM "newsdesk_staffrequest"' in q["sql"]]
    assert len(reads) == 1


def test_a_search_too_long_is_refused_on_the_requests_tab_too(editor_client, requester):
    StaffRequest.objects.create(
        requester=requester, title="Foro solar", description="Publicar."
    )

    html = found(editor_client, tab="solicitudes", q="solar " * 40)

    assert "La búsqueda admite hasta 200 caracteres" in html
    assert "Foro solar" not in html
