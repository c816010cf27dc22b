"""Editors' decisions on candidates and on staff requests.

Every decision locks the rows it changes and records who made it and when;
a decision repeated (a double click, two editors at once) changes nothing.
A cluster is one story: dismissing or restoring its row acts on every item
of it still in the same state.
"""

from __future__ import annotations

import logging
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from newsdesk.models import NewsItem, StaffRequest
from upme_social import once

logger = logging.getLogger(__name__)


class ReviewError(Exception):
    """A decision that cannot be made; the message is for the editor."""


class AlreadySent(ReviewError):
    """The request page was sent before; `staff_request` is what it created."""

    def __init__(self, staff_request: StaffRequest) -> None:
        super().__init__(
            _(
                "Esta solicitud ya se había enviado: no se creó otra. La "
                "encuentra en «Mis solicitudes»."
            )
        )
        self.staff_request = staff_request


def _story(item: NewsItem, status: str) -> list[NewsItem]:
    """The rows of the item's story in `status`, locked."""
    rows = NewsItem.objects.select_for_update().filter(status=status)
    if item.cluster_id is not None:
        return list(rows.filter(cluster_id=item.cluster_id).order_by("pk"))
    return list(rows.filter(pk=item.pk))


def _decide(rows: list[NewsItem], status: str, user: AbstractBaseUser) -> int:
    now = timezone.now()
    for row in rows:
        row.status = status
        row.decided_by = user
        row.decided_at = now
        row.updated_at = now
    NewsItem.objects.bulk_update(
        rows, ["status", "decided_by", "decided_at", "updated_at"]
    )
    return len(rows)


@transaction.atomic
def dismiss(item: NewsItem, user: AbstractBaseUser) -> int:
    """Take a story out of the queue; returns how many items it covered."""
    changed = _decide(
        _story(item, NewsItem.Status.NEW), NewsItem.Status.DISMISSED, user
    )
    logger.info("Item %s dismissed by user %s (%s items)", item.pk, user.pk, changed)
    return changed


@transaction.atomic
def restore(item: NewsItem, user: AbstractBaseUser) -> int:
    """Put a dismissed story back among the candidates."""
    changed = _decide(
        _story(item, NewsItem.Status.DISMISSED), NewsItem.Status.NEW, user
    )
    logger.info("Item %s restored by user %s (%s items)", item.pk, user.pk, changed)
    return changed


@transaction.atomic
def mark_used(item: NewsItem, user: AbstractBaseUser) -> bool:
    """The composer made a post from this item (called by publishing)."""
    row = NewsItem.objects.select_for_update().get(pk=item.pk)
    if row.status == NewsItem.Status.USED:
        return False
    _decide([row], NewsItem.Status.USED, user)
    item.status, item.decided_by, item.decided_at = row.status, user, row.decided_at
    logger.info("Item %s used by user %s", item.pk, user.pk)
    return True


# -- Staff requests ---------------------------------------------------------


def create_request(
    user: AbstractBaseUser,
    *,
    kind: str,
    title: str,
    description: str,
    link: str = "",
    event_date=None,
    event_place: str = "",
    form_token: uuid.UUID | None = None,
) -> StaffRequest:
    """Record a request; the same request page sent again raises AlreadySent."""
    staff_request, created = once.create_once(
        StaffRequest,
        form_token,
        lambda: StaffRequest.objects.create(
            requester=user,
            kind=kind,
            title=title,
            description=description,
            link=link,
            event_date=event_date,
            event_place=event_place,
            form_token=form_token,
        ),
    )
    if not created:
        raise AlreadySent(staff_request)
    logger.info("Staff request %s created by user %s", staff_request.pk, user.pk)
    return staff_request


def _transition(
    staff_request: StaffRequest,
    allowed_from: tuple[str, ...],
    status: str,
    user: AbstractBaseUser,
    note: str | None = None,
) -> StaffRequest:
    row = StaffRequest.objects.select_for_update().get(pk=staff_request.pk)
    if row.status == status:
        return row
    if row.status not in allowed_from:
        raise ReviewError(
            _("La solicitud ya está «%(status)s»; no se puede cambiar.")
            % {"status": row.get_status_display()}
        )
    row.status = status
    row.decided_by = user
    row.decided_at = timezone.now()
    fields = ["status", "decided_by", "decided_at", "updated_at"]
    if note is not None:
        row.decision_note = note
        fields.append("decision_note")
    row.save(update_fields=fields)
    logger.info("Staff request %s %s by user %s", row.pk, status, user.pk)
    return row


@transaction.atomic
def accept_request(staff_request: StaffRequest, user: AbstractBaseUser) -> StaffRequest:
    return _transition(
        staff_request, (StaffRequest.Status.NEW,), StaffRequest.Status.ACCEPTED, user
    )


@transaction.atomic
def reject_request(
    staff_request: StaffRequest, user: AbstractBaseUser, note: str = ""
) -> StaffRequest:
    row = StaffRequest.objects.select_for_update().get(pk=staff_request.pk)
    # Once a post is written for it, a rejection would tell the requester
    # «Rechazada» while the post goes on to be published.
    if row.status != StaffRequest.Status.REJECTED and row.posts.exists():
        raise ReviewError(
            _(
                "Ya hay una publicación redactada para esta solicitud; no se "
                "puede rechazar. Si no debe salir, devuelva o elimine esa "
                "publicación."
            )
        )
    return _transition(
        staff_request,
        (StaffRequest.Status.NEW, StaffRequest.Status.ACCEPTED),
        StaffRequest.Status.REJECTED,
        user,
        note=note,
    )


@transaction.atomic
def mark_request_published(
    staff_request: StaffRequest, user: AbstractBaseUser
) -> StaffRequest:
    """A post made from the request was published (called by publishing)."""
    return _transition(
        staff_request,
        (StaffRequest.Status.NEW, StaffRequest.Status.ACCEPTED),
        StaffRequest.Status.PUBLISHED,
        user,
    )
