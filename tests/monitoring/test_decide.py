from datetime import UTC, datetime

import pytest
import time_machine

from monitoring import actions
from monitoring.models import Mention, MentionDecision

NOON_BOGOTA = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)


@pytest.fixture
def mention(x_account, make_mention) -> Mention:
    return make_mention(x_account, 1)


def test_a_decision_records_who_and_when(mention, editor):
    with time_machine.travel(NOON_BOGOTA, tick=False):
        actions.decide(mention, editor, Mention.Decision.NEEDS_REPLY)

    mention.refresh_from_db()
    assert mention.decision == Mention.Decision.NEEDS_REPLY
    assert mention.decided_by == editor
    assert mention.decided_at == NOON_BOGOTA
    change = MentionDecision.objects.get()
    assert (change.actor, change.from_decision, change.to_decision) == (
        editor,
        Mention.Decision.PENDING,
        Mention.Decision.NEEDS_REPLY,
    )


def test_someone_else_can_change_the_decision_and_the_history_keeps_both(
    mention, editor, approver
):
    actions.decide(mention, editor, Mention.Decision.NO_REPLY)

    actions.decide(mention, approver, Mention.Decision.NEEDS_REPLY)

    mention.refresh_from_db()
    assert mention.decision == Mention.Decision.NEEDS_REPLY
    assert mention.decided_by == approver
    history = list(
        mention.decisions.values_list("actor__username", "from_decision", "to_decision")
    )
    assert history == [
        ("erika", "pending", "no_reply"),
        ("andres", "no_reply", "needs_reply"),
    ]


def test_the_same_decision_twice_keeps_who_decided_first(mention, editor, approver):
    actions.decide(mention, editor, Mention.Decision.NEEDS_REPLY)

    actions.decide(mention, approver, Mention.Decision.NEEDS_REPLY)

    mention.refresh_from_db()
    assert mention.decided_by == editor
    assert mention.decisions.count() == 1


def test_reopen_sends_the_mention_back_to_unreviewed(mention, editor, approver):
    actions.decide(mention, editor, Mention.Decision.NO_REPLY)

    actions.reopen(mention, approver)

    mention.refresh_from_db()
    assert mention.decision == Mention.Decision.PENDING
    assert mention.decided_by is None
    assert mention.decided_at is None
    assert mention.decisions.last().actor == approver


def test_an_unknown_decision_is_refused(mention, editor):
    with pytest.raises(ValueError):
        actions.decide(mention, editor, "maybe")

    mention.refresh_from_db()
    assert mention.decision == Mention.Decision.PENDING
