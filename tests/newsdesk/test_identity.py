"""Canonical URLs and identity keys: one story, one key."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from newsdesk.identity import canonical_url, identity_keys, unwrap
from newsdesk.sources.base import EntryData

STORY = "https://www.diario.example/economia/alivio-tarifa"


@pytest.mark.parametrize(
    "variant",
    [
        STORY,
        f"{STORY}/",
        f"{STORY}?utm_source=rss&utm_medium=feed",
        f"{STORY}?fbclid=AbC123&gclid=x&mc_cid=1&mc_eid=2",
        f"{STORY}#comentarios",
        "HTTPS://WWW.DIARIO.EXAMPLE/economia/alivio-tarifa",
        "https://www.diario.example:443/economia/alivio-tarifa",
        "https://m.diario.example/economia/alivio-tarifa/?utm_campaign=x",
        f"{STORY}?ns_campaign=rss&ns_mchannel=feed&ns_source=x",
        f"{STORY}?WT.mc_id=boletin&wt.mc_ev=click",
        f"{STORY}?srsltid=AfmBOo&s_cid=123&_hsenc=p2&_hsmi=9",
        f"{STORY}?mkt_tok=eyJ&igshid=Mz&yclid=5&msclkid=a&dclid=b",
        f"{STORY}?ref_src=twsrc%5Etfw&ttclid=c&hsa_acc=1",
        f"{STORY}?MSCLKID=a&UTM_SOURCE=x",
    ],
)
def test_variants_of_one_article_share_a_canonical_url(variant):
    assert canonical_url(variant) == STORY


def test_meaningful_parameters_survive_in_a_stable_order():
    assert canonical_url(
        "https://diario.example/n?id=7&seccion=minas&utm_source=x"
    ) == (canonical_url("https://diario.example/n?seccion=minas&id=7"))
    assert canonical_url("https://diario.example/n?id=7") != canonical_url(
        "https://diario.example/n?id=8"
    )


def test_a_non_default_port_and_the_path_case_are_kept():
    assert canonical_url("http://Diario.example:8080/Economia/") == (
        "http://diario.example:8080/Economia"
    )


def test_guid_counts_only_when_unique_within_the_fetch():
    entries = [
        EntryData(title="Uno", guid="N/A", link="https://d.example/1?utm_source=rss"),
        EntryData(title="Dos", guid="N/A", link="https://d.example/2"),
        EntryData(title="Tres", guid="g-3", link="https://d.example/3"),
    ]

    keys = identity_keys(1, entries)

    assert keys == ["link:https://d.example/1", "link:https://d.example/2", "guid:g-3"]


def test_a_link_shared_within_the_fetch_falls_back_to_the_hash():
    # given a bulletin board: GUID "N/A" and the home page on every item
    entries = [
        EntryData(
            title=f"Comunicado {n}",
            guid="N/A",
            link="https://www.gremio.example/?utm_source=rss",
            published_at=datetime(2024, 3, n, 9, tzinfo=UTC),
        )
        for n in range(1, 5)
    ]
    entries.append(
        EntryData(title="Propio", guid="N/A", link="https://www.gremio.example/5")
    )

    keys = identity_keys(1, entries)

    assert len(set(keys)) == 5
    assert all(key.startswith("hash:") for key in keys[:4])
    assert keys[4] == "link:https://www.gremio.example/5"
    assert keys == identity_keys(1, entries)


def test_without_guid_or_link_the_key_is_a_stable_hash():
    date = datetime(2024, 3, 21, 15, tzinfo=UTC)
    entry = EntryData(title="Agenda del foro", published_at=date)

    first = identity_keys(7, [entry])
    again = identity_keys(7, [EntryData(title="Agenda del foro", published_at=date)])
    other_source = identity_keys(8, [entry])

    assert first == again
    assert first[0].startswith("hash:")
    assert first != other_source


def test_very_long_guids_fit_the_column():
    key = identity_keys(1, [EntryData(title="x", guid="g" * 2000)])[0]

    assert len(key) <= 500


def _quoted(url: str) -> str:
    return quote(url, safe="")


@pytest.mark.parametrize(
    "wrapped",
    [
        # Microsoft Safe Links, as an Exchange Online mailbox receives it
        "https://nam12.safelinks.protection.outlook.com/?url="
        f"{_quoted(STORY + '?utm_source=boletin')}&data=05%7C02%7C&sdata=a%3D&reserved=0",
        # Google Alerts, by mail or as a feed
        f"https://www.google.com/url?rct=j&sa=t&url={_quoted(STORY)}&ct=ga&usg=AOv",
        # Gmail and search results, from Colombia
        f"https://www.google.com.co/url?q={_quoted(STORY)}&sa=D&source=editors",
        f"https://l.facebook.com/l.php?u={_quoted(STORY)}&h=AT0x",
        "https://urldefense.proofpoint.com/v2/url?"
        "u=https-3A__www.diario.example_economia_alivio-2Dtarifa&d=DwMF&c=x",
        # Safe Links around a Google Alerts link
        "https://eur01.safelinks.protection.outlook.com/?url="
        f"{_quoted('https://www.google.com/url?url=' + _quoted(STORY))}",
    ],
)
def test_a_redirectors_link_is_the_article_it_leads_to(wrapped):
    assert canonical_url(wrapped) == STORY
    assert canonical_url(unwrap(wrapped)) == STORY


@pytest.mark.parametrize(
    "kept",
    [
        "https://www.google.com/search?q=energia",
        # Only a web address is a destination.
        "https://www.google.com/url?q=javascript:alert(1)",
        "https://l.facebook.com/l.php?u=",
        # Mailchimp hides the destination behind a request.
        "https://upme.us1.list-manage.com/track/click?u=abc&id=def&e=123",
    ],
)
def test_links_that_name_no_destination_stay_as_they_are(kept):
    assert unwrap(kept) == kept
    assert canonical_url(kept).split("?")[0] == kept.split("?")[0]


def test_deeply_nested_redirectors_stop_unwrapping():
    # A hostile feed's link wrapped many times costs a bounded number of
    # steps, and still gives an address.
    url = STORY
    for _ in range(8):
        url = f"https://www.google.com/url?q={_quoted(url)}"

    assert canonical_url(url).startswith("https://www.google.com/url?q=")
