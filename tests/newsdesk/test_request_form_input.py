"""Dates and characters in a staff request that once broke the form."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from newsdesk.models import StaffRequest

pytestmark = pytest.mark.django_db


def send(client, **fields) -> str:
    data = {
        "kind": StaffRequest.Kind.EVENT,
        "title": "Foro de transición energética",
        "description": "Foro regional con gremios y academia.",
        "event_date": "2027-02-10T09:00",
        "event_place": "Barranquilla",
        **fields,
    }
    response = client.post(reverse("newsdesk:request_new"), data)
    assert response.status_code in (200, 400), response.status_code
    return response.content.decode()


@pytest.mark.parametrize(
    ("when", "message"),
    [("9999-12-31T23:59", "más de dos años"), ("0001-01-01T00:00", "ya pasó")],
)
def test_impossible_event_dates_get_a_spanish_error(client, requester, when, message):
    # given Ramiro, who types an impossible year
    client.force_login(requester)

    # when he sends the request
    page = send(client, event_date=when)

    # then he is told, and nothing is stored
    assert message in page
    assert not StaffRequest.objects.exists()


def test_event_decades_ahead_is_refused(client, requester):
    client.force_login(requester)

    page = send(client, event_date="2090-01-01T10:00")

    assert "más de dos años" in page
    assert not StaffRequest.objects.exists()


@pytest.mark.parametrize("hidden", ["\x07", "\x1b[31m", "\u202e", "\x85"])
def test_hidden_control_characters_are_refused(client, requester, hidden):
    client.force_login(requester)

    page = send(client, title=f"Foro{hidden} de energía")

    assert "carácter de control invisible" in page
    assert not StaffRequest.objects.exists()


def test_a_nul_character_gets_one_message(client, requester):
    client.force_login(requester)

    page = send(client, title="Foro\x00 de energía")

    assert page.count("Los caracteres nulos no están permitidos") == 1
    assert "carácter de control invisible" not in page
    assert not StaffRequest.objects.exists()


def test_requests_tab_costs_the_same_queries_for_many_requests(
    editor_client, requester, django_assert_max_num_queries
):
    # given one open request, then twenty
    StaffRequest.objects.create(
        requester=requester, kind="news", title="Informe", description="Texto"
    )
    with CaptureQueriesContext(connection) as one:
        editor_client.get(reverse("newsdesk:queue"), {"tab": "solicitudes"})
    for n in range(20):
        StaffRequest.objects.create(
            requester=requester, kind="news", title=f"Informe {n}", description="T"
        )

    # then Erika's tab does not ask the database once per request
    with django_assert_max_num_queries(len(one.captured_queries)):
        editor_client.get(reverse("newsdesk:queue"), {"tab": "solicitudes"})
