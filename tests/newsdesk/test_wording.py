"""Counts and sizes read as Colombian Spanish: "1 seguido", "10,0 MB"."""

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


def test_the_size_limit_uses_the_decimal_comma(feed_server, settings):
    # given a limit of a megabyte and a half and a feed over it
    settings.FETCH_MAX_BYTES = 1024 * 1024 * 3 // 2
    url = feed_server.route("/grande.xml", Canned(200, b"x" * (2 * 1024 * 1024)))
    source = Source.objects.create(name="Grande", url=url)

    # when it is polled
    attempt = intake.poll_source(source.pk)

    # then the message writes the limit as the rest of the desk writes numbers
    assert attempt.error_class == "too_large"
    assert attempt.error == "La respuesta supera el límite de 1,5 MB."
