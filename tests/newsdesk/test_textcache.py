"""The text memo keeps short texts only, and answers the same either way."""

from __future__ import annotations

from newsdesk.language import fold, words
from newsdesk.sanitize import plain_text, plain_text_cached
from newsdesk.textcache import CACHED_TEXT_CHARS


def test_a_long_text_is_worked_out_but_not_kept():
    # given a newsletter body far longer than a feed entry's summary
    body = "<p>" + "Generación de energía eólica en La Guajira. " * 500 + "</p>"
    assert len(body) > CACHED_TEXT_CHARS
    for memo in (plain_text_cached, fold, words):
        memo.cache_clear()

    # when its forms are asked for twice
    plain = plain_text_cached(body)
    folded = fold(plain)
    split = words(plain)
    again = (plain_text_cached(body), fold(plain), words(plain))

    # then the answers are those of the functions, and nothing was kept
    assert plain == plain_text(body)
    assert folded.startswith("generacion de energia eolica en la guajira.")
    assert split[:3] == ("generacion", "de", "energia")
    assert again == (plain, folded, split)
    assert [
        memo.cache_info().currsize for memo in (plain_text_cached, fold, words)
    ] == [
        0,
        0,
        0,
    ]


def test_a_short_text_is_kept():
    fold.cache_clear()

    assert fold("Minería") == fold("Minería") == "mineria"
    assert fold.cache_info().currsize == 1
    assert fold.cache_info().hits == 1
