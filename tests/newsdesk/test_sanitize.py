"""Source HTML made safe: links resolved against each entry's own base."""

from __future__ import annotations

import pytest
from django.utils import timezone

from newsdesk.models import NewsItem, Source, search_text
from newsdesk.sanitize import clean_html, plain_text

FRAGMENT = '<p>Ver <a href="anexos/pliego.pdf">pliego</a></p><script>x()</script>'


def test_each_base_resolves_its_own_links():
    # Cleaners are kept per base: one feed's base must never leak into
    # another's links.
    first = clean_html(FRAGMENT, "https://www.upme.gov.co/noticias/")
    second = clean_html(FRAGMENT, "https://www.minenergia.gov.co/sala/")
    again = clean_html(FRAGMENT, "https://www.upme.gov.co/noticias/")

    assert 'href="https://www.upme.gov.co/noticias/anexos/pliego.pdf"' in first
    assert 'href="https://www.minenergia.gov.co/sala/anexos/pliego.pdf"' in second
    assert again == first
    assert "script" not in first + second


def test_an_unusable_base_drops_relative_links_but_keeps_the_text():
    cleaned = clean_html(FRAGMENT, "http://[roto/")

    assert "pliego" in cleaned
    assert "anexos/pliego.pdf" not in cleaned
    assert "script" not in cleaned


def test_search_text_folds_each_part_as_if_joined():
    title = "Energía SOLAR en <b>Córdoba</b>"
    summary = "<p>La CREG &amp; la UPME publican la resolución</p>"

    assert search_text(title, summary) == (
        "energia solar en cordoba la creg & la upme publican la resolucion"
    )
    assert search_text(title, "", summary) == search_text(title, summary)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "<script>alert(1)</script>Precio del petróleo sube",
            "Precio del petróleo sube",
        ),
        (
            "Precio <STYLE type='text/css'>b{color:red}</STYLE>del petróleo",
            "Precio del petróleo",
        ),
        ('Gas <iframe src="https://x.example"></iframe>natural', "Gas natural"),
        # An element left open runs to the end: its text is code all the way.
        ("Subasta eólica <script>document.write('x')", "Subasta eólica"),
        # Words that merely look like a tag name are kept.
        ("Scripts de la CREG &lt;borrador&gt;", "Scripts de la CREG <borrador>"),
        # A tag that only starts like one of them is a tag, not code.
        ("Guía <style-guide>de marca</style-guide> UPME", "Guía de marca UPME"),
    ],
)
def test_plain_text_drops_code_with_its_element(title, expected):
    assert plain_text(title) == expected


@pytest.mark.django_db
def test_only_a_save_of_the_text_writes_the_search_column():
    source = Source.objects.create(name="Diario", url="https://d.example/f")
    item = NewsItem.objects.create(
        source=source, identity="a", title="Subasta eólica", published_at=timezone.now()
    )
    assert item.search == "subasta eolica"

    # A decision saves its own fields only, not a column it did not touch.
    NewsItem.objects.filter(pk=item.pk).update(search="marcada")
    item.status = NewsItem.Status.USED
    item.save(update_fields=["status"])
    assert NewsItem.objects.get(pk=item.pk).search == "marcada"

    # An edit of the title brings the search column along.
    item.title = "Subasta de hidrógeno"
    item.save(update_fields=["title"])
    assert NewsItem.objects.get(pk=item.pk).search == "subasta de hidrogeno"
