"""The X and Facebook backends against replayed, documented answers."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import responses
from django.test import override_settings
from urllib3.exceptions import MaxRetryError, NewConnectionError

from publishing.models import SocialAccount
from publishing.networks import Outcome, get_backend
from publishing.networks.facebook import FacebookBackend
from publishing.networks.x import XBackend

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
TWEETS_URL = "https://api.twitter.com/2/tweets"
PAGE_ID = "178923456781234"
FEED_URL = f"https://graph.facebook.com/v25.0/{PAGE_ID}/feed"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def x_live(db) -> SocialAccount:
    return SocialAccount.objects.create(
        network=SocialAccount.Network.X,
        name="UPME",
        handle="@UPMEOficial",
        backend=SocialAccount.Backend.LIVE,
        credentials={
            "consumer_key": "ck-test",
            "consumer_secret": "cs-test",
            "access_token": "1500000000000000001-attest",
            "access_token_secret": "ats-test",
        },
    )


@pytest.fixture
def page_live(db) -> SocialAccount:
    return SocialAccount.objects.create(
        network=SocialAccount.Network.FACEBOOK,
        name="Página UPME",
        handle=PAGE_ID,
        backend=SocialAccount.Backend.LIVE,
        credentials={"page_access_token": "EAAtestpagetoken"},
    )


def test_get_backend_picks_by_account(x_live, page_live):
    assert isinstance(get_backend(x_live), XBackend)
    assert isinstance(get_backend(page_live), FacebookBackend)


# X


@responses.activate
def test_x_publishes_with_oauth1_a_timeout_and_our_user_agent(x_live):
    responses.post(TWEETS_URL, json=fixture("x_create_tweet_201.json"), status=201)

    result = get_backend(x_live).publish(
        "Plan de transmisión https://www.upme.gov.co/p"
    )

    assert result.outcome == Outcome.OK
    assert result.external_id == "1864012345678901234"
    assert result.external_url == "https://x.com/UPMEOficial/status/1864012345678901234"
    assert result.http_status == 201
    call = responses.calls[0]
    assert json.loads(call.request.body) == {
        "text": "Plan de transmisión https://www.upme.gov.co/p"
    }
    assert call.request.headers["Authorization"].startswith("OAuth ")
    assert 'oauth_consumer_key="ck-test"' in call.request.headers["Authorization"]
    assert call.request.req_kwargs["timeout"] == (5.0, 20.0)
    assert call.request.headers["User-Agent"].startswith("upme_social/")


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (401, "x_error_401.json", Outcome.AUTH_EXPIRED),
        (403, "x_error_403.json", Outcome.FORBIDDEN),
        (403, "x_error_403_duplicate.json", Outcome.DUPLICATE),
        (400, "x_error_400.json", Outcome.INVALID),
        (503, "x_error_503.json", Outcome.TRANSIENT),
    ],
)
@responses.activate
def test_x_errors_are_classified(x_live, status, body, outcome):
    responses.post(TWEETS_URL, json=fixture(body), status=status)

    result = get_backend(x_live).publish("Texto")

    assert (result.outcome, result.http_status) == (outcome, status)
    assert result.error
    assert result.retryable is (outcome == Outcome.TRANSIENT)


@responses.activate
def test_x_rate_limit_retries_at_the_reset_time(x_live):
    responses.post(
        TWEETS_URL,
        json=fixture("x_error_429.json"),
        status=429,
        headers={
            "x-rate-limit-limit": "100",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": "1796400000",
        },
    )

    result = get_backend(x_live).publish("Texto")

    assert result.outcome == Outcome.RATE_LIMITED
    assert result.retry_at == datetime.fromtimestamp(1796400000, tz=UTC)
    assert result.retryable


@responses.activate
def test_x_refused_connection_is_retried(x_live):
    refused = NewConnectionError(None, "Connection refused")
    error = requests.ConnectionError(MaxRetryError(None, TWEETS_URL, refused))
    responses.post(TWEETS_URL, body=error)

    result = get_backend(x_live).publish("Texto")

    assert (result.outcome, result.retryable) == (Outcome.TRANSIENT, True)


@responses.activate
def test_x_read_timeout_is_not_resent_blindly(x_live):
    responses.post(TWEETS_URL, body=requests.ReadTimeout("read timed out"))

    result = get_backend(x_live).publish("Texto")

    assert result.maybe_sent and not result.retryable
    assert "Revise la cuenta" in result.error


def test_x_without_credentials_says_what_is_missing(x_live):
    x_live.credentials = {"consumer_key": "ck"}

    result = get_backend(x_live).publish("Texto")

    assert result.outcome == Outcome.AUTH_EXPIRED
    assert "access_token_secret" in result.error


@responses.activate
def test_x_mentions_since_the_cursor_oldest_first(x_live):
    responses.get(
        "https://api.twitter.com/2/users/1500000000000000001/mentions",
        json=fixture("x_mentions.json"),
    )

    mentions = get_backend(x_live).fetch_mentions(since="1864000000000000000")

    assert [m.external_id for m in mentions] == [
        "1864010000000000001",
        "1864020000000000002",
    ]
    assert mentions[1].author_handle == "veeduria_demo"
    assert mentions[1].said_at == datetime(2026, 12, 3, 14, 5, 11, tzinfo=UTC)
    assert "since_id=1864000000000000000" in responses.calls[0].request.url


# Facebook


@responses.activate
def test_facebook_posts_to_the_configured_graph_version(page_live):
    responses.post(FEED_URL, json=fixture("fb_feed_post_200.json"))

    result = get_backend(page_live).publish(
        "Plan de transmisión", "https://www.upme.gov.co/p"
    )

    assert responses.calls[0].request.url == FEED_URL
    body = dict(p.split("=", 1) for p in responses.calls[0].request.body.split("&"))
    assert body["message"] == "Plan+de+transmisi%C3%B3n"
    assert body["link"] == "https%3A%2F%2Fwww.upme.gov.co%2Fp"
    assert result.outcome == Outcome.OK
    assert result.external_id == "178923456781234_122105432109876543"
    assert (
        result.external_url
        == f"https://www.facebook.com/{PAGE_ID}/posts/122105432109876543"
    )
    assert "access_token" not in json.dumps(result.payload)


@override_settings(FACEBOOK_GRAPH_VERSION="v26.0")
@responses.activate
def test_facebook_graph_version_follows_the_setting(page_live):
    url = f"https://graph.facebook.com/v26.0/{PAGE_ID}/feed"
    responses.post(url, json=fixture("fb_feed_post_200.json"))

    get_backend(page_live).publish("Texto")

    assert responses.calls[0].request.url == url


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (400, "fb_error_190.json", Outcome.AUTH_EXPIRED),
        (400, "fb_error_32.json", Outcome.RATE_LIMITED),
        (403, "fb_error_200.json", Outcome.FORBIDDEN),
        (400, "fb_error_100.json", Outcome.INVALID),
        (400, "fb_error_506.json", Outcome.DUPLICATE),
        (500, "fb_error_2.json", Outcome.TRANSIENT),
    ],
)
@responses.activate
def test_facebook_errors_are_classified(page_live, status, body, outcome):
    responses.post(FEED_URL, json=fixture(body), status=status)

    result = get_backend(page_live).publish("Texto", "https://www.upme.gov.co/p")

    assert (result.outcome, result.http_status) == (outcome, status)
    assert result.error
    assert "EAAtestpagetoken" not in result.error


@responses.activate
def test_facebook_rate_limit_reads_when_access_returns(page_live):
    usage = {
        PAGE_ID: [
            {"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 12}
        ]
    }
    responses.post(
        FEED_URL,
        json=fixture("fb_error_32.json"),
        status=400,
        headers={"x-business-use-case-usage": json.dumps(usage)},
    )

    before = datetime.now(UTC)
    result = get_backend(page_live).publish("Texto")

    assert result.outcome == Outcome.RATE_LIMITED
    assert 11 * 60 < (result.retry_at - before).total_seconds() <= 12 * 60 + 5


@responses.activate
def test_facebook_mentions_are_comments_and_tags_after_the_cursor(page_live):
    since = "122105432109876543_1049876543210001"
    responses.get(
        f"https://graph.facebook.com/v25.0/{since}",
        json=fixture("fb_comment_created_time.json"),
    )
    responses.get(FEED_URL, json=fixture("fb_feed_comments.json"))
    responses.get(
        f"https://graph.facebook.com/v25.0/{PAGE_ID}/tagged",
        json=fixture("fb_tagged.json"),
    )

    mentions = get_backend(page_live).fetch_mentions(since=since)

    assert [(m.kind, m.external_id) for m in mentions] == [
        ("mention", "5550001112223334_998877665544332"),
        ("comment", "122105432109876543_1049876543210002"),
    ]
    assert mentions[1].author_name == "Cooperativa Solar (demo)"
    assert mentions[1].said_at == datetime(2026, 12, 3, 14, 10, tzinfo=UTC)


@responses.activate
def test_x_reposts_as_the_accounts_user(x_live):
    url = "https://api.twitter.com/2/users/1500000000000000001/retweets"
    responses.post(url, json=fixture("x_retweet_200.json"))

    result = get_backend(x_live).repost("1864012345678901234")

    assert result.outcome == Outcome.OK
    assert json.loads(responses.calls[0].request.body) == {
        "tweet_id": "1864012345678901234"
    }


@responses.activate
def test_facebook_mentions_survive_a_deleted_cursor(page_live):
    since = "122105432109876543_1049876543210000"
    responses.get(
        f"https://graph.facebook.com/v25.0/{since}",
        json=fixture("fb_error_100.json"),
        status=400,
    )
    responses.get(FEED_URL, json=fixture("fb_feed_comments.json"))
    responses.get(
        f"https://graph.facebook.com/v25.0/{PAGE_ID}/tagged",
        json=fixture("fb_tagged.json"),
    )

    mentions = get_backend(page_live).fetch_mentions(since=since)

    assert len(mentions) == 3


@responses.activate
def test_facebook_mentions_raise_an_expired_token_for_the_caller(page_live):
    import facebook

    responses.get(FEED_URL, json=fixture("fb_error_190.json"), status=400)

    with pytest.raises(facebook.GraphAPIError):
        get_backend(page_live).fetch_mentions()
