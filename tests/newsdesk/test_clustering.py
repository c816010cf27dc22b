"""The same story from several outlets becomes one cluster."""

from datetime import timedelta

import pytest
from django.utils import timezone

from newsdesk import clustering, relevance
from newsdesk.enrich import enrich_items
from newsdesk.models import Cluster, NewsItem
from newsdesk.vocabulary import seed_vocabulary

from .review_factories import make_item, make_source

STORY = [
    (
        "UPME adjudica subasta de transmisión para la línea Colectora en La Guajira",
        "La Unidad de Planeación Minero Energética adjudicó la subasta de la línea "
        "de transmisión Colectora, que conectará parques eólicos de La Guajira.",
    ),
    (
        "Adjudicada la subasta de la línea de transmisión Colectora en La Guajira",
        "La UPME adjudicó la línea de transmisión Colectora para conectar los "
        "parques eólicos de La Guajira al sistema.",
    ),
    (
        "La Guajira: UPME adjudicó subasta de transmisión Colectora",
        "Con la adjudicación de la línea Colectora, la UPME busca conectar parques "
        "eólicos de La Guajira, según la subasta de transmisión.",
    ),
]

OTHER_STORY = (
    "Ecopetrol reporta aumento de producción de petróleo en el Meta",
    "La petrolera informó que la producción de crudo en los campos del Meta "
    "creció en el último trimestre.",
)


@pytest.fixture(autouse=True)
def fresh_index(db):
    clustering.reset_index()


def test_same_story_from_three_outlets_is_one_cluster():
    # given three outlets
    outlets = [
        make_source(name) for name in ("El Tiempo", "Portafolio", "La República")
    ]

    # when each tells the same story, and one tells another
    items = [
        make_item(outlet, title, summary)
        for outlet, (title, summary) in zip(outlets, STORY, strict=True)
    ]
    other = make_item(outlets[0], *OTHER_STORY)

    # then the three are one cluster of three sources, the other stands alone
    for item in items:
        item.refresh_from_db()
    cluster = items[0].cluster
    assert cluster is not None
    assert {item.cluster_id for item in items} == {cluster.pk}
    assert cluster.source_count == 3
    assert cluster.item_count == 3
    # The queue shows the story once, through its most relevant telling
    # (with no vocabulary here, all score 0: the earliest).
    assert cluster.representative == min(items, key=lambda item: item.published_at)
    assert other.cluster is None


def test_items_enriched_in_one_batch_cluster_together():
    outlets = [make_source(name) for name in ("A", "B", "C")]
    items = [
        make_item(outlet, title, summary, enrich=False)
        for outlet, (title, summary) in zip(outlets, STORY, strict=True)
    ]

    enrich_items(items)

    clusters = set(NewsItem.objects.values_list("cluster", flat=True))
    assert len(clusters) == 1
    assert Cluster.objects.get().source_count == 3


def test_stories_more_than_72_hours_apart_stay_apart():
    first, second = make_source("El Tiempo"), make_source("Portafolio")
    now = timezone.now()

    early = make_item(first, *STORY[0], published_at=now - timedelta(hours=1))
    late_backlog = make_item(second, *STORY[1], published_at=now - timedelta(hours=80))

    assert early.cluster is None
    assert late_backlog.cluster is None
    assert not Cluster.objects.exists()


def test_two_stories_of_one_outlet_are_not_two_sources():
    # given one outlet that runs the story and a follow-up
    outlet = make_source("El Tiempo")
    make_item(outlet, *STORY[0])
    follow_up = make_item(outlet, *STORY[1])

    # then they are not grouped as if two outlets told it
    assert follow_up.cluster is None


def test_an_outlet_repeating_its_own_text_joins_its_cluster_once():
    outlet, other = make_source("El Tiempo"), make_source("Portafolio")
    first = make_item(outlet, *STORY[0])
    make_item(other, *STORY[1])
    repost = make_item(outlet, *STORY[0])

    first.refresh_from_db()
    assert repost.cluster_id == first.cluster_id
    # Still two outlets, however many copies one of them ran.
    assert repost.cluster.source_count == 2
    assert repost.cluster.item_count == 3


def test_clustering_is_deterministic():
    signature_one = clustering.to_bytes(
        clustering.signature(NewsItem(title=STORY[0][0], summary=STORY[0][1]))
    )
    signature_two = clustering.to_bytes(
        clustering.signature(NewsItem(title=STORY[0][0], summary=STORY[0][1]))
    )
    assert signature_one == signature_two


def test_a_richer_telling_lifts_the_story_out_of_low_relevance(db):
    # given a terse first report that scores low
    vocabulary = seed_vocabulary()
    assert vocabulary > 0
    terse = make_item(
        make_source("Radio"),
        "Adjudicada la línea Colectora en La Guajira para conectar parques",
        "Se adjudicó la línea Colectora en La Guajira para conectar parques.",
    )
    assert terse.score < relevance.threshold()

    # when another outlet tells the same story in the sector's words
    rich = make_item(
        make_source("Portafolio"),
        "UPME adjudicó la subasta de la línea Colectora en La Guajira",
        "La UPME adjudicó la subasta de transmisión de la línea Colectora en La "
        "Guajira para conectar parques eólicos.",
    )

    # then the story's row is the richer telling, among the relevant ones
    terse.refresh_from_db()
    assert rich.cluster_id == terse.cluster_id is not None
    assert rich.cluster.representative == rich
    assert rich.score >= relevance.threshold()


def test_a_story_a_poll_starts_is_counted_as_a_recount_would(db):
    # given an earlier terse telling, stored alone
    seed_vocabulary()
    terse = make_item(
        make_source("Radio"),
        "Adjudicada la línea Colectora en La Guajira para conectar parques",
        "Se adjudicó la línea Colectora en La Guajira para conectar parques.",
    )

    # when one poll brings two richer tellings from two more outlets
    rich, other = (
        make_item(make_source(name), title, summary, enrich=False)
        for name, (title, summary) in zip(
            ("Portafolio", "Semana"), STORY[:2], strict=True
        )
    )
    enrich_items([rich, other])

    # then the story it starts is counted, shown through its best telling
    cluster = Cluster.objects.get()
    best = max([terse, rich, other], key=lambda item: (item.score, -item.pk))
    assert (cluster.item_count, cluster.source_count) == (3, 3)
    assert cluster.representative_id == best.pk

    # and a recount finds nothing to change
    clustering.recount({cluster.pk})
    recounted = Cluster.objects.get()
    assert (recounted.item_count, recounted.source_count) == (3, 3)
    assert recounted.representative_id == cluster.representative_id


def test_a_decided_telling_stays_the_row_of_the_story_it_starts():
    # given a telling the desk already dismissed
    outlets = [make_source(name) for name in ("El Tiempo", "Portafolio")]
    first = make_item(outlets[0], *STORY[0])
    NewsItem.objects.filter(pk=first.pk).update(status=NewsItem.Status.DISMISSED)

    # when another outlet tells the story
    make_item(outlets[1], *STORY[1])

    # then the story keeps the decided row, not a fresh one to review again
    cluster = Cluster.objects.get()
    assert cluster.representative_id == first.pk
    assert (cluster.item_count, cluster.source_count) == (2, 2)


def test_a_polls_batch_is_signed_as_each_item_alone():
    # given items with words, without any, and sharing words
    items = [
        NewsItem(title=STORY[0][0], summary=STORY[0][1]),
        NewsItem(title="", summary=""),
        NewsItem(title=STORY[1][0], summary=STORY[1][1]),
        NewsItem(title=OTHER_STORY[0], summary=OTHER_STORY[1]),
    ]

    # when signed together
    clustering.sign_items(items)

    # then each signature is the one MinHash gives the item on its own
    for item in items:
        assert item.minhash == clustering.to_bytes(clustering.signature(item))
    assert clustering.is_empty(clustering.from_bytes(items[1].minhash))


def test_a_story_stored_by_another_worker_is_found():
    # given this worker's index, already loaded
    outlets = [make_source(name) for name in ("El Tiempo", "Portafolio", "Semana")]
    first = make_item(outlets[0], *OTHER_STORY)

    # and a story another worker stored and signed since, unknown here
    elsewhere = make_item(outlets[1], *STORY[0], enrich=False)
    clustering.sign_items([elsewhere])
    NewsItem.objects.filter(pk=elsewhere.pk).update(minhash=elsewhere.minhash)

    # when this worker stores another telling of it
    telling = make_item(outlets[2], *STORY[1])

    # then the two are one story
    elsewhere.refresh_from_db()
    assert telling.cluster_id == elsewhere.cluster_id is not None
    assert first.cluster_id is None


def test_a_story_another_worker_stored_amid_this_workers_poll_is_found():
    # given this worker's index, already loaded
    outlets = [make_source(name) for name in ("El Tiempo", "Portafolio", "Semana")]
    make_item(outlets[0], *OTHER_STORY)

    # and a poll of this worker whose rows another worker's row falls between
    before = make_item(
        outlets[2],
        "Ministerio de Minas abre consulta sobre regalías del carbón",
        "El ministerio publicó el borrador de la resolución para comentarios.",
        enrich=False,
    )
    elsewhere = make_item(outlets[1], *STORY[0], enrich=False)
    clustering.sign_items([elsewhere])
    NewsItem.objects.filter(pk=elsewhere.pk).update(minhash=elsewhere.minhash)
    telling = make_item(outlets[2], *STORY[1], enrich=False)

    # when this worker enriches its poll
    enrich_items([before, telling])

    # then the telling meets the other worker's story, the other item none
    elsewhere.refresh_from_db()
    assert telling.cluster_id == elsewhere.cluster_id is not None
    assert before.cluster_id is None


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "UPME abre subasta de energía eólica en La Guajira",
            "UPME abre subasta de energía solar en el Cesar",
        ),
        (
            "Ecopetrol reporta utilidades récord en el tercer trimestre",
            "Ecopetrol reporta pérdidas en el tercer trimestre",
        ),
    ],
)
def test_headlines_of_different_stories_stay_apart(first, second):
    # given two outlets whose feeds carry headlines only, about one entity
    one = make_item(make_source("El Tiempo"), first)
    other = make_item(make_source("Portafolio"), second)

    # then neither story hides behind the other in the queue
    one.refresh_from_db()
    assert one.cluster is None
    assert other.cluster is None


def test_the_same_headline_from_two_outlets_is_one_story():
    # given two outlets that carry the agency's headline, one without a lead
    headline = "ANM otorga nuevos títulos mineros de níquel en Córdoba"
    wire = make_item(make_source("Colprensa"), headline)
    paper = make_item(
        make_source("El Meridiano"),
        headline,
        "La Agencia Nacional de Minería otorgó títulos mineros de níquel en Córdoba.",
    )

    # then the queue shows one story from two sources
    wire.refresh_from_db()
    assert paper.cluster_id == wire.cluster_id is not None
    assert paper.cluster.source_count == 2


def test_an_item_signed_late_elsewhere_still_meets_later_tellings():
    # given a telling stored bare (its enrichment failed) and seen so by
    # this worker's index
    outlets = [make_source(name) for name in ("El Tiempo", "Portafolio")]
    bare = make_item(outlets[0], *STORY[0], enrich=False)
    make_item(outlets[0], *OTHER_STORY)
    assert bare.pk in clustering._index.bare

    # when another process signs it (beat's enrich_pending), behind this
    # worker's back, and this worker then polls another outlet's telling
    signed = clustering.to_bytes(clustering.signature(bare))
    NewsItem.objects.filter(pk=bare.pk).update(minhash=signed)
    later = make_item(outlets[1], *STORY[1])

    # then the two tellings are one story
    bare.refresh_from_db()
    assert later.cluster_id is not None
    assert bare.cluster_id == later.cluster_id
    assert bare.pk not in clustering._index.bare
