"""RSS 0.9x/1.0/2.0, Atom and JSON Feed sources.

The bytes are repaired before feedparser sees them, by kind of fault rather
than by feed: the charset is settled here (UTF-8 with stray Latin-1 bytes,
Latin-1 declared or not, windows-1252 labelled ISO-8859-1), illegal control
characters and undefined HTML entities are removed, and the document is
handed over as clean UTF-8. feedparser's `bozo` flag is then a warning: the
feed is judged by what came out of it.
"""

from __future__ import annotations

import html
import json
import logging
import re
from typing import Any
from urllib.parse import urljoin

import feedparser
from django.utils.translation import gettext as _

from newsdesk.dates import parse_date
from newsdesk.sanitize import (
    CONTROL_CHARS,
    clean_html,
    first_words,
    plain_text,
    web_url,
)
from newsdesk.sources import charset
from newsdesk.sources.base import EntryData, FetchError, Reader
from newsdesk.sources.charset import decode_bytes
from newsdesk.sources.conditional import HttpReadResult, conditional_fetch

logger = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
    "application/json;q=0.8, */*;q=0.1"
)
XML_DECLARATION = re.compile(rb"^<\?xml[^>]*?>")
DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
# An HTML entity XML does not define breaks the strict parser; each becomes
# a numeric reference, and an unknown one or a bare "&" becomes literal text.
NAMED_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{1,31});")
BARE_AMPERSAND = re.compile(
    r"&(?![A-Za-z][A-Za-z0-9]{0,31};|#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};)"
)
FEED_ROOT = re.compile(r"<(?:[A-Za-z0-9_-]+:)?(?:rss|feed|RDF)[\s>]")
HTML_ROOT = re.compile(r"<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)
LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"""([A-Za-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/rdf+xml",
)


class FeedReader(Reader):
    def read(self) -> HttpReadResult:
        response, result = conditional_fetch(
            self.source.url,
            etag=self.source.etag,
            last_modified=self.source.last_modified,
            accept=FEED_ACCEPT,
        )
        if result.not_modified:
            return result

        content_type = response.headers.get("Content-Type", "")
        entries, warnings = parse_feed(response.content, content_type, response.url)
        result.entries = entries
        result.warnings = warnings
        return result


def parse_feed(
    content: bytes, content_type: str, url: str
) -> tuple[list[EntryData], list[str]]:
    """Entries of a feed document, or FetchError when it is not a feed."""
    stripped = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if "json" in content_type.lower() or stripped.startswith(b"{"):
        return parse_json_feed(stripped, url), []

    text, warnings = decode_document(content, content_type)
    head = text[:4096]
    if not FEED_ROOT.search(head) and HTML_ROOT.search(head):
        raise _not_a_feed(text, url)

    parsed = feedparser.parse(
        _as_clean_xml(text),
        # No content-location: feedparser would resolve GUIDs against it
        # too, and a GUID must not change when the feed's address does.
        # Links are made absolute in _entry instead.
        response_headers={"content-type": "application/xml; charset=utf-8"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if parsed.bozo:
        # Judged by what came out, not by the flag: a loose parse that found
        # the entries is a healthy feed.
        warnings.append(f"bozo: {type(parsed.bozo_exception).__name__}")
    if not parsed.get("version") and not parsed.entries:
        if HTML_ROOT.search(text[:65536]):
            raise _not_a_feed(text, url)
        raise FetchError(
            "parse",
            _("El contenido recibido no es un feed RSS, Atom ni JSON Feed válido."),
        )
    return [_entry(item, url) for item in parsed.entries], warnings


def decode_document(content: bytes, content_type: str) -> tuple[str, list[str]]:
    """The document as text, with the charset settled, and any remark."""
    warnings: list[str] = []
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace"), warnings
    content = content.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")

    declaration = XML_DECLARATION.match(content)
    declared_match = declaration and DECLARED_ENCODING.search(declaration.group(0))
    declared = declared_match.group(1).decode("ascii").lower() if declared_match else ""
    http_match = CHARSET_PARAM.search(content_type)
    http_label = http_match.group(1).lower() if http_match else ""
    label = declared or http_label

    # XML without a declaration or a charset is UTF-8 by default.
    text, used = decode_bytes(content, label, unlabelled_utf8=True)
    if used == charset.UTF8:
        if label and label not in charset.UTF8_LABELS and not text.isascii():
            warnings.append(f"charset: declared {label}, decoded as utf-8")
    elif used == charset.UTF8_REPAIRED:
        warnings.append("charset: utf-8 with stray single-byte characters")
    elif used == charset.CP1252 and (
        not label or http_label != declared or label not in charset.LATIN1_LABELS
    ):
        warnings.append(
            f"charset: declared {http_label or declared or 'none'}, decoded as windows-1252"
        )
    return text, warnings


def _as_clean_xml(text: str) -> bytes:
    # Vertical tab and form feed separate words; the rest are noise.
    text = CONTROL_CHARS.sub("", text.replace("\x0b", " ").replace("\x0c", " "))
    if "&" in text:
        text = NAMED_ENTITY.sub(_numeric_entity, text)
        text = BARE_AMPERSAND.sub("&amp;", text)
    data = text.encode("utf-8")
    declaration = XML_DECLARATION.match(data)
    if declaration:
        data = b'<?xml version="1.0" encoding="utf-8"?>' + data[declaration.end() :]
    return data


def _numeric_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    value = html.entities.html5.get(f"{name};")
    if value is None:
        return f"&amp;{name};"
    return "".join(f"&#{ord(char)};" for char in value)


def _entry(item: Any, feed_url: str) -> EntryData:
    summary, detail = item.get("summary", ""), item.get("summary_detail")
    # Atom without <summary>: feedparser copies <content> but not its base.
    if not detail and item.get("content"):
        detail = item["content"][0]
        summary = summary or detail.get("value", "")
    detail = detail or {}
    base = urljoin(feed_url, detail.get("base") or "")
    summary = clean_html(summary, base)

    title = plain_text(item.get("title", ""))
    if not title:
        title = first_words(summary) or _("sin título")

    raw_date, parsed_date = "", None
    for name in ("published", "updated", "created"):
        if item.get(name):
            raw_date, parsed_date = item[name], item.get(f"{name}_parsed")
            break

    return EntryData(
        title=title,
        link=_link(item, base),
        guid=plain_text(item.get("id", ""), unescape=False),
        summary=summary,
        author=plain_text(item.get("author", "")),
        image_url=_image(item, base),
        published_at=parse_date(raw_date, parsed_date),
        extra={"raw_date": raw_date},
    )


def _link(item: Any, base: str) -> str:
    link = item.get("link", "")
    # Without <link>, feedparser copies a permalink GUID (RSS's default) or
    # an Atom <id> into it. An id such as "com-2024-032" or "1" is no
    # address: resolved against the feed it would make one up.
    if link and not item.get("links") and link == item.get("id"):
        return web_url(link)
    return _absolute(link, base)


def _absolute(link: str, base: str) -> str:
    link = (link or "").strip()
    if not link:
        return ""
    return web_url(urljoin(base, link))


def _image(item: Any, base: str) -> str:
    for media in (*item.get("media_thumbnail", []), *item.get("media_content", [])):
        if media.get("url") and media.get("medium", "image") == "image":
            return _absolute(media["url"], base)
    for link in item.get("links", []):
        if link.get("rel") == "enclosure" and link.get("type", "").startswith("image/"):
            return _absolute(link.get("href", ""), base)
    return ""


def _not_a_feed(text: str, url: str) -> FetchError:
    suggested = ""
    for tag in LINK_TAG.findall(text[:65536]):
        attributes = {
            name.lower(): double or single or bare
            for name, double, single, bare in ATTRIBUTE.findall(tag)
        }
        if "alternate" in attributes.get("rel", "").lower().split() and (
            attributes.get("type", "").lower() in FEED_TYPES
        ):
            suggested = _absolute(html.unescape(attributes.get("href", "")), url)
            if suggested:
                break
    message = _(
        "La dirección devolvió una página web, no un feed (puede ser una "
        "página de verificación o de error)."
    )
    if suggested:
        message += " " + _("La página anuncia un feed en %(url)s.") % {"url": suggested}
    return FetchError("not_a_feed", message, suggested_url=suggested)


def parse_json_feed(content: bytes, url: str) -> list[EntryData]:
    """JSON Feed 1.0 and 1.1, which feedparser 6 does not read."""
    try:
        document = json.loads(content.decode("utf-8", errors="newsdesk-cp1252"))
    except ValueError as exc:
        raise FetchError(
            "parse", _("El JSON Feed recibido no es JSON válido.")
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise FetchError(
            "not_a_feed",
            _("La respuesta es JSON pero no tiene la forma de un JSON Feed."),
        )

    base = document.get("home_page_url") or url
    entries = []
    for item in document["items"]:
        if isinstance(item, dict):
            entries.append(_json_entry(item, base if isinstance(base, str) else url))
    return entries


def _json_entry(item: dict, base: str) -> EntryData:
    def text(key: str) -> str:
        value = item.get(key)
        return value if isinstance(value, str) else ""

    summary = text("content_html") or html.escape(text("content_text"))
    if text("summary") and not summary:
        summary = html.escape(text("summary"))
    summary = clean_html(summary, base)

    title = plain_text(text("title")) or first_words(summary) or _("sin título")
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    author = ", ".join(
        a["name"]
        for a in authors
        if isinstance(a, dict) and isinstance(a.get("name"), str)
    )
    raw_date = text("date_published") or text("date_modified")
    guid = item.get("id")

    return EntryData(
        title=title,
        link=_absolute(text("url") or text("external_url"), base),
        guid=str(guid) if isinstance(guid, str | int) else "",
        summary=summary,
        author=plain_text(author),
        image_url=_absolute(text("image") or text("banner_image"), base),
        published_at=parse_date(raw_date),
        extra={"raw_date": raw_date},
    )
