"""Erika, the editor, reviews the candidates in "Noticias"."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsdesk import clustering
from newsdesk.models import NewsItem
from newsdesk.vocabulary import seed_vocabulary

from .review_factories import make_item, make_source

QUEUE = reverse("newsdesk:queue")

RELEVANT_TITLE = "La UPME abre subasta de energía solar y eólica"
LOW_TITLE = "Festival gastronómico reúne a cocineros de la región"


@pytest.fixture(autouse=True)
def vocabulary(db):
    clustering.reset_index()
    seed_vocabulary()


@pytest.fixture
def outlet():
    return make_source("El Diario Energético")


def page(client, **params) -> str:
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return response.content.decode()


def test_outsider_is_forbidden(client, outsider, requester):
    client.force_login(outsider)
    assert client.get(QUEUE).status_code == 403

    client.force_login(requester)
    assert client.get(QUEUE).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_relevant_and_low_relevance_tabs(editor_client, outlet):
    # given a sector story and an unrelated one
    make_item(outlet, RELEVANT_TITLE)
    make_item(outlet, LOW_TITLE)

    # then "Relevantes" shows the first with its reasons, not the second
    relevant = page(editor_client)
    assert RELEVANT_TITLE in relevant
    assert "UPME" in relevant and "subasta" in relevant
    assert LOW_TITLE not in relevant

    # and "Baja relevancia" keeps the second, never deleted
    low = page(editor_client, tab="baja")
    assert LOW_TITLE in low
    assert RELEVANT_TITLE not in low


def test_dismiss_without_javascript_and_restore(editor_client, editor, outlet):
    item = make_item(outlet, RELEVANT_TITLE)

    # when Erika dismisses it with a plain form post
    response = editor_client.post(reverse("newsdesk:dismiss", args=[item.pk]))

    # then she is back on the queue, the story gone from it, who/when recorded
    assert response.status_code == 302
    row = f'id="item-{item.pk}"'
    assert row not in page(editor_client)
    assert row in page(editor_client, tab="descartadas")
    item.refresh_from_db()
    assert item.status == NewsItem.Status.DISMISSED
    assert item.decided_by == editor
    assert item.decided_at is not None

    # when she restores it from "Descartadas"
    editor_client.post(reverse("newsdesk:restore", args=[item.pk]))

    # then it is a candidate again
    assert row in page(editor_client)
    assert row not in page(editor_client, tab="descartadas")


def test_dismiss_with_htmx_swaps_the_row_out_and_updates_counters(
    editor_client, outlet
):
    # given two relevant stories in the queue
    item = make_item(outlet, RELEVANT_TITLE)
    make_item(outlet, "La UPME publica el plan de expansión de transmisión")
    assert 'id="tab-count-relevantes">2<' in page(editor_client)

    # when Erika dismisses one with htmx
    response = editor_client.post(
        reverse("newsdesk:dismiss", args=[item.pk]), HTTP_HX_REQUEST="true"
    )

    # then only the counters come back, out of band: the row swaps to nothing
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="item-' not in body
    assert 'id="tab-count-relevantes" hx-swap-oob="true">1<' in body
    assert 'id="tab-count-descartadas" hx-swap-oob="true">1<' in body
    item.refresh_from_db()
    assert item.status == NewsItem.Status.DISMISSED


def test_relevance_chips_say_where_the_term_was_found(editor_client, outlet):
    make_item(
        outlet,
        "Subasta de energía eólica",
        summary="La subasta adjudicó contratos de largo plazo.",
    )

    html = page(editor_client)

    assert "(título)" in html
    assert "(resumen)" in html


def test_dismiss_needs_post_and_an_editor(client, editor_client, outsider, outlet):
    item = make_item(outlet, RELEVANT_TITLE)

    assert (
        editor_client.get(reverse("newsdesk:dismiss", args=[item.pk])).status_code
        == 405
    )
    assert (
        editor_client.post(reverse("newsdesk:dismiss", args=[999999])).status_code
        == 404
    )

    client.force_login(outsider)
    assert client.post(reverse("newsdesk:dismiss", args=[item.pk])).status_code == 403
    item.refresh_from_db()
    assert item.status == NewsItem.Status.NEW


def test_flags_and_compose_link(editor_client, outlet):
    item = make_item(
        outlet,
        "Ministerio de Minas y Energía presenta hoja de ruta del hidrógeno",
        link="",
        was_updated=True,
        date_flag=NewsItem.DateFlag.MISSING,
    )
    future = make_item(
        outlet,
        "CREG publica nuevas tarifas de energía",
        date_flag=NewsItem.DateFlag.FUTURE,
    )

    html = page(editor_client)

    assert "sin enlace" in html
    assert "actualizada" in html
    assert "sin fecha" in html
    assert "fecha futura" in html
    assert f"/publicaciones/redactar/?item={item.pk}" in html
    assert f"/publicaciones/redactar/?item={future.pk}" in html


def test_sort_by_score_or_date(editor_client, outlet):
    now = timezone.now()
    make_item(
        outlet,
        "UPME: subasta de transmisión y regalías del carbón",
        published_at=now - timedelta(hours=5),
    )
    make_item(outlet, "Subasta de energía solar", published_at=now - timedelta(hours=1))

    by_date = page(editor_client)
    by_score = page(editor_client, sort="score")

    assert by_date.index("Subasta de energía solar") < by_date.index(
        "regalías del carbón"
    )
    assert by_score.index("regalías del carbón") < by_score.index(
        "Subasta de energía solar"
    )


def test_filter_by_source_and_text(editor_client, outlet):
    other = make_source("Portafolio")
    make_item(outlet, "Ecopetrol anuncia hallazgo de gas natural en el Caribe")
    make_item(other, "ANH firma contratos de exploración de hidrocarburos")

    only_other = page(editor_client, source=other.pk)
    assert "ANH firma contratos" in only_other
    assert "Ecopetrol anuncia" not in only_other

    searched = page(editor_client, q="hallazgo")
    assert "Ecopetrol anuncia" in searched
    assert "ANH firma contratos" not in searched

    # A bad filter value is ignored, never an error.
    assert "ANH firma contratos" in page(
        editor_client, source="no-es-un-numero", sort="x"
    )


def test_cluster_is_one_row_with_its_sources(editor_client):
    story = "Ecopetrol y la ANH anuncian subasta de bloques de gas natural costa afuera"
    outlets = [
        make_source(name) for name in ("El Tiempo", "Portafolio", "Valora Analitik")
    ]
    for outlet in outlets:
        make_item(
            outlet, story, "Los bloques de gas natural costa afuera saldrán a subasta."
        )

    html = page(editor_client)

    assert html.count('class="queue-item"') == 1
    assert "3 fuentes" in html
    for outlet in outlets:
        assert outlet.name in html


def test_dismissing_a_cluster_dismisses_the_story(editor_client):
    story = "Ecopetrol y la ANH anuncian subasta de bloques de gas natural costa afuera"
    items = [
        make_item(make_source(name), story, "Los bloques saldrán a subasta este año.")
        for name in ("El Tiempo", "Portafolio")
    ]

    editor_client.post(reverse("newsdesk:dismiss", args=[items[0].pk]))

    statuses = set(NewsItem.objects.values_list("status", flat=True))
    assert statuses == {NewsItem.Status.DISMISSED}
    assert 'class="queue-item"' not in page(editor_client)
    assert page(editor_client, tab="descartadas").count('class="queue-item"') == 1


def test_pagination(editor_client, outlet):
    for number in range(30):
        make_item(
            outlet, f"Subasta de energía solar número {number}", enrich=False, score=5
        )

    first = page(editor_client)
    second = page(editor_client, page=2)

    assert first.count('class="queue-item"') == 25
    assert second.count('class="queue-item"') == 5
    assert "Página 2 de 2" in second


DISTINCT_STORIES = [
    "UPME adjudica subasta de transmisión en Antioquia",
    "Ecopetrol descubre yacimiento de gas natural en Sucre",
    "CREG aprueba alza de tarifas eléctricas en la costa",
    "ANM otorga títulos de minería de oro en Chocó",
    "Parque eólico Guajira inicia operación comercial",
    "Hidrógeno verde: primera planta piloto en Cartagena",
    "Producción de carbón cae por bloqueos en el Cesar",
    "XM advierte bajo nivel de embalses por El Niño",
    "IPSE lleva paneles solares a zonas no interconectadas",
    "Regalías petroleras financian vías terciarias en Meta",
]


def test_queue_queries_do_not_grow_with_rows(editor_client):
    def stories(numbers: range) -> None:
        for number in numbers:
            for side in "ab":
                make_item(
                    make_source(f"Medio {number}-{side}"), DISTINCT_STORIES[number]
                )

    stories(range(2))
    with CaptureQueriesContext(connection) as few:
        page(editor_client)
    stories(range(2, 10))
    with CaptureQueriesContext(connection) as many:
        html = page(editor_client)

    assert html.count("2 fuentes") == 10
    assert len(many) == len(few)


def test_htmx_filter_answers_only_the_list(editor_client, outlet):
    make_item(outlet, "Ecopetrol anuncia hallazgo de gas natural en el Caribe")

    response = editor_client.get(
        QUEUE, {"q": "hallazgo"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-list"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Ecopetrol anuncia hallazgo" in html


def test_tab_counts_follow_the_filters(editor_client, outlet):
    # given relevant and low-relevance stories from two outlets
    other = make_source("Portafolio")
    make_item(outlet, RELEVANT_TITLE)
    make_item(outlet, LOW_TITLE)
    make_item(other, "La UPME publica el plan de expansión de transmisión")
    make_item(other, "Ecopetrol anuncia hallazgo de gas natural en el Caribe")
    make_item(other, "Concierto gratuito en el parque principal")

    # when Erika narrows the queue to one outlet, then to a search
    by_source = page(editor_client, source=outlet.pk)
    by_text = page(editor_client, source=other.pk, q="GAS NATURAL")

    # then the tabs count what the lists show, and keep the filters
    assert 'id="tab-count-relevantes">1<' in by_source
    assert 'id="tab-count-baja">1<' in by_source
    assert f"?source={outlet.pk}&amp;tab=baja" in by_source
    assert 'id="tab-count-relevantes">1<' in by_text
    assert 'id="tab-count-baja">0<' in by_text
    assert 'id="tab-count-relevantes">3<' in page(editor_client)


def test_filtering_with_htmx_updates_the_tabs_out_of_band(editor_client, outlet):
    make_item(outlet, RELEVANT_TITLE)
    make_item(make_source("Portafolio"), "La UPME publica el plan de expansión")

    response = editor_client.get(
        QUEUE,
        {"source": outlet.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="queue-list",
    )

    html = response.content.decode()
    assert 'id="queue-tabs" class="queue-tabs"' in html
    assert 'hx-swap-oob="true"' in html
    assert 'id="tab-count-relevantes">1<' in html


def test_dismissing_on_a_filtered_page_counts_under_its_filters(editor_client, outlet):
    item = make_item(outlet, RELEVANT_TITLE)
    make_item(outlet, "La UPME publica el plan de expansión de transmisión")
    make_item(make_source("Portafolio"), "Ecopetrol anuncia hallazgo de gas natural")

    response = editor_client.post(
        reverse("newsdesk:dismiss", args=[item.pk]),
        {"next": f"{QUEUE}?source={outlet.pk}"},
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert 'id="tab-count-relevantes" hx-swap-oob="true">1<' in body
    assert 'id="tab-count-descartadas" hx-swap-oob="true">1<' in body


def test_filtered_queue_queries_are_bounded(
    editor_client, outlet, django_assert_num_queries
):
    for number in range(5):
        make_item(outlet, DISTINCT_STORIES[number])
        make_item(make_source(f"Otro medio {number}"), DISTINCT_STORIES[number])

    # session, user, three role checks, the chosen source, the attention
    # badge, the tab counts (one query), open requests, the page count, the
    # rows, their cluster members and the sources for the select
    with django_assert_num_queries(13):
        html = page(editor_client, source=outlet.pk, q="en")

    assert html.count("2 fuentes") >= 1


def test_a_stored_script_link_is_shown_as_plain_text(editor_client, outlet):
    # given a row stored before readers kept only web addresses
    make_item(outlet, RELEVANT_TITLE, link="javascript:alert(document.cookie)")

    # when Erika opens the queue
    html = page(editor_client)

    # then she reads the story, but no click runs the script
    assert RELEVANT_TITLE in html
    assert "javascript:" not in html


STORY_LEAD = (
    "Ecopetrol y la ANH abrirán la subasta de bloques de gas natural costa "
    "afuera en el segundo semestre, con reglas nuevas para los operadores."
)


def told_twice(shown_title: str, other_title: str) -> tuple[NewsItem, NewsItem]:
    """One story from two outlets, under titles of their own; the queue's
    row for it is the first telling."""
    earlier = timezone.now() - timedelta(hours=2)
    shown = make_item(
        make_source("El Tiempo"), shown_title, STORY_LEAD, published_at=earlier
    )
    other = make_item(make_source("Portafolio"), other_title, STORY_LEAD)
    shown.refresh_from_db()
    assert shown.cluster is not None
    assert shown.cluster.representative_id == shown.pk
    assert other.cluster_id == shown.cluster_id
    return shown, other


def test_search_finds_a_story_by_any_of_its_tellings(editor_client):
    # given a story whose second telling names a place the shown one does not
    told_twice(
        "Ecopetrol y la ANH anuncian subasta de bloques de gas natural costa afuera",
        "Subasta de bloques de gas natural costa afuera llega a La Guajira",
    )

    # when Erika searches for the place, written her way
    html = page(editor_client, q="guajira")

    # then the story is listed once, with both tellings, and counted once
    assert html.count('class="queue-item"') == 1
    assert "2 fuentes" in html
    assert "La Guajira" in html
    assert 'id="tab-count-relevantes">1<' in html
    assert 'id="tab-count-baja">0<' in html


def test_search_by_a_telling_keeps_the_source_filter(editor_client):
    # given a story told by two outlets, and another outlet of its own
    shown, _other = told_twice(
        "Ecopetrol y la ANH anuncian subasta de bloques de gas natural costa afuera",
        "Subasta de bloques de gas natural costa afuera llega a La Guajira",
    )
    elsewhere = make_source("Valora Analitik")
    make_item(elsewhere, "La Guajira estrena parque eólico de 200 megavatios")

    # when Erika searches the place within the outlet that did not name it
    html = page(editor_client, source=shown.source_id, q="Guajira")

    # then only the shared story is found: the other outlet's is filtered out
    assert html.count('class="queue-item"') == 1
    assert "2 fuentes" in html
    assert "parque eólico" not in html
    assert 'id="tab-count-relevantes">1<' in html
