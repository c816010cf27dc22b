"""The admin reads in Spanish: field labels and messages that agree."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from newsdesk.models import FetchAttempt, Source

pytestmark = pytest.mark.django_db


def english_labels(app_label: str) -> list[str]:
    # A field without verbose_name gets its attribute name with spaces:
    # "started at", "http status"... which the admin shows as is.
    found = []
    for model in apps.get_app_config(app_label).get_models():
        for field in model._meta.get_fields():
            if field.auto_created or not field.concrete:
                continue
            if str(field.verbose_name) == field.name.replace("_", " "):
                found.append(f"{model.__name__}.{field.name}")
    return found


@pytest.mark.parametrize("app_label", ["newsdesk", "monitoring"])
def test_every_field_has_a_spanish_label(app_label):
    assert english_labels(app_label) == []


def test_fetch_attempt_list_reads_in_spanish(admin_client):
    source = Source.objects.create(name="Diario", url="https://diario.example/rss")
    FetchAttempt.objects.create(source=source, outcome=Source.Outcome.OK)

    page = admin_client.get(
        reverse("admin:newsdesk_fetchattempt_changelist")
    ).content.decode()

    for english in ("Started at", "Http status", "Entries found", "Duration ms"):
        assert english not in page
    assert "Duración (ms)" in page
