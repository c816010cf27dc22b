from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsdesk.models import Source


class FetchError(Exception):
    """A poll that failed, with the class shown to editors.

    `error_class` is a short stable code (timeout, http_404, not_a_feed,
    too_large, connection, tls, parse, auth, config...); the message is
    Spanish, for the person who reads the source's page.
    """

    def __init__(
        self,
        error_class: str,
        message: str,
        *,
        http_status: int | None = None,
        suggested_url: str = "",
        retry_after: timedelta | None = None,
    ) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.message = message
        self.http_status = http_status
        self.suggested_url = suggested_url
        # How long the site asked us to wait (Retry-After on 429 and 503).
        self.retry_after = retry_after


@dataclass
class EntryData:
    """One candidate as a reader found it, before identity and storage."""

    title: str
    link: str = ""
    guid: str = ""
    summary: str = ""  # sanitised HTML
    author: str = ""
    image_url: str = ""
    document_url: str = ""
    published_at: datetime | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class ReadResult:
    entries: list[EntryData]
    # True when the source answered "not modified": nothing to parse.
    not_modified: bool = False
    http_status: int | None = None
    # Non-fatal remarks (a charset override, say), logged as warnings.
    warnings: list[str] = field(default_factory=list)


class Reader(ABC):
    """Reads one kind of source. Raises FetchError on failure."""

    def __init__(self, source: Source) -> None:
        self.source = source

    @abstractmethod
    def read(self) -> ReadResult: ...

    def confirm(self, result: ReadResult) -> None:  # noqa: B027 -- optional hook
        """Called once the entries of `result` are stored.

        A mailbox marks its messages read here, so a crash between reading
        and storing never loses a message.
        """
