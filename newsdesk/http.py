"""The one HTTP client every source kind fetches through.

It names the product, never waits forever (each fetch has a deadline as a
whole, not only per socket read), reads bodies as a stream with a size
limit, follows at most a few redirects and turns every failure into a
`FetchError` with a stable class that editors see on the source's page.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3
from django.conf import settings
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from requests.structures import CaseInsensitiveDict

from newsdesk.sources.base import FetchError

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
PERMANENT_STATUSES = frozenset({301, 308})
DEFAULT_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.5, */*;q=0.1"
)
GZIP_MAGIC = b"\x1f\x8b"
CHUNK_SIZE = 64 * 1024

_local = threading.local()


@dataclass
class HttpResponse:
    status: int
    content: bytes
    headers: Mapping[str, str] = field(default_factory=CaseInsensitiveDict)
    url: str = ""
    # The final URL when every hop was a 301/308, else "".
    permanent_redirect: str = ""
    not_modified: bool = False


def safe_url(url: str) -> str:
    """The URL without user and password, fit for logs and messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<url inválida>"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _session() -> requests.Session:
    # One session per thread: connection pooling without sharing a session
    # across the threads of a benchmark or a threaded worker.
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.max_redirects = MAX_REDIRECTS
        session.headers.update(
            {
                "User-Agent": settings.HTTP_USER_AGENT,
                "Accept-Encoding": "gzip, deflate, br",
            }
        )
        _read_environment(session)
        _local.session = session
    return session


def _read_environment(session: requests.Session) -> None:
    """Proxies and CA bundle from the environment, read once.

    With trust_env on, requests reads them again on every request, which
    costs about as much as a poll answered 304.
    """
    session.trust_env = False
    proxies = requests.utils.getproxies()
    _local.no_proxy = proxies.pop("no", None)
    session.proxies.update(proxies)
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle


def _proxies_for(session: requests.Session, url: str) -> dict[str, None] | None:
    # A host listed in no_proxy goes direct: None unsets the session's proxy.
    if session.proxies and requests.utils.should_bypass_proxies(
        url, no_proxy=_local.no_proxy
    ):
        return dict.fromkeys(session.proxies)
    return None


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int | None = None,
    accept: str = DEFAULT_ACCEPT,
) -> HttpResponse:
    limit = settings.FETCH_MAX_BYTES if max_bytes is None else max_bytes
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    # The read timeout bounds each socket read only: a server trickling a
    # byte every few seconds would never trip it. The deadline bounds the
    # whole fetch, so a command run outside Celery ends too.
    deadline = time.monotonic() + settings.HTTP_TOTAL_TIMEOUT
    timeout = (
        settings.HTTP_CONNECT_TIMEOUT,
        min(settings.HTTP_READ_TIMEOUT, settings.HTTP_TOTAL_TIMEOUT),
    )
    session = _session()
    try:
        response = session.get(
            url,
            headers=headers,
            timeout=timeout,
            stream=True,
            proxies=_proxies_for(session, url),
        )
    except requests.RequestException as exc:
        raise _request_error(url, exc) from exc

    with response:
        permanent = _permanent_redirect(response)
        if response.status_code == 304:
            # Reading the (empty) body hands the connection back to the
            # pool; closing an unread stream would drop it.
            _read_body(url, response, limit, deadline)
            return HttpResponse(
                status=304,
                content=b"",
                headers=response.headers,
                url=response.url,
                permanent_redirect=permanent,
                not_modified=True,
            )
        if response.status_code >= 400:
            raise _status_error(url, response.status_code, response.headers)
        content = _read_body(url, response, limit, deadline)

    return HttpResponse(
        status=response.status_code,
        content=_gunzip_unlabelled(url, content, limit),
        headers=response.headers,
        url=response.url,
        permanent_redirect=permanent,
    )


def _permanent_redirect(response: requests.Response) -> str:
    if not response.history:
        return ""
    if all(hop.status_code in PERMANENT_STATUSES for hop in response.history):
        return response.url
    return ""


def _read_body(
    url: str, response: requests.Response, limit: int, deadline: float
) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(url, limit)

    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            _shorten_reads(url, response, deadline)
            # read1 returns what one socket read brings, so the deadline is
            # checked between reads; decoding gzip, deflate and br with a
            # bounded output keeps the limit against a small compressed body
            # that inflates to gigabytes.
            chunk = response.raw.read1(CHUNK_SIZE, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise _too_large(url, limit)
            chunks.append(chunk)
    except urllib3.exceptions.HTTPError as exc:
        if time.monotonic() >= deadline:
            raise _too_slow(url) from exc
        raise _request_error(url, _as_requests_error(exc)) from exc
    return b"".join(chunks)


def _shorten_reads(url: str, response: requests.Response, deadline: float) -> None:
    # The next socket read may wait only for what is left of the deadline.
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _too_slow(url)
    sock = getattr(response.raw.connection, "sock", None)
    if sock is not None:
        sock.settimeout(min(remaining, settings.HTTP_READ_TIMEOUT))


def _as_requests_error(exc: urllib3.exceptions.HTTPError) -> requests.RequestException:
    # What requests' iter_content would have raised, except that a read
    # timeout is a timeout, not a connection error.
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return requests.exceptions.ReadTimeout(exc)
    if isinstance(exc, urllib3.exceptions.DecodeError):
        return requests.exceptions.ContentDecodingError(exc)
    if isinstance(exc, urllib3.exceptions.SSLError):
        return requests.exceptions.SSLError(exc)
    return requests.ConnectionError(exc)


def _too_slow(url: str) -> FetchError:
    logger.info("Fetch of %s passed its deadline", safe_url(url))
    return FetchError(
        "timeout",
        _("El sitio tardó más de %(seconds)s segundos en enviar la respuesta completa.")
        % {"seconds": round(settings.HTTP_TOTAL_TIMEOUT)},
    )


def _gunzip_unlabelled(url: str, content: bytes, limit: int) -> bytes:
    # Some servers send a .gz file as is, without Content-Encoding.
    if not content.startswith(GZIP_MAGIC):
        return content
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        body = inflater.decompress(content, limit + 1)
    except zlib.error:
        return content
    if len(body) > limit:
        raise _too_large(url, limit)
    return body


def _too_large(url: str, limit: int) -> FetchError:
    logger.info("Body over %d bytes at %s", limit, safe_url(url))
    return FetchError(
        "too_large",
        _("La respuesta supera el límite de %(size)s.") % {"size": binary_size(limit)},
    )


def binary_size(size: int) -> str:
    # The limit is counted in 1024s, so its unit says so ("10 MiB"):
    # "10,0 MB" would name a smaller limit than the real one.
    amount, unit = (size / 1024**2, "MiB") if size >= 1024**2 else (size / 1024, "KiB")
    places = 0 if amount.is_integer() else 1
    return f"{number_format(amount, decimal_pos=places)} {unit}"


def retry_after(headers: Mapping[str, str]) -> timedelta | None:
    """The wait a Retry-After header asks for: seconds or an HTTP date."""
    value = (headers.get("Retry-After") or "").strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - timezone.now(), timedelta(0))


def _status_error(url: str, status: int, headers: Mapping[str, str]) -> FetchError:
    logger.info("HTTP %d from %s", status, safe_url(url))
    if status == 404:
        # Named, since it may be an article's or a listing's address, not
        # the source's own.
        message = _("La dirección no existe (HTTP 404): %(url)s") % {
            "url": safe_url(url)
        }
    elif status == 410:
        message = _("La fuente fue retirada por el sitio (HTTP 410).")
    elif status in (401, 403):
        message = _(
            "El sitio rechazó la consulta (HTTP %(status)s): puede requerir "
            "acceso o bloquear consultas automáticas."
        ) % {"status": status}
    elif status == 429:
        message = _("El sitio pide consultar con menos frecuencia (HTTP 429).")
    elif status >= 500:
        message = _("El sitio tiene una falla temporal (HTTP %(status)s).") % {
            "status": status
        }
    else:
        message = _("El sitio respondió con un error (HTTP %(status)s).") % {
            "status": status
        }
    wait = retry_after(headers) if status in (429, 503) else None
    return FetchError(f"http_{status}", message, http_status=status, retry_after=wait)


def _request_error(url: str, exc: requests.RequestException) -> FetchError:
    logger.info("Fetch of %s failed: %s", safe_url(url), type(exc).__name__)
    if isinstance(exc, requests.Timeout):
        return FetchError("timeout", _("El sitio tardó demasiado en responder."))
    if isinstance(exc, requests.exceptions.SSLError):
        return FetchError(
            "tls", _("El certificado de seguridad (TLS) del sitio no es válido.")
        )
    if isinstance(exc, requests.TooManyRedirects):
        return FetchError(
            "too_many_redirects",
            _("El sitio redirige demasiadas veces (más de %(max)s).")
            % {"max": MAX_REDIRECTS},
        )
    if isinstance(
        exc,
        requests.exceptions.MissingSchema
        | requests.exceptions.InvalidSchema
        | requests.exceptions.InvalidURL,
    ):
        return FetchError("invalid_url", _("La URL de la fuente no es válida."))
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return FetchError(
            "decoding", _("El sitio envió una respuesta comprimida dañada.")
        )
    if isinstance(exc, requests.ConnectionError):
        return FetchError("connection", _("No fue posible conectarse con el sitio."))
    return FetchError("connection", _("La consulta al sitio falló."))
