"""The HTTP client every source fetches through, against a real local server."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib

import brotli
import pytest
import requests
import responses

from newsdesk import http
from newsdesk.actions import intake
from newsdesk.models import Source
from newsdesk.sources.base import FetchError
from tests.newsdesk.feed_server import Canned

BODY = "<rss><channel><title>Energía y minería</title></channel></rss>".encode()


def test_names_the_product_and_accepts_compression(feed_server, settings):
    url = feed_server.route("/feed.xml", Canned(200, BODY))

    response = http.fetch(url)

    sent = feed_server.requests_to("/feed.xml")[0].headers
    assert sent["User-Agent"] == settings.HTTP_USER_AGENT
    assert "upme_social" in sent["User-Agent"]
    assert set(sent["Accept-Encoding"].replace(" ", "").split(",")) >= {
        "gzip",
        "deflate",
        "br",
    }
    assert response.status == 200
    assert response.content == BODY
    assert response.url == url
    assert response.permanent_redirect == ""


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("br", brotli.compress)],
)
def test_decodes_compressed_bodies(feed_server, encoding, compress):
    url = feed_server.route(
        "/feed.xml", Canned(200, compress(BODY), {"Content-Encoding": encoding})
    )

    assert http.fetch(url).content == BODY


def test_gunzips_a_body_sent_without_content_encoding(feed_server):
    # given a server handing out feed.xml.gz as is
    url = feed_server.route(
        "/feed.xml.gz",
        Canned(200, gzip.compress(BODY), {"Content-Type": "application/octet-stream"}),
    )

    assert http.fetch(url).content == BODY


def test_compressed_bomb_is_cut_at_the_limit(feed_server):
    bomb = gzip.compress(b" " * 5_000_000)
    url = feed_server.route(
        "/bomb.xml", Canned(200, bomb, {"Content-Encoding": "gzip"})
    )

    with pytest.raises(FetchError) as error:
        http.fetch(url, max_bytes=1_000_000)

    assert error.value.error_class == "too_large"


def test_conditional_get_sends_validators_and_reads_304(feed_server):
    url = feed_server.route("/feed.xml", Canned(304, b"", {"ETag": '"v1"'}))

    response = http.fetch(
        url, etag='"v1"', last_modified="Wed, 06 Mar 2024 10:00:00 GMT"
    )

    sent = feed_server.requests_to("/feed.xml")[0].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Wed, 06 Mar 2024 10:00:00 GMT"
    assert response.not_modified
    assert response.content == b""


def test_only_permanent_hops_report_a_permanent_redirect(feed_server):
    final = feed_server.route("/nuevo.xml", Canned(200, BODY))
    feed_server.route("/a", Canned(301, b"", {"Location": "/b"}))
    feed_server.route("/b", Canned(308, b"", {"Location": "/nuevo.xml"}))
    feed_server.route("/c", Canned(302, b"", {"Location": "/nuevo.xml"}))

    assert http.fetch(feed_server.url("/a")).permanent_redirect == final
    moved_for_now = http.fetch(feed_server.url("/c"))
    assert moved_for_now.url == final
    assert moved_for_now.permanent_redirect == ""


def test_more_than_five_redirects_fail(feed_server):
    for hop in range(7):
        feed_server.route(f"/r{hop}", Canned(302, b"", {"Location": f"/r{hop + 1}"}))

    with pytest.raises(FetchError) as error:
        http.fetch(feed_server.url("/r0"))

    assert error.value.error_class == "too_many_redirects"


@pytest.mark.parametrize(
    ("status", "error_class", "words"),
    [
        (404, "http_404", "no existe"),
        (410, "http_410", "retirada"),
        (503, "http_503", "falla temporal"),
        (403, "http_403", "rechazó"),
    ],
)
def test_http_errors_have_a_class_and_a_spanish_message(
    feed_server, status, error_class, words
):
    url = feed_server.route("/feed.xml", Canned(status, b"error"))

    with pytest.raises(FetchError) as error:
        http.fetch(url)

    assert error.value.error_class == error_class
    assert error.value.http_status == status
    assert words in error.value.message


def test_a_slow_server_times_out(feed_server, settings):
    settings.HTTP_READ_TIMEOUT = 0.2
    url = feed_server.route("/lento.xml", Canned(200, BODY, delay=1.0))

    with pytest.raises(FetchError) as error:
        http.fetch(url)

    assert error.value.error_class == "timeout"
    assert "tardó" in error.value.message


def test_a_trickling_server_is_cut_at_the_deadline(feed_server, settings):
    # given a server sending a byte every 0.1 s, each read well within the
    # read timeout, for twenty seconds in all
    settings.HTTP_READ_TIMEOUT = 5.0
    settings.HTTP_TOTAL_TIMEOUT = 1.0
    url = feed_server.route("/goteo.xml", Canned(200, b"<" * 200, trickle=0.1))
    clock = time.monotonic()

    # when
    with pytest.raises(FetchError) as error:
        http.fetch(url)

    # then the fetch ends at the deadline with a timeout editors can read
    assert time.monotonic() - clock < 1.5
    assert error.value.error_class == "timeout"
    assert "1 segundos" in error.value.message


@pytest.mark.django_db
def test_a_poll_of_a_trickling_feed_is_a_timeout_attempt(feed_server, settings):
    settings.HTTP_READ_TIMEOUT = 5.0
    settings.HTTP_TOTAL_TIMEOUT = 1.0
    url = feed_server.route("/goteo.xml", Canned(200, BODY * 10, trickle=0.1))
    source = Source.objects.create(name="Goteo", kind=Source.Kind.FEED, url=url)
    clock = time.monotonic()

    attempt = intake.poll_source(source.pk)

    source.refresh_from_db()
    assert time.monotonic() - clock < 1.5
    assert attempt.error_class == "timeout"
    assert source.error_count == 1


def test_a_closed_port_is_a_connection_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(FetchError) as error:
        http.fetch(f"http://127.0.0.1:{port}/feed.xml")

    assert error.value.error_class == "connection"


@responses.activate
def test_a_bad_certificate_is_a_tls_error():
    responses.get(
        "https://portal.example/feed.xml",
        body=requests.exceptions.SSLError("certificate verify failed"),
    )

    with pytest.raises(FetchError) as error:
        http.fetch("https://portal.example/feed.xml")

    assert error.value.error_class == "tls"


def test_invalid_url_is_reported_not_raised_raw():
    with pytest.raises(FetchError) as error:
        http.fetch("notaurl")

    assert error.value.error_class == "invalid_url"


def test_credentials_are_stripped_for_logs():
    assert (
        http.safe_url("https://usuario:clave@boletines.example:8443/rss?x=1")
        == "https://boletines.example:8443/rss?x=1"
    )
    assert (
        http.safe_url("https://boletines.example/rss")
        == "https://boletines.example/rss"
    )


@pytest.fixture
def proxy_environment(monkeypatch):
    """A clean proxy environment and a new session, which reads it."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setattr(http, "_local", threading.local())
    return monkeypatch


def test_a_proxy_in_the_environment_carries_the_requests(
    feed_server, proxy_environment
):
    # given a worker started behind a proxy (the local server plays it)
    proxy_environment.setenv("HTTP_PROXY", feed_server.base)
    feed_server.route("http://noticias.example/feed.xml", Canned(200, BODY))

    # when a feed outside is fetched
    response = http.fetch("http://noticias.example/feed.xml")

    # then the proxy was asked for it
    assert response.content == BODY
    assert len(feed_server.requests_to("http://noticias.example/feed.xml")) == 1


def test_hosts_in_no_proxy_are_fetched_directly(feed_server, proxy_environment):
    # given a proxy that is down, and the feed's host exempt from it
    proxy_environment.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    proxy_environment.setenv("NO_PROXY", "127.0.0.1")
    url = feed_server.route("/feed.xml", Canned(200, BODY))

    # when
    response = http.fetch(url)

    # then the feed came straight from its server
    assert response.content == BODY
