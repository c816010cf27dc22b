"""Every state change of a post and its deliveries.

A post goes borrador → pendiente de aprobación → aprobado → publicado or
fallido. Approval creates one Delivery per account; each delivery is then
published exactly once: a worker claims it with a conditional UPDATE
(pending → sending) before the network call, so a duplicate task, a
redelivered message or a retry finds nothing to claim.

A delivery left in "sending" (the worker died mid-call) or whose call got
no answer is never resent on its own: X offers no general way to ask
whether a tweet was created, so a person checks the account and then
retries or leaves it ("requiere verificación").
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from newsdesk.actions import review
from upme_social import once, roles
from upme_social.people import display_name

from . import textcount
from .models import Delivery, Post, PostEvent, PublishAttempt, SocialAccount
from .networks import PublishResult, get_backend

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from newsdesk.models import NewsItem, StaffRequest

logger = logging.getLogger(__name__)

# Attempts per delivery before a rate-limited or transient failure is final.
MAX_ATTEMPTS = 5
# The backends' messages promise a retry; the last one must not.
_RETRY_PROMISE = re.compile(r"[;,]\s*se reintentará[^.;]*")
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(minutes=15)
# A claim older than this with no answer means the worker died mid-call.
STALE_CLAIM = timedelta(minutes=10)
# The beat re-enqueues pending deliveries untouched for this long, in case
# their message was lost.
REQUEUE_AFTER = timedelta(minutes=2)

# Celery holds a delayed message in Redis no longer than this; a later
# retry time is left to the beat's enqueue_due.
MAX_COUNTDOWN = timedelta(minutes=30)

Outcome = PublishAttempt.Outcome

_POST_URL = re.compile(
    r"^https://(?:www\.|mobile\.)?(?:"
    r"(?:x|twitter)\.com/[A-Za-z0-9_]+/status/(?P<x_id>\d+)"
    r"|facebook\.com/(?P<page>\d+)/posts/(?P<fb_id>\d+)"
    r")(?:[/?#].*)?$"
)


class PostError(Exception):
    """A request that cannot be carried out; the message is for people."""


class StaleVersion(PostError):
    """The post changed after the approver opened it."""


class AlreadySaved(PostError):
    """The composer page was sent before; `post` is what it created."""

    def __init__(self, post: Post) -> None:
        super().__init__(
            _(
                "Este formulario ya se había enviado: no se creó otra "
                "publicación. Esta es la que se guardó entonces."
            )
        )
        self.post = post


@dataclass(frozen=True)
class Draft:
    text: str
    link: str
    accounts: list[SocialAccount]
    mirror_to_facebook: bool
    scheduled_for: datetime | None


@dataclass(frozen=True)
class DeliveryRun:
    """What one publish_delivery call did, for the task to act on."""

    claimed: bool
    outcome: str = ""
    retry_in: float | None = None


# Editing


def save_draft(
    user: AbstractBaseUser,
    draft: Draft,
    *,
    post: Post | None = None,
    news_item: NewsItem | None = None,
    staff_request: StaffRequest | None = None,
    form_token: uuid.UUID | None = None,
) -> Post:
    """Create a post, or save an existing one's new content.

    `form_token` names the composer page a new post comes from; a page
    sent again raises AlreadySaved with the post it created the first time.
    """
    _require(roles.is_editor(user))
    _check_draft(draft)

    with transaction.atomic():
        if post is None:
            post, created = once.create_once(
                Post,
                form_token,
                lambda: _create_post(user, draft, news_item, staff_request, form_token),
            )
            if not created:
                raise AlreadySaved(post)
        else:
            post = Post.objects.select_for_update().get(pk=post.pk)
            if post.status not in (Post.Status.DRAFT, Post.Status.PENDING):
                raise PostError(
                    _("Solo se puede editar un borrador o una publicación pendiente.")
                )
            before = post_version(post)
            post.text = textcount.normalize_line_endings(draft.text)
            post.link = draft.link
            post.mirror_to_facebook = draft.mirror_to_facebook
            post.scheduled_for = draft.scheduled_for
            post.save(
                update_fields=[
                    "text",
                    "link",
                    "mirror_to_facebook",
                    "scheduled_for",
                    "updated_at",
                ]
            )
            post.accounts.set(draft.accounts)
            if post.status == Post.Status.PENDING and post_version(post) != before:
                _back_to_draft(post, user)
        if news_item is not None:
            review.mark_used(news_item, user)
    return post


def _create_post(
    user: AbstractBaseUser,
    draft: Draft,
    news_item: NewsItem | None,
    staff_request: StaffRequest | None,
    form_token: uuid.UUID | None,
) -> Post:
    post = Post.objects.create(
        text=textcount.normalize_line_endings(draft.text),
        link=draft.link,
        mirror_to_facebook=draft.mirror_to_facebook,
        scheduled_for=draft.scheduled_for,
        news_item=news_item,
        staff_request=staff_request,
        form_token=form_token,
        created_by=user,
    )
    post.accounts.set(draft.accounts)
    _event(post, user, "", Post.Status.DRAFT)
    return post


def submit(post_id: int, user: AbstractBaseUser) -> Post:
    _require(roles.is_editor(user))

    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post_id)
        if post.status != Post.Status.DRAFT:
            raise PostError(_("Esta publicación ya fue enviada a aprobación."))
        _check_sendable(post)

        post.status = Post.Status.PENDING
        post.submitted_at = timezone.now()
        post.save(update_fields=["status", "submitted_at", "updated_at"])
        _event(post, user, Post.Status.DRAFT, Post.Status.PENDING)
    return post


# Approval


def approve(post_id: int, user: AbstractBaseUser, version: str | None = None) -> Post:
    """Approve a pending post; `version` is what the approver read.

    The approval page always sends the version it showed, so a text
    changed in the meantime is refused rather than published unseen.
    """
    _require(roles.is_approver(user))

    with transaction.atomic():
        # The lock makes a double click, or two approvers at once, create
        # the deliveries once: the second sees the post already approved.
        post = Post.objects.select_for_update().get(pk=post_id)
        if post.status != Post.Status.PENDING:
            raise PostError(_("Esta publicación ya no está pendiente de aprobación."))
        if version is not None and version != post_version(post):
            raise StaleVersion(
                _(
                    "La publicación cambió desde que la abrió; revise la nueva "
                    "versión antes de aprobarla."
                )
            )
        _check_sendable(post)

        now = timezone.now()
        post.status = Post.Status.APPROVED
        post.approved_by = user
        post.approved_at = now
        post.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        _event(post, user, Post.Status.PENDING, Post.Status.APPROVED)

        deliveries = [
            Delivery.objects.get_or_create(post=post, account=account)[0]
            for account in _target_accounts(post)
        ]
        if post.scheduled_for is None or post.scheduled_for <= now:
            _enqueue_on_commit([d.pk for d in deliveries])
    return post


def reject(post_id: int, user: AbstractBaseUser, note: str) -> Post:
    _require(roles.is_approver(user))
    note = note.strip()
    if not note:
        raise PostError(_("Escriba una nota para quien redactó la publicación."))

    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post_id)
        if post.status != Post.Status.PENDING:
            raise PostError(_("Esta publicación ya no está pendiente de aprobación."))

        post.status = Post.Status.DRAFT
        post.save(update_fields=["status", "updated_at"])
        _event(post, user, Post.Status.PENDING, Post.Status.DRAFT, note)
    return post


def retry(delivery_id: int, user: AbstractBaseUser) -> Delivery:
    """Send a failed delivery again, or one a person verified was not sent."""
    _require(roles.is_editor(user))

    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        post = Post.objects.select_for_update().get(pk=delivery.post_id)
        retryable = (Delivery.Status.FAILED, Delivery.Status.NEEDS_CHECK)
        if delivery.status not in retryable:
            raise PostError(
                _("Esta entrega no está fallida; no hay nada que reintentar.")
            )
        if not SocialAccount.objects.filter(
            pk=delivery.account_id, enabled=True
        ).exists():
            raise PostError(
                _("La cuenta está desactivada; actívela antes de reintentar.")
            )

        delivery.status = Delivery.Status.PENDING
        delivery.attempt_count = 0
        delivery.next_attempt_at = None
        delivery.claimed_at = None
        delivery.save(
            update_fields=[
                "status",
                "attempt_count",
                "next_attempt_at",
                "claimed_at",
                "updated_at",
            ]
        )
        note = _("Reintento de la entrega en %(account)s.") % {
            "account": delivery.account
        }
        if post.status == Post.Status.FAILED:
            post.status = Post.Status.APPROVED
            post.save(update_fields=["status", "updated_at"])
            _event(post, user, Post.Status.FAILED, Post.Status.APPROVED, note)
        else:
            _event(post, user, post.status, post.status, note)
        _enqueue_on_commit([delivery.pk])
    return delivery


def confirm_published(delivery_id: int, user: AbstractBaseUser, url: str) -> Delivery:
    """A person found on the network the post of an unanswered send."""
    _require(roles.is_editor(user))
    external_id = external_id_from_url(url)

    with transaction.atomic():
        delivery = (
            Delivery.objects.select_related("account")
            .select_for_update()
            .get(pk=delivery_id)
        )
        if delivery.status != Delivery.Status.NEEDS_CHECK:
            raise PostError(_("Esta entrega no espera verificación."))
        on_facebook = delivery.account.network == SocialAccount.Network.FACEBOOK
        if not external_id or ("_" in external_id) != on_facebook:
            raise PostError(
                _(
                    "Pegue la dirección de la publicación en %(account)s "
                    "(…/status/<número> en X, …/posts/<número> en Facebook)."
                )
                % {"account": delivery.account}
            )

        delivery.status = Delivery.Status.PUBLISHED
        delivery.external_id = external_id
        delivery.external_url = url
        delivery.published_at = timezone.now()
        delivery.last_error = ""
        delivery.save(
            update_fields=[
                "status",
                "external_id",
                "external_url",
                "published_at",
                "last_error",
                "updated_at",
            ]
        )
        post = Post.objects.select_for_update().get(pk=delivery.post_id)
        note = _("Publicación en %(account)s confirmada a mano: %(url)s") % {
            "account": delivery.account,
            "url": url,
        }
        _event(post, user, post.status, post.status, note)
        _settle_post(post.pk)
    return delivery


def external_id_from_url(url: str) -> str:
    """The id in an X status URL or a Facebook post URL, or ""."""
    match = _POST_URL.match(url.strip())
    if match is None:
        return ""
    if match["page"]:
        return f"{match['page']}_{match['fb_id']}"
    return match["x_id"] or ""


# Publishing


def publish_delivery(delivery_id: int) -> DeliveryRun:
    if _fail_if_account_disabled(delivery_id):
        return DeliveryRun(claimed=False, outcome="account_disabled")
    delivery = _claim(delivery_id)
    if delivery is None:
        return DeliveryRun(claimed=False)

    post = delivery.post
    started_at = timezone.now()
    clock = time.monotonic()
    result = _call_backend(delivery, post)
    duration_ms = int((time.monotonic() - clock) * 1000)

    with transaction.atomic():
        PublishAttempt.objects.create(
            delivery=delivery,
            started_at=started_at,
            duration_ms=duration_ms,
            outcome=result.outcome,
            http_status=result.http_status,
            error=result.error,
            external_id=result.external_id,
            payload=result.payload,
            sandbox=delivery.account.is_sandbox,
        )
        retry_in = _record_result(delivery, result)
        _settle_post(post.pk)

    logger.info(
        "Delivery %s on account %s: attempt %s, outcome %s",
        delivery.pk,
        delivery.account_id,
        delivery.attempt_count,
        result.outcome,
    )
    return DeliveryRun(claimed=True, outcome=result.outcome, retry_in=retry_in)


def enqueue_due() -> int:
    """Enqueue deliveries that are due: scheduled posts, lost messages."""
    now = timezone.now()
    due = (
        Delivery.objects.filter(
            status=Delivery.Status.PENDING,
            post__status=Post.Status.APPROVED,
        )
        .filter(Q(post__scheduled_for__isnull=True) | Q(post__scheduled_for__lte=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        # Fresh deliveries of an immediate post were just enqueued by
        # approve or retry; leave them to that message.
        .filter(
            Q(updated_at__lte=now - REQUEUE_AFTER)
            | Q(post__scheduled_for__isnull=False, attempt_count=0)
        )
    )
    ids = list(due.values_list("pk", flat=True))
    _enqueue_on_commit(ids)
    return len(ids)


def flag_stale_claims() -> int:
    """Deliveries stuck in "sending": a person must check the network."""
    stale = Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=timezone.now() - STALE_CLAIM
    )
    flagged = 0
    for delivery_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            updated = Delivery.objects.filter(
                pk=delivery_id, status=Delivery.Status.SENDING
            ).update(
                status=Delivery.Status.NEEDS_CHECK,
                last_error=_(
                    "El envío se interrumpió sin respuesta de la red. Revise la "
                    "cuenta: si la publicación no aparece, use «Reintentar»."
                ),
                updated_at=timezone.now(),
            )
            flagged += updated
            if updated:
                logger.warning(
                    "Delivery %s stuck in sending; needs a check", delivery_id
                )
    return flagged


def post_version(post: Post) -> str:
    """A fingerprint of everything an approver reads before approving."""
    account_ids = sorted(post.accounts.values_list("pk", flat=True))
    scheduled = post.scheduled_for.isoformat() if post.scheduled_for else ""
    parts = [
        post.text,
        post.link,
        ",".join(str(pk) for pk in account_ids),
        "1" if post.mirror_to_facebook else "0",
        scheduled,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


# Helpers


def _back_to_draft(post: Post, user: AbstractBaseUser) -> None:
    # An approver must approve what was sent to them: a changed post goes
    # back to the editor, who sends it again on purpose.
    post.status = Post.Status.DRAFT
    post.save(update_fields=["status", "updated_at"])
    note = _(
        "Editada por %(user)s mientras esperaba aprobación; debe enviarse de nuevo."
    ) % {"user": display_name(user)}
    _event(post, user, Post.Status.PENDING, Post.Status.DRAFT, note)


def _fail_if_account_disabled(delivery_id: int) -> bool:
    """Fail a due delivery whose account was switched off since approval."""
    now = timezone.now()
    with transaction.atomic():
        # Unticking "activa" must stop queued retries too, before any call
        # to the network; the same conditional UPDATE keeps it to one worker.
        failed = Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, account__enabled=False
        ).update(
            status=Delivery.Status.FAILED,
            last_error=_(
                "La cuenta está desactivada; no se publicó. Actívela y use "
                "«Reintentar», o publique sin esta cuenta."
            ),
            next_attempt_at=None,
            updated_at=now,
        )
        if failed:
            post_id = Delivery.objects.values_list("post_id", flat=True).get(
                pk=delivery_id
            )
            _settle_post(post_id)
    if failed:
        logger.info("Delivery %s failed: its account is disabled", delivery_id)
    return bool(failed)


def _claim(delivery_id: int) -> Delivery | None:
    now = timezone.now()
    with transaction.atomic():
        # The conditional UPDATE is the claim: only one worker can move the
        # row out of "pending", however many messages name it.
        claimed = (
            Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .update(
                status=Delivery.Status.SENDING,
                claimed_at=now,
                attempt_count=F("attempt_count") + 1,
                updated_at=now,
            )
        )
    if not claimed:
        logger.info("Delivery %s not claimable (already taken or not due)", delivery_id)
        return None
    return Delivery.objects.select_related("post", "account").get(pk=delivery_id)


def _call_backend(delivery: Delivery, post: Post) -> PublishResult:
    try:
        return get_backend(delivery.account).publish(post.text, post.link)
    except Exception:
        # Backends classify every network failure themselves, so this is
        # our own bug, raised before anything reached the network.
        logger.exception("Backend raised on delivery %s", delivery.pk)
        return PublishResult(
            outcome=Outcome.TRANSIENT,
            error=_("Error interno al preparar el envío; se reintentará."),
        )


def _record_result(delivery: Delivery, result: PublishResult) -> float | None:
    """Move the claimed delivery on; answer the retry delay, if any."""
    now = timezone.now()
    fields = ["status", "last_error", "next_attempt_at", "updated_at"]
    retry_in: float | None = None
    delivery.next_attempt_at = None

    if result.outcome == Outcome.OK:
        delivery.status = Delivery.Status.PUBLISHED
        delivery.external_id = result.external_id
        delivery.external_url = result.external_url
        delivery.published_at = now
        delivery.last_error = ""
        fields += ["external_id", "external_url", "published_at"]
    elif result.maybe_sent:
        delivery.status = Delivery.Status.NEEDS_CHECK
        delivery.last_error = result.error
    elif result.retryable and delivery.attempt_count < MAX_ATTEMPTS:
        retry_at = result.retry_at or now + _backoff(delivery.attempt_count)
        retry_at = max(retry_at, now + timedelta(seconds=1))
        delivery.status = Delivery.Status.PENDING
        delivery.next_attempt_at = retry_at
        delivery.last_error = result.error
        retry_in = min(retry_at - now, MAX_COUNTDOWN).total_seconds()
    else:
        delivery.status = Delivery.Status.FAILED
        delivery.last_error = result.error
        if result.retryable:
            delivery.last_error = _(
                "Falló tras %(attempts)s intentos: %(reason)s. No se "
                "reintentará; use «Reintentar» cuando se resuelva."
            ) % {
                "attempts": delivery.attempt_count,
                "reason": _RETRY_PROMISE.sub("", result.error).rstrip(" ."),
            }
            logger.error(
                "Delivery %s failed after %s attempts",
                delivery.pk,
                delivery.attempt_count,
            )

    delivery.save(update_fields=fields)
    return retry_in


def _backoff(attempt: int) -> timedelta:
    return min(BACKOFF_BASE * 2 ** (attempt - 1), BACKOFF_CAP)


def _settle_post(post_id: int) -> None:
    post = Post.objects.select_for_update().get(pk=post_id)
    if post.status != Post.Status.APPROVED:
        return

    statuses = set(post.deliveries.values_list("status", flat=True))
    if statuses == {Delivery.Status.PUBLISHED}:
        post.status = Post.Status.PUBLISHED
        post.published_at = timezone.now()
        post.save(update_fields=["status", "published_at", "updated_at"])
        _event(post, None, Post.Status.APPROVED, Post.Status.PUBLISHED)
        if post.staff_request_id is not None:
            _close_staff_request(post)
    elif Delivery.Status.FAILED in statuses:
        post.status = Post.Status.FAILED
        post.save(update_fields=["status", "updated_at"])
        _event(post, None, Post.Status.APPROVED, Post.Status.FAILED)


def _close_staff_request(post: Post) -> None:
    try:
        review.mark_request_published(post.staff_request, post.approved_by)
    except review.ReviewError:
        # The request was rejected meanwhile; the post stands on its own.
        logger.warning(
            "Post %s published but staff request %s could not be closed",
            post.pk,
            post.staff_request_id,
        )


def _target_accounts(post: Post) -> list[SocialAccount]:
    accounts = list(post.accounts.filter(enabled=True, network=SocialAccount.Network.X))
    if post.mirror_to_facebook:
        accounts += SocialAccount.objects.filter(
            enabled=True, network=SocialAccount.Network.FACEBOOK
        )
    return accounts


def _enqueue_on_commit(delivery_ids: list[int]) -> None:
    from .tasks import publish_delivery as publish_task

    for delivery_id in delivery_ids:
        transaction.on_commit(
            lambda pk=delivery_id: publish_task.delay(pk), robust=True
        )


def _check_draft(draft: Draft) -> None:
    error = textcount.validation_error(draft.text)
    if error:
        raise PostError(error)
    if any(a.network != SocialAccount.Network.X for a in draft.accounts):
        raise PostError(_("Solo se pueden elegir cuentas de X."))


def _check_sendable(post: Post) -> None:
    error = textcount.validation_error(post.text)
    if error:
        raise PostError(error)
    if not _target_accounts(post):
        raise PostError(
            _(
                "Elija al menos una cuenta de X o la réplica en Facebook (con una página activa)."
            )
        )


def _event(
    post: Post,
    user: AbstractBaseUser | None,
    from_status: str,
    to_status: str,
    note: str = "",
) -> None:
    PostEvent.objects.create(
        post=post, actor=user, from_status=from_status, to_status=to_status, note=note
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Su rol no permite esta acción."))
