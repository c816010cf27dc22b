"""A memo for functions of one text, kept small whatever the texts.

Scoring, clustering and the search column read the same title and summary
of each item of a poll, so their plain, folded and split forms are
remembered. Only short texts are: an LRU of a thousand newsletter bodies or
extracted articles of a hundred kilobytes each would hold hundreds of
megabytes in every worker process, and a long text is read seldom enough
to be worked out again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, update_wrapper
from typing import TypeVar

Result = TypeVar("Result")

# A few times a feed entry's summary: beyond it, a text is not kept.
CACHED_TEXT_CHARS = 4000


def short_text_cache(
    maxsize: int,
) -> Callable[[Callable[[str], Result]], Callable[[str], Result]]:
    def decorate(function: Callable[[str], Result]) -> Callable[[str], Result]:
        remembered = lru_cache(maxsize=maxsize)(function)

        def call(text: str) -> Result:
            if len(text) > CACHED_TEXT_CHARS:
                return function(text)
            return remembered(text)

        call.cache_clear = remembered.cache_clear  # type: ignore[attr-defined]
        call.cache_info = remembered.cache_info  # type: ignore[attr-defined]
        return update_wrapper(call, function)

    return decorate
