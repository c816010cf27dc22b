"""Forms that create a row at most once, however often they are sent.

The form carries a hidden token made when it is shown; the row it creates
stores the token under a unique constraint. Sending the same page again
(Back and resend, a double click, a retried request) finds that row
instead of creating another, and two sends racing each other are settled
by the constraint, not by a check that both could pass.

A browser that does not restore the page on Back asks for it again, and a
page made anew would get a new token. A form that is opened for a purpose
(a post from news item 7) can take its token from remembered_token, which
keeps one token per purpose in the session: every page shown for the
purpose carries it, so whichever of them is sent second finds the row.
Only a deliberate `fresh` token starts a second row. The session holds the
last few purposes only; an older one simply gets a new token.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, MutableMapping
from typing import Any, TypeVar

from django import forms
from django.db import IntegrityError, models, transaction

TOKEN_FIELD = "form_token"  # noqa: S105 -- a field name, not a secret
REMEMBERED = "once_tokens"
REMEMBERED_AT_MOST = 8

M = TypeVar("M", bound=models.Model)


class SubmissionTokenMixin:
    """Adds the hidden token; put it before the form class in the bases.

    A send without a usable token (a page from before the token existed, a
    script) is taken as a send of its own: nothing ties it to another.
    """

    fields: dict[str, forms.Field]
    data: Any
    is_bound: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A callable initial gives each rendering of an unbound form its
        # own token; a bound form shown again keeps the one it was sent with.
        self.fields[TOKEN_FIELD] = forms.CharField(
            widget=forms.HiddenInput, initial=_new_token, required=False
        )

    def submitted_token(self) -> uuid.UUID | None:
        if not self.is_bound:
            return None
        try:
            return uuid.UUID(str(self.data.get(self.add_prefix(TOKEN_FIELD), "")))
        except ValueError:
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data[TOKEN_FIELD] = self.submitted_token()
        return data


def _new_token() -> str:
    return str(uuid.uuid4())


def remembered_token(
    session: MutableMapping[str, Any], purpose: str, *, fresh: bool = False
) -> str:
    """The token for pages shown for `purpose`; a new one if `fresh`."""
    tokens = dict(session.get(REMEMBERED, {}))
    token = tokens.pop(purpose, None)
    if fresh or token is None:
        token = _new_token()

    # Re-inserted last, so the purposes dropped are the least recently shown.
    tokens[purpose] = token
    for old in list(tokens)[:-REMEMBERED_AT_MOST]:
        del tokens[old]
    session[REMEMBERED] = tokens
    return token


def create_once(
    model: type[M], token: uuid.UUID | None, create: Callable[[], M]
) -> tuple[M, bool]:
    """The row made from `token`, created by `create` unless it exists.

    Answers the row and whether this call created it. `create` runs in a
    savepoint, so a loser of the race leaves the caller's transaction usable.
    """
    if token is None:
        return create(), True

    earlier = created_from(model, token)
    if earlier is not None:
        return earlier, False

    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        # Another send with the same token committed while this one ran.
        earlier = created_from(model, token)
        if earlier is None:
            raise
        return earlier, False


def created_from(model: type[M], token: uuid.UUID | None) -> M | None:
    """The row a form with `token` already created, if any."""
    # No token is no match: filtering on None would find every old row.
    if token is None:
        return None
    return model._default_manager.filter(**{TOKEN_FIELD: token}).first()
