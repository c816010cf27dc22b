"""The review queue ("Noticias") and staff requests."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from newsdesk import relevance
from newsdesk.actions import review
from newsdesk.forms import QueueFilterForm, RejectRequestForm, StaffRequestForm
from newsdesk.models import Cluster, NewsItem, Source, StaffRequest, search_text
from publishing.models import Post
from upme_social import once
from upme_social.roles import is_editor

PAGE_SIZE = 25
MY_REQUESTS = 50
Tab = QueueFilterForm.Tab


def _require_editor(request: HttpRequest) -> None:
    if not is_editor(request.user):
        raise PermissionDenied(_("Solo el equipo editorial revisa las noticias."))


def compose_base() -> str:
    return reverse("publishing:compose")


def compose_url(**params: object) -> str:
    """The composer, prefilled from an item (?item=) or a request (?request=)."""
    return f"{compose_base()}?{urlencode(params)}"


def _back(request: HttpRequest, tab: str = Tab.RELEVANT) -> str:
    """Where a button without JavaScript returns to: the page it was on."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return f"{reverse('newsdesk:queue')}?tab={tab}"


# -- Queue -----------------------------------------------------------------


def stories(source: Source | None, text: str) -> QuerySet[NewsItem]:
    """One row per story, narrowed by the filters the list and its tab
    counters share: unclustered items and each cluster's first item."""
    rows = NewsItem.objects.filter(
        Q(cluster__isnull=True)
        | Q(cluster__representative_id=F("pk"))
        | Q(cluster__representative__isnull=True)
    )
    if source is not None:
        # A story counts for a source when any of its outlets is that source.
        rows = rows.filter(
            Q(source=source)
            | Q(cluster__in=Cluster.objects.filter(items__source=source))
        )
    if text:
        # Both sides folded alike: "energia" finds "Energía" on any database.
        # A story is found when any of its tellings matches.
        wanted = search_text(text)
        rows = rows.filter(
            Q(search__contains=wanted)
            | Q(cluster__in=Cluster.objects.filter(items__search__contains=wanted))
        )
    return rows


def candidates(
    tab: str, sort: str, source: Source | None, text: str
) -> QuerySet[NewsItem]:
    status = NewsItem.Status.DISMISSED if tab == Tab.DISMISSED else NewsItem.Status.NEW
    rows = stories(source, text).filter(status=status)
    if tab == Tab.RELEVANT:
        rows = rows.filter(score__gte=relevance.threshold())
    elif tab == Tab.LOW:
        rows = rows.filter(score__lt=relevance.threshold())

    order = (
        ["-score", "-published_at", "-pk"]
        if sort == "score"
        else ["-published_at", "-pk"]
    )
    members = NewsItem.objects.select_related("source").order_by("published_at", "pk")
    return (
        rows.select_related("source", "cluster")
        .defer("summary", "search", "minhash", "source__config", "source__last_error")
        .prefetch_related(
            Prefetch(
                "cluster__items",
                queryset=members.defer("summary", "search", "minhash"),
            )
        )
        .order_by(*order)
    )


def _tab_counts(
    source: Source | None, text: str, requests: list[StaffRequest] | None = None
) -> dict[str, int]:
    # One query for the three story tabs, with the list's own filters.
    threshold = relevance.threshold()
    new = Q(status=NewsItem.Status.NEW)
    counts = stories(source, text).aggregate(
        relevant=Count("pk", filter=new & Q(score__gte=threshold)),
        low=Count("pk", filter=new & Q(score__lt=threshold)),
        dismissed=Count("pk", filter=Q(status=NewsItem.Status.DISMISSED)),
    )
    return {
        Tab.RELEVANT: counts["relevant"],
        Tab.LOW: counts["low"],
        Tab.DISMISSED: counts["dismissed"],
        Tab.REQUESTS: _request_count(text, requests),
    }


OPEN_REQUESTS = (StaffRequest.Status.NEW, StaffRequest.Status.ACCEPTED)


def _request_count(text: str, listed: list[StaffRequest] | None) -> int:
    # The requests tab hands over the rows it lists rather than read them
    # twice; without a search, a COUNT is enough.
    if listed is not None:
        return len(listed)
    if text:
        return len(open_requests(text))
    return StaffRequest.objects.filter(status__in=OPEN_REQUESTS).count()


def open_requests(text: str) -> list[StaffRequest]:
    """The requests waiting for the desk, newest first, that match `text`
    the way stories do (without accents or capitals).

    Open requests are a working set of a few dozen, so they are folded here
    rather than kept folded in a column of their own.
    """
    # has_post decides whether "Rechazar" is offered, without a query per row.
    rows = (
        StaffRequest.objects.filter(status__in=OPEN_REQUESTS)
        .select_related("requester")
        .annotate(has_post=Exists(Post.objects.filter(staff_request=OuterRef("pk"))))
        .order_by("-created_at", "-pk")
    )
    if not text:
        return list(rows)
    wanted = search_text(text)
    return [
        row
        for row in rows
        if wanted in search_text(row.title, row.description, row.event_place)
    ]


def _narrowing(filters: QueueFilterForm) -> tuple[Source | None, str]:
    source = filters.value("source")
    return (source if isinstance(source, Source) else None, str(filters.value("q", "")))


def _tabs(
    params: QueryDict,
    source: Source | None,
    text: str,
    requests: list[StaffRequest] | None = None,
) -> list[tuple[str, str, int, str]]:
    """Each tab's key, label, count and link, all under the same filters."""
    counts = _tab_counts(source, text, requests)
    tabs = []
    for key, label in Tab.CHOICES:
        query = params.copy()
        query.pop("page", None)
        query.pop("tab", None)
        if key != Tab.RELEVANT:
            query["tab"] = key
        tabs.append((key, label, counts[key], f"?{query.urlencode()}"))
    return tabs


def _row_gone(request: HttpRequest) -> HttpResponse:
    # The row swaps itself out with the empty main answer; the tab counters
    # follow out of band, so they are right without a reload. They count
    # under the filters of the page the row was on.
    params = QueryDict(urlsplit(request.POST.get("next", "")).query)
    tabs = _tabs(params, *_narrowing(QueueFilterForm(params)))
    return render(request, "newsdesk/_tab_counts_oob.html", {"tabs": tabs})


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    filters = QueueFilterForm(request.GET)
    tab = str(filters.value("tab", Tab.RELEVANT))
    sort = str(filters.value("sort", "date"))
    source, text = _narrowing(filters)
    # A search that is too long is refused out loud: ignoring it would list
    # everything as if it had matched.
    search_errors = filters.errors.get("q", [])

    requests: list[StaffRequest] | None = None
    if search_errors:
        page = Paginator(NewsItem.objects.none(), PAGE_SIZE).get_page(1)
    elif tab == Tab.REQUESTS:
        requests = open_requests(text)
        page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        rows = candidates(tab, sort, source, text)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))

    context = {
        "filters": filters,
        "tab": tab,
        "tabs": _tabs(request.GET, source, text, requests),
        "page": page,
        "search_errors": search_errors,
        "threshold": relevance.threshold(),
        "compose_base": compose_base(),
    }
    if request.htmx and request.htmx.target == "queue-list":
        # New filters change the tabs' counts and links too.
        context["tabs_oob"] = True
        return render(request, "newsdesk/queue_list.html", context)
    return render(request, "newsdesk/queue.html", context)


@login_required
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    item = get_object_or_404(NewsItem, pk=pk)
    review.dismiss(item, request.user)
    if request.htmx:
        return _row_gone(request)
    messages.success(
        request, _("Noticia descartada: «%(title)s».") % {"title": item.title}
    )
    return redirect(_back(request))


@login_required
@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    item = get_object_or_404(NewsItem, pk=pk)
    review.restore(item, request.user)
    if request.htmx:
        return _row_gone(request)
    messages.success(
        request, _("Noticia restaurada: «%(title)s».") % {"title": item.title}
    )
    return redirect(_back(request, Tab.DISMISSED))


# -- Staff requests ----------------------------------------------------------


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    """Any signed-in employee asks the desk to publish something."""
    form = StaffRequestForm(request.POST or None)
    if request.method == "POST":
        # The same page sent again (Back and resend, a double click) is
        # answered before validation: what it sent is already recorded.
        earlier = once.created_from(StaffRequest, form.submitted_token())
        if earlier is not None:
            return _request_already_sent(request, review.AlreadySent(earlier))

    if request.method == "POST" and form.is_valid():
        try:
            review.create_request(request.user, **form.cleaned_data)
        except review.AlreadySent as duplicate:
            return _request_already_sent(request, duplicate)
        messages.success(
            request,
            _("Solicitud enviada. El equipo de comunicaciones la revisará pronto."),
        )
        return redirect("newsdesk:request_new")

    mine = StaffRequest.objects.filter(requester=request.user).order_by(
        "-created_at", "-pk"
    )
    return render(
        request,
        "newsdesk/request_new.html",
        {"form": form, "my_requests": mine[:MY_REQUESTS]},
    )


def _request_already_sent(
    request: HttpRequest, duplicate: review.AlreadySent
) -> HttpResponse:
    messages.info(request, str(duplicate))
    return redirect(
        f"{reverse('newsdesk:request_new')}#solicitud-{duplicate.staff_request.pk}"
    )


@login_required
@require_POST
def request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    staff_request = get_object_or_404(StaffRequest, pk=pk)
    try:
        review.accept_request(staff_request, request.user)
    except review.ReviewError as error:
        messages.error(request, str(error))
        return redirect(_back(request, Tab.REQUESTS))
    return redirect(compose_url(request=staff_request.pk))


@login_required
@require_POST
def request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    staff_request = get_object_or_404(StaffRequest, pk=pk)
    form = RejectRequestForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("note", []):
            messages.error(request, error)
        return redirect(_back(request, Tab.REQUESTS))
    try:
        review.reject_request(staff_request, request.user, form.cleaned_data["note"])
    except review.ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Solicitud rechazada: «%(title)s».") % {"title": staff_request.title},
        )
    return redirect(_back(request, Tab.REQUESTS))
