"""Cleaning of text and HTML that comes from sources.

Every piece of HTML a source sends passes through `clean_html` before it is
stored or shown; titles become plain text through `plain_text`.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import urlsplit

import nh3

from newsdesk.textcache import short_text_cache

# C0 controls that XML 1.0 forbids (tab, newline and carriage return are
# allowed) plus the C1 range, which only ever shows up as mojibake.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
TAG = re.compile(r"<[^>]{0,2000}>")
# Elements whose text is code or a frame, not words: dropped whole from
# plain text, as nh3 drops them from HTML (an unclosed one runs to the end).
DROPPED_ELEMENT = re.compile(
    r"<(script|style|iframe|object|embed|noscript|template)(?=[\s/>])[^>]{0,2000}>"
    r".*?(?:</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed"})
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def _relative_urls(base_url: str) -> tuple[str, str] | str:
    if base_url.startswith(("http://", "https://")):
        return ("rewrite_with_base", base_url)
    # Without a base a relative link leads nowhere on our pages.
    return "deny"


def strip_control_chars(text: str) -> str:
    return CONTROL_CHARS.sub("", text)


# Browsers drop tabs and newlines anywhere in a URL and controls at its ends,
# so "java\nscript:" is javascript: to them; they are dropped here first.
URL_NOISE = re.compile("[\x00-\x1f\x7f]")


def web_url(url: str) -> str:
    """`url` when it is an absolute http(s) address, else "".

    Every link a source hands over ends up in an href on the queue; only a
    web address may get there, never javascript:, data: or a relative path.
    """
    url = URL_NOISE.sub("", url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return url


def clean_html(fragment: str, base_url: str = "") -> str:
    """Safe HTML: no script, iframe, event handler or javascript: URL.

    Relative links and images are resolved against `base_url` (the entry's
    xml:base or the feed's own URL) so they still work on our pages.
    """
    if not fragment:
        return ""

    fragment = strip_control_chars(fragment)
    try:
        cleaned = _clean(fragment, _relative_urls(base_url))
    except ValueError:
        # A base nh3 cannot parse as a URL: drop relative links instead.
        cleaned = _clean(fragment, "deny")
    return cleaned.strip()


def _clean(fragment: str, url_relative: tuple[str, str] | str) -> str:
    return _cleaner(url_relative).clean(fragment)


@lru_cache(maxsize=64)
def _cleaner(url_relative: tuple[str, str] | str) -> nh3.Cleaner:
    # Building the rules cost three times the cleaning of a summary, and a
    # feed's entries share one base; an unusable base raises ValueError.
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        url_relative=url_relative,
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(fragment: str, *, unescape: bool = True) -> str:
    """A title or name as plain text on one line.

    Feeds often escape a title twice ("&amp;amp;", or entities inside
    CDATA); unescaping exactly once after the XML parser undoes that
    without eating a literal "&" the outlet meant.
    """
    if "<" in fragment:
        text = TAG.sub(" ", DROPPED_ELEMENT.sub(" ", fragment))
    else:
        text = fragment
    if unescape and "&" in text:
        text = html.unescape(text)
    return one_line(text)


@short_text_cache(maxsize=1024)
def plain_text_cached(fragment: str) -> str:
    """`plain_text`, remembered: scoring, clustering and the search column
    all read the plain text of each summary of a poll."""
    return plain_text(fragment)


def one_line(text: str) -> str:
    """Text that is plain already (a mail subject) on one line, with no
    control characters; nothing in it is taken for markup, so "Precios <5%
    en bolsa" keeps its words."""
    # str.split() breaks on exactly the characters \s matches, in a third
    # of the time.
    return " ".join(strip_control_chars(text).split())


def first_words(fragment: str, limit: int = 80) -> str:
    """A title made from the start of a description."""
    text = plain_text(fragment)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return f"{cut}…"
