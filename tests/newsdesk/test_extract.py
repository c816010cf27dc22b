"""Leads of text that is plain already: nothing in it is taken for markup."""

from __future__ import annotations

import lxml.html

from newsdesk.sources.extract import lead, lead_html

RULE = (
    "Los precios deberán ser <5% superiores al de bolsa, y la entrada en "
    "operación >= 2028. Escriba a <prensa@minas.example> si tiene dudas."
)


def test_a_lead_keeps_what_looks_like_a_tag_in_plain_text():
    assert lead(RULE) == RULE


def test_the_stored_summary_escapes_it_instead():
    assert lead_html(RULE) == (
        "<p>Los precios deberán ser &lt;5% superiores al de bolsa, y la entrada en "
        "operación &gt;= 2028. Escriba a &lt;prensa@minas.example&gt; si tiene "
        "dudas.</p>"
    )


def test_text_taken_from_a_page_is_unescaped_once_only():
    # "&amp;lt;" in the page is the text "&lt;", which must stay as written.
    paragraph = lxml.html.fromstring("<p>Tarifas &amp;lt;CREG&amp;gt; &amp; más</p>")

    assert lead(paragraph.text_content()) == "Tarifas &lt;CREG&gt; & más"
