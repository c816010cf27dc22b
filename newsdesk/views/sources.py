"""The sources page: how each source is doing, and why it fails."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from newsdesk.actions import intake
from newsdesk.models import ATTENTION_THRESHOLD, FetchAttempt, Source
from upme_social.roles import is_editor

RECENT_ATTEMPTS = 30
# How long the page keeps asking for the result of "Consultar ahora": a
# worker that is down must not keep it polling for ever.
POLL_WAIT = timedelta(minutes=2)


def _require_editor(request: HttpRequest) -> None:
    if not is_editor(request.user):
        raise PermissionDenied(_("Solo el equipo editorial consulta las fuentes."))


@login_required
def source_list(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    sources = Source.objects.order_by("-enabled", "name", "pk")
    attention = sum(1 for source in sources if source.needs_attention)
    return render(
        request,
        "newsdesk/source_list.html",
        {
            "sources": sources,
            "attention_count": attention,
            "attention_threshold": ATTENTION_THRESHOLD,
        },
    )


@login_required
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    source = get_object_or_404(Source, pk=pk)
    attempts = list(source.attempts.order_by("-started_at", "-pk")[:RECENT_ATTEMPTS])
    pending, polling = _requested_poll(request, attempts)
    context = {
        "source": source,
        "attempts": attempts,
        "items_count": source.items.count(),
        "attention_threshold": ATTENTION_THRESHOLD,
        "pending": pending,
        "polling": polling,
    }
    if request.htmx:
        return render(request, "newsdesk/source_status.html", context)
    return render(request, "newsdesk/source_detail.html", context)


def _requested_poll(
    request: HttpRequest, attempts: list[FetchAttempt]
) -> tuple[bool, bool]:
    """Whether a requested poll has left no attempt yet, and whether the
    page should still wait for it.

    "Consultar ahora" sends the page the newest attempt it knew (`after`)
    and when it asked (`at`); a newer attempt is the result.
    """
    try:
        after = int(request.GET["after"])
        asked_at = float(request.GET["at"])
    except (KeyError, ValueError):
        return False, False

    newest = max((attempt.pk for attempt in attempts), default=0)
    pending = newest <= after
    waited = time.time() - asked_at
    return pending, pending and waited < POLL_WAIT.total_seconds()


@login_required
@require_POST
def source_poll(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    source = get_object_or_404(Source, pk=pk)
    newest = source.attempts.order_by("-pk").values_list("pk", flat=True).first()
    intake.request_poll(source)
    # The page refreshes its status until an attempt newer than this shows,
    # and says so in that section: a flash message would outlive the wait.
    query = urlencode({"after": newest or 0, "at": int(time.time())})
    return redirect(f"{reverse('newsdesk:source_detail', args=[source.pk])}?{query}")


@login_required
@require_POST
def source_use_suggested(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    source = get_object_or_404(Source, pk=pk)
    try:
        source = intake.use_suggested_url(source, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("«%(name)s» ahora se lee de %(url)s; la consulta quedó en cola.")
            % {"name": source.name, "url": source.url},
        )
    return redirect("newsdesk:source_detail", pk=source.pk)
