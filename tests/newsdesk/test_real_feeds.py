"""The two real ISO-8859-1 captures in ../shared/real-feeds, polled as sources.

They are served by a real HTTP server on 127.0.0.1, the way an old
Spanish-language CMS serves them (one declares its charset, the other has no
XML declaration at all), and go through the real fetch and ingest path.
"""

from __future__ import annotations

import html
import re

import pytest

from newsdesk.actions.intake import poll_source
from newsdesk.models import Source
from tests.conftest import shared_path
from tests.newsdesk.feed_server import Canned

pytestmark = pytest.mark.django_db

TITLE = re.compile(r"<item>.*?<title>(.*?)</title>", re.DOTALL)


def expected_titles(raw: bytes) -> list[str]:
    # The captures are ISO-8859-1; read that way, their titles are the truth.
    titles = TITLE.findall(raw.decode("latin-1"))
    return [" ".join(html.unescape(title).split()) for title in titles]


@pytest.mark.parametrize(
    ("name", "content_type", "count", "accented"),
    [
        (
            "encoding_ISO-8859-1.xml",
            "application/rss+xml",
            40,
            "Machine Learning: Von KI erstelltes Porträt für 432.500 US.Dollar versteigert",
        ),
        (
            "no_encoding_ISO-8859-1.xml",
            "text/xml",
            10,
            "La criminalité liée surtout à... l'ennui ?",
        ),
    ],
)
def test_real_capture_arrives_once_with_accents(
    feed_server, name, content_type, count, accented
):
    # given a source serving the real capture, with no charset in the header
    raw = shared_path("real-feeds", name).read_bytes()
    url = feed_server.route(
        f"/{name}", Canned(200, raw, {"Content-Type": content_type})
    )
    source = Source.objects.create(name=name, kind=Source.Kind.FEED, url=url)

    # when it is polled twice
    first = poll_source(source.pk)
    second = poll_source(source.pk)

    # then every item arrived once, with its accents, and nothing came twice
    assert first.outcome == Source.Outcome.OK
    assert first.items_created == count
    assert second.outcome == Source.Outcome.OK
    assert second.items_created == 0
    assert second.items_updated == 0
    assert source.items.count() == count

    stored = set(source.items.values_list("title", flat=True))
    assert accented in stored
    for title in expected_titles(raw):
        if title:
            assert title in stored
    for item in source.items.all():
        assert "\ufffd" not in item.title + item.summary
        assert "Ã" not in item.title + item.summary


def test_capture_without_declaration_keeps_description_accents(feed_server):
    raw = shared_path("real-feeds", "no_encoding_ISO-8859-1.xml").read_bytes()
    url = feed_server.route("/psy.xml", Canned(200, raw, {"Content-Type": "text/xml"}))
    source = Source.objects.create(name="Psy", kind=Source.Kind.FEED, url=url)

    poll_source(source.pk)

    item = source.items.get(
        title="Perturbateurs endocriniens : quels effets sur le cerveau ?"
    )
    assert "nombre d'études montrent" in item.summary
    assert "pourraient être à l'origine" in item.summary
    # The item with an empty title is named after its description.
    assert not source.items.filter(title="").exists()
