from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsdesk.models import NewsItem, Source
from publishing.models import Delivery, Post, PostEvent
from tests.publishing.conftest import shown_version

pytestmark = pytest.mark.django_db

COMPOSE = reverse("publishing:compose")


def form_data(accounts, **overrides) -> dict:
    data = {
        "text": "Nuevo informe de demanda de energía eléctrica 2026 https://www.upme.gov.co/d",
        "link": "https://www.upme.gov.co/d",
        "accounts": [a.pk for a in accounts],
        "mirror_to_facebook": "on",
        "scheduled_for": "",
    }
    data.update(overrides)
    return data


def test_editor_composes_and_sends_for_approval(
    editor_client, editor, x_accounts, facebook_page
):
    # when Erika writes a post and sends it for approval
    response = editor_client.post(COMPOSE, form_data(x_accounts, submit="1"))

    # then it waits for the head of the office, on both X accounts
    post = Post.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("publishing:detail", args=[post.pk])
    assert post.status == Post.Status.PENDING
    assert set(post.accounts.all()) == set(x_accounts)
    assert post.created_by == editor
    assert [e.to_status for e in post.events.all()] == ["draft", "pending"]


def test_save_draft_button_keeps_a_draft(editor_client, x_accounts):
    editor_client.post(COMPOSE, form_data(x_accounts, save="1"))

    assert Post.objects.get().status == Post.Status.DRAFT


def test_composer_lists_accounts_and_marks_sandbox_ones(editor_client, x_accounts):
    x_accounts[1].backend = "live"
    x_accounts[1].save(update_fields=["backend"])

    page = editor_client.get(COMPOSE).content.decode()

    assert "UPME (@UPMEOficial) · Sandbox: no publica de verdad" in page
    assert (
        "UPME Energía (@UPMEenergia)</label>" in page
        or "UPME Energía (@UPMEenergia)\n" in page
    )
    assert "twitter-text-3.1.0.min.js" in page
    assert "Guardar borrador" in page and "Enviar a aprobación" in page


def test_server_refuses_over_length_text_with_a_spanish_error(
    editor_client, x_accounts
):
    response = editor_client.post(
        COMPOSE, form_data(x_accounts, text="á" * 290, submit="1")
    )

    assert response.status_code == 200
    assert "mide 290 de 280 caracteres" in response.content.decode()
    assert not Post.objects.exists()


def test_server_refuses_empty_text(editor_client, x_accounts):
    response = editor_client.post(COMPOSE, form_data(x_accounts, text="  ", submit="1"))

    assert "El texto para X está vacío." in response.content.decode()
    assert not Post.objects.exists()


def test_a_post_with_nowhere_to_go_is_not_sent_for_approval(editor_client):
    editor_client.post(COMPOSE, form_data([], mirror_to_facebook="", submit="1"))

    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT


def test_past_schedule_is_refused(editor_client, x_accounts):
    response = editor_client.post(
        COMPOSE, form_data(x_accounts, scheduled_for="2020-01-01T08:00", save="1")
    )

    assert "La hora programada ya pasó." in response.content.decode()


def test_schedule_is_read_as_bogota_time(editor_client, x_accounts):
    year = timezone.now().year + 1
    with time_machine.travel(datetime(year - 1, 6, 1, tzinfo=UTC), tick=False):
        editor_client.post(
            COMPOSE,
            form_data(x_accounts, scheduled_for=f"{year}-03-01T08:00", save="1"),
        )

    # 08:00 in Bogotá is 13:00 UTC
    assert Post.objects.get().scheduled_for == datetime(year, 3, 1, 13, 0, tzinfo=UTC)


def test_composer_prefills_from_a_news_item(editor_client, editor, x_accounts):
    source = Source.objects.create(name="Demo", url="http://127.0.0.1/feed.xml")
    item = NewsItem.objects.create(
        source=source,
        identity="a1",
        title="Subasta de renovables adjudica 4 GW",
        link="https://noticias.example.co/subasta",
        published_at=timezone.now(),
    )

    page = editor_client.get(COMPOSE, {"item": item.pk}).content.decode()
    assert (
        "Subasta de renovables adjudica 4 GW https://noticias.example.co/subasta"
        in page
    )

    editor_client.post(f"{COMPOSE}?item={item.pk}", form_data(x_accounts, save="1"))
    assert Post.objects.get().news_item == item


def test_composer_ignores_an_unknown_item(editor_client):
    response = editor_client.get(COMPOSE, {"item": "abc"})

    assert response.status_code == 200


def test_outsider_and_requester_cannot_compose(client, outsider, requester):
    for person in (outsider, requester):
        client.force_login(person)
        assert client.get(COMPOSE).status_code == 403
        assert client.get(reverse("publishing:list")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(COMPOSE)

    assert response.status_code == 302
    assert reverse("login") in response.url


def test_approver_approves_and_every_account_gets_published(
    approver_client,
    pending_post,
    x_accounts,
    facebook_page,
    django_capture_on_commit_callbacks,
):
    # when Andrés approves (publishing runs when the transaction commits)
    version = shown_version(approver_client, pending_post)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = approver_client.post(
            reverse("publishing:approve", args=[pending_post.pk]),
            {"version": version},
        )

    # then both X accounts and the Facebook Page have the post, with ids
    assert response.status_code == 302
    assert len(callbacks) == 3
    pending_post.refresh_from_db()
    assert pending_post.status == Post.Status.PUBLISHED
    deliveries = list(pending_post.deliveries.select_related("account"))
    assert {d.account for d in deliveries} == {*x_accounts, facebook_page}
    assert all(
        d.status == Delivery.Status.PUBLISHED and d.external_id for d in deliveries
    )

    page = approver_client.get(
        reverse("publishing:detail", args=[pending_post.pk])
    ).content.decode()
    for delivery in deliveries:
        assert delivery.external_id in page
    assert "Sandbox" in page


def test_approval_enqueues_only_after_commit(
    approver_client, pending_post, django_capture_on_commit_callbacks
):
    version = shown_version(approver_client, pending_post)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approver_client.post(
            reverse("publishing:approve", args=[pending_post.pk]),
            {"version": version},
        )

    # Nothing was sent inside the transaction; three sends wait for commit.
    assert len(callbacks) == 3
    assert not Delivery.objects.exclude(status=Delivery.Status.PENDING).exists()


def test_editor_cannot_approve(
    editor_client, pending_post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("publishing:approve", args=[pending_post.pk])
        )

    assert response.status_code == 403
    pending_post.refresh_from_db()
    assert pending_post.status == Post.Status.PENDING
    assert not Delivery.objects.exists()


def test_editor_does_not_see_the_approve_button(editor_client, pending_post):
    page = editor_client.get(
        reverse("publishing:detail", args=[pending_post.pk])
    ).content.decode()

    assert "Aprobar" not in page


def test_approver_returns_a_post_with_a_note(approver_client, pending_post):
    response = approver_client.post(
        reverse("publishing:reject", args=[pending_post.pk]),
        {"note": "Falta la cifra de megavatios."},
    )

    assert response.status_code == 302
    pending_post.refresh_from_db()
    assert pending_post.status == Post.Status.DRAFT
    event = PostEvent.objects.filter(post=pending_post).last()
    assert (event.to_status, event.note) == ("draft", "Falta la cifra de megavatios.")
    page = approver_client.get(
        reverse("publishing:detail", args=[pending_post.pk])
    ).content.decode()
    assert "Falta la cifra de megavatios." in page


def test_returning_without_a_note_changes_nothing(approver_client, pending_post):
    approver_client.post(
        reverse("publishing:reject", args=[pending_post.pk]), {"note": " "}
    )

    pending_post.refresh_from_db()
    assert pending_post.status == Post.Status.PENDING


def test_editor_cannot_return_a_post(editor_client, pending_post):
    response = editor_client.post(
        reverse("publishing:reject", args=[pending_post.pk]), {"note": "no"}
    )

    assert response.status_code == 403


def list_queries(client, status: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("publishing:list"), {"estado": status})
    return len(queries), response.content.decode()


def test_list_query_count_does_not_grow_with_posts(editor_client, editor, x_accounts):
    from tests.publishing.conftest import make_post

    make_post(editor, x_accounts, text="Borrador inicial")
    few, _page = list_queries(editor_client, "draft")
    for n in range(12):
        make_post(editor, x_accounts, text=f"Borrador número {n}")

    many, page = list_queries(editor_client, "draft")

    assert many == few <= 12
    assert "Borrador número 11" in page and "Borrador inicial" in page
    assert "Pendiente de aprobación" in page


def test_published_list_shows_each_account_without_extra_queries(
    editor_client,
    editor,
    approver,
    x_accounts,
    facebook_page,
    django_capture_on_commit_callbacks,
):
    from publishing import actions
    from tests.publishing.conftest import make_post

    def publish(text: str) -> None:
        post = make_post(editor, x_accounts, text=text)
        actions.submit(post.pk, editor)
        with django_capture_on_commit_callbacks(execute=True):
            actions.approve(post.pk, approver)

    publish("Primera publicada")
    few, _page = list_queries(editor_client, "published")
    for n in range(5):
        publish(f"Publicada {n}")

    many, page = list_queries(editor_client, "published")

    assert many == few
    assert page.count("UPME Energía · Sandbox: Publicado") == 6


def test_unknown_tab_falls_back_to_pending(editor_client):
    response = editor_client.get(reverse("publishing:list"), {"estado": "<script>"})

    assert response.status_code == 200


def test_new_post_starts_with_every_enabled_x_account_ticked(editor_client, x_accounts):
    x_accounts[1].enabled = False
    x_accounts[1].save(update_fields=["enabled"])

    page = editor_client.get(COMPOSE).content.decode()

    assert f'value="{x_accounts[0].pk}" id="id_accounts_0" checked' in page
    assert "UPME Energía" not in page


def test_editor_fixes_a_returned_draft_and_sends_it_again(
    editor_client, editor, x_accounts, facebook_page
):
    from tests.publishing.conftest import make_post

    post = make_post(editor, x_accounts, text="Texto con erorr")
    edit = reverse("publishing:edit", args=[post.pk])
    assert "Texto con erorr" in editor_client.get(edit).content.decode()

    editor_client.post(
        edit, form_data(x_accounts[:1], text="Texto corregido", submit="1")
    )

    post.refresh_from_db()
    assert (post.text, post.status) == ("Texto corregido", Post.Status.PENDING)
    assert list(post.accounts.all()) == x_accounts[:1]


def test_a_published_post_cannot_be_edited(approver_client, pending_post, approver):
    from publishing import actions

    Post.objects.filter(pk=pending_post.pk).update(status=Post.Status.PUBLISHED)
    edit = reverse("publishing:edit", args=[pending_post.pk])

    response = approver_client.post(
        edit, form_data([], text="Cambio tardío"), follow=True
    )

    assert "ya no se puede editar" in response.content.decode()
    pending_post.refresh_from_db()
    assert pending_post.text != "Cambio tardío"
    with pytest.raises(actions.PostError):
        actions.save_draft(
            approver,
            actions.Draft("Cambio tardío", "", [], True, None),
            post=pending_post,
        )


def test_older_posts_are_on_the_next_page(editor_client, editor, x_accounts):
    from publishing.views import PAGE_SIZE
    from tests.publishing.conftest import make_post

    for n in range(PAGE_SIZE + 1):
        make_post(editor, x_accounts, text=f"Borrador {n:03d}")

    first = editor_client.get(
        reverse("publishing:list"), {"estado": "draft"}
    ).content.decode()
    second = editor_client.get(
        reverse("publishing:list"), {"estado": "draft", "pagina": "2"}
    ).content.decode()

    assert "Borrador 000" not in first and "Borrador 000" in second
    assert "Página 1 de 2" in first


def test_pending_list_shows_the_chosen_accounts_without_extra_queries(
    editor_client, editor, x_accounts, facebook_page
):
    from publishing import actions
    from tests.publishing.conftest import make_post

    def send(text: str, **kwargs) -> None:
        actions.submit(
            make_post(editor, x_accounts[:1], text=text, **kwargs).pk, editor
        )

    send("Primera pendiente")
    few, _page = list_queries(editor_client, "pending")
    for n in range(5):
        send(f"Pendiente {n}", mirror=False)

    many, page = list_queries(editor_client, "pending")

    # Before approval there are no deliveries: the chosen accounts show.
    assert many == few
    assert page.count(">UPME · Sandbox</span>") == 6
    assert page.count(">Facebook</span>") == 1
    assert "UPME Energía" not in page


def test_an_unknown_account_is_reported_next_to_the_accounts(editor_client, x_accounts):
    data = form_data(x_accounts)
    data["accounts"] = ["999"]

    response = editor_client.post(COMPOSE, data)

    page = response.content.decode()
    assert "Una de las cuentas elegidas ya no existe" in page
    assert not Post.objects.exists()


def test_an_account_disabled_while_writing_is_named(editor_client, x_accounts):
    # given the page was opened with both accounts, then one was disabled
    x_accounts[1].enabled = False
    x_accounts[1].save(update_fields=["enabled"])

    response = editor_client.post(COMPOSE, form_data(x_accounts))

    page = response.content.decode()
    assert "Estas cuentas de X ya no están activas: UPME Energía." in page
    assert "Nuevo informe de demanda" in page
    assert not Post.objects.exists()


def test_an_unreadable_schedule_is_reported_in_spanish(editor_client, x_accounts):
    response = editor_client.post(
        COMPOSE, form_data(x_accounts, scheduled_for="mañana temprano")
    )

    assert "Escriba la fecha y la hora como AAAA-MM-DD HH:MM." in (
        response.content.decode()
    )
    assert not Post.objects.exists()


def test_hidden_characters_are_named_in_the_composer(editor_client, x_accounts):
    response = editor_client.post(
        COMPOSE, form_data(x_accounts, text="Plan de\ufeff expansión")
    )

    page = response.content.decode()
    assert "U+FEFF (espacio invisible) en la posición 8" in page
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("scheduled_for", "message"),
    [
        ("9999-12-31T23:59", "fuera del rango permitido"),
        ("2020-01-01T08:00", "La hora programada ya pasó."),
        ("2200-06-01T08:00", "hasta un año por delante"),
    ],
)
def test_an_impossible_schedule_gets_a_spanish_error_not_a_crash(
    editor_client, x_accounts, scheduled_for, message
):
    # when Erika types a year far off, or one already gone
    response = editor_client.post(
        COMPOSE, form_data(x_accounts, scheduled_for=scheduled_for, submit="1")
    )

    # then the composer comes back with a reason and nothing is stored
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Post.objects.exists()


def test_admin_refuses_an_out_of_range_schedule_on_a_draft(admin_client, editor):
    from tests.publishing.conftest import make_post

    post = make_post(editor, [])
    response = admin_client.post(
        reverse("admin:publishing_post_change", args=[post.pk]),
        {
            "text": post.text,
            "link": post.link,
            "mirror_to_facebook": "on",
            "scheduled_for_0": "31/12/9999",
            "scheduled_for_1": "23:59:00",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "fuera del rango permitido" in response.content.decode()
    post.refresh_from_db()
    assert post.scheduled_for is None


def test_server_error_and_live_warning_are_separate_boxes(editor_client, x_accounts):
    # when Erika saves a text with a terminal escape in it
    response = editor_client.post(
        COMPOSE, form_data(x_accounts, text="\x1b[31mPlan de expansión", save="1")
    )

    # then the server's reason stands in its own pink box, apart from the
    # amber warning the page shows while typing
    html = response.content.decode()
    assert not Post.objects.exists()
    assert 'id="hidden-chars" class="msg msg-warning"' in html
    assert '<small class="msg msg-error" role="alert" style="display:block' in html
    assert "U+001B (escape (ESC))" in html
