from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from urllib3.exceptions import NameResolutionError, NewConnectionError

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
    # The request reached the network but no answer came back (read
    # timeout): it may have been published, so it is never resent blindly.
    maybe_sent: bool = False
    # What was (or, in the sandbox, would have been) sent, for the record.
    payload: dict = field(default_factory=dict)

    @property
    def retryable(self) -> bool:
        if self.maybe_sent:
            return False
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


class TimeoutSession(requests.Session):
    """A session that names the product and never waits forever.

    The network libraries build their own requests without a timeout (tweepy)
    or with one we pass; this default covers every call either way.
    """

    def __init__(self) -> None:
        super().__init__()
        self.headers["User-Agent"] = settings.HTTP_USER_AGENT
        self.last_response: requests.Response | None = None
        self.hooks["response"].append(self._remember)

    def request(  # type: ignore[override]  # requests' own untyped signature
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = (
                settings.HTTP_CONNECT_TIMEOUT,
                settings.HTTP_READ_TIMEOUT,
            )
        return super().request(method, url, *args, **kwargs)

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last_response = response


def transport_failure(exc: requests.RequestException, network: str) -> PublishResult:
    """Classify a failure to get any HTTP answer from the network.

    When the connection never opened, nothing was sent and a retry is safe.
    Once the request went out (a read timeout, a dropped connection), the
    post may exist: the delivery waits for a person instead of a resend.
    """
    if _never_connected(exc):
        return PublishResult(
            outcome=Outcome.TRANSIENT,
            error=_("No se pudo conectar con %(network)s; se reintentará.")
            % {"network": network},
        )
    return PublishResult(
        outcome=Outcome.TRANSIENT,
        maybe_sent=True,
        error=_(
            "%(network)s no respondió a tiempo después de recibir la publicación. "
            "Revise la cuenta: si la publicación no aparece, use «Reintentar»."
        )
        % {"network": network},
    )


def _never_connected(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError) or not exc.args:
        return False
    reason = getattr(exc.args[0], "reason", exc.args[0])
    return isinstance(reason, NewConnectionError | NameResolutionError)
