"""Site-wide response fixes that no single view can make.

Both classes only look at the response on its way out, so they go at the end
of MIDDLEWARE, after django_htmx's HtmxMiddleware.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import resolve_url
from django.template.loader import render_to_string

Handler = Callable[[HttpRequest], HttpResponse]


class NotAllowedPageMiddleware:
    """Give a 405 a Spanish page instead of an empty body.

    Django has no 405 template: require_POST answers with an empty response
    and the browser shows its own English page when someone opens an action's
    address (a bookmarked or pasted "aprobar" link).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed) or response.content:
            return response

        response.content = render_to_string("405.html", request=request)
        response["Content-Type"] = "text/html; charset=utf-8"
        return response


class HtmxLoginRedirectMiddleware:
    """Send htmx requests whose session expired to the login page.

    A redirect to the login page would be followed inside the XHR, and htmx
    would swap the whole login page into a tab or a list. HX-Redirect makes
    the browser leave for the login page instead, coming back afterwards to
    the page the person was on, not to the partial htmx asked for.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code not in (
            301,
            302,
            303,
            307,
            308,
        ):
            return response

        login_path = urlsplit(resolve_url(settings.LOGIN_URL)).path
        target = urlsplit(response.get("Location", ""))
        if target.path != login_path:
            return response

        back_to = request.htmx.current_url_abs_path or request.get_full_path()
        login = redirect_to_login(back_to, settings.LOGIN_URL, REDIRECT_FIELD_NAME)
        redirect = HttpResponse(status=204)
        redirect["HX-Redirect"] = login["Location"]
        return redirect
