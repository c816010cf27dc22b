"""Enrichment of stored items: language, relevance score, cluster.

Called by the intake actions with the items a poll just created or updated.
It touches only derived fields, never an editor's decision, and costs a
handful of queries per batch whatever its size.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import connection, transaction

from . import clustering, relevance
from .language import detect_language
from .models import NewsItem

logger = logging.getLogger(__name__)

ENRICHED_FIELDS = ("language", "score", "matched_terms", "minhash", "cluster")
# Enough of the summary to tell the language without reading whole articles.
LANGUAGE_SAMPLE_CHARS = 400


def enrich_items(items: Sequence[NewsItem]) -> None:
    items = [item for item in items if item.pk is not None]
    if not items:
        return

    for item in items:
        sample = (
            item.title + ". " + relevance.summary_text(item)[:LANGUAGE_SAMPLE_CHARS]
        )
        item.language = detect_language(sample)
    relevance.score_items(items)

    with transaction.atomic():
        touched = clustering.cluster_items(items)
        _save(items)
        clustering.recount(touched)
    logger.debug("Enriched %s items, %s clusters touched", len(items), len(touched))


def _save(items: Sequence[NewsItem]) -> None:
    """One UPDATE statement run for every item: bulk_update's CASE clauses
    cost more than all of the enrichment on a feed of 50 entries."""
    meta = NewsItem._meta
    fields = [meta.get_field(name) for name in ENRICHED_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608 - names from the model, values as parameters
    rows = [
        [
            field.get_db_prep_save(getattr(item, field.attname), connection)
            for field in fields
        ]
        + [item.pk]
        for item in items
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
