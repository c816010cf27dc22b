from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring import actions
from monitoring.models import Mention, MentionDecision

INBOX = reverse("monitoring:inbox")


def _decide_url(mention: Mention) -> str:
    return reverse("monitoring:decide", args=[mention.pk])


def test_the_inbox_shows_unreviewed_mentions_newest_first(
    editor_client, x_account, make_mention
):
    # given
    make_mention(x_account, 1, text="Primera pregunta")
    make_mention(x_account, 2, text="Segunda pregunta", author_name="Marcela Ruiz")
    decided = make_mention(x_account, 3, text="Ya revisada")
    decided.decision = Mention.Decision.NO_REPLY
    decided.save(update_fields=["decision"])

    # when
    response = editor_client.get(INBOX)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Segunda pregunta") < page.index("Primera pregunta")
    assert "Ya revisada" not in page
    assert "Marcela Ruiz" in page
    assert 'class="badge badge-sandbox"' in page
    assert "https://x.com/ciudadano2/status/2" in page
    # 15:02 UTC on the 1st is 10:02 in Bogota.
    assert "1 dic 2026, 10:02" in page
    tabs = {tab["value"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs == {"pending": 2, "needs_reply": 0, "no_reply": 1, "all": 3}


def test_message_text_is_escaped(editor_client, x_account, make_mention):
    make_mention(x_account, 1, text='<script>alert("x")</script>')

    page = editor_client.get(INBOX).content.decode()

    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


def test_the_inbox_runs_a_fixed_number_of_queries(
    editor_client, editor, approver, x_account, facebook_account, make_mention
):
    # given: a few mentions, then many, over two accounts and two deciders
    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            account = x_account if n % 2 else facebook_account
            mention = make_mention(account, n)
            person = editor if n % 3 else approver
            actions.decide(mention, person, Mention.Decision.NEEDS_REPLY)

    add(0, 2)
    with CaptureQueriesContext(connection) as few:
        editor_client.get(INBOX, {"tab": "all"})
    add(100, 20)

    # when
    with CaptureQueriesContext(connection) as many:
        response = editor_client.get(INBOX, {"tab": "all"})

    # then
    assert len(response.context["page"]) == 22
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 14, len(many)


def test_deciding_moves_the_mention_between_tabs(
    editor_client, x_account, make_mention
):
    # given
    mention = make_mention(x_account, 1, text="¿Dónde está el informe?")

    # when: without JavaScript, the form posts and comes back
    response = editor_client.post(
        _decide_url(mention),
        {"decision": "needs_reply", "next": INBOX + "?kind=mention"},
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == INBOX + "?kind=mention"
    followed = editor_client.get(response["Location"])
    assert "Decisión registrada" in followed.content.decode()
    assert "¿Dónde está el informe?" not in followed.content.decode()
    needs_reply = editor_client.get(INBOX, {"tab": "needs_reply"}).content.decode()
    assert "¿Dónde está el informe?" in needs_reply
    assert "por erika el" in needs_reply


def test_an_htmx_decision_returns_the_row_to_swap(
    editor_client, editor, x_account, make_mention
):
    mention = make_mention(x_account, 1)

    response = editor_client.post(
        _decide_url(mention),
        {"decision": "no_reply", "next": INBOX},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<article id="mention-{mention.pk}"')
    assert "<html" not in body
    assert "No requiere respuesta" in body
    assert "por erika el" in body
    assert response["HX-Trigger"] == "mentions-changed"
    assert MentionDecision.objects.get().actor == editor


def test_a_changed_decision_shows_its_history(
    editor_client, approver, x_account, make_mention
):
    mention = make_mention(x_account, 1)
    actions.decide(mention, approver, Mention.Decision.NO_REPLY)

    response = editor_client.post(
        _decide_url(mention),
        {"decision": "needs_reply"},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert "Historial (2 cambios)" in body
    assert "andres cambió «Sin revisar» a «No requiere respuesta»" in body
    assert "erika cambió «No requiere respuesta» a «Requiere respuesta»" in body


def test_an_unknown_decision_is_a_400_with_a_spanish_message(
    editor_client, x_account, make_mention
):
    mention = make_mention(x_account, 1)

    response = editor_client.post(_decide_url(mention), {"decision": "tal vez"})

    assert response.status_code == 400
    assert "Esa decisión no existe" in response.content.decode()
    mention.refresh_from_db()
    assert mention.decision == Mention.Decision.PENDING


def test_an_htmx_error_goes_to_the_alert_box(editor_client, x_account, make_mention):
    mention = make_mention(x_account, 1)

    response = editor_client.post(
        _decide_url(mention), {}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#inbox-alert"
    assert "Esa decisión no existe" in response.content.decode()


@pytest.mark.parametrize("pk", [999999, int("9" * 25)])
def test_a_missing_mention_is_a_404_with_a_spanish_message(editor_client, pk):
    response = editor_client.post(
        reverse("monitoring:decide", args=[pk]), {"decision": "no_reply"}
    )

    assert response.status_code == 404
    assert "La mención no existe" in response.content.decode()


def test_next_pointing_elsewhere_returns_to_the_inbox(
    editor_client, x_account, make_mention
):
    mention = make_mention(x_account, 1)

    response = editor_client.post(
        _decide_url(mention),
        {"decision": "no_reply", "next": "https://example.com/phish"},
    )

    assert response["Location"] == INBOX


@pytest.mark.parametrize("url_name", ["monitoring:inbox", "monitoring:counts"])
def test_outsiders_are_refused(client, outsider, requester, url_name):
    for person in (outsider, requester):
        client.force_login(person)
        assert client.get(reverse(url_name)).status_code == 403


def test_outsiders_cannot_decide(client, outsider, x_account, make_mention):
    mention = make_mention(x_account, 1)
    client.force_login(outsider)

    response = client.post(_decide_url(mention), {"decision": "no_reply"})

    assert response.status_code == 403
    mention.refresh_from_db()
    assert mention.decision == Mention.Decision.PENDING


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(INBOX)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_approvers_triage_too(approver_client, x_account, make_mention):
    make_mention(x_account, 1, text="Hola UPME")

    assert "Hola UPME" in approver_client.get(INBOX).content.decode()


def test_filters_by_account_network_and_kind(
    editor_client, x_account, facebook_account, make_mention
):
    make_mention(x_account, 1, text="Mención en X")
    make_mention(facebook_account, 2, text="Comentario en Facebook", kind="comment")
    make_mention(x_account, 3, text="Mensaje directo en X", kind="message")

    def shown(**params: object) -> set[str]:
        response = editor_client.get(INBOX, params)
        return {m.text for m in response.context["page"]}

    assert shown(account=facebook_account.pk) == {"Comentario en Facebook"}
    assert shown(network="x") == {"Mención en X", "Mensaje directo en X"}
    assert shown(kind="message") == {"Mensaje directo en X"}
    assert shown(network="x", kind="comment") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"account": "abc", "network": "myspace", "tab": "x", "page": "-3"},
        {"account": "9" * 25, "kind": "<b>", "page": "9" * 25},
    ],
)
def test_nonsense_filters_are_ignored(editor_client, x_account, make_mention, params):
    make_mention(x_account, 1, text="Hola")

    response = editor_client.get(INBOX, params)

    assert response.status_code == 200
    assert "Hola" in response.content.decode()


def test_the_inbox_is_paginated(editor_client, x_account, make_mention):
    for n in range(30):
        make_mention(x_account, n)

    first = editor_client.get(INBOX)
    second = editor_client.get(INBOX, {"page": 2})

    assert len(first.context["page"]) == 25
    assert len(second.context["page"]) == 5
    assert "Página 2 de 2" in second.content.decode()


def test_the_counter_refreshes_with_new_mentions(
    editor_client, x_account, make_mention
):
    # given: the inbox page polls the counter
    make_mention(x_account, 1)
    page = editor_client.get(INBOX).content.decode()
    assert 'hx-trigger="every 15s' in page

    # when: a mention arrives and the poll comes
    make_mention(x_account, 2)
    response = editor_client.get(reverse("monitoring:counts"), {"kind": "mention"})

    # then
    body = response.content.decode()
    assert '<nav id="inbox-tabs"' in body
    assert '<span class="badge badge-danger" data-count="pending">2</span>' in body
    assert "kind=mention" in body


def test_dates_are_shown_in_bogota_time(editor_client, x_account, make_mention):
    make_mention(x_account, 1, said_at=datetime(2026, 12, 2, 3, 30, tzinfo=UTC))

    page = editor_client.get(INBOX).content.decode()

    assert "1 dic 2026, 22:30" in page


def test_an_account_whose_pull_failed_is_flagged_on_the_inbox(
    editor_client, x_account, facebook_account
):
    facebook_account.last_error = "Menciones: las credenciales de la cuenta vencieron."
    facebook_account.save(update_fields=["last_error"])

    page = editor_client.get(INBOX).content.decode()

    assert "No se pudieron traer las menciones de Página UPME (Facebook)" in page
    assert "las credenciales de la cuenta vencieron" in page
    assert "UPME Colombia (X)" not in page


def test_a_live_account_has_no_sandbox_badge(
    editor_client, facebook_account, make_mention
):
    make_mention(facebook_account, 1, text="Comentario real")

    page = editor_client.get(INBOX).content.decode()

    assert "Comentario real" in page
    assert "badge-sandbox" not in page


def test_sandbox_mentions_show_their_invented_address_as_text(
    editor_client, x_account, facebook_account, make_mention
):
    # given one mention on a sandbox account and one on a live page
    make_mention(x_account, 1, url="https://x.com/luzaidaq_demo/status/1")
    make_mention(facebook_account, 2, url="https://www.facebook.com/178923456781234_2")

    html = editor_client.get(INBOX, {"tab": "all"}).content.decode()

    # then the invented one is not a link, and the real one still is
    assert 'href="https://x.com/luzaidaq_demo/status/1"' not in html
    assert (
        "https://x.com/luzaidaq_demo/status/1 <strong>simulado (sandbox)</strong>"
        in html
    )
    assert 'href="https://www.facebook.com/178923456781234_2"' in html


def test_the_sandbox_invents_only_handles_marked_as_demo(x_account):
    from publishing.networks.sandbox import SandboxBackend

    mentions = SandboxBackend(x_account)._mention
    handles = {mentions(n).author_handle for n in range(200)}

    assert len(handles) > 5
    assert all(handle.endswith("_demo") for handle in handles)


def test_a_mention_address_that_is_not_a_web_page_is_not_a_link(
    editor_client, facebook_account, make_mention
):
    # given a live network's answer with a script where its address should be
    make_mention(facebook_account, 1, url="javascript:alert(1)")

    # then the inbox lists the mention without a link that would run it
    html = editor_client.get(INBOX, {"tab": "all"}).content.decode()
    assert "Mensaje número 1" in html
    assert "javascript:" not in html
