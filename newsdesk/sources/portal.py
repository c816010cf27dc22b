"""The UPME portal, a WordPress site: its news and its publications.

News come from the REST API's posts and publications (studies, reports,
plans: PDF files) from its media library. When the API does not answer
(404, an HTML page instead of JSON, a JSON error, a disabled REST API) the
reader falls back to the portal's pages and CSS selectors. Every new
publication becomes a candidate with its document link.

The source's validators are for the poll's first request: the posts
listing, or the news page when ``api`` is false. A 304 there spares parsing
the news. The publications listing (media or page) keeps its own, in
`Source.request_validators`, kept only once what it listed was read; the
poll counts as "not modified" when both answer 304. A news page read
because the API failed is read in full: the validators kept are the API's.
A permanent redirect of the first request moves the base address when it is
the same route under another base.

`Source.url` is the portal's base address (https://www.upme.gov.co/).

Keys of `Source.config`:

- ``api`` (default true): false skips the REST API and reads the pages.
- ``per_page`` (default 20, at most 50): posts, and documents, per poll;
  the HTML pages' listings are cut to it too.
- ``publications`` (default true): also read publications.
- ``news_path`` (default: the base address) and ``news_selector``: the
  page that lists news and a CSS selector for each news link (default:
  the usual WordPress theme headings).
- ``publications_path`` and ``publications_selector`` (default: links to
  PDF files): the page that lists documents; without ``publications_path``
  publications are read only through the API.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote, urlencode, urljoin, urlsplit
from zoneinfo import ZoneInfo

import lxml.html
from cssselect import SelectorError
from django.utils.translation import gettext as _
from lxml.cssselect import CSSSelector

from newsdesk import http
from newsdesk.dates import parse_date
from newsdesk.identity import canonical_url
from newsdesk.sanitize import clean_html, one_line, plain_text, web_url
from newsdesk.sources.base import EntryData, FetchError, Reader
from newsdesk.sources.conditional import (
    HttpReadResult,
    conditional_fetch,
    kept_validators,
)
from newsdesk.sources.extract import decode_page, lead_html, parse_html
from newsdesk.sources.options import ConfigCheck, Options, invalid_selector

logger = logging.getLogger(__name__)

BOGOTA = ZoneInfo("America/Bogota")
JSON_ACCEPT = "application/json"
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
POST_FIELDS = "id,date,date_gmt,guid,link,title,excerpt,_links,_embedded"
MEDIA_FIELDS = "id,date,date_gmt,guid,link,title,caption,source_url,mime_type"
DEFAULT_NEWS_SELECTOR = (
    "article .entry-title a, article h2 a, article h3 a, .post .entry-title a"
)
DEFAULT_PUBLICATIONS_SELECTOR = 'a[href$=".pdf"], a[href$=".PDF"]'


class ApiUnavailable(Exception):
    """The REST API did not give a usable answer; the pages are read instead."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PortalSettings:
    base: str
    api: bool
    per_page: int
    publications: bool
    news_url: str
    news_selector: str
    publications_url: str
    publications_selector: str


CONFIG_KEYS = (
    "api",
    "per_page",
    "publications",
    "news_path",
    "news_selector",
    "publications_path",
    "publications_selector",
)
PATH_KEYS = ("news_path", "publications_path")
SELECTOR_KEYS = ("news_selector", "publications_selector")
# Each listing's share of a poll's candidates (intake.max_entries, 100):
# news and documents together must fit, or a 304 would hide the rest.
MAX_PER_PAGE = 50


def _per_page(options: Options) -> int:
    return options.integer("per_page", 20, maximum=MAX_PER_PAGE)


def check_config(check: ConfigCheck, url: str) -> None:
    """The checks of read_settings, every one run, when the source is saved."""
    check.require_url(url, _("Falta la URL base del portal."))
    check(lambda options: options.boolean("api", True))
    check(lambda options: options.boolean("publications", True))
    check(_per_page)
    for key in PATH_KEYS:
        check(lambda options, key=key: options.text(key))
    for key in SELECTOR_KEYS:
        check(lambda options, key=key: options.css_selector(key))
    check.only_keys(CONFIG_KEYS)


def read_settings(source_url: str, config: object) -> PortalSettings:
    options = Options(config)
    if not source_url:
        raise FetchError("config", _("Falta la URL base del portal."))
    base = source_url if source_url.endswith("/") else source_url + "/"
    news_path = options.text("news_path")
    publications_path = options.text("publications_path")
    return PortalSettings(
        base=base,
        api=options.boolean("api", True),
        per_page=_per_page(options),
        publications=options.boolean("publications", True),
        news_url=urljoin(base, news_path) if news_path else base,
        news_selector=options.css_selector("news_selector") or DEFAULT_NEWS_SELECTOR,
        publications_url=urljoin(base, publications_path) if publications_path else "",
        publications_selector=(
            options.css_selector("publications_selector")
            or DEFAULT_PUBLICATIONS_SELECTOR
        ),
    )


class PortalReader(Reader):
    def read(self) -> HttpReadResult:
        conf = read_settings(self.source.url, self.source.config)
        warnings: list[str] = []

        entries, result = self._news(conf)
        if conf.publications and (conf.api or conf.publications_url):
            kept: dict[str, dict[str, str]] = {}
            try:
                documents = self._publications(conf, kept)
            except FetchError as exc:
                # The news are good on their own; the editor still learns
                # that documents could not be read.
                logger.info(
                    "Portal source %s: publications failed (%s)",
                    self.source.pk,
                    exc.error_class,
                )
                warnings.append(
                    _("No se pudieron leer las publicaciones: %(error)s")
                    % {"error": exc.message}
                )
                documents = []
            if documents is not None:
                entries += documents
                result.not_modified = False
            result.request_validators = kept

        logger.info("Portal source %s: %d candidates", self.source.pk, len(entries))
        result.entries = entries
        result.warnings = warnings
        return result

    # News

    def _news(self, conf: PortalSettings) -> tuple[list[EntryData], HttpReadResult]:
        reason = _("la API está desactivada en la configuración")
        if conf.api:
            url = self._api_url(
                conf, "posts", _fields=POST_FIELDS, _embed="wp:featuredmedia"
            )
            try:
                with _api_errors():
                    response, result = self._fetch(url, JSON_ACCEPT, conf)
                if result.not_modified:
                    return [], result
                entries = [
                    entry
                    for post in _api_data(response)
                    if (entry := self._post_entry(post, conf.base)) is not None
                ]
                return entries, result
            except ApiUnavailable as unavailable:
                reason = unavailable.reason
                logger.info(
                    "Portal source %s: posts API unavailable, reading pages",
                    self.source.pk,
                )

        # The validators kept are those of the API when it is on: the page
        # that stands in for it this time is read in full.
        response, result = self._fetch(
            conf.news_url, HTML_ACCEPT, conf, conditional=not conf.api
        )
        if result.not_modified:
            return [], result
        entries = self._page_news(conf, *_tree(response, conf.news_url))
        if not entries:
            raise FetchError(
                "no_articles",
                _(
                    "No se pudieron leer las noticias del portal: %(reason)s, y la "
                    "página %(url)s no tiene elementos que coincidan con el selector "
                    "«%(selector)s» (clave «news_selector»)."
                )
                % {
                    "reason": reason,
                    "url": conf.news_url,
                    "selector": conf.news_selector,
                },
            )
        return entries, result

    def _post_entry(self, post: object, base: str) -> EntryData | None:
        if not isinstance(post, dict):
            return None
        title = _rendered(post.get("title"))
        # A hacked or misconfigured site can send any string as a link.
        link = web_url(str(post.get("link") or ""))
        if not title or not link:
            return None
        return EntryData(
            # WordPress sends titles HTML-escaped ("&#8211;"); plain_text
            # unescapes exactly once.
            title=plain_text(title),
            link=link,
            guid=_rendered(post.get("guid")) or f"{base}?p={post.get('id')}",
            summary=clean_html(_rendered(post.get("excerpt")), base_url=link),
            image_url=_featured_image(post),
            published_at=_wp_date(post),
            extra={"kind": "news", "wp_id": post.get("id")},
        )

    def _page_news(
        self, conf: PortalSettings, tree: lxml.html.HtmlElement | None, page_url: str
    ) -> list[EntryData]:
        entries = []
        for anchor in _select_links(tree, conf.news_selector, "news_selector"):
            link = _absolute(anchor.get("href"), page_url)
            title = one_line(anchor.text_content())
            if not link or not title:
                continue
            container = _container(anchor)
            entries.append(
                EntryData(
                    title=title,
                    link=link,
                    summary=lead_html(_container_text(container, title)),
                    published_at=_container_date(container),
                    extra={"kind": "news"},
                )
            )
        # Pages list the newest first, as the API does.
        return _unique(entries)[: conf.per_page]

    # Publications

    def _publications(
        self, conf: PortalSettings, kept: dict[str, dict[str, str]]
    ) -> list[EntryData] | None:
        """The listed documents, or None when the listing is unchanged.

        The listing's new validators go into `kept` once it has been read.
        """
        if conf.api:
            url = self._api_url(
                conf, "media", mime_type="application/pdf", _fields=MEDIA_FIELDS
            )
            try:
                with _api_errors():
                    response, result = self._fetch_other(url, JSON_ACCEPT)
                if result.not_modified:
                    kept[url] = result.validators()
                    return None
                documents = [
                    entry
                    for media in _api_data(response)
                    if (entry := self._media_entry(media)) is not None
                ]
                kept[url] = result.validators()
                return documents
            except ApiUnavailable as unavailable:
                logger.info(
                    "Portal source %s: media API unavailable, reading pages",
                    self.source.pk,
                )
                if not conf.publications_url:
                    # No page stands in: the editor must hear of it.
                    raise FetchError(
                        "config",
                        _(
                            "la API de documentos no respondió (%(reason)s) y no "
                            "hay página de publicaciones (clave «publications_path»)"
                        )
                        % {"reason": unavailable.reason},
                    ) from unavailable
        if not conf.publications_url:
            return []
        response, result = self._fetch_other(conf.publications_url, HTML_ACCEPT)
        documents = (
            None if result.not_modified else self._page_publications(conf, response)
        )
        kept[conf.publications_url] = result.validators()
        return documents

    def _media_entry(self, media: object) -> EntryData | None:
        if not isinstance(media, dict):
            return None
        document = web_url(str(media.get("source_url") or ""))
        if not document:
            return None
        title = plain_text(_rendered(media.get("title"))) or _file_title(document)
        return EntryData(
            title=title,
            link=document,
            guid=_rendered(media.get("guid")) or document,
            summary=clean_html(_rendered(media.get("caption")), base_url=document),
            document_url=document,
            published_at=_wp_date(media),
            extra={"kind": "publication", "wp_id": media.get("id")},
        )

    def _page_publications(
        self, conf: PortalSettings, response: http.HttpResponse
    ) -> list[EntryData]:
        tree, page_url = _tree(response, conf.publications_url)
        found: dict[str, EntryData] = {}
        for anchor in _select_links(
            tree, conf.publications_selector, "publications_selector"
        ):
            document = _absolute(anchor.get("href"), page_url)
            if not document:
                continue
            text = one_line(anchor.text_content())
            key = canonical_url(document)
            # A PDF icon and a titled link often point to the same file:
            # the titled one names the entry.
            if key in found and (not text or found[key].extra.get("titled")):
                continue
            found[key] = EntryData(
                title=text or _file_title(document),
                link=document,
                document_url=document,
                published_at=_container_date(_container(anchor)),
                extra={"kind": "publication", "titled": bool(text)},
            )
        return list(found.values())[: conf.per_page]

    # Requests

    def _api_url(self, conf: PortalSettings, route: str, **params: str) -> str:
        query = urlencode({"per_page": conf.per_page, **params})
        return urljoin(conf.base, f"wp-json/wp/v2/{route}") + "?" + query

    def _fetch(
        self, url: str, accept: str, conf: PortalSettings, *, conditional: bool = True
    ) -> tuple[http.HttpResponse, HttpReadResult]:
        """The poll's first request, the one the source's validators are for."""
        response, result = conditional_fetch(
            url,
            etag=self.source.etag if conditional else "",
            last_modified=self.source.last_modified if conditional else "",
            accept=accept,
        )
        if not conditional:
            result.forget_validators()
        result.permanent_redirect = _moved_base(
            conf.base, url, result.permanent_redirect
        )
        return response, result

    def _fetch_other(
        self, url: str, accept: str
    ) -> tuple[http.HttpResponse, HttpReadResult]:
        """A later request of the poll, conditional on its own validators."""
        etag, last_modified = kept_validators(self.source.request_validators, url)
        return conditional_fetch(
            url, etag=etag, last_modified=last_modified, accept=accept
        )


@contextmanager
def _api_errors() -> Iterator[None]:
    try:
        yield
    except FetchError as exc:
        # An HTTP status means the site is up but this route is not open to
        # us; a network failure means the site is down, and its pages would
        # fail the same way.
        if exc.http_status is None:
            raise
        raise ApiUnavailable(
            _("la API de WordPress respondió HTTP %(status)s")
            % {"status": exc.http_status}
        ) from exc


def _api_data(response: http.HttpResponse) -> list:
    content_type = response.headers.get("Content-Type", "")
    if "json" not in content_type.lower():
        raise ApiUnavailable(
            _("la API de WordPress respondió una página HTML, no JSON")
        )
    try:
        data = json.loads(response.content)
    except ValueError as exc:
        raise ApiUnavailable(_("la API de WordPress respondió un JSON dañado")) from exc
    if isinstance(data, dict) and "code" in data:
        raise ApiUnavailable(
            _("la API de WordPress respondió el error «%(code)s»")
            % {"code": plain_text(str(data.get("code")))[:80]}
        )
    if not isinstance(data, list):
        raise ApiUnavailable(
            _("la API de WordPress respondió algo distinto de una lista")
        )
    return data


def _tree(
    response: http.HttpResponse, url: str
) -> tuple[lxml.html.HtmlElement | None, str]:
    markup = decode_page(response.content, response.headers)
    return parse_html(markup), response.url or url


def _moved_base(base: str, requested: str, target: str) -> str:
    """The portal's new base when `requested` moved permanently to `target`.

    Only a move of the whole site counts (the same route under another
    base); a route sent elsewhere says nothing of where the portal is.
    """
    tail = requested.removeprefix(base)
    if not target or tail == requested or not target.endswith(tail):
        return ""
    moved = target[: len(target) - len(tail)]
    return "" if moved == base else moved


def _rendered(field: object) -> str:
    if isinstance(field, dict):
        field = field.get("rendered")
    return field.strip() if isinstance(field, str) else ""


def _wp_date(item: dict) -> datetime | None:
    # date_gmt is UTC without an offset; date is the site's local time.
    for key, zone in (("date_gmt", UTC), ("date", BOGOTA)):
        raw = item.get(key)
        if not isinstance(raw, str) or not raw:
            continue
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            continue
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    return None


def _featured_image(post: dict) -> str:
    embedded = post.get("_embedded")
    if not isinstance(embedded, dict):
        return ""
    media = embedded.get("wp:featuredmedia")
    if isinstance(media, list) and media and isinstance(media[0], dict):
        url = media[0].get("source_url")
        return web_url(url) if isinstance(url, str) else ""
    return ""


def _file_title(url: str) -> str:
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = name.rsplit(".", 1)[0].replace("-", " ").replace("_", " ")
    return plain_text(name) or _("Documento sin título")


def _select_links(
    tree: lxml.html.HtmlElement | None, selector: str, key: str
) -> list[lxml.html.HtmlElement]:
    try:
        select = CSSSelector(selector)
    except (SelectorError, ValueError) as exc:
        raise invalid_selector(selector, key) from exc
    if tree is None:
        return []
    anchors = []
    for element in select(tree):
        anchor = element if element.tag == "a" else next(element.iter("a"), None)
        if anchor is not None:
            anchors.append(anchor)
    return anchors


def _absolute(href: str | None, base: str) -> str:
    href = (href or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return ""
    return web_url(urljoin(base, href))


def _container(anchor: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The listing's item around a link: its article, list item or card."""
    for parent in anchor.iterancestors():
        if parent.tag in ("article", "li", "tr"):
            return parent
    return anchor.getparent() if anchor.getparent() is not None else anchor


def _container_text(container: lxml.html.HtmlElement, title: str) -> str:
    for paragraph in container.iter("p"):
        text = one_line(paragraph.text_content())
        if text and text != title:
            return text
    return ""


def _container_date(container: lxml.html.HtmlElement) -> datetime | None:
    for element in container.iter("time"):
        raw = (element.get("datetime") or element.text_content() or "").strip()
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            # "3 de diciembre de 2026" and other written dates.
            parsed = parse_date(raw)
            if parsed is not None:
                return parsed
            continue
        if value.tzinfo is None:
            value = value.replace(tzinfo=BOGOTA)
        return value.astimezone(UTC)
    return None


def _unique(entries: list[EntryData]) -> list[EntryData]:
    seen: set[str] = set()
    unique = []
    for entry in entries:
        key = canonical_url(entry.link)
        if key not in seen:
            seen.add(key)
            unique.append(entry)
    return unique
