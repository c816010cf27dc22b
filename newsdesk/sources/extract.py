"""Plain text out of HTML pages and mail bodies, and the lead of a text.

Shared by the newspaper, portal and mailbox readers: a summary they store
is always the lead of the text as sanitised plain text in one <p>.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import lxml.html
from lxml import etree
from trafilatura.utils import decode_file

from newsdesk.sanitize import clean_html, one_line
from newsdesk.sources.charset import CP1252, decode_bytes

LEAD_CHARS = 500
# Social networks and messengers: a link there is a profile or a share
# button, never an outlet's story, in a newsletter or on a section page.
SOCIAL_HOSTS = (
    "facebook.com",
    "twitter.com",
    "x.com",
    "instagram.com",
    "linkedin.com",
    "youtube.com",
    "youtu.be",
    "tiktok.com",
    "whatsapp.com",
    "wa.me",
    "t.me",
    "telegram.me",
    "flickr.com",
    "pinterest.com",
    "threads.net",
)
SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
BLANK_LINES = re.compile(r"\n\s*\n+")
# Elements whose text is never part of what a reader reads.
INVISIBLE = ("script", "style", "noscript", "template", "head", "title")
BLOCKS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
    }
)


CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)
META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE
)


def decode_page(content: bytes, headers: Mapping[str, str] | None = None) -> str:
    """A page's text, the charset settled as for feeds: a page that decodes
    as UTF-8 is UTF-8 whatever the server or the page says. Without any
    label and not UTF-8, trafilatura's detector decides."""
    match = CHARSET.search((headers or {}).get("Content-Type", ""))
    if match is None:
        match = META_CHARSET.search(content[:4096])
    label = match.group(1) if match else ""
    if isinstance(label, bytes):
        label = label.decode("ascii", errors="replace")

    text, used = decode_bytes(content, label, unlabelled_utf8=False)
    if not label and used == CP1252:
        return decode_file(content)
    return text


def parse_html(markup: str | bytes) -> lxml.html.HtmlElement | None:
    """The document tree, or None when there is nothing to parse."""
    markup = markup.strip()
    if not markup:
        return None
    try:
        return lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return None


def html_to_text(markup: str) -> str:
    """The visible text of an HTML fragment, one line per block."""
    tree = parse_html(markup)
    if tree is None:
        return ""
    for element in tree.iter(*INVISIBLE):
        element.drop_tree()
    # A newline after each block keeps paragraphs apart in the lead.
    for element in tree.iter(*BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return normalise_text(tree.text_content())


def normalise_text(text: str) -> str:
    lines = [SPACES.sub(" ", line).strip() for line in text.splitlines()]
    joined = "\n".join(lines)
    return BLANK_LINES.sub("\n", joined).strip()


def on_social_network(url: str) -> bool:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return any(host == social or host.endswith("." + social) for social in SOCIAL_HOSTS)


def lead(text: str, limit: int = LEAD_CHARS) -> str:
    """The first `limit` characters of a text, cut at a word boundary."""
    flat = one_line(text)
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"


def lead_html(text: str, limit: int = LEAD_CHARS) -> str:
    """The lead as the one-paragraph HTML summary items store."""
    first = lead(text, limit)
    if not first:
        return ""
    return clean_html(f"<p>{html.escape(first, quote=False)}</p>")
