"""X (Twitter) through tweepy's API v2 client, OAuth 1.0a user context.

The account's credentials hold consumer_key, consumer_secret, access_token
and access_token_secret (and optionally user_id; otherwise it is read from
the access token, whose first part is the user id).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import requests
import tweepy
from django.conf import settings
from django.utils.translation import gettext as _

from .base import (
    Backend,
    MentionData,
    Outcome,
    PublishResult,
    TimeoutSession,
    transport_failure,
)

logger = logging.getLogger(__name__)

CREDENTIAL_KEYS = (
    "consumer_key",
    "consumer_secret",
    "access_token",
    "access_token_secret",
)


class XBackend(Backend):
    def publish(self, text: str, link: str = "") -> PublishResult:
        # The link is already in the text: X shows the card from it.
        payload = {"text": text}
        result = self._call(
            lambda client: client.create_tweet(text=text, user_auth=True)
        )
        if result.outcome != Outcome.OK:
            return _with_payload(result, payload)

        tweet_id = str(self._last_data["id"])
        return PublishResult(
            outcome=Outcome.OK,
            external_id=tweet_id,
            external_url=f"https://x.com/{self._handle}/status/{tweet_id}",
            http_status=result.http_status,
            payload=payload,
        )

    def repost(self, external_id: str) -> PublishResult:
        result = self._call(lambda client: client.retweet(external_id, user_auth=True))
        if result.outcome != Outcome.OK:
            return result
        return PublishResult(
            outcome=Outcome.OK, external_id=external_id, http_status=result.http_status
        )

    def fetch_mentions(self, since: str = "") -> list[MentionData]:
        """Raises tweepy and requests errors; the caller classifies them."""
        client = self._client()
        params: dict = {
            "max_results": 100,
            "tweet_fields": ["created_at", "author_id"],
            "expansions": ["author_id"],
            "user_fields": ["username", "name"],
            "user_auth": True,
        }
        if since:
            params["since_id"] = since
        response = client.get_users_mentions(self._user_id, **params)

        users = {str(u.id): u for u in (response.includes or {}).get("users", [])}
        mentions = [self._mention(tweet, users) for tweet in response.data or []]
        # X answers newest first; the desk wants the oldest first.
        return sorted(mentions, key=lambda m: int(m.external_id))

    # Calls

    def _client(self) -> tweepy.Client:
        creds = self.account.credentials or {}
        client = tweepy.Client(
            **{key: creds.get(key) or None for key in CREDENTIAL_KEYS},
            wait_on_rate_limit=False,
        )
        # tweepy sends no timeout of its own; this session adds one.
        self._session = TimeoutSession()
        client.session = self._session
        client.user_agent = settings.HTTP_USER_AGENT
        return client

    def _call(self, call: Callable[[tweepy.Client], tweepy.Response]) -> PublishResult:
        self._last_data: dict = {}
        missing = [
            k for k in CREDENTIAL_KEYS if not (self.account.credentials or {}).get(k)
        ]
        if missing:
            return PublishResult(
                outcome=Outcome.AUTH_EXPIRED,
                error=_("Faltan credenciales de X en la cuenta: %(keys)s.")
                % {"keys": ", ".join(missing)},
            )

        client = self._client()
        try:
            response = call(client)
        except tweepy.HTTPException as exc:
            return classify_http_error(exc)
        except requests.RequestException as exc:
            logger.info(
                "X transport failure account=%s: %s",
                self.account.pk,
                type(exc).__name__,
            )
            return transport_failure(exc, "X")

        self._last_data = response.data or {}
        status = (
            self._session.last_response.status_code
            if self._session.last_response
            else None
        )
        return PublishResult(outcome=Outcome.OK, http_status=status)

    @property
    def _handle(self) -> str:
        return self.account.handle.lstrip("@")

    @property
    def _user_id(self) -> str:
        creds = self.account.credentials or {}
        return str(
            creds.get("user_id") or str(creds.get("access_token", "")).split("-")[0]
        )

    def _mention(self, tweet: tweepy.Tweet, users: dict) -> MentionData:
        author = users.get(str(tweet.author_id))
        handle = author.username if author else str(tweet.author_id)
        return MentionData(
            external_id=str(tweet.id),
            author_handle=handle,
            author_name=author.name if author else "",
            text=tweet.text,
            said_at=tweet.created_at or datetime.now(UTC),
            url=f"https://x.com/{handle}/status/{tweet.id}",
            kind="mention",
        )


def classify_http_error(exc: tweepy.HTTPException) -> PublishResult:
    status = exc.response.status_code
    detail = "; ".join(str(m) for m in exc.api_messages)[:300]
    logger.debug("X answered %s: %s", status, detail)

    if status == 429:
        return PublishResult(
            outcome=Outcome.RATE_LIMITED,
            http_status=status,
            retry_at=_reset_time(exc.response),
            error=_("X limitó el uso de la API; se reintentará cuando lo permita."),
        )
    if status == 401:
        return PublishResult(
            outcome=Outcome.AUTH_EXPIRED,
            http_status=status,
            error=_(
                "X rechazó las credenciales de la cuenta (vencidas o revocadas). "
                "Un administrador debe renovarlas."
            ),
        )
    if status == 403 and "duplicate" in detail.lower():
        return PublishResult(
            outcome=Outcome.DUPLICATE,
            http_status=status,
            error=_(
                "X rechazó el texto por ser idéntico a uno ya publicado en la cuenta."
            ),
        )
    if status == 403:
        return PublishResult(
            outcome=Outcome.FORBIDDEN,
            http_status=status,
            error=_("X no permite esta publicación a la cuenta: %(detail)s")
            % {"detail": detail or status},
        )
    if status >= 500:
        return PublishResult(
            outcome=Outcome.TRANSIENT,
            http_status=status,
            error=_("X tuvo un error temporal (HTTP %(status)s); se reintentará.")
            % {"status": status},
        )
    return PublishResult(
        outcome=Outcome.INVALID,
        http_status=status,
        error=_("X rechazó la publicación (HTTP %(status)s): %(detail)s")
        % {"status": status, "detail": detail or "-"},
    )


def _reset_time(response: requests.Response) -> datetime | None:
    reset = response.headers.get("x-rate-limit-reset", "")
    if not reset.isdigit():
        return None
    return datetime.fromtimestamp(int(reset), tz=UTC)


def _with_payload(result: PublishResult, payload: dict) -> PublishResult:
    return replace(result, payload=payload)
