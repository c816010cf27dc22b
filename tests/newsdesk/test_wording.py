"""Counts and sizes read as Colombian Spanish: "1 seguido", "1,5 MiB"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsdesk.actions import intake
from newsdesk.models import ATTENTION_THRESHOLD, Source
from tests.newsdesk.feed_server import Canned

pytestmark = pytest.mark.django_db


def failing_source(**fields) -> Source:
    defaults = {
        "name": "Portal caído",
        "url": "https://portal.example/rss",
        "last_outcome": Source.Outcome.ERROR,
        "last_fetched_at": timezone.now(),
        "last_error_class": "timeout",
        "last_error": "El sitio tardó demasiado en responder.",
    }
    return Source.objects.create(**{**defaults, **fields})


def test_one_error_and_one_minute_read_in_the_singular(editor_client):
    source = failing_source(error_count=1, total_errors=1)
    Source.objects.filter(pk=source.pk).update(interval=timedelta(minutes=1))

    page = editor_client.get(
        reverse("newsdesk:source_detail", args=[source.pk])
    ).content.decode()

    assert "1 seguido, 1 en total" in page
    assert "1 minuto<" in page


def test_many_errors_read_in_the_plural(editor_client):
    source = failing_source(error_count=3, total_errors=7)

    page = editor_client.get(
        reverse("newsdesk:source_detail", args=[source.pk])
    ).content.decode()

    assert "3 seguidos, 7 en total" in page
    assert "15 minutos" in page


def test_one_source_needing_attention_reads_in_the_singular(editor_client):
    failing_source(error_count=ATTENTION_THRESHOLD)

    page = editor_client.get(reverse("newsdesk:sources")).content.decode()

    assert "1 requiere atención" in page


@pytest.mark.parametrize(
    ("limit", "written"),
    [
        (10 * 1024 * 1024, "10 MiB"),
        (1024 * 1024 * 3 // 2, "1,5 MiB"),
        (500 * 1024, "500 KiB"),
    ],
)
def test_the_size_limit_is_written_in_the_unit_it_counts(
    feed_server, settings, limit, written
):
    # given a limit counted in binary units, and a feed over it
    settings.FETCH_MAX_BYTES = limit
    url = feed_server.route("/grande.xml", Canned(200, b"x" * (limit + 1)))
    source = Source.objects.create(name="Grande", url=url)

    # when it is polled
    attempt = intake.poll_source(source.pk)

    # then the message names the unit the limit is counted in, with the
    # decimal comma the rest of the desk writes numbers with
    assert attempt.error_class == "too_large"
    assert attempt.error == f"La respuesta supera el límite de {written}."
