"""Removing sources and items without leaving their stories miscounted.

A cluster keeps its item and source counts and its representative on the
row (the queue reads them without counting); rows that leave must be
counted out, or the queue says "3 fuentes" and lists two.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from newsdesk import clustering
from newsdesk.models import Cluster, NewsItem, Source

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
        recount(cluster_ids)
    logger.info("Sources %s deleted; %d clusters recounted", pks, len(cluster_ids))
    return len(pks)


def delete_items(items: QuerySet[NewsItem]) -> int:
    """Delete items; returns how many."""
    with transaction.atomic():
        clustering.take_turn()
        cluster_ids = _clusters_of(items)
        pks = list(items.values_list("pk", flat=True))
        NewsItem.objects.filter(pk__in=pks).delete()
        recount(cluster_ids)
    logger.info("%d items deleted; %d clusters recounted", len(pks), len(cluster_ids))
    return len(pks)


def recount(cluster_ids: set[int]) -> None:
    """Counts and representatives of clusters that lost items."""
    if not cluster_ids:
        return
    clustering.recount(cluster_ids)

    # A story with no telling left is no story.
    Cluster.objects.filter(pk__in=cluster_ids, item_count=0).delete()

    # clustering.recount picks only among items still waiting; a decided
    # story that lost its representative would otherwise show every one of
    # its items. Its earliest remaining telling takes the place.
    earliest = (
        NewsItem.objects.filter(cluster=OuterRef("pk"))
        .order_by("published_at", "pk")
        .values("pk")[:1]
    )
    Cluster.objects.filter(pk__in=cluster_ids, representative__isnull=True).update(
        representative=Subquery(earliest)
    )


def _clusters_of(items: QuerySet[NewsItem]) -> set[int]:
    return set(
        items.filter(cluster__isnull=False)
        .values_list("cluster_id", flat=True)
        .distinct()
    )
