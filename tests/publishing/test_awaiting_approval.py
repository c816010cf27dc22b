"""Andrés sees from any page that posts await his approval."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from publishing import actions
from tests.publishing.conftest import make_post

pytestmark = pytest.mark.django_db

PENDING_LIST = f"{reverse('publishing:list')}?estado=pending"


def test_the_approver_sees_how_many_posts_wait_on_the_queue_page(
    approver_client, editor, x_accounts, facebook_page
):
    # given Erika sent two posts for approval and kept one as a draft
    for text in ("Plan de expansión 2025", "Subasta de renovables"):
        actions.submit(make_post(editor, x_accounts, text=text).pk, editor)
    make_post(editor, x_accounts, text="Borrador sin enviar")

    # when Andrés signs in and lands on Noticias
    page = approver_client.get(reverse("newsdesk:queue")).content.decode()

    # then the navigation counts them and leads to the pending list
    assert f'href="{PENDING_LIST}"' in page
    assert "2 por aprobar" in page


def test_no_count_when_nothing_waits(approver_client, editor, x_accounts):
    make_post(editor, x_accounts, text="Borrador sin enviar")

    page = approver_client.get(reverse("newsdesk:queue")).content.decode()

    assert "por aprobar" not in page


def test_editors_are_not_shown_the_approvers_count(editor_client, pending_post):
    page = editor_client.get(reverse("newsdesk:queue")).content.decode()

    assert "por aprobar" not in page


def test_the_approvers_list_query_count_does_not_grow(
    approver_client, editor, x_accounts, facebook_page
):
    def pending_page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            approver_client.get(PENDING_LIST)
        return len(queries)

    actions.submit(make_post(editor, x_accounts, text="Primera").pk, editor)
    few = pending_page_queries()
    for n in range(10):
        actions.submit(make_post(editor, x_accounts, text=f"Número {n}").pk, editor)

    assert pending_page_queries() == few <= 14
