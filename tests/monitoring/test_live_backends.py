"""Pulls through the real X and Facebook backends, answers replayed."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses

from monitoring import actions
from monitoring.models import Mention, MentionPull
from publishing.models import SocialAccount

FIXTURES = Path(__file__).parent / "fixtures"
X_MENTIONS = re.compile(r"https://api\.(twitter|x)\.com/2/users/1500000000/mentions")


def _body(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def live_x(db) -> SocialAccount:
    return SocialAccount.objects.create(
        network=SocialAccount.Network.X,
        name="UPME Colombia",
        handle="@upme_co",
        backend=SocialAccount.Backend.LIVE,
        credentials={
            "consumer_key": "ck",
            "consumer_secret": "cs",
            "access_token": "1500000000-at",
            "access_token_secret": "ats",
            "user_id": "1500000000",
        },
    )


@responses.activate
def test_x_mentions_are_stored_oldest_first_with_their_authors(live_x):
    responses.get(X_MENTIONS, json=_body("x_users_mentions.json"))

    created = actions.pull_mentions(live_x.pk)

    assert created == 2
    newest = Mention.objects.first()
    assert newest.author_handle == "camilo_energia"
    assert newest.author_name == "Camilo Restrepo Gil"
    assert newest.url == "https://x.com/camilo_energia/status/1864380123456789506"
    live_x.refresh_from_db()
    assert live_x.mentions_cursor == "1864380123456789506"
    assert live_x.last_error == ""


@responses.activate
def test_x_rate_limit_is_recorded_with_the_time_it_ends(live_x):
    reset = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    responses.get(
        X_MENTIONS,
        status=429,
        json=_body("x_error_429.json"),
        headers={"x-rate-limit-reset": str(int(reset.timestamp()))},
    )

    created = actions.pull_mentions(live_x.pk)

    assert created == 0
    pull = MentionPull.objects.get()
    assert pull.outcome == MentionPull.Outcome.RATE_LIMITED
    assert pull.http_status == 429
    assert pull.retry_at == reset


@responses.activate
def test_an_expired_facebook_token_is_shown_on_the_account(db):
    page = SocialAccount.objects.create(
        network=SocialAccount.Network.FACEBOOK,
        name="Página UPME",
        handle="1234567890",
        backend=SocialAccount.Backend.LIVE,
        credentials={"page_access_token": "EAAB-page-token"},
    )
    responses.get(
        re.compile(r"https://graph\.facebook\.com/v\d+\.\d+/1234567890/\w+"),
        status=400,
        json=_body("fb_error_190.json"),
    )

    created = actions.pull_mentions(page.pk)

    assert created == 0
    page.refresh_from_db()
    assert page.last_error.startswith("Menciones: las credenciales de la cuenta")
    assert "EAAB-page-token" not in page.last_error
    assert MentionPull.objects.get().outcome == MentionPull.Outcome.AUTH_EXPIRED
