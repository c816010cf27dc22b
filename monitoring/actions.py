"""Every change to mentions goes through here: pulling them and deciding."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from publishing.models import SocialAccount
from publishing.networks import MentionData, get_backend

from .errors import PullFailure, classify
from .models import Mention, MentionDecision, MentionPull

logger = logging.getLogger(__name__)

# A pull still marked running after this long died with its worker (the
# task's hard time limit is far shorter), so it no longer holds the lock.
PULL_LEASE = timedelta(minutes=5)

# When a network limits us without saying until when: X's windows last
# fifteen minutes, and Facebook's throttling is about as long.
RATE_LIMIT_PAUSE = timedelta(minutes=15)

# Pull rows are kept this long for diagnosis; the mentions themselves stay.
PULL_RETENTION = timedelta(days=30)

# Marks the account errors written by the mentions pull, so a successful
# pull clears its own error and never one left by publishing.
ERROR_PREFIX = "Menciones: "

_KINDS = set(Mention.Kind.values)
_MAX_LENGTHS = {
    name: Mention._meta.get_field(name).max_length
    for name in ("external_id", "author_handle", "author_name")
}
_URL_MAX_LENGTH = Mention._meta.get_field("url").max_length


class TransientPullError(Exception):
    """The network failed in a way that may work if tried again soon."""

    def __init__(self, account_id: int, failure: PullFailure) -> None:
        super().__init__(f"account {account_id}: {failure.outcome}")
        self.account_id = account_id
        self.failure = failure

    def __reduce__(self) -> tuple:
        # Celery pickles the exception to hand it between processes; the
        # default rebuilds it from the message alone, which __init__ refuses.
        return (type(self), (self.account_id, self.failure))


def pull_mentions(account_id: int) -> int:
    """Store the account's mentions newer than its cursor; return how many.

    Raises TransientPullError after recording a failure worth retrying.
    """
    account = SocialAccount.objects.filter(pk=account_id, enabled=True).first()
    if account is None:
        logger.info("Mentions pull skipped account=%s outcome=disabled", account_id)
        return 0
    if _rate_limited(account):
        return 0
    pull = _claim_pull(account)
    if pull is None:
        return 0

    started = time.monotonic()
    try:
        batch = get_backend(account).fetch_mentions(since=account.mentions_cursor)
        rows = _to_rows(account, batch)
    except Exception as exc:
        failure = classify(exc)
        _record_failure(account, pull, failure, started, exc)
        if failure.retryable:
            raise TransientPullError(account.pk, failure) from exc
        return 0

    try:
        created = _store(account, pull, rows, started)
    except Exception as exc:
        _record_failure(account, pull, classify(exc), started, exc)
        raise
    # Most ticks find nothing new; only news is worth an info line.
    logger.log(
        logging.INFO if created else logging.DEBUG,
        "Mentions pulled account=%s network=%s outcome=ok fetched=%s created=%s",
        account.pk,
        account.network,
        len(rows),
        created,
    )
    return created


def prune_pulls() -> int:
    """Delete pull rows past the retention; return how many."""
    cutoff = timezone.now() - PULL_RETENTION
    deleted, _by_model = (
        MentionPull.objects.filter(started_at__lt=cutoff)
        .exclude(outcome=MentionPull.Outcome.RUNNING)
        .delete()
    )
    return deleted


def _rate_limited(account: SocialAccount) -> bool:
    last = (
        MentionPull.objects.filter(account=account)
        .exclude(outcome=MentionPull.Outcome.RUNNING)
        .only("outcome", "retry_at")
        .first()
    )
    waiting = (
        last is not None
        and last.outcome == MentionPull.Outcome.RATE_LIMITED
        and last.retry_at is not None
        and last.retry_at > timezone.now()
    )
    if waiting:
        logger.info(
            "Mentions pull skipped account=%s outcome=rate_limited until=%s",
            account.pk,
            last.retry_at.isoformat(),
        )
    return waiting


def _claim_pull(account: SocialAccount) -> MentionPull | None:
    """Start a pull row, or None when another pull of the account runs."""
    now = timezone.now()
    MentionPull.objects.filter(
        account=account,
        outcome=MentionPull.Outcome.RUNNING,
        started_at__lt=now - PULL_LEASE,
    ).update(outcome=MentionPull.Outcome.ABANDONED, finished_at=now)

    try:
        with transaction.atomic():
            return MentionPull.objects.create(account=account, started_at=now)
    except IntegrityError:
        logger.info("Mentions pull skipped account=%s outcome=locked", account.pk)
        return None


def _to_rows(account: SocialAccount, batch: list[MentionData]) -> list[Mention]:
    # Keyed by external id: a network may repeat an item within one page.
    rows: dict[str, Mention] = {}
    now = timezone.now()
    for data in batch:
        external_id = _clip(str(data.external_id), "external_id")
        rows[external_id] = Mention(
            account=account,
            kind=data.kind if data.kind in _KINDS else Mention.Kind.MENTION,
            external_id=external_id,
            author_handle=_clip(data.author_handle or "", "author_handle"),
            author_name=_clip(data.author_name or "", "author_name"),
            text=data.text or "",
            url=_safe_url(data.url or ""),
            said_at=_aware(data.said_at),
            fetched_at=now,
        )
    return list(rows.values())


def _store(
    account: SocialAccount, pull: MentionPull, rows: list[Mention], started: float
) -> int:
    with transaction.atomic():
        known = set(
            Mention.objects.filter(
                account=account, external_id__in=[row.external_id for row in rows]
            ).values_list("external_id", flat=True)
        )
        new = [row for row in rows if row.external_id not in known]
        Mention.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)

        # The cursor moves only with the mentions it covers, in the same
        # transaction, so a failure never skips a mention.
        if rows:
            account.mentions_cursor = rows[-1].external_id
            account.save(update_fields=["mentions_cursor", "updated_at"])
        SocialAccount.objects.filter(
            pk=account.pk, last_error__startswith=ERROR_PREFIX
        ).update(last_error="")

        pull.outcome = MentionPull.Outcome.OK
        pull.fetched = len(rows)
        pull.created = len(new)
        _finish(pull, started)
    return len(new)


def _record_failure(
    account: SocialAccount,
    pull: MentionPull,
    failure: PullFailure,
    started: float,
    exc: BaseException,
) -> None:
    if failure.outcome == MentionPull.Outcome.RATE_LIMITED and not failure.retry_at:
        failure = replace(failure, retry_at=timezone.now() + RATE_LIMIT_PAUSE)
    pull.outcome = failure.outcome
    pull.http_status = failure.http_status
    pull.retry_at = failure.retry_at
    pull.error = failure.detail
    _finish(pull, started)

    account.last_error = _error_message(failure)
    fields = ["last_error", "updated_at"]
    # A network refuses a cursor pointing at a deleted item (Facebook
    # answers code 100), and would refuse it forever. Storing is
    # idempotent, so starting over from the recent window loses nothing.
    if failure.outcome == MentionPull.Outcome.INVALID and account.mentions_cursor:
        logger.warning("Mentions cursor reset account=%s", account.pk)
        account.mentions_cursor = ""
        fields.append("mentions_cursor")
    account.save(update_fields=fields)

    # The exception text may quote a mention, so only its class is logged.
    if failure.outcome == MentionPull.Outcome.ERROR:
        level = logging.ERROR
    elif failure.retryable:
        level = logging.INFO
    else:
        level = logging.WARNING
    logger.log(
        level,
        "Mentions pull failed account=%s network=%s outcome=%s status=%s error=%s",
        account.pk,
        account.network,
        failure.outcome,
        failure.http_status,
        type(exc).__name__,
    )
    # The causes' classes tell DNS from TLS from refused, without any text.
    logger.debug(
        "Mentions pull failure causes account=%s chain=%s",
        account.pk,
        " <- ".join(_cause_names(exc)),
    )


def _cause_names(exc: BaseException) -> list[str]:
    names: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(names) < 5:
        names.append(type(current).__name__)
        current = current.__cause__ or current.__context__
    return names


def _finish(pull: MentionPull, started: float) -> None:
    pull.finished_at = timezone.now()
    pull.duration_ms = int((time.monotonic() - started) * 1000)
    pull.save(
        update_fields=[
            "outcome",
            "http_status",
            "retry_at",
            "error",
            "fetched",
            "created",
            "finished_at",
            "duration_ms",
        ]
    )


def _error_message(failure: PullFailure) -> str:
    Outcome = MentionPull.Outcome
    if failure.outcome == Outcome.RATE_LIMITED and failure.retry_at:
        when = formats.date_format(timezone.localtime(failure.retry_at), "j M Y H:i")
        reason = _(
            "la red limitó las consultas; se intentará de nuevo después de %(when)s."
        ) % {"when": when}
    elif failure.outcome == Outcome.RATE_LIMITED:
        reason = _("la red limitó las consultas; se intentará de nuevo más tarde.")
    elif failure.outcome == Outcome.AUTH_EXPIRED:
        reason = _(
            "las credenciales de la cuenta vencieron o no son válidas; "
            "actualícelas en la administración."
        )
    elif failure.outcome == Outcome.FORBIDDEN:
        reason = _("la red no permite a esta cuenta leer sus menciones.")
    elif failure.outcome == Outcome.INVALID:
        reason = _("la red rechazó la consulta de menciones.")
    elif failure.outcome == Outcome.TRANSIENT:
        reason = _("la red no respondió bien; se intentará de nuevo.")
    else:
        reason = _("error inesperado al traer las menciones.")

    # Only the outcome reaches the page: the exception text is English and
    # may carry addresses built from the account's ids; it goes to the log.
    return ERROR_PREFIX + reason


def _clip(value: str, field: str) -> str:
    return value[: _MAX_LENGTHS[field]]


def _safe_url(url: str) -> str:
    # Only web links become clickable; a truncated link would be wrong.
    if not url.startswith(("https://", "http://")) or len(url) > _URL_MAX_LENGTH:
        return ""
    return url


def _aware(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=UTC)
    return moment


def decide(mention: Mention, user: AbstractBaseUser, decision: str) -> Mention:
    """Record a person's decision on a mention, with an audit row.

    Deciding what the mention already says keeps who decided it first.
    """
    if decision not in Mention.Decision.values:
        raise ValueError(f"Unknown decision {decision!r}")

    with transaction.atomic():
        locked = (
            Mention.objects.select_for_update(of=("self",))
            .select_related("account", "decided_by")
            .get(pk=mention.pk)
        )
        previous = locked.decision
        if previous == decision:
            return locked

        now = timezone.now()
        locked.decision = decision
        if decision == Mention.Decision.PENDING:
            locked.decided_by = None
            locked.decided_at = None
        else:
            locked.decided_by = user
            locked.decided_at = now
        locked.save(
            update_fields=["decision", "decided_by", "decided_at", "updated_at"]
        )
        MentionDecision.objects.create(
            mention=locked,
            actor=user,
            from_decision=previous,
            to_decision=decision,
            created_at=now,
        )

    logger.info(
        "Mention decided mention=%s account=%s user=%s from=%s to=%s",
        locked.pk,
        locked.account_id,
        user.pk,
        previous,
        decision,
    )
    return locked


def reopen(mention: Mention, user: AbstractBaseUser) -> Mention:
    """Send a decided mention back to "Sin revisar"."""
    return decide(mention, user, Mention.Decision.PENDING)
