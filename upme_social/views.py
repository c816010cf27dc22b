from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from . import roles


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if roles.is_editor(request.user):
        return redirect("newsdesk:queue")
    return redirect("newsdesk:request_new")


def health(request: HttpRequest) -> JsonResponse:
    # Used by docker-compose and load balancers; touches the database so a
    # web container without one is reported unhealthy.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # A 400 can be raised before the session and user are loaded (a host
    # outside ALLOWED_HOSTS), when the desk's context processors would fail:
    # render without the request. Like Django's, it never shows the reason.
    return HttpResponseBadRequest(render_to_string("400.html"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # Nearly always a form left open past its session or a stale tab; the
    # technical reason is Django's, in English, and helps nobody here.
    message = _(
        "La página estaba abierta desde hace mucho o la sesión cambió. "
        "Recárguela e intente de nuevo; lo que no se guardó hay que escribirlo "
        "otra vez."
    )
    return render(request, "403.html", {"exception": message}, status=403)
