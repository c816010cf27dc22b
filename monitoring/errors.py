"""Classify what went wrong while pulling mentions from a network.

Every failure maps to one outcome, so the desk retries only what may work
later and tells a person about what will not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import facebook
import requests
import tweepy
from celery.exceptions import SoftTimeLimitExceeded

from .models import MentionPull

Outcome = MentionPull.Outcome

# Graph API error codes, from Meta's "Handling Errors" guide for the
# Graph API (developers.facebook.com/docs/graph-api/guides/error-handling).
_FACEBOOK_RATE_LIMIT_CODES = {4, 17, 32, 613}
_FACEBOOK_AUTH_CODES = {102, 190}
_FACEBOOK_TRANSIENT_CODES = {1, 2}

# Query parameters whose value must never reach a log or a page.
_SECRET_PARAM = re.compile(
    r"(?i)\b(access_token|token|key|secret|signature|password)=[^&\s'\"]+"
)
# Addresses can carry account ids taken from a token: keep the host only.
_URL = re.compile(r"(?i)\b(https?://[^/\s'\"]+)[^\s'\")]*")
_URL_PATH = re.compile(r"(?i)\b(url: )/[^\s'\")]*")
_MAX_DETAIL = 300


@dataclass(frozen=True)
class PullFailure:
    outcome: str
    http_status: int | None = None
    retry_at: datetime | None = None
    detail: str = ""

    @property
    def retryable(self) -> bool:
        return self.outcome == Outcome.TRANSIENT


def classify(exc: BaseException) -> PullFailure:
    # A backend may classify its own errors; trust it when it does.
    own = getattr(exc, "outcome", None)
    if own in Outcome.values and own not in (Outcome.OK, Outcome.RUNNING):
        return PullFailure(
            outcome=own,
            http_status=getattr(exc, "http_status", None),
            retry_at=getattr(exc, "retry_at", None),
            detail=scrub(str(exc)),
        )

    if isinstance(exc, tweepy.errors.HTTPException):
        return _from_http_response(exc.response, exc)
    if isinstance(exc, facebook.GraphAPIError):
        return _from_graph_error(exc)
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return _from_http_response(exc.response, exc)
    if isinstance(
        exc,
        requests.RequestException
        | tweepy.errors.TweepyException
        | SoftTimeLimitExceeded
        | TimeoutError
        | ConnectionError,
    ):
        return PullFailure(Outcome.TRANSIENT, detail=scrub(str(exc)))
    return PullFailure(Outcome.ERROR, detail=scrub(str(exc)))


def scrub(text: str) -> str:
    """Drop credentials from an error text and keep it short."""
    text = _SECRET_PARAM.sub(r"\1=***", text)
    text = _URL.sub(r"\1/…", text)
    text = _URL_PATH.sub(r"\1/…", text)
    if len(text) > _MAX_DETAIL:
        text = text[: _MAX_DETAIL - 1] + "…"
    return text


def _from_http_response(response: requests.Response, exc: Exception) -> PullFailure:
    status = getattr(response, "status_code", None)
    detail = scrub(str(exc))
    if status == 429:
        return PullFailure(
            Outcome.RATE_LIMITED, status, _rate_limit_reset(response), detail
        )
    if status == 401:
        return PullFailure(Outcome.AUTH_EXPIRED, status, detail=detail)
    if status == 403:
        return PullFailure(Outcome.FORBIDDEN, status, detail=detail)
    if status is not None and 400 <= status < 500:
        return PullFailure(Outcome.INVALID, status, detail=detail)
    return PullFailure(Outcome.TRANSIENT, status, detail=detail)


def _rate_limit_reset(response: requests.Response) -> datetime | None:
    # X sends the end of the window as a Unix timestamp.
    headers = getattr(response, "headers", None) or {}
    try:
        return datetime.fromtimestamp(int(headers["x-rate-limit-reset"]), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return None


def _from_graph_error(exc: facebook.GraphAPIError) -> PullFailure:
    code = exc.code
    detail = scrub(str(exc))
    if code in _FACEBOOK_RATE_LIMIT_CODES:
        return PullFailure(Outcome.RATE_LIMITED, detail=detail)
    if code in _FACEBOOK_AUTH_CODES or (exc.type == "OAuthException" and code is None):
        return PullFailure(Outcome.AUTH_EXPIRED, detail=detail)
    if code == 10 or (isinstance(code, int) and 200 <= code < 300):
        return PullFailure(Outcome.FORBIDDEN, detail=detail)
    if code in _FACEBOOK_TRANSIENT_CODES:
        return PullFailure(Outcome.TRANSIENT, detail=detail)
    return PullFailure(Outcome.INVALID, detail=detail)
