"""Feed formats and faults beyond the shared cases: Atom, RSS 1.0, JSON Feed,
relative links, charsets and unsafe HTML."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from newsdesk.sources.base import FetchError
from newsdesk.sources.feed import parse_feed

FEED_URL = "https://www.energia.example/noticias/feed.xml"


def test_atom_with_xml_base_resolves_relative_links():
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://www.energia.example/sector/">
  <title>Sector</title>
  <entry>
    <title type="html">Subasta &lt;b&gt;e\xc3\xb3lica&lt;/b&gt;</title>
    <id>tag:energia.example,2024:1</id>
    <link href="subasta-eolica"/>
    <updated>2024-03-05T09:00:00-05:00</updated>
    <content type="html">&lt;p&gt;Ver &lt;a href="anexos/pliego.pdf"&gt;pliego&lt;/a&gt;&lt;img src="/img/parque.jpg"&gt;&lt;/p&gt;</content>
  </entry>
</feed>"""

    [entry], _ = parse_feed(atom, "application/atom+xml", FEED_URL)

    assert entry.title == "Subasta eólica"
    assert entry.link == "https://www.energia.example/sector/subasta-eolica"
    assert (
        'href="https://www.energia.example/sector/anexos/pliego.pdf"' in entry.summary
    )
    assert 'src="https://www.energia.example/img/parque.jpg"' in entry.summary
    assert entry.published_at == datetime(2024, 3, 5, 14, 0, tzinfo=UTC)


def test_rss_relative_link_resolves_against_the_feed_url():
    rss = b"""<rss version="2.0"><channel><title>t</title>
<item><title>Nota</title><link>/noticias/nota-1</link></item></channel></rss>"""

    [entry], _ = parse_feed(rss, "application/rss+xml", FEED_URL)

    assert entry.link == "https://www.energia.example/noticias/nota-1"


def test_a_guid_is_a_link_only_when_it_is_a_web_address():
    # given items without <link>: GUIDs that are permalinks by default
    rss = b"""<rss version="2.0"><channel><title>t</title>
<item><title>Comunicado</title><guid>com-2024-032</guid></item>
<item><title>Circular</title><guid>/circulares/12</guid></item>
<item><title>Permalink</title><guid>https://www.energia.example/n/7</guid></item>
<item><title>Con enlace</title><link>/n/8</link><guid>n-8</guid></item>
</channel></rss>"""

    entries, _ = parse_feed(rss, "application/rss+xml", FEED_URL)

    assert [(entry.guid, entry.link) for entry in entries] == [
        ("com-2024-032", ""),
        ("/circulares/12", ""),
        ("https://www.energia.example/n/7", "https://www.energia.example/n/7"),
        ("n-8", "https://www.energia.example/n/8"),
    ]


def test_an_atom_id_is_never_made_into_a_link():
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>Uno</title><id>1</id></entry>
<entry><title>Dos</title><id>tag:energia.example,2024:2</id></entry>
<entry><title>Tres</title><id>3</id><link href="tres"/></entry>
</feed>"""

    entries, _ = parse_feed(atom, "application/atom+xml", FEED_URL)

    assert [entry.link for entry in entries] == [
        "",
        "",
        "https://www.energia.example/noticias/tres",
    ]


def test_rss_1_0_is_read():
    rdf = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://x.example/"><title>t</title><link>https://x.example/</link></channel>
<item rdf:about="https://x.example/1"><title>Carb\xc3\xb3n</title><link>https://x.example/1</link></item>
</rdf:RDF>"""

    [entry], _ = parse_feed(rdf, "application/rdf+xml", FEED_URL)

    assert entry.title == "Carbón"


def test_leading_whitespace_before_the_declaration_is_tolerated():
    rss = b'\n\n   <?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title><item><title>Gas</title><guid>1</guid></item></channel></rss>'

    entries, _ = parse_feed(rss, "application/rss+xml", FEED_URL)

    assert [entry.title for entry in entries] == ["Gas"]


def test_windows_1252_bytes_labelled_iso_8859_1():
    # \x93 \x94 are curly quotes and \x80 the euro sign in windows-1252
    rss = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>\x93Tarifa\x94 de energ\xeda sube 5 \x80</title><guid>1</guid></item>"
        b"</channel></rss>"
    )

    [entry], _ = parse_feed(rss, "text/xml; charset=ISO-8859-1", FEED_URL)

    assert entry.title == "\u201cTarifa\u201d de energía sube 5 €"


@pytest.mark.parametrize(
    ("declaration", "content_type"),
    [
        (b"", "application/rss+xml"),
        (b'<?xml version="1.0"?>', "text/xml"),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?>', "application/rss+xml"),
    ],
    ids=["no-declaration", "declaration-without-encoding", "labelled-latin-1"],
)
def test_utf8_with_more_stray_latin1_bytes_than_sequences(declaration, content_type):
    # given UTF-8 ("Energía", "eléctrica") with three pasted Latin-1 bytes;
    # against a Latin-1 label, valid sequences must outnumber stray bytes
    title = "Energía eléctrica: camión, acción, región".encode()
    title = title.replace("ó".encode(), b"\xf3")
    if b"ISO" in declaration:
        title = title.replace(b"\xf3n, acci\xf3n", "ón, acción".encode())
    rss = (
        declaration
        + b"<rss version='2.0'><channel><title>t</title><item><title>"
        + title
        + b"</title></item></channel></rss>"
    )

    [entry], warnings = parse_feed(rss, content_type, FEED_URL)

    assert entry.title == "Energía eléctrica: camión, acción, región"
    assert "charset: utf-8 with stray single-byte characters" in warnings


def test_latin1_with_neither_declaration_nor_header_charset():
    rss = b'<rss version="2.0"><channel><title>t</title><item><title>Miner\xeda y petr\xf3leo</title><guid>1</guid></item></channel></rss>'

    [entry], _ = parse_feed(rss, "application/rss+xml", FEED_URL)

    assert entry.title == "Minería y petróleo"


def test_summaries_lose_every_active_part():
    rss = b"""<rss version="2.0"><channel><title>t</title><item><title>x</title><guid>1</guid>
<description><![CDATA[<p onmouseover="x()">Texto <a href="javascript:alert(1)">a</a>
<a href="https://ok.example/">b</a><img src="x.jpg" onerror="robar()"></p>
<script>alert(1)</script><iframe src="https://t.example/"></iframe><style>p{}</style>]]></description>
</item></channel></rss>"""

    [entry], _ = parse_feed(rss, "application/rss+xml", FEED_URL)

    for banned in (
        "onmouseover",
        "javascript:",
        "onerror",
        "<script",
        "<iframe",
        "<style",
        "robar",
    ):
        assert banned not in entry.summary
    assert 'href="https://ok.example/"' in entry.summary
    assert "Texto" in entry.summary


def test_json_feed_1_1():
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Boletín",
        "home_page_url": "https://boletin.example/",
        "items": [
            {
                "id": "b-1",
                "url": "/notas/hidrogeno",
                "title": "Hoja de ruta del hidrógeno",
                "content_html": "<p>Texto <script>x()</script></p>",
                "date_published": "2024-03-04T07:30:00-05:00",
                "authors": [{"name": "Redacción"}],
                "image": "https://boletin.example/h.jpg",
            },
            {"id": 2, "content_text": "Aviso de mantenimiento del portal el sábado"},
        ],
    }

    entries, _ = parse_feed(
        json.dumps(document).encode(), "application/feed+json", FEED_URL
    )

    first, second = entries
    assert first.guid == "b-1"
    assert first.link == "https://boletin.example/notas/hidrogeno"
    assert first.published_at == datetime(2024, 3, 4, 12, 30, tzinfo=UTC)
    assert first.author == "Redacción"
    assert "<script" not in first.summary
    assert second.guid == "2"
    assert second.title == "Aviso de mantenimiento del portal el sábado"
    assert second.published_at is None


def test_json_that_is_not_a_feed():
    with pytest.raises(FetchError) as error:
        parse_feed(b'{"error": "mantenimiento"}', "application/json", FEED_URL)

    assert error.value.error_class == "not_a_feed"


def test_garbage_is_a_parse_error():
    with pytest.raises(FetchError) as error:
        parse_feed(b"\x00\x01 esto no es xml", "text/plain", FEED_URL)

    assert error.value.error_class == "parse"
