"""Sources and items for the relevance, clustering and queue tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from django.utils import timezone

from newsdesk.enrich import enrich_items
from newsdesk.models import NewsItem, Source

_serial = count(1)


def make_source(name: str = "El Diario Energético") -> Source:
    return Source.objects.create(
        name=name, kind=Source.Kind.FEED, url=f"https://{next(_serial)}.example.co/rss"
    )


def make_item(
    source: Source,
    title: str,
    summary: str = "",
    *,
    published_at: datetime | None = None,
    link: str | None = None,
    enrich: bool = True,
    **fields: object,
) -> NewsItem:
    serial = next(_serial)
    item = NewsItem.objects.create(
        source=source,
        identity=f"item-{serial}",
        title=title,
        summary=summary,
        link=f"https://example.co/noticia-{serial}" if link is None else link,
        published_at=published_at or timezone.now() - timedelta(minutes=serial),
        **fields,
    )
    if enrich:
        enrich_items([item])
        item.refresh_from_db()
    return item
