"""Which reader reads which kind of source.

Adding a source kind means writing one module with a `Reader` subclass and
one line here.
"""

from __future__ import annotations

from importlib import import_module

from newsdesk.models import Source
from newsdesk.sources.base import Reader

# Imported on first use: a poll of a feed never loads the IMAP or
# article-extraction libraries.
READERS: dict[str, str] = {
    Source.Kind.FEED: "newsdesk.sources.feed.FeedReader",
    Source.Kind.NEWSPAPER: "newsdesk.sources.newspaper.NewspaperReader",
    Source.Kind.PORTAL: "newsdesk.sources.portal.PortalReader",
    Source.Kind.MAILBOX: "newsdesk.sources.mailbox.MailboxReader",
}


def get_reader(source: Source) -> Reader:
    try:
        dotted = READERS[source.kind]
    except KeyError:
        raise ValueError(f"No reader for source kind {source.kind!r}") from None
    module_name, class_name = dotted.rsplit(".", 1)
    reader_class: type[Reader] = getattr(import_module(module_name), class_name)
    return reader_class(source)
