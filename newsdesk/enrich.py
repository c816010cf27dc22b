"""Enrichment of stored items: language, relevance score, cluster.

Called by the intake actions after items are created or updated.
"""

from collections.abc import Sequence

from .models import NewsItem


def enrich_items(items: Sequence[NewsItem]) -> None:
    # TODO: language, relevance and clustering, until the relevance work lands
    return None
