import logging
import pickle
from datetime import timedelta
from unittest import mock

import requests
import tweepy
from django.utils import timezone

from monitoring import tasks
from monitoring.models import Mention, MentionPull
from publishing.models import SocialAccount


def test_the_beat_task_queues_one_pull_per_enabled_account(x_account, facebook_account):
    SocialAccount.objects.create(
        network=SocialAccount.Network.X, name="Apagada", handle="@off", enabled=False
    )

    with mock.patch.object(tasks.pull_mentions_task, "delay") as delay:
        queued = tasks.pull_all_mentions()

    assert queued == 2
    assert sorted(call.args[0] for call in delay.call_args_list) == sorted(
        [x_account.pk, facebook_account.pk]
    )


def test_the_beat_task_forgets_old_pull_rows_but_keeps_mentions(
    x_account, make_mention
):
    # given
    make_mention(x_account, 1)
    old = MentionPull.objects.create(
        account=x_account,
        outcome=MentionPull.Outcome.OK,
        started_at=timezone.now() - timedelta(days=31),
    )
    recent = MentionPull.objects.create(
        account=x_account,
        outcome=MentionPull.Outcome.OK,
        started_at=timezone.now() - timedelta(days=2),
    )

    # when
    with mock.patch.object(tasks.pull_mentions_task, "delay"):
        tasks.pull_all_mentions()

    # then
    assert list(MentionPull.objects.all()) == [recent]
    assert not MentionPull.objects.filter(pk=old.pk).exists()
    assert Mention.objects.count() == 1


def test_the_pull_task_stores_mentions(network, x_account):
    network.add(1, 2)

    result = tasks.pull_mentions_task.apply(args=[x_account.pk])

    assert result.get() == 2
    assert Mention.objects.count() == 2


def test_a_transient_error_is_retried_with_a_cap(network, x_account, caplog):
    network.error = requests.ReadTimeout("read timed out")

    with caplog.at_level(logging.INFO):
        result = tasks.pull_mentions_task.apply(args=[x_account.pk])

    # The first try and three retries, each recorded.
    assert result.get() == 0
    assert len(network.calls) == 4
    assert MentionPull.objects.filter(outcome="transient").count() == 4
    # One INFO line per attempt; a single ERROR once the retries are used up.
    failed = [r for r in caplog.records if "Mentions pull failed" in r.getMessage()]
    assert [r.levelno for r in failed] == [logging.INFO] * 4
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        f"Mentions pull gave up account={x_account.pk} outcome=transient attempts=4"
    ]
    assert "Unpickleable" not in caplog.text


def test_the_transient_error_survives_the_trip_between_processes(x_account):
    from celery.utils.serialization import get_pickleable_exception

    from monitoring.actions import TransientPullError
    from monitoring.errors import PullFailure

    error = TransientPullError(x_account.pk, PullFailure("transient", 503))

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 -- our own bytes

    assert get_pickleable_exception(error) is error
    assert (copy.account_id, copy.failure) == (x_account.pk, error.failure)
    assert str(copy) == f"account {x_account.pk}: transient"


def test_a_transient_error_that_clears_up_stores_on_retry(network, x_account):
    network.add(1)
    network.failures = [requests.ConnectionError("reset by peer")]

    result = tasks.pull_mentions_task.apply(args=[x_account.pk])

    assert result.get() == 1
    assert len(network.calls) == 2
    x_account.refresh_from_db()
    assert x_account.last_error == ""


def test_a_refused_request_is_not_retried(network, x_account):
    response = requests.Response()
    response.status_code = 403
    response._content = b'{"title": "Forbidden"}'
    network.error = tweepy.errors.Forbidden(response)

    result = tasks.pull_mentions_task.apply(args=[x_account.pk])

    assert result.get() == 0
    assert len(network.calls) == 1
    x_account.refresh_from_db()
    assert "no permite" in x_account.last_error
