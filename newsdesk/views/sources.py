"""The sources page: how each source is doing, and why it fails."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from newsdesk.actions import intake
from newsdesk.models import ATTENTION_THRESHOLD, Source
from upme_social.roles import is_editor

RECENT_ATTEMPTS = 30


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
    attempts = source.attempts.order_by("-started_at", "-pk")[:RECENT_ATTEMPTS]
    return render(
        request,
        "newsdesk/source_detail.html",
        {
            "source": source,
            "attempts": attempts,
            "items_count": source.items.count(),
            "attention_threshold": ATTENTION_THRESHOLD,
        },
    )


@login_required
@require_POST
def source_poll(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    source = get_object_or_404(Source, pk=pk)
    intake.request_poll(source)
    messages.success(
        request,
        _(
            "La consulta de «%(name)s» quedó en cola; el resultado aparecerá en unos segundos."
        )
        % {"name": source.name},
    )
    return redirect("newsdesk:source_detail", pk=source.pk)


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
