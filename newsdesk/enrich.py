"""Enrichment of items: language, relevance score, cluster.

Intake enriches a poll's items in two steps inside the poll's transaction:
`prepare_items` (language, score, signature) before the rows are written,
so they are written once, already enriched; `cluster_items` after, since a
cluster links rows by pk. `enrich_items` does both for rows already stored
(tests, repairs), and `enrich_pending` for the rows whose enrichment failed
at intake. It touches only derived fields, never an editor's decision, and
costs a handful of queries per batch whatever its size.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import clustering, relevance
from .language import detect_language, words
from .models import NewsItem

logger = logging.getLogger(__name__)

PREPARED_FIELDS = ("language", "score", "matched_terms", "minhash")
ENRICHED_FIELDS = (*PREPARED_FIELDS, "cluster")
# Enough of the summary to tell the language without reading whole articles.
LANGUAGE_SAMPLE_CHARS = 400
LANGUAGE_SAMPLE_WORDS = 70
# Items a failed enrichment stored bare, enriched again a batch at a time:
# an item that keeps failing holds back only its own batch.
PENDING_BATCH = 100
PENDING_LIMIT = 2000
# An item that fails for a week is no transient fault: it is left bare,
# and its story long out of the queue's first page.
PENDING_WINDOW = timedelta(days=7)


def prepare_items(items: Sequence[NewsItem]) -> None:
    """Language, score and signature on each item (not saved, pk not
    needed)."""
    for item in items:
        summary = relevance.summary_text(item)
        sample = item.title + ". " + summary[:LANGUAGE_SAMPLE_CHARS]
        # The words of title and summary, which relevance and clustering
        # read next, come from the cache they fill.
        tokens = words(item.title) + words(summary)[:LANGUAGE_SAMPLE_WORDS]
        item.language = detect_language(sample, tokens)
    relevance.score_items(items)
    clustering.sign_items(items)


def cluster_items(items: Sequence[NewsItem]) -> None:
    """Put stored, prepared items in their clusters and save the link, in
    a savepoint: a failure leaves the caller's transaction usable."""
    with transaction.atomic():
        touched = clustering.cluster_items(items)
        clustering.recount(touched)
    logger.debug("Clustered %s items, %s clusters touched", len(items), len(touched))


def enrich_items(items: Sequence[NewsItem]) -> None:
    """Both steps for items already stored."""
    items = [item for item in items if item.pk is not None]
    if not items:
        return

    prepare_items(items)
    with transaction.atomic():
        touched = clustering.cluster_items(items)
        _save(items, ENRICHED_FIELDS)
        clustering.recount(touched)
    logger.debug("Enriched %s items, %s clusters touched", len(items), len(touched))


def enrich_pending(limit: int = PENDING_LIMIT) -> int:
    """Enrich the items stored without a signature, newest first.

    Intake keeps a poll's items when their enrichment fails (a model that
    will not load, a time limit), but they wait unscored under "Baja
    relevancia" and outside their clusters until enriched. Returns how many
    were enriched.
    """
    since = timezone.now() - PENDING_WINDOW
    pending = NewsItem.objects.filter(minhash__isnull=True, fetched_at__gte=since)
    pks = list(pending.order_by("-pk").values_list("pk", flat=True)[:limit])

    enriched = 0
    for start in range(0, len(pks), PENDING_BATCH):
        batch = list(NewsItem.objects.filter(pk__in=pks[start : start + PENDING_BATCH]))
        try:
            enrich_items(batch)
        except Exception:
            # One by one, so an item that always fails stays alone, bare.
            logger.exception("Enriching %d pending items failed", len(batch))
            enriched += _enrich_one_by_one(batch)
            continue
        enriched += len(batch)
    return enriched


def _enrich_one_by_one(items: Sequence[NewsItem]) -> int:
    enriched = 0
    for item in items:
        try:
            enrich_items([item])
        except Exception:
            logger.exception("Enriching pending item %s failed", item.pk)
            continue
        enriched += 1
    return enriched


def _save(items: Sequence[NewsItem], names: Sequence[str]) -> None:
    if items:
        NewsItem.objects.bulk_update(items, names)
