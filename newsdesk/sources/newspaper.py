"""Newspaper sections: a section page, its new articles, each one extracted.

`Source.url` is the section page (https://www.medio.co/economia/, say).
Its article links are found automatically (same-site links whose path looks
like an article: a date, a numeric id or a long slug, and not a listing, a
tag, a video or a legal page) or with a CSS selector; only articles not yet
stored for the source are fetched, and each one is extracted by
`newsdesk.sources.article`. An article that fails is skipped with a
warning; the poll goes on.

Failed links are remembered (`Source.link_failures`) while they stay on
the page: the next polls try the links never tried first, and a link that
failed ``MAX_LINK_FAILURES`` times is given up, so a few broken links can
neither hold the places of new articles nor be fetched forever.

The section page is fetched with the validators of its last full read, so
an unchanged page costs a 304 and neither link discovery nor extraction.
While articles of the page wait for a later poll (over ``max_articles``,
out of time, or failed but not given up) no validators are kept: the page
is read again.

Keys of `Source.config`:

- ``link_selector``: a CSS selector for the article links (or for elements
  that contain them), for pages where the automatic search picks wrong.
- ``max_articles`` (default 20): new articles fetched per poll; the rest
  are fetched on the next polls.
"""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from celery.exceptions import SoftTimeLimitExceeded
from cssselect import SelectorError
from django.db.models import Q
from django.utils.translation import gettext as _
from lxml.cssselect import CSSSelector

from newsdesk import http
from newsdesk.identity import canonical_url
from newsdesk.models import NewsItem, Source
from newsdesk.sanitize import web_url
from newsdesk.sources.article import extract_article
from newsdesk.sources.base import EntryData, FetchError, Reader, ReadResult
from newsdesk.sources.conditional import HttpReadResult, conditional_fetch
from newsdesk.sources.extract import (
    decode_page,
    lead_html,
    on_social_network,
    parse_html,
)
from newsdesk.sources.options import ConfigCheck, Options, invalid_selector

logger = logging.getLogger(__name__)

HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
# A poll stops fetching articles after this long; the rest wait for the
# next poll. With the section page and the last article (HTTP_TOTAL_TIMEOUT,
# 30 s, each) it stays under the task's soft time limit of 120 s.
POLL_BUDGET_SECONDS = 50.0
# An article link that failed this many polls is not fetched again while
# it stays on the section page.
MAX_LINK_FAILURES = 3

# /2026/12/03/, /2026/12/, 2026-12-03 or 20261203 somewhere in the path.
DATE_IN_PATH = re.compile(
    r"/(?:19|20)\d{2}/(?:0?[1-9]|1[0-2])(?:/|$)"
    r"|(?<!\d)(?:19|20)\d{2}-?(?:0[1-9]|1[0-2])-?(?:[0-2]\d|3[01])(?!\d)"
)
# A path that ends in its date is that day's, month's or year's archive.
DATE_ARCHIVE = re.compile(
    r"/(?:19|20)\d{2}(?:/(?:0?[1-9]|1[0-2]))?(?:/(?:0?[1-9]|[12]\d|3[01]))?/?$"
)
# An id of five or more digits ending the last segment: "-669493", "/12345".
NUMERIC_ID = re.compile(r"(?:^|[-_])\d{5,}(?:\.\w{2,5})?$")
WORD_SPLIT = re.compile(r"[-_]+")
# Path segments that make a listing of the segment after them (its name or
# number): /tag/mineria, /autor/x, /seccion/economia, /pagina/2. Deeper
# down the path is an article filed there, as in
# /seccion/economia/2026/12/03/subasta-... or /category/energia/slug/.
LISTING_SEGMENTS = frozenset(
    {
        "tag",
        "tags",
        "etiqueta",
        "etiquetas",
        "tema",
        "temas",
        "topic",
        "topics",
        "autor",
        "autores",
        "author",
        "authors",
        "perfil",
        "category",
        "categoria",
        "categorias",
        "seccion",
        "secciones",
        "page",
        "pagina",
        "buscar",
        "busqueda",
        "search",
        "login",
        "registro",
        "suscripcion",
        "suscripciones",
        "newsletter",
        "newsletters",
        "boletines",
        "contacto",
        "terminos",
        "privacidad",
        "feed",
        "rss",
    }
)
# Path segments of pages whose text is a caption, wherever they stand.
MEDIA_SEGMENTS = frozenset(
    {
        "video",
        "videos",
        "galeria",
        "galerias",
        "gallery",
        "fotos",
        "fotogalerias",
        "multimedia",
        "podcast",
        "podcasts",
    }
)
NOT_ARTICLE_FILE = re.compile(
    r"\.(?:pdf|jpe?g|png|gif|webp|svg|mp4|mp3|zip|xml|rss|json|css|js)$", re.IGNORECASE
)
SLUG_MIN_WORDS = 4
SLUG_MIN_CHARS = 25
# Outlets under whose /noticias/ a lone slug is a tag's listing unless it
# is as long as a headline (/noticias/mineria-ilegal-en-colombia); on
# other sites (the UPME portal, Canal 1) /noticias/ holds the stories.
TAG_HUB_HOSTS = frozenset({"eltiempo.com", "semana.com"})
TAG_HUB = "noticias"
HEADLINE_MIN_WORDS = 6
HEADLINE_MIN_CHARS = 40
# The words of a site's own pages: legal terms, service and subscriptions.
# A slug made only of these (and STOP_WORDS) is one of those pages.
SITE_PAGE_WORDS = frozenset(
    {
        "aviso",
        "avisos",
        "ayuda",
        "cliente",
        "clientes",
        "condiciones",
        "contactenos",
        "contacto",
        "contenido",
        "cookies",
        "data",
        "datos",
        "frecuentes",
        "habeas",
        "legal",
        "legales",
        "mas",
        "personales",
        "politica",
        "politicas",
        "preguntas",
        "privacidad",
        "proteccion",
        "quienes",
        "servicio",
        "servicios",
        "sitio",
        "somos",
        "suscripcion",
        "suscripciones",
        "terminos",
        "tratamiento",
        "uso",
        "web",
    }
)
STOP_WORDS = frozenset(
    {"a", "al", "de", "del", "e", "el", "en", "la", "las", "lo", "los", "y"}
)


CONFIG_KEYS = ("link_selector", "max_articles")


def _link_selector(options: Options) -> str:
    return options.css_selector("link_selector")


def _max_articles(options: Options) -> int:
    return options.integer("max_articles", 20, maximum=100)


def check_config(check: ConfigCheck, url: str) -> None:
    """The reader's own checks, run when the source is saved."""
    check.require_url(url, _("Falta la URL de la página de sección."))
    check(_link_selector)
    check(_max_articles)
    check.only_keys(CONFIG_KEYS)


class NewspaperReader(Reader):
    def __init__(self, source: Source) -> None:
        super().__init__(source)
        # What this poll learnt of failing links, kept by confirm().
        self.link_failures: dict[str, int] | None = None

    def read(self) -> HttpReadResult:
        options = Options(self.source.config)
        selector = _link_selector(options)
        max_articles = _max_articles(options)
        if not self.source.url:
            raise FetchError("config", _("Falta la URL de la página de sección."))

        response, result = conditional_fetch(
            self.source.url,
            etag=self.source.etag,
            last_modified=self.source.last_modified,
            accept=HTML_ACCEPT,
        )
        if result.not_modified:
            logger.info("Newspaper source %s: section page unchanged", self.source.pk)
            return result

        page_url = response.url or self.source.url
        tree = parse_html(decode_page(response.content, response.headers))
        links = (
            selected_links(tree, page_url, selector)
            if selector
            else article_links(tree, page_url)
        )
        if not links:
            raise self._no_links(selector)

        new_links = self._not_stored(links)
        failures = self._past_failures(new_links)
        to_try = [link for link in new_links if failures[link] < MAX_LINK_FAILURES]
        # Links that failed before wait behind the ones never tried.
        to_try.sort(key=failures.__getitem__)
        entries, failed, warnings = self._read_articles(to_try[:max_articles])
        warnings += self._count_failures(failures, failed)
        logger.info(
            "Newspaper source %s: %d links, %d new, %d given up, %d read",
            self.source.pk,
            len(links),
            len(new_links),
            len(new_links) - len(to_try),
            len(entries),
        )

        # Articles left for later (over max_articles, out of time or failed
        # but not given up) are on this same page: a 304 would hide them.
        done = {entry.link for entry in entries}
        if any(
            link not in done and failures[link] < MAX_LINK_FAILURES for link in to_try
        ):
            result.forget_validators()
        self.link_failures = {
            canonical_url(link): count
            for link, count in failures.items()
            if count and link not in done
        }
        result.entries = entries
        result.warnings = warnings
        return result

    def confirm(self, result: ReadResult) -> None:
        """Keeps the failing links once the poll is stored."""
        if self.link_failures is None:
            return
        if self.link_failures != self.source.link_failures:
            self.source.link_failures = self.link_failures
            self.source.save(update_fields=["link_failures"])

    def _not_stored(self, links: list[str]) -> list[str]:
        """The links no stored item of this source has, in page order."""
        canonical = {link: canonical_url(link) for link in links}
        stored_rows = NewsItem.objects.filter(source=self.source).filter(
            Q(link__in=[*links, *canonical.values()])
            | Q(identity__in=[f"link:{url}" for url in canonical.values()])
        )
        stored = set()
        for link, identity in stored_rows.values_list("link", "identity"):
            stored.add(canonical_url(link))
            if identity.startswith("link:"):
                stored.add(identity.removeprefix("link:"))
        return [link for link in links if canonical[link] not in stored]

    def _past_failures(self, links: list[str]) -> dict[str, int]:
        """How many polls each link failed, 0 for one never tried."""
        kept = self.source.link_failures
        kept = kept if isinstance(kept, dict) else {}
        failures = {}
        for link in links:
            count = kept.get(canonical_url(link), 0)
            failures[link] = count if isinstance(count, int) and count > 0 else 0
        return failures

    def _count_failures(self, failures: dict[str, int], failed: list[str]) -> list[str]:
        """Counts this poll's failures; warns of the links given up now."""
        warnings = []
        for link in failed:
            failures[link] += 1
            if failures[link] == MAX_LINK_FAILURES:
                logger.info(
                    "Newspaper source %s: article %s given up",
                    self.source.pk,
                    http.safe_url(link),
                )
                warnings.append(
                    _(
                        "Artículo abandonado (%(url)s): falló en %(count)d "
                        "consultas y no se intentará más mientras siga en la "
                        "página de sección."
                    )
                    % {"url": http.safe_url(link), "count": MAX_LINK_FAILURES}
                )
        return warnings

    def _read_articles(
        self, links: list[str]
    ) -> tuple[list[EntryData], list[str], list[str]]:
        """The entries read, the links that failed and the warnings."""
        entries: list[EntryData] = []
        failed: list[str] = []
        warnings: list[str] = []
        deadline = time.monotonic() + POLL_BUDGET_SECONDS
        for link in links:
            if time.monotonic() > deadline:
                warnings.append(
                    _(
                        "Se alcanzó el tiempo de la consulta; los demás artículos "
                        "se leerán en la próxima."
                    )
                )
                break
            try:
                entry = self._read_article(link)
            except FetchError as exc:
                logger.info(
                    "Newspaper source %s: article %s skipped: %s",
                    self.source.pk,
                    http.safe_url(link),
                    exc.error_class,
                )
                warnings.append(
                    _("Artículo omitido (%(url)s): %(error)s")
                    % {"url": http.safe_url(link), "error": exc.message}
                )
                failed.append(link)
                continue
            except SoftTimeLimitExceeded:
                # The task's time is up: the poll ends and is recorded as
                # such, not one more article skipped.
                raise
            except Exception:
                # A page that trips the extractor is that page's problem,
                # not the poll's: log the bug and read the next one.
                logger.exception(
                    "Newspaper source %s: extraction of %s failed",
                    self.source.pk,
                    http.safe_url(link),
                )
                warnings.append(
                    _("Artículo omitido (%(url)s): no se pudo extraer su contenido.")
                    % {"url": http.safe_url(link)}
                )
                failed.append(link)
                continue
            entries.append(entry)
        return entries, failed, warnings

    def _read_article(self, link: str) -> EntryData:
        response = http.fetch(link, accept=HTML_ACCEPT)
        markup = decode_page(response.content, response.headers)
        article = extract_article(markup, response.url or link)
        if article is None:
            raise FetchError(
                "parse", _("la página no tiene el texto de un artículo reconocible.")
            )
        return EntryData(
            title=article.title,
            # The link as the section page gives it, so the next poll
            # recognises the article as stored.
            link=link,
            summary=lead_html(article.text),
            author=article.author,
            image_url=_image_url(article.image_url, response.url or link),
            published_at=article.published_at,
            extra={"canonical": article.url},
        )

    def _no_links(self, selector: str) -> FetchError:
        if selector:
            return FetchError(
                "no_articles",
                _(
                    "El selector «%(selector)s» no encontró enlaces en la página de sección."
                )
                % {"selector": selector},
            )
        return FetchError(
            "no_articles",
            _(
                "No se encontraron enlaces a artículos en la página de sección. "
                "Indique un selector CSS en «link_selector» de la configuración."
            ),
        )


def article_links(tree: lxml.html.HtmlElement | None, page_url: str) -> list[str]:
    """Same-site links that look like articles, in page order, once each."""
    if tree is None:
        return []
    base = _base_url(tree, page_url)
    page_host = _site_host(page_url)
    page_key = canonical_url(page_url)

    found: dict[str, str] = {}
    for anchor in tree.iter("a"):
        # Menus and footers link to sections and legal pages, not stories.
        if any(parent.tag in ("nav", "footer") for parent in anchor.iterancestors()):
            continue
        url = _absolute(anchor.get("href"), base)
        if not url or _site_host(url) != page_host:
            continue
        key = canonical_url(url)
        if key == page_key or not looks_like_article(url):
            continue
        # Of the variants of one link, the shortest is the one without
        # tracking parameters; the first keeps its place in page order.
        if key not in found or len(url) < len(found[key]):
            found[key] = url
    return list(found.values())


def selected_links(
    tree: lxml.html.HtmlElement | None, page_url: str, selector: str
) -> list[str]:
    """The links an editor's CSS selector picks, in page order, once each.

    A link picked is taken as it is; an element picked that holds links
    gives every story link in it.
    """
    try:
        select = CSSSelector(selector)
    except (SelectorError, ValueError) as exc:
        raise invalid_selector(selector, "link_selector") from exc
    if tree is None:
        return []
    base = _base_url(tree, page_url)
    page_key = canonical_url(page_url)

    found: dict[str, str] = {}
    for element in select(tree):
        if element.tag == "a":
            urls = [_absolute(element.get("href"), base)]
        else:
            # A container picked holds the stories' links along with their
            # tags, authors, share buttons and a "see more" back to the
            # section: only what names a story is taken.
            urls = [_absolute(anchor.get("href"), base) for anchor in element.iter("a")]
            urls = [
                url
                for url in urls
                if url and canonical_url(url) != page_key and looks_like_article(url)
            ]
        for url in urls:
            if url and canonical_url(url) not in found:
                found[canonical_url(url)] = url
    return list(found.values())


def looks_like_article(url: str) -> bool:
    if never_article(url):
        return False
    path = urlsplit(url).path
    segments = _segments(path)
    if DATE_IN_PATH.search(path) or NUMERIC_ID.search(segments[-1]):
        return True
    words = _slug_words(segments[-1])
    slug_chars = len("-".join(words))
    # /noticias/<name> is how El Tiempo and Semana list a tag's stories; a
    # story filed right there has a headline for a slug, not a topic.
    if len(segments) == 2 and segments[0] == TAG_HUB and _site(url) in TAG_HUB_HOSTS:
        return len(words) >= HEADLINE_MIN_WORDS and slug_chars >= HEADLINE_MIN_CHARS
    return len(words) >= SLUG_MIN_WORDS and slug_chars >= SLUG_MIN_CHARS


def never_article(url: str) -> bool:
    """A listing, a media page, a file, a legal page or a social network's
    (a profile, a share button): never a story."""
    if on_social_network(url):
        return True
    path = urlsplit(url).path
    segments = _segments(path)
    if not segments or NOT_ARTICLE_FILE.search(path) or DATE_ARCHIVE.search(path):
        return True
    # A listing word is followed by the listing's name at most; further up
    # the path it is the section an article is filed under.
    if LISTING_SEGMENTS.intersection(segments[-2:]):
        return True
    if MEDIA_SEGMENTS.intersection(segments):
        return True
    # "politica-de-tratamiento-de-datos-personales": every word is one of
    # the site's own pages; a story's headline always has another word.
    words = _slug_words(segments[-1])
    return all(word in SITE_PAGE_WORDS or word in STOP_WORDS for word in words)


def _segments(path: str) -> list[str]:
    return [segment for segment in path.lower().split("/") if segment]


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _slug_words(segment: str) -> list[str]:
    slug = re.sub(r"\.\w{2,5}$", "", segment)
    return [word for word in WORD_SPLIT.split(slug) if word]


def _image_url(image: str, page_url: str) -> str:
    """An article's absolute image address, or "" when it has none."""
    image = (image or "").strip()
    if not image:
        return ""
    # og:image is sometimes relative to the article.
    url = web_url(urldefrag(urljoin(page_url, image)).url)
    return "" if canonical_url(url) == canonical_url(page_url) else url


def _base_url(tree: lxml.html.HtmlElement, page_url: str) -> str:
    for base in tree.iter("base"):
        if base.get("href"):
            return urljoin(page_url, base.get("href").strip())
    return page_url


def _absolute(href: str | None, base: str) -> str:
    href = (href or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return ""
    return web_url(urldefrag(urljoin(base, href)).url)


def _site_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    for prefix in ("www.", "m.", "amp."):
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host
