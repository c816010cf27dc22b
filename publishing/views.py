from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from newsdesk.models import NewsItem, StaffRequest
from upme_social import once, roles

from . import actions
from .forms import NewPostForm, PostForm, RejectForm
from .models import Delivery, Post, PublishAttempt

TABS = [
    Post.Status.DRAFT,
    Post.Status.PENDING,
    Post.Status.APPROVED,
    Post.Status.PUBLISHED,
    Post.Status.FAILED,
]
PAGE_SIZE = 50

M = TypeVar("M", NewsItem, StaffRequest)


def _require_editor(request: HttpRequest) -> None:
    if not roles.is_editor(request.user):
        raise PermissionDenied(_("Solo el equipo editorial redacta y publica."))


@login_required
def post_list(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    status = request.GET.get("estado", Post.Status.PENDING)
    if status not in Post.Status.values:
        status = Post.Status.PENDING

    posts = (
        Post.objects.filter(status=status)
        .select_related("created_by", "approved_by")
        .prefetch_related(
            Prefetch("deliveries", queryset=Delivery.objects.select_related("account")),
            "accounts",
        )
    )
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("pagina"))
    counts = dict(
        Post.objects.values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    tabs = [(s, s.label, counts.get(s.value, 0)) for s in TABS]
    return render(
        request,
        "publishing/list.html",
        {"page": page, "tabs": tabs, "current": status},
    )


@login_required
def compose(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    item = _optional(NewsItem, request.GET.get("item"))
    staff_request = _optional(StaffRequest, request.GET.get("request"))
    purpose = _purpose(item, staff_request)
    sent = None

    if request.method == "POST":
        form = NewPostForm(request.POST)
        # The same page sent again (Back and resend, a double click) is
        # answered before validation: what it sent is already saved.
        earlier = once.created_from(Post, form.submitted_token())
        if earlier is not None and _same_text(form, earlier):
            return _already_saved(request, actions.AlreadySaved(earlier))
        if earlier is not None:
            # Other words under a used token are a new post being written
            # on a page opened for the same story: they are kept, and only
            # a send after this warning makes a second post.
            form = _with_fresh_token(request, purpose, earlier)
            return _render_composer(request, form, None, item, staff_request)

        if form.is_valid():
            try:
                post = actions.save_draft(
                    request.user,
                    form.to_draft(),
                    news_item=item,
                    staff_request=staff_request,
                    form_token=form.cleaned_data[once.TOKEN_FIELD],
                )
            except actions.AlreadySaved as duplicate:
                return _already_saved(request, duplicate)
            except actions.PostError as error:
                form.add_error(None, str(error))
            else:
                return _after_save(request, post)
    elif "nueva" in request.GET:
        # A second post on purpose: a fresh token, then the plain address,
        # so that Back to that page later brings this token, not another.
        once.remembered_token(request.session, purpose, fresh=True)
        return redirect(_compose_url(item, staff_request))
    else:
        # Back asks for the page again: the same purpose gets the same
        # token, so resending it finds the post it already made.
        token = once.remembered_token(request.session, purpose)
        initial = NewPostForm.initial_for(item, staff_request)
        form = NewPostForm(initial={**initial, once.TOKEN_FIELD: token})
        sent = once.created_from(Post, uuid.UUID(token))

    return _render_composer(request, form, None, item, staff_request, sent=sent)


def _same_text(form: NewPostForm, post: Post) -> bool:
    sent = str(form.data.get(form.add_prefix("text"), ""))
    return sent.strip() == post.text.strip()


def _with_fresh_token(request: HttpRequest, purpose: str, earlier: Post) -> NewPostForm:
    data = request.POST.copy()
    data[once.TOKEN_FIELD] = once.remembered_token(request.session, purpose, fresh=True)
    form = NewPostForm(data)
    form.is_valid()
    form.add_error(
        None,
        _(
            "Esta página ya había creado «%(text)s». Su texto nuevo se conserva: "
            "envíelo otra vez para crear una segunda publicación."
        )
        % {"text": Truncator(earlier.text).chars(80)},
    )
    return form


def _purpose(item: NewsItem | None, staff_request: StaffRequest | None) -> str:
    """What the composer is opened for, as its remembered token knows it."""
    origins = []
    if item is not None:
        origins.append(f"item:{item.pk}")
    if staff_request is not None:
        origins.append(f"request:{staff_request.pk}")
    return " ".join(origins) or "blank"


def _compose_url(
    item: NewsItem | None, staff_request: StaffRequest | None, **extra: object
) -> str:
    params: dict[str, object] = {}
    if item is not None:
        params["item"] = item.pk
    if staff_request is not None:
        params["request"] = staff_request.pk
    params |= extra
    url = reverse("publishing:compose")
    return f"{url}?{urlencode(params)}" if params else url


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    post = get_object_or_404(Post, pk=pk)
    if post.status not in (Post.Status.DRAFT, Post.Status.PENDING):
        messages.error(request, _("Esta publicación ya no se puede editar."))
        return redirect("publishing:detail", pk=post.pk)

    if request.method == "POST":
        form = PostForm(request.POST)
        if form.is_valid():
            was_pending = post.status == Post.Status.PENDING
            try:
                post = actions.save_draft(request.user, form.to_draft(), post=post)
            except actions.PostError as error:
                form.add_error(None, str(error))
            else:
                return _after_save(request, post, was_pending=was_pending)
    else:
        form = PostForm(initial=PostForm.initial_from_post(post))

    return _render_composer(request, form, post, post.news_item, post.staff_request)


def _render_composer(
    request: HttpRequest,
    form: PostForm,
    post: Post | None,
    item: NewsItem | None,
    staff_request: StaffRequest | None,
    *,
    sent: Post | None = None,
) -> HttpResponse:
    # Other posts from the same origin are shown, not refused: a second
    # post on a story can be deliberate, a duplicate rarely is.
    siblings = Post.objects.none()
    if item is not None:
        siblings = item.posts.all()
    elif staff_request is not None:
        siblings = staff_request.posts.all()
    if post is not None:
        siblings = siblings.exclude(pk=post.pk)

    return render(
        request,
        "publishing/compose.html",
        {
            "form": form,
            "post": post,
            "item": item,
            "staff_request": staff_request,
            "other_posts": list(siblings.select_related("created_by")),
            # The post this very page already made, and the way to another.
            "sent_post": sent,
            "another_url": _compose_url(item, staff_request, nueva=1),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    return _render_detail(request, pk, RejectForm())


def _render_detail(
    request: HttpRequest, pk: int, reject_form: RejectForm, status: int = 200
) -> HttpResponse:
    post = get_object_or_404(
        Post.objects.select_related(
            "created_by", "approved_by", "news_item", "staff_request"
        ),
        pk=pk,
    )
    deliveries = list(
        post.deliveries.select_related("account").prefetch_related(
            Prefetch(
                "attempts", queryset=PublishAttempt.objects.order_by("started_at", "pk")
            )
        )
    )
    for delivery in deliveries:
        delivery.simulated = _simulated(delivery)
    context = {
        "post": post,
        "deliveries": deliveries,
        "polling": _in_flight(post, deliveries),
        "waiting_schedule": post.status == Post.Status.APPROVED and not _due(post),
    }
    if request.htmx:
        return render(request, "publishing/_deliveries.html", context)

    context |= {
        "events": post.events.select_related("actor"),
        "accounts": post.accounts.all(),
        "reject_form": reject_form,
        "version": actions.post_version(post),
    }
    return render(request, "publishing/detail.html", context, status=status)


def _due(post: Post) -> bool:
    return post.scheduled_for is None or post.scheduled_for <= timezone.now()


def _in_flight(post: Post, deliveries: list[Delivery]) -> bool:
    """Whether the page should keep refreshing the deliveries by itself."""
    moving = {Delivery.Status.PENDING, Delivery.Status.SENDING}
    return (
        post.status == Post.Status.APPROVED
        and _due(post)
        and any(d.status in moving for d in deliveries)
    )


def _simulated(delivery: Delivery) -> bool:
    """Whether the delivery's id came from the sandbox, not the network."""
    # Judged by the attempt that returned the id, not by the account's
    # current mode, which may have changed since.
    if not delivery.external_id:
        return False
    return any(
        attempt.sandbox and attempt.external_id == delivery.external_id
        for attempt in delivery.attempts.all()
    )


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    post = get_object_or_404(Post, pk=pk)
    _run(
        request,
        lambda: actions.submit(post.pk, request.user),
        _("Enviada a aprobación."),
    )
    return redirect("publishing:detail", pk=post.pk)


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    if not roles.is_approver(request.user):
        raise PermissionDenied(_("Solo quien aprueba puede aprobar o devolver."))
    post = get_object_or_404(Post, pk=pk)
    version = request.POST.get("version", "")
    try:
        post = actions.approve(post.pk, request.user, version=version)
    except actions.PostError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _approved_message(post))
    return redirect("publishing:detail", pk=post.pk)


def _approved_message(post: Post) -> str:
    if _due(post):
        return _("Aprobada: se está publicando.")
    when = date_format(timezone.localtime(post.scheduled_for), "DATETIME_FORMAT")
    return _("Aprobada: se publicará el %(when)s (hora de Bogotá).") % {"when": when}


@login_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    if not roles.is_approver(request.user):
        raise PermissionDenied(_("Solo quien aprueba puede aprobar o devolver."))
    post = get_object_or_404(Post, pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        # Shown again with the note as typed, so nothing written is lost.
        return _render_detail(request, post.pk, form, status=400)
    _run(
        request,
        lambda: actions.reject(post.pk, request.user, form.cleaned_data["note"]),
        _("Devuelta a borrador con su nota."),
    )
    return redirect("publishing:detail", pk=post.pk)


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    delivery = get_object_or_404(Delivery, pk=pk)
    _run(
        request,
        lambda: actions.retry(delivery.pk, request.user),
        _("Reintento en curso."),
    )
    return redirect("publishing:detail", pk=delivery.post_id)


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    delivery = get_object_or_404(Delivery, pk=pk)
    url = request.POST.get("url", "")[:500]
    _run(
        request,
        lambda: actions.confirm_published(delivery.pk, request.user, url),
        _("Entrega marcada como publicada."),
    )
    return redirect("publishing:detail", pk=delivery.post_id)


def _after_save(
    request: HttpRequest, post: Post, *, was_pending: bool = False
) -> HttpResponse:
    if post.status == Post.Status.PENDING:
        # Saved with nothing changed: the approver still sees this version.
        messages.success(request, _("Sin cambios; sigue pendiente de aprobación."))
    elif "submit" in request.POST:
        _run(
            request,
            lambda: actions.submit(post.pk, request.user),
            _("Enviada a aprobación."),
        )
    elif was_pending:
        messages.warning(
            request,
            _(
                "Cambios guardados. La publicación volvió a borrador: envíela "
                "de nuevo a aprobación cuando esté lista."
            ),
        )
    else:
        messages.success(request, _("Borrador guardado."))
    return redirect("publishing:detail", pk=post.pk)


def _already_saved(
    request: HttpRequest, duplicate: actions.AlreadySaved
) -> HttpResponse:
    messages.info(request, str(duplicate))
    return redirect("publishing:detail", pk=duplicate.post.pk)


def _run(request: HttpRequest, action: Callable[[], object], success: str) -> None:
    try:
        action()
    except actions.PostError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)


def _optional(model: type[M], pk: str | None) -> M | None:
    if not pk or not pk.isdigit():
        return None
    return model.objects.filter(pk=pk).first()
