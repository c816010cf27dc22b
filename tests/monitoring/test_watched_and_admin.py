from datetime import date

import time_machine
from django.contrib.auth.models import User
from django.urls import reverse

from monitoring import actions
from monitoring.models import Mention, MentionDecision, WatchedAccount

WATCHED = reverse("monitoring:watched")


def test_watched_accounts_are_listed_by_category(editor_client):
    # given
    WatchedAccount.objects.create(
        network="x",
        handle="@MinEnergiaCo",
        name="Ministerio de Minas y Energía",
        category=WatchedAccount.Category.SECTOR_LEADER,
    )
    WatchedAccount.objects.create(
        network="x",
        handle="@ANMColombia",
        name="Agencia Nacional de Minería",
        category=WatchedAccount.Category.MINISTRY_ENTITY,
    )
    WatchedAccount.objects.create(
        network="facebook",
        handle="congresoenergia",
        name="Congreso de Energía 2026",
        category=WatchedAccount.Category.EVENT,
        active_until=date(2026, 11, 30),
    )

    # when
    with time_machine.travel(date(2026, 12, 3)):
        page = editor_client.get(WATCHED).content.decode()

    # then
    assert page.index("Líder del sector") < page.index("Ministerio de Minas y Energía")
    assert "Entidad adscrita al Ministerio" in page
    assert "https://x.com/ANMColombia" in page
    assert "Terminó el 30 nov 2026" in page


def test_outsiders_cannot_see_watched_accounts(client, outsider):
    client.force_login(outsider)

    assert client.get(WATCHED).status_code == 403


def test_an_event_account_is_current_until_its_last_day():
    account = WatchedAccount(
        network="x",
        handle="@evento",
        name="Evento",
        category=WatchedAccount.Category.EVENT,
        active_until=date(2026, 12, 3),
    )

    assert account.is_current(today=date(2026, 12, 3))
    assert not account.is_current(today=date(2026, 12, 4))


def test_the_admin_lists_mentions_and_their_read_only_history(
    client, editor, x_account, make_mention
):
    # given
    admin = User.objects.create_superuser("admin", "admin@upme.gov.co", "clave-1")
    mention = make_mention(x_account, 1, author_handle="marcela_rpz")
    actions.decide(mention, editor, Mention.Decision.NEEDS_REPLY)
    client.force_login(admin)

    # when
    listing = client.get(
        reverse("admin:monitoring_mention_changelist"), {"decision": "needs_reply"}
    )
    history = client.get(reverse("admin:monitoring_mentiondecision_changelist"))
    change = MentionDecision.objects.get()
    edit = client.post(
        reverse("admin:monitoring_mentiondecision_change", args=[change.pk]),
        {"to_decision": "no_reply"},
    )

    # then
    assert "marcela_rpz" in listing.content.decode()
    assert history.status_code == 200
    assert edit.status_code == 403
    change.refresh_from_db()
    assert change.to_decision == Mention.Decision.NEEDS_REPLY
