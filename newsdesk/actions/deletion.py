"""Removing sources and items without leaving their stories miscounted.

A cluster keeps its item and source counts and its representative on the
row (the queue reads them without counting); rows that leave must be
counted out, or the queue says "3 fuentes" and lists two.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import QuerySet

from newsdesk import clustering
from newsdesk.models import NewsItem, Source

logger = logging.getLogger(__name__)


def delete_sources(sources: QuerySet[Source]) -> int:
    """Delete sources with their items and attempts; returns how many."""
    with transaction.atomic():
        # A poll joining an item to a story being emptied here would fail at
        # commit, or leave the counts stale: polls and deletions take turns.
        clustering.take_turn()
        cluster_ids = _clusters_of(NewsItem.objects.filter(source__in=sources))
        pks = list(sources.values_list("pk", flat=True))
        Source.objects.filter(pk__in=pks).delete()
        clustering.recount(cluster_ids)
    logger.info("Sources %s deleted; %d clusters recounted", pks, len(cluster_ids))
    return len(pks)


def delete_items(items: QuerySet[NewsItem]) -> int:
    """Delete items; returns how many."""
    with transaction.atomic():
        clustering.take_turn()
        cluster_ids = _clusters_of(items)
        pks = list(items.values_list("pk", flat=True))
        NewsItem.objects.filter(pk__in=pks).delete()
        clustering.recount(cluster_ids)
    logger.info("%d items deleted; %d clusters recounted", len(pks), len(cluster_ids))
    return len(pks)


def _clusters_of(items: QuerySet[NewsItem]) -> set[int]:
    return set(
        items.filter(cluster__isnull=False)
        .values_list("cluster_id", flat=True)
        .distinct()
    )
