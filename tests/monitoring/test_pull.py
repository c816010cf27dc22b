import logging
from datetime import UTC, datetime, timedelta

import facebook
import pytest
import requests
import time_machine
import tweepy

from monitoring import actions
from monitoring.models import Mention, MentionPull
from publishing.models import SocialAccount


def _x_error(status: int, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers or {})
    response._content = b'{"title": "Too Many Requests", "detail": "Too Many Requests"}'
    return response


def test_pull_stores_new_mentions_once_and_advances_the_cursor(network, x_account):
    # given
    network.add(101, 102, 103)

    # when
    first = actions.pull_mentions(x_account.pk)
    second = actions.pull_mentions(x_account.pk)

    # then
    assert (first, second) == (3, 0)
    assert Mention.objects.filter(account=x_account).count() == 3
    x_account.refresh_from_db()
    assert x_account.mentions_cursor == "103"
    assert network.calls == ["", "103"]


def test_pull_asks_only_after_the_cursor_and_stores_what_is_newer(network, x_account):
    network.add(1, 2)
    actions.pull_mentions(x_account.pk)

    network.add(3)
    created = actions.pull_mentions(x_account.pk)

    assert created == 1
    assert network.calls[-1] == "2"
    mention = Mention.objects.get(external_id="3")
    assert mention.decision == Mention.Decision.PENDING
    assert mention.author_handle == "ciudadano3"
    x_account.refresh_from_db()
    assert x_account.mentions_cursor == "3"


def test_a_network_repeating_known_mentions_adds_nothing(network, x_account):
    # given: a network that ignores the cursor and sends everything again
    network.add(1, 2)
    actions.pull_mentions(x_account.pk)
    x_account.mentions_cursor = ""
    x_account.save(update_fields=["mentions_cursor"])

    # when
    created = actions.pull_mentions(x_account.pk)

    # then
    assert created == 0
    assert Mention.objects.count() == 2


def test_a_network_error_keeps_stored_mentions_and_is_shown_on_the_account(
    network, x_account
):
    # given
    network.add(1, 2)
    actions.pull_mentions(x_account.pk)
    network.add(3)
    network.error = requests.ConnectionError("Max retries exceeded")

    # when
    with pytest.raises(actions.TransientPullError):
        actions.pull_mentions(x_account.pk)

    # then
    assert Mention.objects.count() == 2
    x_account.refresh_from_db()
    assert x_account.mentions_cursor == "2"
    assert x_account.last_error.startswith("Menciones: la red no respondió bien")
    last_pull = MentionPull.objects.filter(account=x_account).first()
    assert last_pull.outcome == MentionPull.Outcome.TRANSIENT


def test_expired_credentials_are_reported_without_retrying(network, x_account):
    network.error = tweepy.errors.Unauthorized(_x_error(401))

    created = actions.pull_mentions(x_account.pk)

    assert created == 0
    x_account.refresh_from_db()
    assert "credenciales" in x_account.last_error
    assert MentionPull.objects.get().outcome == MentionPull.Outcome.AUTH_EXPIRED


def test_a_refused_cursor_is_dropped_so_the_next_pull_recovers(network, x_account):
    # given: the newest stored mention was deleted on the network, which
    # now refuses it as a cursor
    network.add(1, 2)
    actions.pull_mentions(x_account.pk)
    network.failures = [
        facebook.GraphAPIError(
            {"error": {"message": "Object does not exist", "code": 100}}
        )
    ]
    network.add(3)

    # when
    refused = actions.pull_mentions(x_account.pk)
    recovered = actions.pull_mentions(x_account.pk)

    # then
    assert (refused, recovered) == (0, 1)
    assert network.calls == ["", "2", ""]
    assert Mention.objects.count() == 3


def test_a_rate_limited_account_waits_until_the_network_allows_it(network, x_account):
    # given: X says the window ends in ten minutes
    reset = datetime(2026, 12, 3, 15, 10, tzinfo=UTC)
    headers = {"x-rate-limit-reset": str(int(reset.timestamp()))}
    network.error = tweepy.errors.TooManyRequests(_x_error(429, headers))
    with time_machine.travel(datetime(2026, 12, 3, 15, 0, tzinfo=UTC), tick=False):
        actions.pull_mentions(x_account.pk)
        x_account.refresh_from_db()
        # Shown in Bogota time.
        assert "10:10" in x_account.last_error

        # when: the next tick comes before the reset
        network.error = None
        network.add(1)
        assert actions.pull_mentions(x_account.pk) == 0

    # then: after the reset it pulls again
    with time_machine.travel(reset + timedelta(seconds=1), tick=False):
        assert actions.pull_mentions(x_account.pk) == 1
    assert len(network.calls) == 2


def test_a_rate_limit_without_an_end_time_pauses_the_account(network, facebook_account):
    network.error = facebook.GraphAPIError(
        {"error": {"message": "Application request limit reached", "code": 4}}
    )
    with time_machine.travel(datetime(2026, 12, 3, 15, 0, tzinfo=UTC), tick=False):
        actions.pull_mentions(facebook_account.pk)
        network.error = None

        assert actions.pull_mentions(facebook_account.pk) == 0

    pull = MentionPull.objects.get()
    assert pull.retry_at == datetime(2026, 12, 3, 15, 15, tzinfo=UTC)
    assert len(network.calls) == 1


def test_only_one_pull_per_account_runs_at_a_time(network, x_account):
    # given: another worker is pulling this account right now
    MentionPull.objects.create(account=x_account)
    network.add(1)

    # when
    created = actions.pull_mentions(x_account.pk)

    # then
    assert created == 0
    assert network.calls == []


def test_a_pull_left_running_by_a_dead_worker_stops_holding_the_lock(
    network, x_account
):
    stale = MentionPull.objects.create(
        account=x_account, started_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    network.add(1)

    created = actions.pull_mentions(x_account.pk)

    assert created == 1
    stale.refresh_from_db()
    assert stale.outcome == MentionPull.Outcome.ABANDONED


def test_a_good_pull_clears_its_own_error_but_not_a_publishing_error(
    network, x_account, facebook_account
):
    x_account.last_error = "Menciones: la red no respondió bien; se intentará de nuevo."
    x_account.save(update_fields=["last_error"])
    facebook_account.last_error = "Publicar: token vencido"
    facebook_account.save(update_fields=["last_error"])

    actions.pull_mentions(x_account.pk)
    actions.pull_mentions(facebook_account.pk)

    x_account.refresh_from_db()
    facebook_account.refresh_from_db()
    assert x_account.last_error == ""
    assert facebook_account.last_error == "Publicar: token vencido"


def test_logs_and_errors_never_carry_message_text_or_tokens(network, x_account, caplog):
    # given: a failure whose text quotes a citizen and a token in a URL
    network.error = requests.ConnectionError(
        "GET https://graph.facebook.com/v25.0/me?access_token=EAAB-secreto failed "
        "for 'Mi cédula es 79123456'"
    )

    with (
        caplog.at_level(logging.DEBUG, logger="monitoring"),
        pytest.raises(actions.TransientPullError),
    ):
        actions.pull_mentions(x_account.pk)

    assert "79123456" not in caplog.text
    assert "EAAB-secreto" not in caplog.text
    assert f"account={x_account.pk}" in caplog.text
    assert "outcome=transient" in caplog.text
    x_account.refresh_from_db()
    assert "EAAB-secreto" not in x_account.last_error


def test_an_unreachable_network_leaves_a_spanish_reason_without_addresses(
    network, x_account
):
    # given X cannot be reached, as urllib3 words it
    network.error = requests.ConnectionError(
        "HTTPSConnectionPool(host='api.twitter.com', port=443): Max retries "
        "exceeded with url: /2/users/1456789/mentions?max_results=100 "
        "(Caused by NameResolutionError)"
    )

    with pytest.raises(actions.TransientPullError):
        actions.pull_mentions(x_account.pk)

    # then the desk reads why in Spanish, and nothing technical
    x_account.refresh_from_db()
    assert x_account.last_error == (
        "Menciones: la red no respondió bien; se intentará de nuevo."
    )
    pull = MentionPull.objects.get()
    assert "1456789" not in pull.error
    assert "api.twitter.com" in pull.error


def test_a_disabled_account_is_not_pulled(network, x_account):
    x_account.enabled = False
    x_account.save(update_fields=["enabled"])
    network.add(1)

    assert actions.pull_mentions(x_account.pk) == 0
    assert network.calls == []


def test_odd_items_from_a_network_are_stored_safely(network, x_account):
    # given: an unknown kind, a naive date, a script link, an overlong handle
    from publishing.networks import MentionData

    network.mentions.append(
        MentionData(
            external_id="7",
            author_handle="h" * 300,
            text="<b>hola</b>",
            said_at=datetime(2026, 12, 1, 12, 0),  # noqa: DTZ001 - a sloppy network
            url="javascript:alert(1)",
            kind="story",
        )
    )

    assert actions.pull_mentions(x_account.pk) == 1

    mention = Mention.objects.get()
    assert mention.kind == Mention.Kind.MENTION
    assert mention.url == ""
    assert len(mention.author_handle) == 100
    assert mention.said_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_pulling_through_the_sandbox_yields_demo_mentions_over_time(db):
    # given: a sandbox account created ten minutes ago
    start = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        account = SocialAccount.objects.create(
            network=SocialAccount.Network.X, name="UPME", handle="@upme_co"
        )

    # when
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        first = actions.pull_mentions(account.pk)
        again = actions.pull_mentions(account.pk)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        later = actions.pull_mentions(account.pk)

    # then: one every two minutes, each stored once
    assert (first, again, later) == (6, 0, 2)
    mentions = Mention.objects.filter(account=account)
    assert mentions.count() == 8
    assert all(m.text.startswith("@upme_co") for m in mentions)
    assert mentions.filter(kind=Mention.Kind.MESSAGE).exists()
