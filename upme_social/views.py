from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

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
