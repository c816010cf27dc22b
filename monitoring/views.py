"""The mentions inbox and the watched accounts: editors only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from publishing.models import SocialAccount
from upme_social import roles

from . import actions
from .forms import TAB_ALL, TAB_CHOICES, InboxFilterForm, InboxFilters
from .models import Mention, MentionDecision, WatchedAccount

PAGE_SIZE = 25

# htmx listens for this event to refresh the tab counters at once.
CHANGED_EVENT = "mentions-changed"

View = Callable[..., HttpResponse]


def editor_required(view: View) -> View:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not roles.is_editor(request.user):
            raise PermissionDenied(_("Solo el equipo editorial puede ver esta página."))
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@editor_required
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET)
    filters = form.filters()
    filtered = _filtered(filters)

    mentions = _for_rows(_in_tab(filtered, filters.tab))
    page = Paginator(mentions, PAGE_SIZE).get_page(request.GET.get("page"))

    return render(
        request,
        "monitoring/inbox.html",
        {
            "form": form,
            "page": page,
            "page_query": _query(request.GET, page=None),
            "return_to": request.get_full_path(),
            # Accounts whose last pull failed: the reason is theirs to fix.
            "failing_accounts": SocialAccount.objects.filter(
                enabled=True, last_error__startswith=actions.ERROR_PREFIX
            ),
            **_tabs_context(request.GET, filtered, filters.tab),
        },
    )


@require_GET
@editor_required
def counts(request: HttpRequest) -> HttpResponse:
    """The tabs with their counters, polled by the inbox."""
    filters = InboxFilterForm(request.GET).filters()
    context = _tabs_context(request.GET, _filtered(filters), filters.tab)
    return render(request, "monitoring/_tabs.html", context)


@require_POST
@editor_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    decision = request.POST.get("decision", "")
    if decision not in Mention.Decision.values:
        return _error(
            request,
            _(
                "Esa decisión no existe. Elija «Requiere respuesta», "
                "«No requiere respuesta» o «Volver a sin revisar»."
            ),
            status=400,
        )

    mention = Mention.objects.filter(pk=pk).first()
    if mention is None:
        return _mention_missing(request)
    try:
        mention = actions.decide(mention, request.user, decision)
    except Mention.DoesNotExist:
        # Deleted between reading it and locking it.
        return _mention_missing(request)

    return_to = _safe_return(request)
    if request.htmx:
        row = _for_rows(Mention.objects.filter(pk=mention.pk)).get()
        response = render(
            request,
            "monitoring/_mention_row.html",
            {"mention": row, "return_to": return_to},
        )
        response["HX-Trigger"] = CHANGED_EVENT
        return response

    messages.success(
        request,
        _("Decisión registrada para la mención de %(author)s: %(decision)s.")
        % {"author": mention.author_handle, "decision": mention.get_decision_display()},
    )
    return redirect(return_to)


@require_GET
@editor_required
def watched_accounts(request: HttpRequest) -> HttpResponse:
    accounts = list(WatchedAccount.objects.all())
    groups = [
        (label, [account for account in accounts if account.category == value])
        for value, label in WatchedAccount.Category.choices
    ]
    return render(
        request,
        "monitoring/watched_accounts.html",
        {"groups": [(label, rows) for label, rows in groups if rows]},
    )


def _filtered(filters: InboxFilters) -> QuerySet[Mention]:
    mentions = Mention.objects.all()
    if filters.account is not None:
        mentions = mentions.filter(account=filters.account)
    if filters.network:
        mentions = mentions.filter(account__network=filters.network)
    if filters.kind:
        mentions = mentions.filter(kind=filters.kind)
    return mentions


def _in_tab(mentions: QuerySet[Mention], tab: str) -> QuerySet[Mention]:
    if tab == TAB_ALL:
        return mentions
    return mentions.filter(decision=tab)


def _for_rows(mentions: QuerySet[Mention]) -> QuerySet[Mention]:
    """Everything a row shows, in a fixed number of queries."""
    history = MentionDecision.objects.select_related("actor")
    return mentions.select_related("account", "decided_by").prefetch_related(
        Prefetch("decisions", queryset=history)
    )


def _tabs_context(
    params: QueryDict, filtered: QuerySet[Mention], active: str
) -> dict[str, object]:
    totals = filtered.aggregate(
        **{
            value: Count("pk", filter=Q(decision=value))
            for value in Mention.Decision.values
        },
        **{TAB_ALL: Count("pk")},
    )
    tabs = [
        {
            "value": value,
            "label": label,
            "count": totals[value],
            "url": "?" + _query(params, tab=value, page=None),
            "active": value == active,
        }
        for value, label in TAB_CHOICES
    ]
    return {
        "tabs": tabs,
        "unreviewed": totals[Mention.Decision.PENDING],
        "counts_url": reverse("monitoring:counts") + "?" + _query(params, page=None),
    }


def _query(params: QueryDict, **changes: str | None) -> str:
    query = params.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


def _safe_return(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("monitoring:inbox")


def _mention_missing(request: HttpRequest) -> HttpResponse:
    return _error(request, _("La mención no existe o ya fue borrada."), status=404)


def _error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if request.htmx:
        response = render(
            request, "monitoring/_alert.html", {"message": message}, status=status
        )
        # Shown above the list instead of replacing the row.
        response["HX-Retarget"] = "#inbox-alert"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "monitoring/error.html", {"message": message}, status=status)
