from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from publishing.models import PublishAttempt

if TYPE_CHECKING:
    from publishing.models import SocialAccount

Outcome = PublishAttempt.Outcome


@dataclass(frozen=True)
class PublishResult:
    """What a network answered to one publish call, already classified."""

    outcome: Outcome
    external_id: str = ""
    external_url: str = ""
    http_status: int | None = None
    error: str = ""
    # For RATE_LIMITED: when the network says we may try again.
    retry_at: datetime | None = None

    @property
    def retryable(self) -> bool:
        return self.outcome in (Outcome.RATE_LIMITED, Outcome.TRANSIENT)


@dataclass(frozen=True)
class MentionData:
    external_id: str
    author_handle: str
    text: str
    said_at: datetime
    author_name: str = ""
    url: str = ""
    kind: str = "mention"
    extra: dict = field(default_factory=dict)


class Backend(ABC):
    """One account's connection to its network."""

    def __init__(self, account: SocialAccount) -> None:
        self.account = account

    @abstractmethod
    def publish(self, text: str, link: str = "") -> PublishResult: ...

    @abstractmethod
    def repost(self, external_id: str) -> PublishResult: ...

    @abstractmethod
    def fetch_mentions(self, since: str = "") -> list[MentionData]:
        """Mentions newer than the cursor `since`, oldest first."""
