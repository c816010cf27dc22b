"""A Facebook Page through facebook-sdk's GraphAPI.

The account's handle is the Page id and its credentials hold
page_access_token. facebook-sdk 3.1.0 refuses to be built with any Graph API
version after 3.1, all retired by Facebook, so the client is built with one
it accepts and then told to send settings.FACEBOOK_GRAPH_VERSION.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import facebook
import requests
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
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

# The newest version facebook-sdk 3.1.0 lets us build the client with.
_SDK_ACCEPTED_VERSION = "3.1"

# https://developers.facebook.com/docs/graph-api/guides/error-handling
RATE_LIMIT_CODES = {4, 17, 32, 613}
FORBIDDEN_CODES = {10, 200}
TRANSIENT_CODES = {1, 2}
MENTION_FIELDS = (
    "id,created_time,comments.limit(50){id,message,created_time,from,permalink_url}"
)
TAGGED_FIELDS = "id,message,created_time,from,permalink_url"


def graph_version() -> str:
    version = settings.FACEBOOK_GRAPH_VERSION.strip()
    return version if version.startswith("v") else f"v{version}"


class FacebookBackend(Backend):
    def publish(self, text: str, link: str = "") -> PublishResult:
        post_args = {"message": text}
        if link:
            post_args["link"] = link
        payload = dict(post_args)

        result = self._call(
            lambda graph: graph.put_object(self._page_id, "feed", **post_args)
        )
        if result.outcome != Outcome.OK:
            return replace(result, payload=payload)

        post_id = str(self._last_answer["id"])
        return PublishResult(
            outcome=Outcome.OK,
            external_id=post_id,
            external_url=_post_url(post_id),
            http_status=result.http_status,
            payload=payload,
        )

    def repost(self, external_id: str) -> PublishResult:
        # A Page shares its own post as a new feed post linking to it.
        return self.publish("", _post_url(external_id))

    def fetch_mentions(self, since: str = "") -> list[MentionData]:
        """Comments on the Page's posts and posts the Page is tagged in.

        Raises facebook and requests errors; the caller classifies them.
        """
        graph = self._graph()
        since_time = self._created_time(graph, since) if since else None

        feed = graph.get_connections(
            self._page_id, "feed", fields=MENTION_FIELDS, limit=25
        )
        tagged = graph.get_connections(
            self._page_id, "tagged", fields=TAGGED_FIELDS, limit=25
        )

        mentions = [
            self._mention(comment, "comment")
            for post in feed.get("data", [])
            for comment in post.get("comments", {}).get("data", [])
        ]
        mentions += [self._mention(post, "mention") for post in tagged.get("data", [])]
        mentions = [m for m in mentions if since_time is None or m.said_at > since_time]
        return sorted(mentions, key=lambda m: (m.said_at, m.external_id))

    # Calls

    def _graph(self) -> facebook.GraphAPI:
        self._session = TimeoutSession()
        graph = facebook.GraphAPI(
            access_token=(self.account.credentials or {}).get("page_access_token"),
            timeout=(settings.HTTP_CONNECT_TIMEOUT, settings.HTTP_READ_TIMEOUT),
            version=_SDK_ACCEPTED_VERSION,
            session=self._session,
        )
        # Every method builds its path from this attribute.
        graph.version = graph_version()
        return graph

    def _call(self, call: Callable[[facebook.GraphAPI], dict]) -> PublishResult:
        self._last_answer: dict = {}
        if not (self.account.credentials or {}).get("page_access_token"):
            return PublishResult(
                outcome=Outcome.AUTH_EXPIRED,
                error=_("Falta el token de la página de Facebook en la cuenta."),
            )

        graph = self._graph()
        try:
            self._last_answer = call(graph) or {}
        except facebook.GraphAPIError as exc:
            return classify_graph_error(exc, self._session.last_response)
        except requests.RequestException as exc:
            logger.info(
                "Facebook transport failure account=%s: %s",
                self.account.pk,
                type(exc).__name__,
            )
            return transport_failure(exc, "Facebook")

        response = self._session.last_response
        return PublishResult(
            outcome=Outcome.OK, http_status=response.status_code if response else None
        )

    @property
    def _page_id(self) -> str:
        return self.account.handle.strip()

    def _created_time(
        self, graph: facebook.GraphAPI, object_id: str
    ) -> datetime | None:
        try:
            answer = graph.get_object(object_id, fields="created_time")
        except facebook.GraphAPIError as exc:
            # The cursor's comment was deleted (code 100): read the whole
            # first page again; the desk skips ids it already holds.
            if getattr(exc, "code", None) != 100:
                raise
            logger.info("Facebook cursor %s is gone; rereading", object_id)
            return None
        return parse_datetime(_iso(answer.get("created_time", "")))

    def _mention(self, item: dict, kind: str) -> MentionData:
        author = item.get("from") or {}
        return MentionData(
            external_id=str(item["id"]),
            # Graph leaves out "from" for people who did not allow the app.
            author_handle=str(author.get("id", "")) or "facebook",
            author_name=author.get("name", ""),
            text=item.get("message", ""),
            said_at=parse_datetime(_iso(item.get("created_time", "")))
            or timezone.now(),
            url=item.get("permalink_url", ""),
            kind=kind,
        )


def classify_graph_error(
    exc: facebook.GraphAPIError, response: requests.Response | None
) -> PublishResult:
    error = exc.result.get("error", {}) if isinstance(exc.result, dict) else {}
    code = error.get("code")
    status = response.status_code if response is not None else None
    detail = str(error.get("message", exc.message))[:300]
    logger.debug("Facebook answered %s code %s: %s", status, code, detail)

    def result(outcome: Outcome, message: str, **extra) -> PublishResult:
        return PublishResult(
            outcome=outcome, http_status=status, error=message, **extra
        )

    if code == 190:
        return result(
            Outcome.AUTH_EXPIRED,
            _(
                "Facebook rechazó el token de la página (vencido o revocado). "
                "Un administrador debe renovarlo."
            ),
        )
    if code in RATE_LIMIT_CODES:
        return result(
            Outcome.RATE_LIMITED,
            _("Facebook limitó el uso de la API; se reintentará más tarde."),
            retry_at=_regain_access_at(response),
        )
    if code in FORBIDDEN_CODES or (isinstance(code, int) and 200 <= code <= 299):
        return result(
            Outcome.FORBIDDEN,
            _(
                "Facebook no da permiso a la aplicación para publicar en la página: %(detail)s"
            )
            % {"detail": detail},
        )
    if code == 506:
        return result(
            Outcome.DUPLICATE,
            _(
                "Facebook rechazó el texto por ser idéntico a una publicación "
                "reciente de la página."
            ),
        )
    if code in TRANSIENT_CODES or error.get("is_transient") or (status or 0) >= 500:
        return result(
            Outcome.TRANSIENT,
            _("Facebook tuvo un error temporal; se reintentará."),
        )
    return result(
        Outcome.INVALID,
        _("Facebook rechazó la publicación (código %(code)s): %(detail)s")
        % {"code": code if code is not None else "-", "detail": detail},
    )


def _regain_access_at(response: requests.Response | None) -> datetime | None:
    """Facebook tells, in minutes, when a throttled app may call again."""
    if response is None:
        return None
    minutes = 0
    for header in ("x-business-use-case-usage", "x-page-usage", "x-app-usage"):
        try:
            usage = json.loads(response.headers.get(header, ""))
        except ValueError:
            continue
        for entries in usage.values() if isinstance(usage, dict) else []:
            for entry in entries if isinstance(entries, list) else []:
                wait = entry.get("estimated_time_to_regain_access", 0)
                minutes = max(minutes, wait if isinstance(wait, int) else 0)
    return timezone.now() + timedelta(minutes=minutes) if minutes else None


def _post_url(post_id: str) -> str:
    page_id, _sep, story_id = post_id.partition("_")
    if not story_id:
        return f"https://www.facebook.com/{post_id}"
    return f"https://www.facebook.com/{page_id}/posts/{story_id}"


def _iso(value: str) -> str:
    # Graph writes "+0000"; Django's parser wants "+00:00".
    if len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():
        return f"{value[:-2]}:{value[-2:]}"
    return value
