"""One news article page made into its title, text, date, author and image.

trafilatura does the extraction. Its known faults are fixed as kinds, not
per outlet: when it misses part of the body (El Espectador's standfirst on
Arc Publishing, say) the page's own structured body is used instead;
"Le puede interesar: ..."-style paragraphs that link other stories are
removed; and the author comes from the page's metadata before trafilatura's
guess, which picks up template text on some sites.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import lxml.html
import trafilatura
from lxml import etree

from newsdesk.dates import parse_date
from newsdesk.sanitize import plain_text
from newsdesk.sources.extract import html_to_text, normalise_text, parse_html

logger = logging.getLogger(__name__)

BOGOTA = ZoneInfo("America/Bogota")
# Below this many characters trafilatura found a teaser, not the article.
SHORT_TEXT = 300
# A paragraph at least this long that trafilatura lacks means it missed
# part of the body.
SUBSTANTIAL_PARAGRAPH = 80
# A structured body much shorter than trafilatura's text is a teaser (a
# paywall's, say), whatever paragraph it adds.
STRUCTURED_MIN_SHARE = 0.8
# Related-story paragraphs are one line: a label and a headline.
RELATED_MAX_CHARS = 300
# A short line this much made of link text points to another story.
RELATED_LINK_RATIO = 0.6
SIGNATURE_MAX_CHARS = 40
# trafilatura's XML elements that hold a paragraph of their own.
XML_BLOCKS = frozenset({"p", "head", "item", "quote", "list", "row", "cell", "code"})
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNews",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "BlogPosting",
        "Report",
    }
)
# Labels outlets put before a link to another of their stories, written
# without accents and in lower case (paragraphs are folded the same way).
RELATED_LABELS = (
    r"(?:le|te|les) (?:puede|podria|pueden|podrian) interesar",
    r"(?:tambien )?(?:puede|podria) interesarle",
    r"(?:tambien )?(?:le|te) (?:puede|podria) interesar",
    r"(?:tambien )?(?:puede|podria|pueden) (?:leer|ver)",
    r"(?:lea|lee|leer|vea|ve|ver|mire|mira|escuche|escucha) ?(?:tambien|ademas|aqui|mas|aca)?",
    r"(?:tambien|ademas) (?:lea|lee|vea|ve)",
    r"tambien",
    r"sig(?:a|ue) leyendo",
    r"(?:le|te) recomendamos",
    r"recomendad[oa]s?",
    r"noticias? (?:para ti|relacionadas?|recomendadas?)",
    r"mas noticias",
    r"articulos? relacionados?",
    r"en contexto",
    r"read (?:more|also)",
    r"also read",
    r"see also",
    r"related(?: stories| articles| coverage)?",
    r"you (?:may|might) also like",
)
RELATED_PARAGRAPH = re.compile(
    r"^[\s(\[«\"'“]*(?:" + "|".join(RELATED_LABELS) + r")\s*[:>»|\u2013\u2014-]",
    re.IGNORECASE,
)
# A block heading alone ("Noticias para ti") that introduces a list of links.
RELATED_HEADING = re.compile(
    r"^(?:" + "|".join(RELATED_LABELS) + r")[\s.:!]*$", re.IGNORECASE
)
# Template text that leaks into author fields: "Hora de publicación del
# artículo", "Actualizado", reading times.
AUTHOR_NOISE = re.compile(
    r"\b(?:hora|fecha|publicaci[oó]n|publicado|actualizado|art[ií]culo|minutos?"
    r"|lectura|updated|published|min read)\b|\d",
    re.IGNORECASE,
)
AUTHOR_PREFIX = re.compile(r"^(?:por|by|escrito por|redactado por)\s+", re.IGNORECASE)
FUSION_CONTENT = "Fusion.globalContent="


@dataclass(frozen=True)
class Line:
    """A paragraph or a line of one, and how much of it is link text."""

    text: str
    link_chars: int = 0

    @property
    def link_ratio(self) -> float:
        letters = sum(1 for c in self.text if c.isalnum())
        return self.link_chars / letters if letters else 0.0


@dataclass
class Article:
    title: str
    text: str
    url: str = ""
    author: str = ""
    image_url: str = ""
    published_at: datetime | None = None


def extract_article(markup: str, url: str = "") -> Article | None:
    """The article on a page, or None when the page holds no article text."""
    document = trafilatura.bare_extraction(
        markup,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_links=True,
    )
    found = document.as_dict() if document is not None else {}
    body = getattr(document, "body", None)
    extracted = _body_lines(body) if body is not None else []
    structured = _structured(parse_html(markup))

    title = plain_text(found.get("title") or structured.get("title") or "")
    lines = drop_boilerplate(choose_body(extracted, structured))
    # Some templates put the headline inside the article body.
    while lines and _fold(lines[0].text) == _fold(title):
        lines.pop(0)
    text = "\n".join(line.text for line in lines)
    if not text or not title:
        return None

    publishers = [found.get("sitename") or "", *structured["publishers"]]
    return Article(
        title=title,
        text=text,
        url=found.get("url") or url,
        author=_author(structured, found.get("author") or "", publishers),
        image_url=found.get("image") or structured.get("image") or "",
        published_at=_published(structured, found.get("date") or ""),
    )


def choose_body(extracted: list[Line], structured: dict) -> list[Line]:
    """trafilatura's lines, unless the page's own body is more complete.

    A body split in paragraphs (Arc Publishing's content elements, a
    JSON-LD articleBody with line breaks) replaces trafilatura's text when
    trafilatura lacks a substantial paragraph of it. A flat articleBody
    often carries the site's footer links too, so it is only a fallback
    for a text trafilatura did not find at all.
    """
    theirs: list[Line] = structured.get("paragraphs") or []
    flat: str = structured.get("flat_body") or ""
    ours_length = sum(len(line.text) for line in extracted)

    if theirs:
        theirs_length = sum(len(line.text) for line in theirs)
        folded_ours = _fold(" ".join(line.text for line in extracted))
        missing = [
            line
            for line in theirs
            if len(line.text) >= SUBSTANTIAL_PARAGRAPH
            and _fold(line.text) not in folded_ours
        ]
        if ours_length < SHORT_TEXT or (
            missing and theirs_length >= STRUCTURED_MIN_SHARE * ours_length
        ):
            return theirs
    if ours_length < SHORT_TEXT and len(flat) > ours_length:
        return [Line(flat)]
    return extracted


def drop_boilerplate(lines: list[Line]) -> list[Line]:
    """Without links to other stories and the closing dateline.

    A related story comes as "Lea también: <headline>", as a bare
    "(<headline>)" link, or as a list of linked headlines after the text;
    all of them are short lines made mostly of link text or led by a label.
    """
    kept = []
    for line in lines:
        folded = _fold_accents(line.text).strip()
        if len(line.text) <= RELATED_MAX_CHARS and (
            RELATED_PARAGRAPH.match(folded)
            or RELATED_HEADING.match(folded)
            or line.link_ratio >= RELATED_LINK_RATIO
        ):
            continue
        kept.append(line)
    # El Tiempo and others sign with the city or desk in capitals
    # ("MEDELLÍN"): a signature, not a sentence of the story.
    while kept and _is_signature(kept[-1].text):
        kept.pop()
    return kept


def _is_signature(text: str) -> bool:
    return len(text) <= SIGNATURE_MAX_CHARS and text.isupper() and "." not in text


def _body_lines(body: etree._Element) -> list[Line]:
    """trafilatura's XML body as lines, with the share of link text."""
    lines: list[Line] = []
    parts: list[tuple[str, bool]] = []

    def flush() -> None:
        text = normalise_text("".join(chunk for chunk, _ in parts)).replace("\n", " ")
        if text:
            link_chars = sum(
                sum(1 for c in chunk if c.isalnum())
                for chunk, in_link in parts
                if in_link
            )
            lines.append(Line(text, link_chars))
        parts.clear()

    def walk(element: etree._Element, in_link: bool) -> None:
        in_link = in_link or element.tag == "ref"
        if element.tag in XML_BLOCKS:
            flush()
        if element.text:
            parts.append((element.text, in_link))
        for child in element:
            if child.tag == "lb":
                flush()
            else:
                walk(child, in_link)
            if child.tail:
                parts.append((child.tail, in_link))
        if element.tag in XML_BLOCKS:
            flush()

    walk(body, in_link=False)
    flush()
    return lines


def _html_line(fragment: str) -> Line:
    tree = parse_html(f"<div>{fragment}</div>")
    if tree is None:
        return Line("")
    link_text = "".join(anchor.text_content() for anchor in tree.iter("a"))
    return Line(
        html_to_text(fragment).replace("\n", " "),
        sum(1 for c in link_text if c.isalnum()),
    )


def clean_author(value: str, publishers: list[str] | None = None) -> str:
    """A byline without template text, the outlet's name or "Por"."""
    outlets = {_outlet_key(name) for name in publishers or [] if name}
    names = []
    for part in re.split(r"[;|\n]|,\s+|\s+y\s+|\s+and\s+", value or ""):
        part = AUTHOR_PREFIX.sub("", plain_text(part)).strip(" -·")
        if not part or "://" in part or "@" in part:
            continue
        # One invented word of template text spoils the whole field: an
        # empty author is better than a wrong one.
        if AUTHOR_NOISE.search(part):
            return ""
        if _outlet_key(part) in outlets:
            continue
        # A byline in lower case ("medellín") is a section or a city.
        if part == part.lower():
            continue
        if part not in names:
            names.append(part)
    return ", ".join(names)


# Structured data of the page


def _structured(tree: lxml.html.HtmlElement | None) -> dict:
    """What the page says of itself: JSON-LD, Arc's content, meta tags."""
    data: dict = {"authors": [], "dates": [], "publishers": []}
    if tree is None:
        return data
    _read_meta(tree, data)
    for item in _json_ld_articles(tree):
        _read_json_ld(item, data)
    _read_arc(tree, data)
    return data


def _read_meta(tree: lxml.html.HtmlElement, data: dict) -> None:
    meta = {}
    for element in tree.iter("meta"):
        name = (element.get("property") or element.get("name") or "").lower()
        content = (element.get("content") or "").strip()
        if name and content and name not in meta:
            meta[name] = content
    if meta.get("article:author"):
        data["authors"].append(meta["article:author"])
    for key in ("article:published_time", "og:article:published_time", "date"):
        if meta.get(key):
            data["dates"].append(meta[key])
    if meta.get("og:site_name"):
        data["publishers"].append(meta["og:site_name"])
    data.setdefault("image", meta.get("og:image", ""))
    data.setdefault("title", meta.get("og:title", ""))


def _json_ld_articles(tree: lxml.html.HtmlElement) -> list[dict]:
    articles = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        pending = data if isinstance(data, list) else [data]
        while pending:
            item = pending.pop(0)
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("@graph"), list):
                pending.extend(item["@graph"])
            kinds = item.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if ARTICLE_TYPES.intersection(k for k in kinds if isinstance(k, str)):
                articles.append(item)
    return articles


def _read_json_ld(item: dict, data: dict) -> None:
    authors = item.get("author")
    for author in authors if isinstance(authors, list) else [authors]:
        if isinstance(author, dict) and author.get("@type", "Person") == "Person":
            data["authors"].append(str(author.get("name") or ""))
        elif isinstance(author, str):
            data["authors"].append(author)
    publisher = item.get("publisher")
    if isinstance(publisher, dict) and publisher.get("name"):
        data["publishers"].append(str(publisher["name"]))
    if item.get("datePublished"):
        data["dates"].insert(0, str(item["datePublished"]))

    body = item.get("articleBody")
    if isinstance(body, str) and body.strip():
        text = html_to_text(body) if "<" in body else body
        lines = [line for line in normalise_text(text).split("\n") if line]
        if len(lines) > 1 and "paragraphs" not in data:
            data["paragraphs"] = [Line(line) for line in lines]
        elif lines:
            data["flat_body"] = " ".join(lines)


def _read_arc(tree: lxml.html.HtmlElement, data: dict) -> None:
    """Arc Publishing pages carry the story as the CMS stores it."""
    for script in tree.iter("script"):
        source = script.text or ""
        start = source.find(FUSION_CONTENT)
        if start < 0:
            continue
        try:
            content, _end = json.JSONDecoder().raw_decode(
                source, start + len(FUSION_CONTENT)
            )
        except ValueError:
            return
        if isinstance(content, dict):
            _read_arc_story(content, data)
        return


def _read_arc_story(story: dict, data: dict) -> None:
    paragraphs = []
    for element in story.get("content_elements") or []:
        if not isinstance(element, dict):
            continue
        # Only prose: "interstitial_link" is Arc's own related-story link.
        if element.get("type") in ("text", "header"):
            paragraphs.append(_html_line(str(element.get("content") or "")))
        elif element.get("type") == "list":
            for item in element.get("items") or []:
                if isinstance(item, dict):
                    paragraphs.append(_html_line(str(item.get("content") or "")))
    paragraphs = [line for line in paragraphs if line.text]
    if paragraphs:
        data["paragraphs"] = paragraphs

    by = (story.get("credits") or {}).get("by") or []
    data["authors"].extend(str(a.get("name") or "") for a in by if isinstance(a, dict))
    for key in ("first_publish_date", "display_date"):
        if story.get(key):
            data["dates"].append(str(story[key]))


def _author(structured: dict, extracted: str, publishers: list[str]) -> str:
    for candidate in [*structured["authors"], extracted]:
        author = clean_author(candidate, publishers)
        if author:
            return author
    return ""


def _published(structured: dict, extracted: str) -> datetime | None:
    """The first date with a time of day, else the first date at all."""
    dates = [value for value in structured["dates"] if value]
    if extracted:
        dates.append(extracted)
    day_only = None
    for raw in dates:
        value = _parse_datetime(raw)
        if value is None:
            continue
        if len(raw.strip()) > len("2022-05-05"):
            return value
        day_only = day_only or value
    return day_only


def _parse_datetime(raw: str) -> datetime | None:
    raw = raw.strip()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return parse_date(raw)
    # An ISO time without offset is the outlet's local time: Bogotá's, as
    # far as this desk reads.
    if value.tzinfo is None:
        value = value.replace(tzinfo=BOGOTA)
    return value.astimezone(UTC)


def _outlet_key(name: str) -> str:
    """ "ELESPECTADOR.COM", "El Espectador" and "www.elespectador.com" alike."""
    key = _fold_accents(name).strip()
    key = re.sub(r"^(?:https?://)?(?:www\.)?", "", key)
    key = re.sub(r"\.(?:com|co|net|org|gov)(?:\.[a-z]{2})?/?$", "", key)
    return re.sub(r"\W+", "", key)


def _fold(text: str) -> str:
    return " ".join(re.findall(r"\w+", _fold_accents(text)))


def _fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
