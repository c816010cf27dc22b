"""Ramiro's request page sent twice records one request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsdesk.models import StaffRequest
from upme_social import once

NEW = reverse("newsdesk:request_new")
ALREADY = "Esta solicitud ya se había enviado: no se creó otra."


@pytest.fixture
def requester_client(client, requester):
    client.force_login(requester)
    return client


def filled_form(client: Client) -> dict:
    """The request page as Ramiro fills it in, with its hidden token."""
    page = client.get(NEW).content.decode()
    token = re.search(r'name="form_token" value="([0-9a-f-]+)"', page)
    assert token, "the request page carries no form token"
    when = timezone.localtime() + timedelta(days=20)
    return {
        "form_token": token[1],
        "kind": "event",
        "title": "Foro de transición energética",
        "description": "Foro abierto con gremios y academia.",
        "event_date": when.strftime("%Y-%m-%dT%H:%M"),
        "event_place": "Auditorio UPME, Bogotá",
    }


def test_the_same_request_page_sent_twice_records_one_request(requester_client):
    # given Ramiro sent his request
    data = filled_form(requester_client)
    requester_client.post(NEW, data)

    # when he goes Back and sends the same page again
    again = requester_client.post(NEW, data, follow=True)

    # then there is one request, and the page says it was already sent
    staff_request = StaffRequest.objects.get()
    html = again.content.decode()
    assert ALREADY in html
    assert f'id="solicitud-{staff_request.pk}"' in html
    assert again.redirect_chain[-1][0].endswith(f"#solicitud-{staff_request.pk}")


def test_a_request_that_loses_the_race_finds_the_first(requester_client, monkeypatch):
    # given the first send is stored while the second is past every look-up
    data = filled_form(requester_client)
    requester_client.post(NEW, data)
    real = once.created_from
    calls = []

    def after_the_insert(model, token):
        calls.append(token)
        return None if len(calls) <= 2 else real(model, token)

    monkeypatch.setattr(once, "created_from", after_the_insert)

    # when the second send arrives
    again = requester_client.post(NEW, data, follow=True)

    # then the unique constraint kept it to one request
    assert len(calls) == 3
    assert StaffRequest.objects.count() == 1
    assert ALREADY in again.content.decode()


def test_each_visit_to_the_page_can_send_a_new_request(requester_client):
    first = filled_form(requester_client)
    second = filled_form(requester_client)

    requester_client.post(NEW, first)
    requester_client.post(NEW, {**second, "title": "Taller de eficiencia"})

    assert first["form_token"] != second["form_token"]
    assert StaffRequest.objects.count() == 2


def test_a_page_shown_again_with_errors_keeps_its_token(requester_client):
    data = filled_form(requester_client)

    response = requester_client.post(NEW, {**data, "event_date": ""})

    assert response.status_code == 200
    assert f'value="{data["form_token"]}"' in response.content.decode()
    requester_client.post(NEW, data)
    requester_client.post(NEW, data)
    assert StaffRequest.objects.count() == 1


def test_the_request_page_disables_its_button_when_sent(requester_client):
    page = requester_client.get(NEW).content.decode()

    assert '<form method="post" novalidate data-send-once>' in page
    assert "publishing/send_once.js" in page
