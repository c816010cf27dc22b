"""An approver approves exactly the version they read."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from publishing import actions
from publishing.models import Delivery, Post, PostEvent
from tests.publishing.conftest import make_post, shown_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def erika(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def andres(approver) -> Client:
    client = Client()
    client.force_login(approver)
    return client


def edit_data(post: Post, **overrides) -> dict:
    data = {
        "text": post.text,
        "link": post.link,
        "accounts": [a.pk for a in post.accounts.all()],
        "mirror_to_facebook": "on" if post.mirror_to_facebook else "",
        "scheduled_for": "",
    }
    data.update(overrides)
    return data


def approve(client: Client, post: Post, version: str):
    return client.post(
        reverse("publishing:approve", args=[post.pk]),
        {"version": version},
        follow=True,
    )


def test_approving_a_page_opened_before_an_edit_is_refused(
    erika, andres, pending_post, django_capture_on_commit_callbacks
):
    # given Andrés opened the pending post
    seen = shown_version(andres, pending_post)

    # and Erika then changed the text and sent it again
    erika.post(
        reverse("publishing:edit", args=[pending_post.pk]),
        edit_data(pending_post, text="Texto cambiado a escondidas", submit="1"),
    )
    pending_post.refresh_from_db()
    assert pending_post.status == Post.Status.PENDING

    # when Andrés clicks "Aprobar" on the page he had open
    with django_capture_on_commit_callbacks(execute=True):
        response = approve(andres, pending_post, seen)

    # then nothing is approved and he is shown the new version
    page = response.content.decode()
    assert "La publicación cambió desde que la abrió" in page
    assert "Texto cambiado a escondidas" in page
    pending_post.refresh_from_db()
    assert pending_post.status == Post.Status.PENDING
    assert not Delivery.objects.exists()


def test_approving_the_version_on_screen_publishes_it(
    erika, andres, pending_post, django_capture_on_commit_callbacks
):
    erika.post(
        reverse("publishing:edit", args=[pending_post.pk]),
        edit_data(pending_post, text="Segunda versión", submit="1"),
    )
    seen = shown_version(andres, pending_post)

    with django_capture_on_commit_callbacks(execute=True):
        approve(andres, pending_post, seen)

    pending_post.refresh_from_db()
    assert pending_post.status == Post.Status.PUBLISHED
    assert pending_post.text == "Segunda versión"


def test_an_approval_without_a_version_is_refused(andres, pending_post):
    response = andres.post(
        reverse("publishing:approve", args=[pending_post.pk]), follow=True
    )

    assert "La publicación cambió desde que la abrió" in response.content.decode()
    pending_post.refresh_from_db()
    assert pending_post.status == Post.Status.PENDING


@pytest.mark.parametrize(
    "change",
    [
        {"link": "https://www.upme.gov.co/otro"},
        {"mirror_to_facebook": ""},
        {"scheduled_for": f"{datetime.now(UTC) + timedelta(days=30):%Y-%m-%d}T08:00"},
        {"accounts": "first-only"},
    ],
)
def test_any_change_an_approver_can_see_makes_the_old_page_stale(
    erika, andres, approver, pending_post, x_accounts, change
):
    seen = shown_version(andres, pending_post)
    if change.get("accounts") == "first-only":
        change = {"accounts": [x_accounts[0].pk]}

    erika.post(
        reverse("publishing:edit", args=[pending_post.pk]),
        edit_data(pending_post, submit="1", **change),
    )

    with pytest.raises(actions.StaleVersion):
        actions.approve(pending_post.pk, approver, seen)


def test_editing_a_pending_post_returns_it_to_draft_with_a_history_line(
    erika, andres, pending_post
):
    # when Erika changes the text of a post waiting for approval
    response = erika.post(
        reverse("publishing:edit", args=[pending_post.pk]),
        edit_data(pending_post, text="Texto corregido", save="1"),
        follow=True,
    )

    # then it is a draft again, and she is told to send it again
    assert "volvió a borrador" in response.content.decode()
    pending_post.refresh_from_db()
    assert pending_post.status == Post.Status.DRAFT
    event = PostEvent.objects.filter(post=pending_post).last()
    assert (event.from_status, event.to_status) == ("pending", "draft")

    # and the approver sees the edit in the history, with no approve button
    page = andres.get(
        reverse("publishing:detail", args=[pending_post.pk])
    ).content.decode()
    assert "Editada por erika mientras esperaba aprobación" in page
    assert 'name="version"' not in page


def test_saving_a_pending_post_unchanged_keeps_it_pending(erika, pending_post):
    events = PostEvent.objects.filter(post=pending_post).count()

    response = erika.post(
        reverse("publishing:edit", args=[pending_post.pk]),
        edit_data(pending_post, save="1"),
        follow=True,
    )

    assert "Sin cambios; sigue pendiente de aprobación." in response.content.decode()
    pending_post.refresh_from_db()
    assert pending_post.status == Post.Status.PENDING
    assert PostEvent.objects.filter(post=pending_post).count() == events


def test_the_edit_page_of_a_pending_post_warns_it_goes_back_to_draft(
    erika, pending_post
):
    page = erika.get(
        reverse("publishing:edit", args=[pending_post.pk])
    ).content.decode()

    assert "vuelve a borrador" in page
    assert "Guardar y reenviar a aprobación" in page


def test_approving_a_scheduled_post_says_when_it_will_be_published(
    editor, andres, x_accounts, facebook_page, django_capture_on_commit_callbacks
):
    # given a post scheduled for 4 May 2030, 20:30 UTC (15:30 in Bogotá)
    when = datetime(2030, 5, 4, 20, 30, tzinfo=UTC)
    post = make_post(editor, x_accounts, scheduled_for=when)
    actions.submit(post.pk, editor)

    # when Andrés approves it well before then
    seen = shown_version(andres, post)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = approve(andres, post, seen)

    # then he is told when it goes out, and nothing was sent yet
    page = response.content.decode()
    assert "se está publicando" not in page
    assert "Aprobada: se publicará el 4" in page
    assert "2030, 15:30 (hora de Bogotá)" in page
    assert "Se publicará el 4" in page
    assert callbacks == []


@pytest.mark.parametrize("text", ["Plan\x1b[2J de expansión", "\u200b\u2800"])
def test_approval_refuses_control_or_only_invisible_text(approver, pending_post, text):
    # given a pending text that slipped in before the check existed
    Post.objects.filter(pk=pending_post.pk).update(text=text)

    # when Andrés approves it, then nothing is sent
    with pytest.raises(actions.PostError):
        actions.approve(
            pending_post.pk,
            approver,
            actions.post_version(Post.objects.get(pk=pending_post.pk)),
        )
    assert not Delivery.objects.exists()
