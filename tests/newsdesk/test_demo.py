"""The demo a new user tries first: seeded people, accounts and feeds."""

from io import StringIO

import feedparser
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from newsdesk import demo
from newsdesk.models import Source
from publishing.models import SocialAccount
from publishing.textcount import measure
from upme_social import roles


@pytest.mark.parametrize("slug", sorted(demo.FEEDS))
def test_demo_feed_is_a_valid_feed_with_spanish_headlines(client, slug):
    # when
    response = client.get(f"/noticias/demo/{slug}.xml")

    # then
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == len(demo.FEEDS[slug].entries)
    titles = {entry.title for entry in parsed.entries}
    assert {entry.title for entry in demo.FEEDS[slug].entries} == titles
    assert all(
        entry.get("published_parsed") or entry.get("updated_parsed")
        for entry in parsed.entries
    )


def test_unknown_demo_feed_is_404(client):
    assert client.get("/noticias/demo/no-existe.xml").status_code == 404


def test_demo_dates_are_stable_between_polls_within_the_hour():
    entry = demo.FEEDS["energia-hoy"].entries[0]
    assert demo.entry_time(entry) == demo.entry_time(entry)


def test_seed_demo_creates_one_user_per_role_and_is_idempotent(db, capsys):
    # when
    call_command("seed_demo", site_url="http://127.0.0.1:8123")
    first = capsys.readouterr().out
    call_command("seed_demo", site_url="http://127.0.0.1:8123")
    second = capsys.readouterr().out

    # then the passwords are printed once, and they work
    assert "editora" in first and "jefe" in first
    assert "contraseñas sin cambios" in second
    line = next(line for line in first.splitlines() if line.strip().startswith("jefe"))
    password = line.split()[1]
    jefe = User.objects.get(username="jefe")
    assert jefe.check_password(password)
    assert roles.is_approver(jefe)
    assert roles.is_editor(User.objects.get(username="editora"))
    assert not roles.is_editor(User.objects.get(username="solicitante"))
    assert User.objects.get(username="admin").is_superuser

    # and the accounts and sources exist once, sandboxed and pointing at us
    assert SocialAccount.objects.filter(network="x").count() == 2
    assert SocialAccount.objects.filter(network="facebook").count() == 1
    assert all(a.is_sandbox for a in SocialAccount.objects.all())
    demo_sources = Source.objects.filter(enabled=True)
    assert demo_sources.count() == len(demo.FEEDS)
    assert all(
        s.url.startswith("http://127.0.0.1:8123/noticias/demo/") for s in demo_sources
    )
    assert Source.objects.filter(enabled=False).exists()
    assert User.objects.count() == 4


def test_seed_demo_follows_the_desk_to_another_port(db):
    # given a desk first seeded on port 8000
    call_command("seed_demo", site_url="http://127.0.0.1:8000", stdout=StringIO())

    # when it runs again on another port
    call_command("seed_demo", site_url="http://127.0.0.1:8001", stdout=StringIO())

    # then the demo feeds are read from where the desk now is
    urls = Source.objects.filter(enabled=True).values_list("url", flat=True)
    assert all(url.startswith("http://127.0.0.1:8001/") for url in urls)


def test_demo_links_count_as_links_in_the_composer():
    # given a post drafted from a demo item: its title and its link
    feed = demo.FEEDS["boletin-minero"]
    entry = feed.entries[0]
    text = f"{entry.title} {feed.site}/{entry.slug}"

    # then X's rules count the link as 23 characters, as for a real outlet
    assert measure(text).weighted_length == len(entry.title) + 1 + 23


def test_seed_demo_without_an_address_leaves_demo_sources_where_they_are(db):
    # given a desk seeded for port 8400
    call_command("seed_demo", site_url="http://127.0.0.1:8400", stdout=StringIO())

    # when someone re-runs the bare command, as the README lists it
    call_command("seed_demo", stdout=StringIO())

    # then the demo feeds still point at the running desk
    urls = Source.objects.filter(enabled=True).values_list("url", flat=True)
    assert all(url.startswith("http://127.0.0.1:8400/") for url in urls)
