"""Publishing each delivery exactly once, and the retry policy."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from celery.exceptions import Retry
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from publishing import actions, tasks
from publishing.models import Delivery, Post, PublishAttempt
from publishing.networks import Outcome, PublishResult
from publishing.networks.sandbox import SandboxBackend
from tests.publishing.conftest import make_post

pytestmark = pytest.mark.django_db


class ScriptedBackend(SandboxBackend):
    """The sandbox, answering each publish call from a script."""

    script: list[PublishResult] = []
    calls = 0

    def publish(self, text: str, link: str = "") -> PublishResult:
        type(self).calls += 1
        if type(self).script:
            return type(self).script.pop(0)
        return super().publish(text, link)


@pytest.fixture
def scripted(monkeypatch):
    ScriptedBackend.script = []
    ScriptedBackend.calls = 0
    monkeypatch.setattr(actions, "get_backend", ScriptedBackend)
    return ScriptedBackend


@pytest.fixture
def approved(pending_post, approver, django_capture_on_commit_callbacks) -> Post:
    # Approve without running the enqueued sends: each test runs them.
    with django_capture_on_commit_callbacks(execute=False):
        return actions.approve(pending_post.pk, approver)


def only_x_delivery(post: Post) -> Delivery:
    return post.deliveries.filter(account__network="x").first()


def test_double_approve_creates_each_delivery_once(
    pending_post, approver, django_capture_on_commit_callbacks
):
    # given the approver double-clicks "Aprobar"
    with django_capture_on_commit_callbacks(execute=True) as first:
        actions.approve(pending_post.pk, approver)

    # then the second click is refused and nothing is sent again
    with (
        pytest.raises(actions.PostError, match="ya no está pendiente"),
        django_capture_on_commit_callbacks(execute=True) as second,
    ):
        actions.approve(pending_post.pk, approver)
    assert (len(first), len(second)) == (3, 0)
    assert PublishAttempt.objects.filter(outcome=Outcome.OK).count() == 3


def test_editor_is_refused_by_the_action_too(pending_post, editor):
    with pytest.raises(PermissionDenied):
        actions.approve(pending_post.pk, editor)


def test_duplicate_task_publishes_once(approved, scripted):
    delivery = only_x_delivery(approved)

    tasks.publish_delivery.delay(delivery.pk)
    tasks.publish_delivery.delay(delivery.pk)

    delivery.refresh_from_db()
    assert scripted.calls == 1
    assert delivery.status == Delivery.Status.PUBLISHED
    assert delivery.attempts.count() == 1


def test_redelivered_task_after_a_crash_does_not_resend(approved, scripted):
    # given a worker claimed the delivery and died before recording
    delivery = only_x_delivery(approved)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING, claimed_at=timezone.now()
    )

    # when the broker redelivers the message (acks_late)
    tasks.publish_delivery.delay(delivery.pk)

    # then nothing is sent, and later a person is asked to check
    assert scripted.calls == 0
    with time_machine.travel(
        timezone.now() + actions.STALE_CLAIM + timedelta(seconds=1)
    ):
        tasks.publish_due_posts.delay()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.NEEDS_CHECK
    assert "Revise la cuenta" in delivery.last_error
    assert scripted.calls == 0


def test_person_retries_a_delivery_that_needs_a_check(approved, scripted, editor):
    delivery = only_x_delivery(approved)
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.NEEDS_CHECK)

    actions.retry(delivery.pk, editor)
    tasks.publish_delivery.delay(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PUBLISHED
    assert scripted.calls == 1


def test_published_delivery_cannot_be_retried(approved, editor):
    delivery = only_x_delivery(approved)
    actions.publish_delivery(delivery.pk)

    with pytest.raises(actions.PostError):
        actions.retry(delivery.pk, editor)


def test_rate_limit_is_retried_when_x_allows(approved, scripted, monkeypatch):
    # given X answers 429 with a reset time five minutes away
    reset = datetime(2026, 5, 4, 15, 5, tzinfo=UTC)
    scripted.script = [
        PublishResult(
            outcome=Outcome.RATE_LIMITED,
            http_status=429,
            retry_at=reset,
            error="límite",
        )
    ]
    delivery = only_x_delivery(approved)
    retried = []
    monkeypatch.setattr(
        tasks.publish_delivery, "retry", lambda **kw: retried.append(kw) or Retry()
    )

    # when the task runs
    with (
        time_machine.travel(datetime(2026, 5, 4, 15, 0, tzinfo=UTC), tick=False),
        pytest.raises(Retry),
    ):
        tasks.publish_delivery.run(delivery.pk)

    # then it is retried at the reset time and waits as pending
    assert retried == [{"countdown": 300.0}]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at == reset
    assert delivery.attempts.get().outcome == Outcome.RATE_LIMITED


def test_an_early_duplicate_does_not_jump_the_rate_limit(approved, scripted):
    delivery = only_x_delivery(approved)
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )

    run = actions.publish_delivery(delivery.pk)

    assert run.claimed is False
    assert scripted.calls == 0


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (Outcome.INVALID, 400),
        (Outcome.AUTH_EXPIRED, 401),
        (Outcome.FORBIDDEN, 403),
        (Outcome.DUPLICATE, 403),
    ],
)
def test_client_errors_are_not_retried(approved, scripted, outcome, status):
    scripted.script = [
        PublishResult(
            outcome=outcome, http_status=status, error="X rechazó la publicación"
        )
    ]
    delivery = only_x_delivery(approved)

    run = actions.publish_delivery(delivery.pk)

    assert run.retry_in is None
    delivery.refresh_from_db()
    approved.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error == "X rechazó la publicación"
    assert approved.status == Post.Status.FAILED


def test_transient_errors_back_off_and_stop_at_the_cap(approved, scripted):
    scripted.script = [
        PublishResult(outcome=Outcome.TRANSIENT, http_status=503, error="temporal")
        for _ in range(actions.MAX_ATTEMPTS)
    ]
    delivery = only_x_delivery(approved)
    delays = []

    for _ in range(actions.MAX_ATTEMPTS):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
        delays.append(actions.publish_delivery(delivery.pk).retry_in)

    assert delays == [30.0, 60.0, 120.0, 240.0, None]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts.count() == actions.MAX_ATTEMPTS


def test_an_unanswered_send_waits_for_a_person(approved, scripted):
    scripted.script = [
        PublishResult(outcome=Outcome.TRANSIENT, maybe_sent=True, error="sin respuesta")
    ]
    delivery = only_x_delivery(approved)

    run = actions.publish_delivery(delivery.pk)

    assert run.retry_in is None
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.NEEDS_CHECK


def test_retry_of_a_failed_post_publishes_it(
    approved, scripted, editor, django_capture_on_commit_callbacks
):
    scripted.script = [
        PublishResult(outcome=Outcome.INVALID, http_status=400, error="malo")
    ]
    delivery = only_x_delivery(approved)
    actions.publish_delivery(delivery.pk)
    for other in approved.deliveries.exclude(pk=delivery.pk):
        actions.publish_delivery(other.pk)
    approved.refresh_from_db()
    assert approved.status == Post.Status.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        actions.retry(delivery.pk, editor)

    approved.refresh_from_db()
    assert approved.status == Post.Status.PUBLISHED
    assert [e.to_status for e in approved.events.all()][-3:] == [
        "failed",
        "approved",
        "published",
    ]


def test_scheduled_post_waits_for_its_time(
    editor, approver, x_accounts, facebook_page, django_capture_on_commit_callbacks
):
    when = timezone.now() + timedelta(hours=2)
    post = make_post(editor, x_accounts, scheduled_for=when)
    actions.submit(post.pk, editor)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.approve(post.pk, approver)
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True):
        tasks.publish_due_posts.delay()
    assert not PublishAttempt.objects.exists()

    with (
        time_machine.travel(when + timedelta(seconds=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.publish_due_posts.delay()

    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED


def test_lost_message_is_enqueued_again_by_the_beat(
    approved, django_capture_on_commit_callbacks
):
    # given the enqueue on approval never reached the broker
    later = timezone.now() + actions.REQUEUE_AFTER + timedelta(seconds=5)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        tasks.publish_due_posts.delay()

    approved.refresh_from_db()
    assert approved.status == Post.Status.PUBLISHED


def test_fresh_deliveries_are_left_to_their_own_message(approved):
    assert actions.enqueue_due() == 0


def test_a_bug_in_a_backend_is_recorded_not_raised(approved, monkeypatch):
    def broken(account):
        raise RuntimeError("bug")

    monkeypatch.setattr(actions, "get_backend", broken)
    delivery = only_x_delivery(approved)

    run = actions.publish_delivery(delivery.pk)

    assert run.outcome == Outcome.TRANSIENT
    assert delivery.attempts.get().error.startswith("Error interno")


def test_the_last_failed_attempt_says_it_will_not_be_retried(approved, scripted):
    # given X cannot be reached on every attempt
    scripted.script = [
        PublishResult(
            outcome=Outcome.TRANSIENT,
            error="No se pudo conectar con X; se reintentará.",
        )
        for _ in range(actions.MAX_ATTEMPTS)
    ]
    delivery = only_x_delivery(approved)
    messages = []

    # when every retry is used up
    for _ in range(actions.MAX_ATTEMPTS):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
        actions.publish_delivery(delivery.pk)
        delivery.refresh_from_db()
        messages.append(delivery.last_error)

    # then earlier messages promise a retry and the last one does not
    assert messages[0] == "No se pudo conectar con X; se reintentará."
    assert delivery.status == Delivery.Status.FAILED
    assert messages[-1] == (
        "Falló tras 5 intentos: No se pudo conectar con X. No se reintentará; "
        "use «Reintentar» cuando se resuelva."
    )


def test_a_queued_retry_on_a_disabled_account_fails_without_the_network(
    approved, scripted
):
    # given a delivery waiting for its retry
    scripted.script = [PublishResult(outcome=Outcome.TRANSIENT, error="temporal")]
    delivery = only_x_delivery(approved)
    actions.publish_delivery(delivery.pk)

    # when someone unticks "Activa" on the account, then the retry runs
    delivery.account.enabled = False
    delivery.account.save(update_fields=["enabled"])
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
    run = actions.publish_delivery(delivery.pk)

    # then nothing more reaches the network and the reason is plain
    assert scripted.calls == 1
    assert run.retry_in is None
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error.startswith("La cuenta está desactivada")
    approved.refresh_from_db()
    assert approved.status == Post.Status.FAILED


def test_approval_does_not_target_a_disabled_account(
    pending_post, approver, x_accounts, django_capture_on_commit_callbacks
):
    x_accounts[1].enabled = False
    x_accounts[1].save(update_fields=["enabled"])

    with django_capture_on_commit_callbacks(execute=False):
        actions.approve(pending_post.pk, approver)

    targeted = set(pending_post.deliveries.values_list("account", flat=True))
    assert x_accounts[1].pk not in targeted
    assert x_accounts[0].pk in targeted


def test_retry_on_a_disabled_account_is_refused_in_spanish(approved, scripted, editor):
    scripted.script = [PublishResult(outcome=Outcome.INVALID, error="X rechazó")]
    delivery = only_x_delivery(approved)
    actions.publish_delivery(delivery.pk)
    delivery.account.enabled = False
    delivery.account.save(update_fields=["enabled"])

    with pytest.raises(actions.PostError, match="La cuenta está desactivada"):
        actions.retry(delivery.pk, editor)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
