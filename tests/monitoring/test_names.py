"""A mention's decision and its history name people the same way."""

from __future__ import annotations

from django.urls import reverse

from monitoring import actions
from monitoring.models import Mention


def test_decision_and_history_show_full_names(
    editor_client, editor, approver, x_account, make_mention
):
    # given Erika and Andrés, with their full names, both decided a mention
    for person, first, last in (
        (editor, "Erika", "Rojas"),
        (approver, "Andrés", "Pardo"),
    ):
        person.first_name, person.last_name = first, last
        person.save(update_fields=["first_name", "last_name"])
    mention = make_mention(x_account, 1)
    actions.decide(mention, editor, Mention.Decision.NO_REPLY)
    actions.decide(mention, approver, Mention.Decision.NEEDS_REPLY)

    # when the inbox shows it
    html = editor_client.get(reverse("monitoring:inbox"), {"tab": "all"})

    # then the decision and every history line use the full name
    page = html.content.decode()
    assert "por Andrés Pardo el" in page
    assert "Erika Rojas cambió" in page
    assert "Andrés Pardo cambió" in page
    assert "andres cambió" not in page
