"""The score learns from editors once they have decided on 200 items."""

import random
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from newsdesk import clustering, relevance
from newsdesk.enrich import enrich_items
from newsdesk.models import NewsItem, RelevanceModel
from newsdesk.tasks import retrain_relevance_model
from newsdesk.vocabulary import seed_vocabulary

from .review_factories import make_item, make_source

# Editors of the desk publish planning and regulation news and dismiss
# market chatter, even when both mention energy.
WANTED = [
    "plan de expansión",
    "subasta de transmisión",
    "convocatoria UPME",
    "resolución CREG",
    "comunidades energéticas",
    "balance minero energético",
]
UNWANTED = [
    "precio de la acción",
    "bolsa de valores",
    "criptomonedas",
    "dividendos de accionistas",
    "cotización internacional",
    "farándula",
]
PLACES = ["Antioquia", "La Guajira", "Cesar", "Meta", "Bogotá", "Santander", "Boyacá"]


@pytest.fixture(autouse=True)
def vocabulary(db):
    clustering.reset_index()
    seed_vocabulary()


def decided_items(count: int, editor: User, *, dismissed: int | None = None) -> None:
    """`count` decisions, half used and half dismissed (or `dismissed` of
    them), stored in bulk."""
    chooser = random.Random(7)  # noqa: S311 - test data, not secrets
    source = make_source()
    now = timezone.now()
    rows = []
    for number in range(count):
        used = number % 2 == 0 if dismissed is None else number >= dismissed
        topic = chooser.choice(WANTED if used else UNWANTED)
        place = chooser.choice(PLACES)
        rows.append(
            NewsItem(
                source=source,
                identity=f"decided-{number}",
                title=f"Energía en {place}: {topic} {number}",
                summary=f"Nota sobre {topic} en {place}.",
                language="es",
                published_at=now,
                status=NewsItem.Status.USED if used else NewsItem.Status.DISMISSED,
                decided_by=editor,
                decided_at=now,
            )
        )
    NewsItem.objects.bulk_create(rows)


@pytest.fixture
def admin_client(client):
    client.force_login(
        User.objects.create_superuser("jefe", "jefe@upme.gov.co", "clave-1")
    )
    return client


def test_no_model_below_200_decisions_and_the_admin_says_so(editor, admin_client):
    # given 199 decisions
    decided_items(199, editor)

    # when the daily retraining runs
    result = retrain_relevance_model()

    # then there is no model and the admin explains why
    assert result is None
    assert not RelevanceModel.objects.exists()
    html = admin_client.get(
        reverse("admin:newsdesk_relevancemodel_changelist")
    ).content.decode()
    assert "Sin modelo" in html
    assert "199" in html and "200" in html

    # and scores come from the vocabulary alone
    item = make_item(make_source("Otro"), "Resolución CREG sobre tarifas")
    assert all(reason["field"] != "model" for reason in item.matched_terms)


def test_model_trains_after_200_decisions_and_moves_scores(editor, admin_client):
    # given 240 decisions and a candidate waiting in the queue
    decided_items(240, editor)
    waiting = make_item(make_source("Otro"), "Energía en Meta: convocatoria UPME nueva")
    score_before = waiting.score

    # when the daily retraining runs
    model_pk = retrain_relevance_model()

    # then a model reports its precision on held-out decisions
    model = RelevanceModel.objects.get(pk=model_pk)
    assert model.decision_count == 240
    assert model.held_out_count == 60
    assert model.positive_count == model.negative_count == 120
    assert model.precision is not None and model.precision >= 0.9

    html = admin_client.get(
        reverse("admin:newsdesk_relevancemodel_changelist")
    ).content.decode()
    assert "Modelo vigente" in html
    assert f"{model.precision:.0%}" in html

    # and it lifts the waiting candidate like the ones editors used
    waiting.refresh_from_db()
    learned = [reason for reason in waiting.matched_terms if reason["field"] == "model"]
    assert learned and learned[0]["weight"] > 0
    assert waiting.score > score_before

    # and lowers a new item like the ones they dismissed
    chatter = make_item(
        make_source("Bolsa"), "Energía en Cesar: precio de la acción cae"
    )
    learned = [reason for reason in chatter.matched_terms if reason["field"] == "model"]
    assert learned and learned[0]["weight"] < 0


def test_training_is_deterministic(editor):
    decided_items(220, editor)

    first = relevance.train_model()
    second = relevance.train_model()

    assert first.precision == second.precision
    assert bytes(first.weights) == bytes(second.weights)


def test_enrichment_without_terms_or_model_scores_zero():
    from newsdesk.models import Term

    Term.objects.all().delete()
    item = make_item(make_source(), "UPME abre subasta", enrich=False)

    enrich_items([item])
    item.refresh_from_db()

    assert item.score == 0
    assert item.matched_terms == []


def test_lopsided_decisions_train_no_model_and_the_admin_says_why(editor, admin_client):
    # given 220 decisions, only 5 of them dismissed
    decided_items(220, editor, dismissed=5)

    # when the daily retraining runs
    result = retrain_relevance_model()

    # then there is no model, and the admin names the missing kind
    assert result is None
    html = admin_client.get(
        reverse("admin:newsdesk_relevancemodel_changelist")
    ).content.decode()
    assert "215 son redactadas y 5 descartadas" in html
    assert "al menos 10 de cada clase" in html
    assert "hacen falta 200" not in html


def test_enough_decisions_before_the_first_training_say_it_is_coming(
    editor, admin_client
):
    decided_items(210, editor)

    html = admin_client.get(
        reverse("admin:newsdesk_relevancemodel_changelist")
    ).content.decode()

    assert "el entrenamiento diario creará el primero" in html


def test_the_training_time_reads_in_bogota_time(editor, admin_client):
    # given a model trained at 06:53 UTC, 01:53 in Bogota
    decided_items(240, editor)
    model = RelevanceModel.objects.get(pk=retrain_relevance_model())
    RelevanceModel.objects.filter(pk=model.pk).update(
        trained_at=datetime(2026, 12, 4, 6, 53, tzinfo=UTC)
    )
    model.refresh_from_db()

    html = admin_client.get(
        reverse("admin:newsdesk_relevancemodel_changelist")
    ).content.decode()

    assert "Modelo vigente entrenado el 4 dic 2026, 01:53" in html
    assert str(model).startswith("4 dic 2026, 01:53")
