"""Every state change of intake: adding sources, polling them, storing items.

A poll reads a source with its reader, stores what is new, updates what
came back edited, records one FetchAttempt and moves the source's schedule:
the interval after a success, a growing back-off after a failure.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from newsdesk import clustering
from newsdesk.dates import checked_date
from newsdesk.http import safe_url
from newsdesk.identity import canonical_url, content_hash, identity_keys
from newsdesk.models import (
    ATTENTION_THRESHOLD,
    FetchAttempt,
    NewsItem,
    Source,
    bounded_interval,
    validate_interval_minutes,
    validate_source_url,
)
from newsdesk.sanitize import first_words, strip_control_chars, web_url
from newsdesk.sources.base import EntryData, FetchError, ReadResult
from newsdesk.sources.registry import get_reader

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

# Longer than the task's hard time limit, so a killed worker's lease lapses
# on its own and the source is polled again.
POLL_LEASE = timedelta(minutes=10)
# A source handed to the queue is not handed again before this, even if the
# workers are slow to pick it up.
QUEUE_GRACE = timedelta(minutes=5)
# A permanent redirect must hold for this many polls before `url` moves.
REDIRECT_CONFIRMATIONS = 3
FIRST_RETRY = timedelta(seconds=90)
MAX_BACKOFF = timedelta(days=1)

FIELD_LIMITS = {"title": 1000, "author": 300}
URL_LIMIT = 2000
# A poll's warnings kept on its attempt (a newspaper's 20 failed articles
# say enough in their first ten).
MAX_WARNINGS = 10
WARNING_CHARS = 500


def max_entries() -> int:
    # Only the newest entries of a huge feed become candidates.
    return getattr(settings, "INTAKE_MAX_ENTRIES", 100)


# --- Sources -----------------------------------------------------------------


def add_source(
    *,
    kind: str,
    name: str,
    url: str = "",
    interval_minutes: int = 15,
    config: dict | None = None,
    enabled: bool = True,
) -> Source:
    """A new source, polled at once. ValidationError with Spanish messages."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    url = (url or "").strip()
    if kind not in Source.Kind.values:
        errors["kind"] = _("Tipo desconocido «%(kind)s». Use uno de: %(kinds)s.") % {
            "kind": kind,
            "kinds": ", ".join(Source.Kind.values),
        }
    if not name:
        errors["name"] = _("La fuente necesita un nombre.")
    if url or kind != Source.Kind.MAILBOX:
        try:
            validate_source_url(url)
        except ValidationError:
            errors["url"] = _("«%(url)s» no es una URL http(s) válida.") % {
                "url": safe_url(url)
            }
    try:
        validate_interval_minutes(interval_minutes)
    except ValidationError as exc:
        errors["interval"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)

    source = Source(
        kind=kind,
        name=name[:200],
        url=url,
        interval=timedelta(minutes=interval_minutes),
        config=config or {},
        enabled=enabled,
        next_fetch_at=timezone.now(),
    )
    source.full_clean()
    source.save()
    logger.info("Source %s added (%s)", source.pk, kind)
    return source


def enqueue_due_polls(limit: int = 500) -> list[int]:
    """Hand every enabled, due, unleased source to the workers."""
    from newsdesk.tasks import poll_source_task

    now = timezone.now()
    with transaction.atomic():
        due = list(
            Source.objects.filter(enabled=True, next_fetch_at__lte=now)
            .filter(Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=now))
            .order_by("next_fetch_at")
            .values_list("pk", flat=True)[:limit]
        )
        # Moving next_fetch_at keeps the next beat tick from queueing the
        # same source again while this task waits for a worker.
        Source.objects.filter(pk__in=due).update(next_fetch_at=now + QUEUE_GRACE)
        for source_id in due:
            transaction.on_commit(partial(poll_source_task.delay, source_id))
    return due


def request_poll(source: Source) -> None:
    """An editor's "Consultar ahora": poll in the background, soon."""
    from newsdesk.tasks import poll_source_task

    with transaction.atomic():
        Source.objects.filter(pk=source.pk).update(next_fetch_at=timezone.now())
        transaction.on_commit(partial(poll_source_task.delay, source.pk))


def use_suggested_url(source: Source, user: AbstractBaseUser) -> Source:
    """An editor accepts the feed an HTML page advertised: switch and poll.

    Never done on our own: the page may advertise another section's feed.
    """
    from newsdesk.tasks import poll_source_task

    with transaction.atomic():
        row = Source.objects.select_for_update().get(pk=source.pk)
        if not row.suggested_url:
            raise ValidationError(_("Esta fuente no tiene una URL sugerida."))

        logger.info(
            "Source %s switched to its suggested URL by user %s", row.pk, user.pk
        )
        row.url, row.suggested_url = row.suggested_url, ""
        row.next_fetch_at = timezone.now()
        fields = forget_validators(row)
        row.save(update_fields=["url", "suggested_url", "next_fetch_at", *fields])
        transaction.on_commit(partial(poll_source_task.delay, row.pk))
    return row


def forget_validators(source: Source) -> list[str]:
    """Drop what polls learnt of the source's old address or settings.

    A 304 to validators from before an edit would hide the edit until the
    page changes, and article links given up under the old settings deserve
    another try. Returns the fields to save, `updated_at` included.
    """
    source.etag = source.last_modified = source.moved_to_url = ""
    source.request_validators = {}
    source.link_failures = {}
    source.moved_count = 0
    return [
        "etag",
        "last_modified",
        "request_validators",
        "link_failures",
        "moved_to_url",
        "moved_count",
        "updated_at",
    ]


# --- Polling -----------------------------------------------------------------


def poll_source(source_id: int) -> FetchAttempt | None:
    """Poll one source now. None when another poll of it is running."""
    source = _take_lease(source_id, timezone.now())
    if source is None:
        logger.info("Source %s is being polled already; skipped", source_id)
        return None
    try:
        # The poll's last save releases the lease along with the outcome.
        return _poll(source)
    except BaseException:
        Source.objects.filter(pk=source_id).update(poll_lease_until=None)
        raise


def _take_lease(source_id: int, now: datetime) -> Source | None:
    """Lease the source, or None when another poll holds it.

    The conditional UPDATE is the lock: of two workers only one matches the
    free lease. Outside a transaction it commits at once, so the others see
    the lease for as long as the fetch takes.
    """
    free = Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=now)
    taken = Source.objects.filter(free, pk=source_id).update(
        poll_lease_until=now + POLL_LEASE
    )
    if not taken:
        return None
    return Source.objects.get(pk=source_id)


def _poll(source: Source) -> FetchAttempt:
    started_at = timezone.now()
    clock = time.monotonic()
    try:
        reader = get_reader(source)
        result = reader.read()
    except FetchError as exc:
        return _record_failure(source, exc, started_at, clock)
    except SoftTimeLimitExceeded:
        failure = FetchError(
            "time_limit", _("La consulta superó el tiempo máximo permitido.")
        )
        return _record_failure(source, failure, started_at, clock)
    except Exception:
        # A bug of ours or of a library must not stop the source for good:
        # it is recorded like any failure and retried with back-off.
        logger.exception("Reading source %s failed unexpectedly", source.pk)
        failure = FetchError(
            "internal",
            _("Error interno al leer la fuente; revise el registro del servidor."),
        )
        return _record_failure(source, failure, started_at, clock)

    for warning in result.warnings:
        logger.warning("Source %s: %s", source.pk, warning)
    if result.not_modified:
        return _record_not_modified(source, result, started_at, clock)
    return _record_success(reader, source, result, started_at, clock)


def _record_success(
    reader, source: Source, result: ReadResult, started_at: datetime, clock: float
) -> FetchAttempt:
    # One transaction per poll: items, their clusters, the attempt and the
    # source's new schedule are written together.
    with transaction.atomic():
        created, updated = store_entries(source, result.entries, started_at)
        _cluster([*created, *updated])
        attempt = FetchAttempt(
            source=source,
            started_at=started_at,
            duration_ms=_elapsed_ms(clock),
            outcome=Source.Outcome.OK,
            http_status=result.http_status,
            entries_found=len(result.entries),
            items_created=len(created),
            items_updated=len(updated),
            warnings=_warnings(result),
        )
        attempt.save()
        _mark_healthy(source, result, started_at, Source.Outcome.OK)

    try:
        reader.confirm(result)
    except FetchError as exc:
        # Stored items stay; the reader sees the same input next time and
        # identity keeps it from being stored twice.
        logger.info("Source %s: confirm failed (%s)", source.pk, exc.error_class)
    logger.info(
        "Source %s polled: %d found, %d new, %d updated",
        source.pk,
        len(result.entries),
        len(created),
        len(updated),
    )
    return attempt


def _record_not_modified(
    source: Source, result: ReadResult, started_at: datetime, clock: float
) -> FetchAttempt:
    with transaction.atomic():
        attempt = FetchAttempt(
            source=source,
            started_at=started_at,
            duration_ms=_elapsed_ms(clock),
            outcome=Source.Outcome.NOT_MODIFIED,
            http_status=result.http_status or 304,
            warnings=_warnings(result),
        )
        attempt.save()
        _mark_healthy(source, result, started_at, Source.Outcome.NOT_MODIFIED)
    return attempt


def _warnings(result: ReadResult) -> list[str]:
    # Shown on the source's page: a few lines, each of bounded length.
    return [str(warning)[:WARNING_CHARS] for warning in result.warnings[:MAX_WARNINGS]]


def _mark_healthy(
    source: Source, result: ReadResult, started_at: datetime, outcome: str
) -> None:
    source.last_fetched_at = started_at
    source.last_success_at = started_at
    source.last_outcome = outcome
    source.last_error_class = ""
    source.last_error = ""
    source.error_count = 0
    source.suggested_url = ""
    interval = bounded_interval(source.interval)
    source.next_fetch_at = timezone.now() + interval
    source.poll_lease_until = None
    fields = [
        "poll_lease_until",
        "last_fetched_at",
        "last_success_at",
        "last_outcome",
        "last_error_class",
        "last_error",
        "error_count",
        "suggested_url",
        "next_fetch_at",
        "updated_at",
    ]

    # A row set by hand outside the bounds would overflow the next date (and
    # lose the poll's items with it): the bounded value is kept instead.
    if interval != source.interval:
        logger.warning(
            "Source %s had interval %s, out of bounds; set to %s",
            source.pk,
            source.interval,
            interval,
        )
        source.interval = interval
        fields.append("interval")

    # Readers that speak HTTP hand back the validators and the redirect.
    if hasattr(result, "etag") and not result.not_modified:
        validators = result.validators()
        source.etag, source.last_modified = (
            validators["etag"],
            validators["last_modified"],
        )
        fields += ["etag", "last_modified"]
    kept = getattr(result, "request_validators", None)
    if kept is not None and kept != source.request_validators:
        source.request_validators = kept
        fields.append("request_validators")
    if hasattr(result, "permanent_redirect"):
        _follow_redirect(source, result.permanent_redirect)
        fields += ["url", "moved_to_url", "moved_count", "request_validators"]
    source.save(update_fields=fields)


def _follow_redirect(source: Source, target: str) -> None:
    if not target or target == source.url or len(target) > 1000:
        source.moved_to_url, source.moved_count = "", 0
        return
    if target == source.moved_to_url:
        source.moved_count += 1
    else:
        source.moved_to_url, source.moved_count = target, 1
    if source.moved_count >= REDIRECT_CONFIRMATIONS:
        logger.info("Source %s moved permanently to %s", source.pk, safe_url(target))
        source.url = target
        source.moved_to_url, source.moved_count = "", 0
        # The validators belonged to the old address.
        source.etag = source.last_modified = ""
        source.request_validators = {}


def _record_failure(
    source: Source, exc: FetchError, started_at: datetime, clock: float
) -> FetchAttempt:
    source.last_fetched_at = started_at
    source.last_outcome = Source.Outcome.ERROR
    source.last_error_class = exc.error_class[:40]
    source.last_error = exc.message
    source.error_count += 1
    source.total_errors += 1
    source.suggested_url = (exc.suggested_url or "")[:1000]
    # A site that says when to come back is obeyed, within the day's cap.
    delay = backoff(source.error_count)
    if exc.retry_after is not None:
        delay = min(max(delay, exc.retry_after), MAX_BACKOFF)
    source.next_fetch_at = timezone.now() + delay
    source.poll_lease_until = None

    with transaction.atomic():
        attempt = FetchAttempt.objects.create(
            source=source,
            started_at=started_at,
            duration_ms=_elapsed_ms(clock),
            outcome=Source.Outcome.ERROR,
            error_class=exc.error_class[:40],
            error=exc.message,
            http_status=exc.http_status,
        )
        source.save(
            update_fields=[
                "poll_lease_until",
                "last_fetched_at",
                "last_outcome",
                "last_error_class",
                "last_error",
                "error_count",
                "total_errors",
                "suggested_url",
                "next_fetch_at",
                "updated_at",
            ]
        )

    if source.error_count == ATTENTION_THRESHOLD:
        logger.warning(
            "Source %s failed %d times in a row (%s): needs attention",
            source.pk,
            source.error_count,
            exc.error_class,
        )
    else:
        logger.info(
            "Source %s failed (%s), retry at %s",
            source.pk,
            exc.error_class,
            source.next_fetch_at.isoformat(),
        )
    return attempt


def backoff(consecutive_failures: int) -> timedelta:
    """Delay before retrying: short at first, doubling, capped at a day.

    The jitter keeps sources that failed together (a network outage) from
    all retrying in the same second.
    """
    exponent = min(max(consecutive_failures, 1) - 1, 20)
    delay = min(FIRST_RETRY * (2**exponent), MAX_BACKOFF)
    # Near the cap the spread narrows instead of being cut, which would send
    # every source that failed together back at the same second.
    high = min(1.2, MAX_BACKOFF / delay)
    jitter = random.uniform(0.8, high)  # noqa: S311 - spreading load, not security
    return delay * jitter


def _elapsed_ms(clock: float) -> int:
    return int((time.monotonic() - clock) * 1000)


def _prepare(items: Sequence[NewsItem]) -> bool:
    """Language, score and signature, so each row is written once."""
    if not items:
        return False
    from newsdesk import enrich

    try:
        enrich.prepare_items(items)
    except Exception:
        # Stored items must survive a failing enrichment; beat enriches
        # them again (enrich.enrich_pending), found by their missing
        # signature.
        logger.exception("Enriching %d items failed", len(items))
        for item in items:
            item.language, item.score, item.matched_terms = "", 0.0, []
            item.minhash = None
        return False
    return True


def _cluster(items: Sequence[NewsItem]) -> None:
    # Only prepared items carry the signature clustering compares.
    items = [item for item in items if item.minhash is not None]
    if not items:
        return
    from newsdesk import enrich

    try:
        # It runs in a savepoint: a failure undoes itself, not the poll.
        enrich.cluster_items(items)
    except Exception:
        logger.exception("Clustering %d items failed", len(items))
        for item in items:
            item.cluster_id = None


# --- Storing -----------------------------------------------------------------


def store_entries(
    source: Source, entries: Sequence[EntryData], fetched_at: datetime
) -> tuple[list[NewsItem], list[NewsItem]]:
    """Create new items and update edited ones; returns (created, updated).

    Existing identities are looked up in two queries for the whole fetch,
    never one per entry.
    """
    entries = [_tidy(entry) for entry in newest(entries, max_entries(), fetched_at)]
    links = [canonical_url(entry.link) for entry in entries]
    keys = identity_keys(source.pk, entries, links)
    links = [_bounded_url(link) for link in links]

    # An item first stored under its link may come back with a unique GUID
    # (or the reverse); its canonical link still finds it. One query serves
    # both lookups.
    wanted = Q(identity__in=set(keys))
    if any(links):
        wanted |= Q(link__in={link for link in links if link})
    existing: dict[str, NewsItem] = {}
    by_link: dict[str, NewsItem] = {}
    # A link several entries or items share (a home page) names none of them.
    shared = {link for link, count in Counter(links).items() if count > 1}
    for item in NewsItem.objects.filter(wanted, source=source):
        existing[item.identity] = item
        if item.link in by_link:
            shared.add(item.link)
        elif item.link:
            by_link[item.link] = item

    created: list[NewsItem] = []
    updated: list[NewsItem] = []
    seen: set[str] = set()
    for entry, key, link in zip(entries, keys, links, strict=True):
        if key in seen:
            continue
        seen.add(key)
        item = existing.get(key) or (by_link.get(link) if link not in shared else None)
        if item is None:
            created.append(_new_item(source, entry, key, link, fetched_at))
        elif _apply_edit(item, entry, link):
            updated.append(item)

    prepared = _prepare([*created, *updated])
    for item in (*created, *updated):
        item.fill_search()
    # Polls writing items take turns until they commit, so two outlets'
    # tellings of one story, polled at once, see each other.
    if created or updated:
        clustering.take_turn()
    if created:
        # On PostgreSQL and SQLite >= 3.35 the pks come back with the rows.
        NewsItem.objects.bulk_create(created)
    if updated:
        fields = [
            "title",
            "summary",
            "author",
            "image_url",
            "link",
            "content_hash",
            "was_updated",
            "search",
            "updated_at",
        ]
        if prepared:
            fields += ["language", "score", "matched_terms", "minhash"]
        NewsItem.objects.bulk_update(updated, fields)
    return created, updated


def newest(
    entries: Sequence[EntryData], limit: int, fetched_at: datetime
) -> list[EntryData]:
    if len(entries) <= limit:
        return list(entries)
    # An undated entry counts as fresh: it was in the feed just now.
    return sorted(
        entries, key=lambda entry: entry.published_at or fetched_at, reverse=True
    )[:limit]


def _tidy(entry: EntryData) -> EntryData:
    # Whatever the reader, text must suit PostgreSQL (no NUL character) and
    # the queue (every candidate has a title).
    entry.title = strip_control_chars(entry.title).strip()[: FIELD_LIMITS["title"]]
    entry.summary = entry.summary.replace("\x00", "")
    if not entry.title:
        entry.title = first_words(entry.summary) or _("sin título")
    entry.author = strip_control_chars(entry.author).strip()
    entry.guid = strip_control_chars(entry.guid).strip()

    # The queue turns these into hrefs: whatever a reader let through, only
    # an absolute http(s) address is kept.
    entry.link = web_url(entry.link)
    entry.image_url = web_url(entry.image_url)
    entry.document_url = web_url(entry.document_url)
    return entry


def _new_item(
    source: Source, entry: EntryData, key: str, link: str, fetched_at: datetime
) -> NewsItem:
    published_at, flag = checked_date(entry.published_at, fetched_at)
    title = entry.title[: FIELD_LIMITS["title"]]
    return NewsItem(
        source=source,
        identity=key,
        guid=entry.guid[:1000],
        link=link,
        title=title,
        summary=entry.summary,
        author=entry.author[: FIELD_LIMITS["author"]],
        image_url=_bounded_url(entry.image_url),
        document_url=_bounded_url(entry.document_url),
        published_at=published_at,
        date_flag=flag,
        content_hash=content_hash(title, entry.summary),
        fetched_at=fetched_at,
    )


def _apply_edit(item: NewsItem, entry: EntryData, link: str) -> bool:
    """Bring an edited entry's text into its item; False when unchanged."""
    title = entry.title[: FIELD_LIMITS["title"]]
    digest = content_hash(title, entry.summary)
    if digest == item.content_hash:
        return False
    item.title = title
    item.summary = entry.summary
    item.author = entry.author[: FIELD_LIMITS["author"]] or item.author
    item.image_url = _bounded_url(entry.image_url) or item.image_url
    item.link = link or item.link
    item.content_hash = digest
    item.was_updated = True
    item.updated_at = timezone.now()
    return True


def _bounded_url(url: str) -> str:
    # A longer URL would not fit its column; a cut URL would be a broken one.
    return url if len(url) <= URL_LIMIT else ""
