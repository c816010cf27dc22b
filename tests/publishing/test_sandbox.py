import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from publishing.models import SocialAccount
from publishing.networks import Outcome, get_backend
from publishing.networks.sandbox import MENTION_EVERY, SandboxBackend

pytestmark = pytest.mark.django_db


def test_sandbox_x_returns_a_snowflake_like_id_and_url(x_accounts, caplog):
    caplog.set_level("INFO", logger="publishing.networks.sandbox")

    result = get_backend(x_accounts[0]).publish(
        "Texto de prueba", "https://www.upme.gov.co"
    )

    assert isinstance(get_backend(x_accounts[0]), SandboxBackend)
    assert result.outcome == Outcome.OK
    assert re.fullmatch(r"\d{19}", result.external_id)
    assert (
        result.external_url == f"https://x.com/UPMEOficial/status/{result.external_id}"
    )
    assert result.payload == {
        "text": "Texto de prueba",
        "link": "https://www.upme.gov.co",
    }
    assert f"would publish on account {x_accounts[0].pk}" in caplog.text
    assert "Texto de prueba" not in caplog.text


def test_sandbox_facebook_returns_page_and_post_id(facebook_page):
    result = get_backend(facebook_page).publish("Texto", "https://www.upme.gov.co")

    page_id, post_id = result.external_id.split("_")
    assert page_id == "178923456781234"
    assert re.fullmatch(r"\d{16}", post_id)
    assert result.external_url == f"https://www.facebook.com/{page_id}/posts/{post_id}"


def test_two_sandbox_publishes_get_different_ids(x_accounts):
    backend = get_backend(x_accounts[0])

    assert backend.publish("a").external_id != backend.publish("a").external_id


def test_sandbox_mentions_arrive_over_time_and_resume_from_the_cursor(x_accounts):
    account = x_accounts[0]
    backend = get_backend(account)

    # given ten minutes since the account was created
    with time_machine.travel(
        account.created_at + 5 * MENTION_EVERY + timedelta(seconds=5)
    ):
        first = backend.fetch_mentions()
        again = backend.fetch_mentions()
        pulled_at = timezone.now()
    # when the desk pulls again four minutes later from its cursor
    with time_machine.travel(
        account.created_at + 7 * MENTION_EVERY + timedelta(seconds=5)
    ):
        newer = backend.fetch_mentions(since=first[-1].external_id)

    assert len(first) == 6
    assert [m.external_id for m in first] == [m.external_id for m in again]
    ids = [int(m.external_id) for m in first + newer]
    assert ids == sorted(ids) and len(set(ids)) == 8
    assert len(newer) == 2
    assert all(m.said_at <= pulled_at for m in first)
    assert all(m.text.startswith("@UPMEOficial ") for m in first)
    assert {m.kind for m in first} == {"mention", "message"}


def test_sandbox_mentions_differ_between_accounts(x_accounts):
    with time_machine.travel(timezone.now() + 20 * MENTION_EVERY):
        texts = [
            [m.text.split(" ", 1)[1] for m in get_backend(a).fetch_mentions()]
            for a in x_accounts
        ]

    assert texts[0] != texts[1]


def test_sandbox_page_yields_comments(facebook_page):
    with time_machine.travel(facebook_page.created_at + 3 * MENTION_EVERY):
        mentions = get_backend(facebook_page).fetch_mentions()

    assert {m.kind for m in mentions} == {"comment"}
    assert mentions[0].external_id.startswith("178923456781234_")


def test_a_long_running_demo_pulls_a_bounded_batch(x_accounts):
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        mentions = get_backend(x_accounts[0]).fetch_mentions()

    assert 0 < len(mentions) <= 30


def test_live_backend_is_chosen_only_when_asked(x_accounts):
    x_accounts[0].backend = SocialAccount.Backend.LIVE

    assert not isinstance(get_backend(x_accounts[0]), SandboxBackend)
