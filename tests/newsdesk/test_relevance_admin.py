"""The head of the office tunes the vocabulary in the admin."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from newsdesk import clustering
from newsdesk.models import NewsItem, Term
from newsdesk.vocabulary import SEED_TERMS, seed_vocabulary
from upme_social.celery import app as celery_app

from .review_factories import make_item, make_source


@pytest.fixture(autouse=True)
def eager_celery(db):
    clustering.reset_index()
    seed_vocabulary()
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def admin_client(client):
    client.force_login(
        User.objects.create_superuser("jefe", "jefe@upme.gov.co", "clave-1")
    )
    return client


def change(admin_client, term: Term, **values) -> None:
    data = {
        "text": term.text,
        "language": term.language,
        "weight": term.weight,
        "kind": term.kind,
        "enabled": "on" if term.enabled else "",
    }
    data.update(values)
    if not data["enabled"]:
        del data["enabled"]
    response = admin_client.post(
        reverse("admin:newsdesk_term_change", args=[term.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_editing_a_term_changes_scores(
    admin_client, django_capture_on_commit_callbacks
):
    # given a waiting candidate about coal
    item = make_item(make_source(), "Exportaciones de carbón crecen en el Cesar")
    coal = Term.objects.get(text="carbón")
    assert item.score == pytest.approx(2 * coal.weight)

    # when the weight of "carbón" is raised in the admin
    with django_capture_on_commit_callbacks(execute=True):
        change(admin_client, coal, weight=4)

    # then the candidate's score follows
    item.refresh_from_db()
    assert item.score == pytest.approx(8)
    assert {"term": "carbón", "weight": 8.0, "field": "title"} in item.matched_terms

    # and a new item is scored with the new weight without any restart
    fresh = make_item(make_source("Otro"), "Carbón colombiano llega a Europa")
    assert fresh.score == pytest.approx(8)


def test_disabling_a_term_in_the_admin_drops_it(
    admin_client, django_capture_on_commit_callbacks
):
    item = make_item(make_source(), "Exportaciones de carbón crecen en el Cesar")

    with django_capture_on_commit_callbacks(execute=True):
        change(admin_client, Term.objects.get(text="carbón"), enabled="")

    item.refresh_from_db()
    assert item.score == 0


def test_a_new_term_added_in_the_admin_counts(
    admin_client, django_capture_on_commit_callbacks
):
    item = make_item(make_source(), "Nuevo impulso al litio en Colombia")
    assert item.score == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:newsdesk_term_add"),
            {
                "text": "Litio",
                "language": "both",
                "weight": "1.5",
                "kind": "term",
                "enabled": "on",
            },
        )
    assert response.status_code == 302

    item.refresh_from_db()
    assert item.score == pytest.approx(3)


def test_decided_items_keep_their_score(
    admin_client, django_capture_on_commit_callbacks, editor
):
    item = make_item(make_source(), "Exportaciones de carbón crecen en el Cesar")
    NewsItem.objects.filter(pk=item.pk).update(status=NewsItem.Status.DISMISSED)

    with django_capture_on_commit_callbacks(execute=True):
        change(admin_client, Term.objects.get(text="carbón"), weight=4)

    item.refresh_from_db()
    assert item.score == pytest.approx(2 * 1.2)


def test_seed_vocabulary_command_is_idempotent(capsys):
    call_command("seed_vocabulary")
    assert Term.objects.count() == len(SEED_TERMS)
    assert "0 terms added" in capsys.readouterr().out


def test_admin_pages_render(admin_client, requester):
    make_item(make_source(), "UPME adjudica subasta de transmisión")
    for name in ("term", "relevancemodel", "cluster", "staffrequest"):
        response = admin_client.get(reverse(f"admin:newsdesk_{name}_changelist"))
        assert response.status_code == 200, name


def test_out_of_range_weight_is_refused_in_spanish(admin_client):
    coal = Term.objects.get(text="carbón")

    response = admin_client.post(
        reverse("admin:newsdesk_term_change", args=[coal.pk]),
        {"text": coal.text, "language": coal.language, "weight": "50", "kind": "term"},
    )

    assert response.status_code == 200
    assert "El peso debe estar entre -10 y 10." in response.content.decode()
    coal.refresh_from_db()
    assert coal.weight == 1.2


def add_term(admin_client, text: str, language: str):
    return admin_client.post(
        reverse("admin:newsdesk_term_add"),
        {"text": text, "language": language, "weight": "3", "kind": "term"},
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [("MINERIA", "es"), ("Minería", "both"), ("  minería  ", "es")],
)
def test_a_term_that_would_count_twice_is_refused_in_spanish(
    admin_client, text, language
):
    # given the seeded Spanish "minería"
    assert Term.objects.filter(text="minería", language="es").exists()

    # when an administrator adds it again in other case or accents
    before = Term.objects.count()
    response = add_term(admin_client, text, language)

    # then the form says which term it repeats, and nothing is added
    assert response.status_code == 200
    assert "Ya existe «minería» (Español)" in response.content.decode()
    assert Term.objects.count() == before


def test_a_term_with_no_word_is_refused(admin_client):
    response = add_term(admin_client, "¡¡!!", "es")

    assert response.status_code == 200
    assert "Escriba al menos una palabra o cifra." in response.content.decode()
    assert not Term.objects.filter(text="¡¡!!").exists()


def test_the_same_word_in_the_other_language_is_a_term_of_its_own(admin_client):
    # An English "mineria" meets only English items: it counts once there.
    response = add_term(admin_client, "MINERIA", "en")

    assert response.status_code == 302
    assert Term.objects.filter(text="MINERIA", language="en").exists()
