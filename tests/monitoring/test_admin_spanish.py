"""The monitoring admin speaks of its feminine models in the feminine."""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from monitoring.models import WatchedAccount

pytestmark = pytest.mark.django_db


def test_deleting_a_watched_account_reads_in_feminine(admin_client):
    # given a watched account nobody follows any more
    account = WatchedAccount.objects.create(
        network="x",
        handle="@ANMColombia",
        name="Agencia Nacional de Minería",
        category=WatchedAccount.Category.MINISTRY_ENTITY,
    )

    # when an administrator deletes it
    response = admin_client.post(
        reverse("admin:monitoring_watchedaccount_delete", args=[account.pk]),
        {"post": "yes"},
        follow=True,
    )

    # then the message agrees with "cuenta seguida"
    message = strip_tags(str(next(iter(response.context["messages"]))))
    assert message.startswith("La cuenta seguida “")
    assert message.endswith("fue eliminada con éxito.")
    assert not WatchedAccount.objects.exists()


def test_bulk_delete_of_watched_accounts_reads_in_spanish(admin_client):
    for handle in ("@uno", "@dos"):
        WatchedAccount.objects.create(
            network="x",
            handle=handle,
            name=handle,
            category=WatchedAccount.Category.MINISTRY_ENTITY,
        )

    response = admin_client.post(
        reverse("admin:monitoring_watchedaccount_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(
                WatchedAccount.objects.values_list("pk", flat=True)
            ),
            "post": "yes",
        },
        follow=True,
    )

    message = str(next(iter(response.context["messages"])))
    assert message == "Se eliminaron 2 cuentas seguidas."
