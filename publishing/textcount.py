"""Weighted length of a post's X text, by the twitter-text v3 rules.

X counts a URL as 23, an emoji as 2, CJK and most scripts beyond U+10FF as 2
and everything else as 1, up to 280. The composer counts in the browser with
the official twitter-text bundle; the server counts again here before it
stores or sends anything, so both must agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from twitter_text import parse_tweet
from twitter_text.config import config as _configs

MAX_WEIGHTED_LENGTH = 280

_V3 = _configs["version3"]
_LINE_ENDINGS = re.compile(r"\r\n|\r")


@dataclass(frozen=True)
class TweetLength:
    weighted_length: int
    valid: bool
    permillage: int
    valid_range_end: int
    display_range_end: int

    @property
    def remaining(self) -> int:
        return MAX_WEIGHTED_LENGTH - self.weighted_length


def normalize_line_endings(text: str) -> str:
    """The browser's textarea holds "\\n" but submits "\\r\\n"; X gets "\\n"."""
    return _LINE_ENDINGS.sub("\n", text)


def measure(text: str) -> TweetLength:
    # The package folds "\r\n" into one character while the JavaScript
    # library counts two; we store and send "\n" only, where both agree.
    text = normalize_line_endings(text)
    parsed = parse_tweet(text, _V3)

    return TweetLength(
        weighted_length=parsed.weightedLength,
        valid=parsed.valid,
        permillage=parsed.permillage,
        # The package answers -1 for an empty text; the JavaScript library
        # and the conformance suite answer 0.
        valid_range_end=max(parsed.validRangeEnd, 0),
        display_range_end=parsed.displayRangeEnd,
    )


def validation_error(text: str) -> str | None:
    """A Spanish message saying why X would refuse `text`, or None."""
    if not text.strip():
        return _("El texto para X está vacío.")

    length = measure(text)
    if length.weighted_length > MAX_WEIGHTED_LENGTH:
        return _(
            "El texto para X mide %(length)s de %(max)s caracteres; "
            "acórtelo en %(excess)s."
        ) % {
            "length": length.weighted_length,
            "max": MAX_WEIGHTED_LENGTH,
            "excess": length.weighted_length - MAX_WEIGHTED_LENGTH,
        }
    if not length.valid:
        return _("El texto para X contiene caracteres que X no acepta.")
    return None
