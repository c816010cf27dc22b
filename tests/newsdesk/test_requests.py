"""Ramiro asks the desk to publish; Erika accepts or rejects."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsdesk.models import StaffRequest

NEW = reverse("newsdesk:request_new")
QUEUE = reverse("newsdesk:queue")


@pytest.fixture
def requester_client(client, requester):
    client.force_login(requester)
    return client


def event_date(days: int = 10) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def open_request(requester, **fields) -> StaffRequest:
    values = {
        "kind": StaffRequest.Kind.NEWS,
        "title": "Nuevo informe de demanda de energía",
        "description": "La subdirección publicó el informe trimestral.",
        "link": "https://www.upme.gov.co/informe",
    }
    values.update(fields)
    return StaffRequest.objects.create(requester=requester, **values)


def test_requester_sends_an_event_and_sees_it_in_my_requests(
    requester_client, requester
):
    # when Ramiro asks for an event to be announced
    response = requester_client.post(
        NEW,
        {
            "kind": "event",
            "title": "Foro de transición energética",
            "description": "Foro abierto en el auditorio de la UPME.",
            "link": "https://www.upme.gov.co/foro",
            "event_date": event_date(),
            "event_place": "Auditorio UPME, Bogotá",
        },
        follow=True,
    )

    # then it is stored as his, new, and listed under "Mis solicitudes"
    assert response.status_code == 200
    staff_request = StaffRequest.objects.get()
    assert staff_request.requester == requester
    assert staff_request.status == StaffRequest.Status.NEW
    assert staff_request.event_place == "Auditorio UPME, Bogotá"
    html = response.content.decode()
    assert "Solicitud enviada" in html
    assert "Mis solicitudes" in html
    assert "Foro de transición energética" in html


def test_event_without_date_and_bad_link_get_spanish_errors(requester_client):
    response = requester_client.post(
        NEW,
        {
            "kind": "event",
            "title": "Foro",
            "description": "Detalles.",
            "link": "javascript:alert(1)",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Indique la fecha del evento." in html
    assert "Escriba un enlace completo" in html
    assert not StaffRequest.objects.exists()


def test_event_in_the_past_is_refused(requester_client):
    response = requester_client.post(
        NEW,
        {
            "kind": "event",
            "title": "Foro",
            "description": "Detalles.",
            "event_date": event_date(days=-30),
        },
    )

    assert "La fecha del evento ya pasó." in response.content.decode()
    assert not StaffRequest.objects.exists()


def test_hostile_input_is_refused_or_escaped(
    requester_client, editor_client, requester
):
    # given a huge title and description
    response = requester_client.post(
        NEW, {"kind": "news", "title": "x" * 5000, "description": "y" * 100_000}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "El título no puede pasar de 200 caracteres." in html
    assert "La descripción no puede pasar de 5000 caracteres." in html

    # and NUL bytes and an unknown kind
    response = requester_client.post(
        NEW, {"kind": "virus", "title": "a\x00b", "description": "ok"}
    )
    assert response.status_code == 200
    assert not StaffRequest.objects.exists()

    # when a script tag is sent as text
    requester_client.post(
        NEW,
        {
            "kind": "news",
            "title": "<script>alert('x')</script>",
            "description": "<img src=x onerror=alert(1)>",
        },
    )

    # then it is stored as typed and shown escaped, to him and to the editor
    assert StaffRequest.objects.count() == 1
    for client, url in (
        (requester_client, NEW),
        (editor_client, QUEUE + "?tab=solicitudes"),
    ):
        html = client.get(url).content.decode()
        assert "<script>alert('x')</script>" not in html
        assert "&lt;script&gt;" in html
        assert "<img src=x" not in html


def test_requests_list_is_only_his_own(requester_client, requester, outsider):
    open_request(outsider, title="Solicitud de otra persona")
    open_request(requester, title="Mi solicitud")

    html = requester_client.get(NEW).content.decode()

    assert "Mi solicitud" in html
    assert "Solicitud de otra persona" not in html


def test_editor_sees_open_requests_and_accepts_one(editor_client, editor, requester):
    staff_request = open_request(requester)
    open_request(
        requester, title="Rechazada antes", status=StaffRequest.Status.REJECTED
    )

    html = editor_client.get(QUEUE, {"tab": "solicitudes"}).content.decode()
    assert "Nuevo informe de demanda de energía" in html
    assert "Rechazada antes" not in html

    # when Erika accepts it she lands in the composer, prefilled from it
    response = editor_client.post(
        reverse("newsdesk:request_accept", args=[staff_request.pk])
    )

    assert response.status_code == 302
    assert (
        response["Location"] == f"/publicaciones/redactar/?request={staff_request.pk}"
    )
    staff_request.refresh_from_db()
    assert staff_request.status == StaffRequest.Status.ACCEPTED
    assert staff_request.decided_by == editor

    # and the accepted request stays in the tab, with a link to compose it
    html = editor_client.get(QUEUE, {"tab": "solicitudes"}).content.decode()
    assert f"/publicaciones/redactar/?request={staff_request.pk}" in html


def test_editor_rejects_with_a_note_the_requester_reads(
    editor_client, client, requester
):
    staff_request = open_request(requester)

    response = editor_client.post(
        reverse("newsdesk:request_reject", args=[staff_request.pk]),
        {"note": "Ya se publicó la semana pasada."},
    )

    assert response.status_code == 302
    staff_request.refresh_from_db()
    assert staff_request.status == StaffRequest.Status.REJECTED
    assert staff_request.decision_note == "Ya se publicó la semana pasada."

    client.force_login(requester)
    html = client.get(NEW).content.decode()
    assert "Rechazada" in html
    assert "Ya se publicó la semana pasada." in html


def test_rejecting_a_published_request_is_refused_with_a_message(
    editor_client, requester
):
    staff_request = open_request(requester, status=StaffRequest.Status.PUBLISHED)

    response = editor_client.post(
        reverse("newsdesk:request_reject", args=[staff_request.pk]), follow=True
    )

    assert response.status_code == 200
    assert "no se puede cambiar" in response.content.decode()
    staff_request.refresh_from_db()
    assert staff_request.status == StaffRequest.Status.PUBLISHED


def test_only_editors_decide_requests(client, requester):
    staff_request = open_request(requester)
    client.force_login(requester)

    assert (
        client.post(
            reverse("newsdesk:request_accept", args=[staff_request.pk])
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("newsdesk:request_reject", args=[staff_request.pk])
        ).status_code
        == 403
    )
    assert client.get(QUEUE, {"tab": "solicitudes"}).status_code == 403


def test_request_form_needs_sign_in(client):
    response = client.get(NEW)
    assert response.status_code == 302


def test_oversized_post_and_garbage_date_never_fail(requester_client):
    # A body past Django's upload limit is refused with 400, not a 500.
    response = requester_client.post(
        NEW, {"kind": "news", "title": "t", "description": "z" * 3_000_000}
    )
    assert response.status_code == 400

    response = requester_client.post(
        NEW,
        {"kind": "event", "title": "t", "description": "d", "event_date": "mañana 99"},
    )
    assert response.status_code == 200
    assert "válida" in response.content.decode()
    assert not StaffRequest.objects.exists()


def test_an_accepted_request_with_a_post_cannot_be_rejected(
    editor_client, editor, requester
):
    from publishing.models import Post

    # given Erika accepted the request and wrote a post for it
    staff_request = open_request(requester, status=StaffRequest.Status.ACCEPTED)
    Post.objects.create(
        text="La UPME publica el informe de demanda.",
        created_by=editor,
        staff_request=staff_request,
    )
    other = open_request(requester, title="Otra solicitud sin publicación")

    # then the requests tab offers no «Rechazar» for it, only for the other
    page = editor_client.get(QUEUE, {"tab": "solicitudes"}).content.decode()
    mine = page.split(f'id="request-{staff_request.pk}"')[1].split("</article>")[0]
    theirs = page.split(f'id="request-{other.pk}"')[1].split("</article>")[0]
    assert "Rechazar" not in mine
    assert "Ya tiene una publicación redactada" in mine
    assert "Rechazar" in theirs

    # and a rejection sent anyway is refused with a reason
    response = editor_client.post(
        reverse("newsdesk:request_reject", args=[staff_request.pk]), follow=True
    )
    assert "no se puede rechazar" in response.content.decode()
    staff_request.refresh_from_db()
    assert staff_request.status == StaffRequest.Status.ACCEPTED
