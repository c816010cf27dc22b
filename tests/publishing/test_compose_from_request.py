"""Erika composes from Ramiro's request with all of it in front of her."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from django.urls import reverse

from newsdesk.models import StaffRequest

pytestmark = pytest.mark.django_db

COMPOSE = reverse("publishing:compose")


@pytest.fixture
def event_request(requester) -> StaffRequest:
    requester.first_name, requester.last_name = "Ramiro", "Gómez"
    requester.save(update_fields=["first_name", "last_name"])
    return StaffRequest.objects.create(
        requester=requester,
        kind=StaffRequest.Kind.EVENT,
        title="Foro de transición energética",
        description="Foro abierto con gremios y academia.",
        link="https://www.upme.gov.co/foro",
        # 14:00 UTC is 09:00 in Bogotá.
        event_date=datetime(2027, 2, 10, 14, 0, tzinfo=UTC),
        event_place="Auditorio UPME, Bogotá",
    )


def composer_text(page: str) -> str:
    match = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    assert match, "the composer shows no text box"
    return unescape(match[1]).strip()


def test_the_composer_shows_the_whole_event_request(editor_client, event_request):
    page = editor_client.get(COMPOSE, {"request": event_request.pk}).content.decode()

    # The details are on the page itself, not folded away.
    details = page[page.index("Solicitud de origen") :]
    details = details[: details.index("</article>")]
    assert "Evento" in details
    assert "10 feb 2027, 09:00 (hora de Bogotá)" in details
    assert "Auditorio UPME, Bogotá" in details
    assert "Ramiro Gómez" in details
    assert "Foro abierto con gremios y academia." in details
    assert 'href="https://www.upme.gov.co/foro"' in details
    assert "<details>" not in page


def test_the_post_is_prefilled_with_when_and_where(editor_client, event_request):
    page = editor_client.get(COMPOSE, {"request": event_request.pk}).content.decode()

    assert composer_text(page) == (
        "Foro de transición energética · 10 feb 2027, 09:00 · "
        "Auditorio UPME, Bogotá https://www.upme.gov.co/foro"
    )


def test_a_news_request_is_prefilled_with_its_title_only(editor_client, requester):
    news = StaffRequest.objects.create(
        requester=requester,
        kind=StaffRequest.Kind.NEWS,
        title="Nuevo informe de demanda",
        description="La subdirección publicó el informe trimestral.",
        link="https://www.upme.gov.co/informe",
    )

    page = editor_client.get(COMPOSE, {"request": news.pk}).content.decode()

    assert composer_text(page) == (
        "Nuevo informe de demanda https://www.upme.gov.co/informe"
    )
    assert "Fecha y hora" not in page
    # Without a full name, the username is shown.
    assert "ramiro, el" in page


def test_editing_a_post_keeps_the_request_in_view(
    editor_client, editor, event_request, x_accounts
):
    from publishing import actions

    post = actions.save_draft(
        editor,
        actions.Draft("Foro el 10 de febrero", "", x_accounts, False, None),
        staff_request=event_request,
    )

    page = editor_client.get(reverse("publishing:edit", args=[post.pk]))

    html = page.content.decode()
    assert "Auditorio UPME, Bogotá" in html
    # The post being edited is not a warning about itself.
    assert "ya tiene una publicación" not in html
