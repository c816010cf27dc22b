"""People are named the same way on every publishing screen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from publishing import actions
from tests.publishing.conftest import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(editor, approver):
    editor.first_name, editor.last_name = "Erika", "Rojas"
    editor.save(update_fields=["first_name", "last_name"])
    approver.first_name, approver.last_name = "Andrés", "Pardo"
    approver.save(update_fields=["first_name", "last_name"])


def test_posts_name_their_author_by_full_name(named, editor_client, editor, x_accounts):
    post = make_post(editor, x_accounts)

    row = editor_client.get(reverse("publishing:list"), {"estado": "draft"})
    detail = editor_client.get(reverse("publishing:detail", args=[post.pk]))

    assert "<td>Erika Rojas</td>" in row.content.decode()
    html = detail.content.decode()
    assert "Redactada por Erika Rojas" in html
    assert "Erika Rojas:" in html  # the history line
    assert "Salir (Erika Rojas)" in html
    assert "erika" not in html.replace("erika@", "")


def test_an_edit_while_pending_names_the_editor_in_the_history(
    named, approver_client, approver, pending_post
):
    actions.save_draft(
        approver,
        actions.Draft("Texto corregido por el jefe", "", [], True, None),
        post=pending_post,
    )

    html = approver_client.get(
        reverse("publishing:detail", args=[pending_post.pk])
    ).content.decode()

    assert "Editada por Andrés Pardo mientras esperaba aprobación" in html


def test_a_person_without_a_full_name_is_shown_by_username(
    editor_client, editor, x_accounts
):
    post = make_post(editor, x_accounts)

    html = editor_client.get(
        reverse("publishing:detail", args=[post.pk])
    ).content.decode()

    assert "Redactada por erika" in html
