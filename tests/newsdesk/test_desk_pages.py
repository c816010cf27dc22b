"""How the desk's pages read: one date format, clear forms, honest states."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from newsdesk.models import Source

from .review_factories import make_item, make_source

pytestmark = pytest.mark.django_db

# 18:48 UTC is 13:48 in Bogotá.
FETCHED = datetime(2026, 12, 3, 18, 48, tzinfo=UTC)
SPANISH_DATE = "3 dic 2026, 13:48"


def test_sources_and_queue_write_dates_the_same_way(editor_client):
    # given a source fetched and an item published at the same moment
    source = make_source()
    Source.objects.filter(pk=source.pk).update(last_fetched_at=FETCHED)
    make_item(source, "La UPME abre subasta de energía solar", published_at=FETCHED)

    # when Erika opens Fuentes, the source's page and Noticias
    pages = [
        editor_client.get(reverse("newsdesk:sources")).content.decode(),
        editor_client.get(
            reverse("newsdesk:source_detail", args=[source.pk])
        ).content.decode(),
        editor_client.get(reverse("newsdesk:queue"), {"tab": "baja"}).content.decode()
        + editor_client.get(reverse("newsdesk:queue")).content.decode(),
    ]

    # then each writes "3 dic 2026, 13:48", never "03/12/2026 13:51"
    for html in pages:
        assert SPANISH_DATE in html
        assert not re.search(r"\d\d/\d\d/\d{4}", html)


def test_disabled_source_shows_no_next_poll(editor_client):
    source = make_source()
    Source.objects.filter(pk=source.pk).update(enabled=False)

    html = editor_client.get(
        reverse("newsdesk:source_detail", args=[source.pk])
    ).content.decode()

    next_poll = html[html.index("Próxima consulta") :][:200]
    assert "Desactivada" in next_poll


def test_event_without_date_is_marked_on_the_field(client, requester):
    # given Ramiro asking for an event without its date
    client.force_login(requester)

    # when he sends the form
    response = client.post(
        reverse("newsdesk:request_new"),
        {"kind": "event", "title": "Foro regional", "description": "En Barranquilla"},
    )

    # then the date field is flagged and its error sits styled right below it
    html = response.content.decode()
    field = re.search(r'<input[^>]*name="event_date"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field
    after = html[html.index(field) + len(field) :].lstrip()
    assert after.startswith('<small class="field-error"')
    assert "Indique la fecha del evento." in after[:200]


def test_event_date_label_is_not_contradictory(client, requester):
    client.force_login(requester)

    html = client.get(reverse("newsdesk:request_new")).content.decode()

    label = re.search(r'<label for="id_event_date">.*?</label>', html, re.S).group(0)
    assert "opcional" not in label
    assert "obligatoria si es un evento" in label
    assert "Obligatoria para eventos." not in html


@pytest.mark.parametrize(
    "url_name", ["newsdesk:queue", "newsdesk:request_new", "login"]
)
def test_desk_forms_leave_validation_to_the_server(editor_client, url_name):
    # The browser's own messages are in the browser's language, not ours.
    make_item(make_source(), "La UPME abre subasta de energía solar")

    html = editor_client.get(reverse(url_name)).content.decode()

    forms = re.findall(r"<form\b[^>]*>", html)
    assert forms
    assert all("novalidate" in form for form in forms)
