"""Pages every part of the site shares: errors, expired sessions, favicon.

The suite runs with DEBUG off, so these are the pages people really see.
"""

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse
from django.views.defaults import permission_denied


def test_suite_runs_with_debug_off():
    assert django_settings.DEBUG is False


@pytest.mark.django_db
def test_requester_denied_the_queue_reads_the_reason_in_spanish(client, requester):
    # given Ramiro, who only requests posts
    client.force_login(requester)

    # when he opens the editors' queue
    response = client.get(reverse("newsdesk:queue"))

    # then the page is in Spanish, says why and offers a way back
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="es-CO">' in page
    assert "Solo el equipo editorial revisa las noticias." in page
    assert "No tiene permiso para ver esta página" in page
    assert f'href="{reverse("home")}"' in page
    assert "Forbidden" not in page


@pytest.mark.django_db
def test_forbidden_without_a_reason_still_explains_in_spanish(rf, editor):
    # given a refusal that carries no reason of its own
    request = rf.get("/")
    request.user = editor

    # when Django renders its 403 page for it
    response = permission_denied(request, PermissionDenied())

    # then she reads a general Spanish explanation
    assert response.status_code == 403
    assert "no tiene el rol necesario" in response.content.decode()


@pytest.mark.django_db
def test_stale_form_explains_in_spanish(editor):
    # given a tab left open: its form's CSRF token no longer matches
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)

    # when Erika finally sends it
    response = browser.post(reverse("newsdesk:dismiss", args=[1]))

    # then she is told to reload, in Spanish
    assert response.status_code == 403
    page = response.content.decode()
    assert "Recárguela e intente de nuevo" in page
    assert "verification failed" not in page


@pytest.mark.django_db
def test_unknown_address_shows_spanish_404(editor_client):
    response = editor_client.get("/no-existe/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "No encontramos esta página" in page
    assert "Not Found" not in page


@pytest.mark.django_db
def test_bad_request_shows_spanish_400(client):
    # A host outside ALLOWED_HOSTS is a SuspiciousOperation: a 400.
    response = client.get("/", HTTP_HOST="intruso.example")

    assert response.status_code == 400
    assert "No pudimos procesar la solicitud" in response.content.decode()


def test_server_error_page_needs_no_database_nor_context():
    # The 500 page must render when the database itself is what failed;
    # without the django_db mark any query here raises.
    handler = get_resolver().resolve_error_handler(500)
    request = RequestFactory().get("/")

    response = handler(request)

    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="es-CO">' in page
    assert "Algo salió mal de nuestro lado" in page
    assert "Server Error" not in page


@pytest.mark.django_db
def test_opening_an_action_address_shows_spanish_405(approver_client):
    # when Andrés pastes an approval address into the browser
    response = approver_client.get(reverse("publishing:approve", args=[1]))

    # then he reads what the address is for, and the Allow header stays
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    page = response.content.decode()
    assert "Esta dirección no se abre directamente" in page
    assert f'href="{reverse("home")}"' in page


@pytest.mark.django_db
def test_htmx_poll_after_session_expired_sends_browser_to_login(client):
    # given the mentions inbox open in a tab whose session has expired
    inbox = reverse("monitoring:inbox")

    # when htmx polls the counters
    response = client.get(
        reverse("monitoring:counts"),
        headers={
            "HX-Request": "true",
            "HX-Current-URL": f"http://testserver{inbox}?tab=pending",
        },
    )

    # then htmx is told to leave for the login page, coming back to the inbox
    assert response.status_code == 204
    assert response.content == b""
    login = reverse("login")
    assert response["HX-Redirect"] == f"{login}?next={inbox}%3Ftab%3Dpending"


@pytest.mark.django_db
def test_plain_request_after_session_expired_is_still_redirected(client):
    response = client.get(reverse("monitoring:inbox"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "HX-Redirect" not in response


@pytest.mark.django_db
def test_htmx_redirect_elsewhere_is_left_alone(editor_client):
    # An htmx action that redirects to a normal page is not a login problem.
    response = editor_client.get("/", headers={"HX-Request": "true"})

    assert response.status_code == 302
    assert "HX-Redirect" not in response


@pytest.mark.django_db
def test_every_page_links_a_favicon_that_exists(editor_client):
    page = editor_client.get(reverse("newsdesk:sources")).content.decode()

    assert 'rel="icon"' in page
    icon = django_settings.BASE_DIR / "static" / "favicon.svg"
    assert icon.read_text().lstrip().startswith("<svg")


@pytest.mark.django_db
def test_editor_who_tries_to_approve_reads_why_in_spanish(editor_client):
    # when Erika posts to an approval address directly
    response = editor_client.post("/publicaciones/1/aprobar/")

    # then the page says who may approve
    assert response.status_code == 403
    assert "Solo quien aprueba puede aprobar" in response.content.decode()


def test_every_beat_entry_names_a_registered_task():
    # A misspelt task name would only fail in beat's log, every tick.
    from upme_social.celery import app

    app.loader.import_default_modules()

    scheduled = {
        entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert scheduled - set(app.tasks) == set()
    assert "newsdesk.tasks.enrich_pending_items" in scheduled


def test_the_daily_retraining_runs_at_night_in_bogota():
    from celery.schedules import crontab

    schedule = django_settings.CELERY_BEAT_SCHEDULE["retrain-relevance-model"][
        "schedule"
    ]

    assert isinstance(schedule, crontab)
    assert schedule.hour == {3}
    assert django_settings.CELERY_TIMEZONE == "America/Bogota"
