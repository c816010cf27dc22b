import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from publishing import actions
from publishing.models import Delivery, Post, SocialAccount
from publishing.networks import Outcome, PublishResult
from publishing.networks.sandbox import SandboxBackend
from tests.publishing.conftest import make_post

pytestmark = pytest.mark.django_db


class RefusingBackend(SandboxBackend):
    def publish(self, text: str, link: str = "") -> PublishResult:
        return PublishResult(
            outcome=Outcome.AUTH_EXPIRED,
            http_status=401,
            error="X rechazó las credenciales de la cuenta.",
        )


@pytest.fixture
def approved(pending_post, approver, django_capture_on_commit_callbacks) -> Post:
    with django_capture_on_commit_callbacks(execute=False):
        return actions.approve(pending_post.pk, approver)


def x_delivery(post: Post) -> Delivery:
    return post.deliveries.get(account__handle="@UPMEOficial")


def test_failed_delivery_shows_its_spanish_error_and_a_retry_button(
    editor_client, approved, monkeypatch, django_capture_on_commit_callbacks
):
    # given X refused the credentials of one account
    monkeypatch.setattr(actions, "get_backend", RefusingBackend)
    delivery = x_delivery(approved)
    actions.publish_delivery(delivery.pk)

    page = editor_client.get(
        reverse("publishing:detail", args=[approved.pk])
    ).content.decode()
    assert "X rechazó las credenciales de la cuenta." in page
    assert "HTTP 401" in page
    assert "Reintentar" in page

    # when the credentials are fixed and Erika clicks "Reintentar"
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(reverse("publishing:retry", args=[delivery.pk]))

    # then it is published
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PUBLISHED
    assert delivery.attempts.count() == 2


def test_outsider_cannot_retry(client, outsider, approved):
    client.force_login(outsider)

    response = client.post(reverse("publishing:retry", args=[x_delivery(approved).pk]))

    assert response.status_code == 403


def test_retry_of_a_published_delivery_says_why_not(editor_client, approved):
    delivery = x_delivery(approved)
    actions.publish_delivery(delivery.pk)

    response = editor_client.post(
        reverse("publishing:retry", args=[delivery.pk]), follow=True
    )

    assert "no está fallida" in response.content.decode()
    assert delivery.attempts.count() == 1


def test_live_section_refreshes_while_publishing_and_stops_after(
    editor_client, approved
):
    url = reverse("publishing:detail", args=[approved.pk])

    while_sending = editor_client.get(
        url, headers={"HX-Request": "true"}
    ).content.decode()
    for delivery in approved.deliveries.all():
        actions.publish_delivery(delivery.pk)
    after = editor_client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert 'hx-trigger="every 2s"' in while_sending
    assert "<html" not in while_sending
    assert 'hx-trigger="every 2s"' not in after
    assert "Publicado" in after


def test_person_confirms_an_unanswered_send_was_published(
    editor_client, approved, django_capture_on_commit_callbacks
):
    # given the other accounts published and one send got no answer
    delivery = x_delivery(approved)
    for other in approved.deliveries.exclude(pk=delivery.pk):
        actions.publish_delivery(other.pk)
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.NEEDS_CHECK)
    page = editor_client.get(
        reverse("publishing:detail", args=[approved.pk])
    ).content.decode()
    assert "Requiere verificación" in page

    # when Erika finds the tweet on X and pastes its address
    url = "https://x.com/UPMEOficial/status/1864012345678901234?s=20"
    editor_client.post(reverse("publishing:confirm", args=[delivery.pk]), {"url": url})

    # then the delivery carries that id and the post is published
    delivery.refresh_from_db()
    approved.refresh_from_db()
    assert (delivery.status, delivery.external_id) == (
        "published",
        "1864012345678901234",
    )
    assert approved.status == Post.Status.PUBLISHED


def test_confirming_with_the_wrong_networks_address_is_refused(editor_client, approved):
    delivery = x_delivery(approved)
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.NEEDS_CHECK)

    response = editor_client.post(
        reverse("publishing:confirm", args=[delivery.pk]),
        {"url": "https://www.facebook.com/178923456781234/posts/1221054321"},
        follow=True,
    )

    assert "Pegue la dirección de la publicación" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.NEEDS_CHECK


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.com/UPMEOficial/status/123", "123"),
        ("https://twitter.com/UPMEOficial/status/123/photo/1", "123"),
        ("https://www.facebook.com/178/posts/99", "178_99"),
        ("https://x.com/UPMEOficial", ""),
        ("javascript:alert(1)", ""),
    ],
)
def test_external_id_from_url(url, expected):
    assert actions.external_id_from_url(url) == expected


def test_composer_prefills_from_a_staff_request(editor_client, requester, x_accounts):
    from newsdesk.models import StaffRequest

    request = StaffRequest.objects.create(
        requester=requester,
        title="Foro regional de transición energética en Tunja",
        description="El 12 de marzo, auditorio de la gobernación.",
        link="https://www.upme.gov.co/foro-tunja",
    )
    compose = reverse("publishing:compose")

    page = editor_client.get(compose, {"request": request.pk}).content.decode()
    assert (
        "Foro regional de transición energética en Tunja https://www.upme.gov.co/foro-tunja"
        in page
    )
    assert "auditorio de la gobernación" in page

    editor_client.post(
        f"{compose}?request={request.pk}",
        {"text": "Foro en Tunja", "accounts": [x_accounts[0].pk], "save": "1"},
    )
    assert Post.objects.get().staff_request == request


def test_composing_from_an_item_marks_it_used(editor_client, editor, x_accounts):
    from django.utils import timezone

    from newsdesk.models import NewsItem, Source

    source = Source.objects.create(name="Demo", url="http://127.0.0.1/feed.xml")
    item = NewsItem.objects.create(
        source=source,
        identity="x",
        title="Nueva subasta",
        link="https://n.example.co/s",
        published_at=timezone.now(),
    )

    editor_client.post(
        f"{reverse('publishing:compose')}?item={item.pk}",
        {"text": "Nueva subasta", "accounts": [x_accounts[0].pk], "save": "1"},
    )

    item.refresh_from_db()
    assert item.status == NewsItem.Status.USED


def test_admin_never_shows_credentials_back(client, db):
    admin = User.objects.create_superuser("admin", "admin@upme.gov.co", "clave-admin-1")
    account = SocialAccount.objects.create(
        network="x",
        name="UPME",
        handle="@UPMEOficial",
        backend="live",
        credentials={
            "consumer_key": "ck-very-secret-4567",
            "access_token": "at-secret-9999",
        },
    )
    client.force_login(admin)

    page = client.get(
        reverse("admin:publishing_socialaccount_change", args=[account.pk])
    )
    listing = client.get(reverse("admin:publishing_socialaccount_changelist"))

    html = page.content.decode()
    assert "ck-very-secret-4567" not in html and "at-secret-9999" not in html
    assert "consumer_key: ••••4567" in html
    assert "Real" in listing.content.decode()


def test_admin_keeps_credentials_it_was_not_given(client, db):
    admin = User.objects.create_superuser("admin", "admin@upme.gov.co", "clave-admin-1")
    account = SocialAccount.objects.create(
        network="facebook",
        name="Página",
        handle="178923456781234",
        credentials={"page_access_token": "EAAold"},
    )
    client.force_login(admin)

    client.post(
        reverse("admin:publishing_socialaccount_change", args=[account.pk]),
        {
            "network": "facebook",
            "name": "Página UPME",
            "handle": "178923456781234",
            "backend": "live",
            "enabled": "on",
            "new_credentials": '{"app_note": "renovado"}',
        },
    )

    account.refresh_from_db()
    assert account.name == "Página UPME"
    assert account.credentials == {
        "page_access_token": "EAAold",
        "app_note": "renovado",
    }


def test_admin_lists_sandbox_accounts_clearly(client, x_accounts):
    admin = User.objects.create_superuser("admin", "admin@upme.gov.co", "clave-admin-1")
    client.force_login(admin)

    page = client.get(
        reverse("admin:publishing_socialaccount_changelist")
    ).content.decode()

    assert page.count("SANDBOX (no publica)") == 2


def test_publishing_a_post_from_a_staff_request_closes_the_request(
    editor,
    approver,
    requester,
    x_accounts,
    facebook_page,
    django_capture_on_commit_callbacks,
):
    from newsdesk.models import StaffRequest
    from tests.publishing.conftest import make_post

    request = StaffRequest.objects.create(
        requester=requester, title="Feria minera", description="Stand de la UPME."
    )
    post = make_post(editor, x_accounts)
    Post.objects.filter(pk=post.pk).update(staff_request=request)
    actions.submit(post.pk, editor)

    with django_capture_on_commit_callbacks(execute=True):
        actions.approve(post.pk, approver)

    request.refresh_from_db()
    assert request.status == StaffRequest.Status.PUBLISHED
    assert request.decided_by == approver


@pytest.mark.parametrize("status", [Post.Status.PENDING, Post.Status.APPROVED])
def test_admin_cannot_change_a_post_once_sent_for_approval(
    client, pending_post, status
):
    admin = User.objects.create_superuser("admin", "admin@upme.gov.co", "clave-admin-1")
    client.force_login(admin)
    url = reverse("admin:publishing_post_change", args=[pending_post.pk])
    Post.objects.filter(pk=pending_post.pk).update(status=Post.Status.DRAFT)
    assert 'name="_save"' in client.get(url).content.decode()

    # An approver must never approve or see published a text changed here.
    Post.objects.filter(pk=pending_post.pk).update(status=status)
    client.post(url, {"text": "Texto que nadie aprobó", "mirror_to_facebook": "on"})

    pending_post.refresh_from_db()
    assert pending_post.text != "Texto que nadie aprobó"
    assert 'name="_save"' not in client.get(url).content.decode()


def test_every_publishing_form_leaves_validation_to_the_server(
    client, editor, approver, pending_post, x_accounts
):
    # Browser validation speaks the browser's language (English here);
    # the server's messages are Spanish.
    import re

    draft = make_post(editor, x_accounts, text="Un borrador")
    client.force_login(approver)
    pages = [
        reverse("publishing:detail", args=[pending_post.pk]),
        reverse("publishing:detail", args=[draft.pk]),
        reverse("publishing:compose"),
        reverse("publishing:edit", args=[draft.pk]),
    ]
    with_needs_check = actions.approve(
        pending_post.pk, approver, actions.post_version(pending_post)
    )
    Delivery.objects.filter(post=with_needs_check).update(
        status=Delivery.Status.NEEDS_CHECK
    )
    pages.append(reverse("publishing:detail", args=[pending_post.pk]))

    forms = []
    for url in pages:
        main = client.get(url).content.decode().split("<main", 1)[1]
        forms += re.findall(r"<form[^>]*>", main)

    assert len(forms) >= 6
    assert all("novalidate" in form for form in forms), forms


def test_returning_without_a_note_says_so_in_spanish(approver_client, pending_post):
    response = approver_client.post(
        reverse("publishing:reject", args=[pending_post.pk]), {"note": ""}
    )

    assert "Escriba una nota para devolver la publicación." in (
        response.content.decode()
    )


def test_sandbox_ids_are_shown_as_simulated_not_linked(editor_client, approved):
    # given every account published in the sandbox
    for delivery in approved.deliveries.all():
        actions.publish_delivery(delivery.pk)
    delivery = x_delivery(approved)
    delivery.refresh_from_db()
    assert delivery.external_url.startswith("https://x.com/")

    page = editor_client.get(
        reverse("publishing:detail", args=[approved.pk])
    ).content.decode()

    # then the would-be address is text, not a link to a missing page
    assert page.count("simulado (sandbox)") == 3
    assert delivery.external_id in page
    assert delivery.external_url in page
    assert 'href="https://x.com' not in page
    assert 'href="https://www.facebook.com' not in page
    assert 'href="https://facebook.com' not in page


def test_an_address_confirmed_by_hand_is_a_real_link(editor_client, approved):
    delivery = x_delivery(approved)
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.NEEDS_CHECK)
    url = "https://x.com/UPMEOficial/status/1864012345678901234"
    editor_client.post(reverse("publishing:confirm", args=[delivery.pk]), {"url": url})

    page = editor_client.get(
        reverse("publishing:detail", args=[approved.pk])
    ).content.decode()

    assert f'href="{url}"' in page


def test_admin_shows_sandbox_addresses_as_text_and_fields_in_spanish(client, approved):
    for delivery in approved.deliveries.all():
        actions.publish_delivery(delivery.pk)
    delivery = x_delivery(approved)
    delivery.refresh_from_db()
    admin = User.objects.create_superuser("admin", "admin@upme.gov.co", "clave-admin-1")
    client.force_login(admin)

    page = client.get(
        reverse("admin:publishing_delivery_change", args=[delivery.pk])
    ).content.decode()
    post_page = client.get(
        reverse("admin:publishing_post_change", args=[approved.pk])
    ).content.decode()

    assert "simulado (sandbox)" in page
    assert f'href="{delivery.external_url}"' not in page
    assert f'href="{delivery.external_url}"' not in post_page
    for label in ["Redactada por", "Estado HTTP", "Duración (ms)", "Resultado"]:
        assert label in page + post_page
    for english in ["Created by", "Outcome", "Duration ms", "Http status"]:
        assert english not in page + post_page


def test_an_over_long_note_is_refused_with_its_reason(approver_client, pending_post):
    note = "Falta la cifra de megavatios. " + "a" * 2000
    response = approver_client.post(
        reverse("publishing:reject", args=[pending_post.pk]), {"note": note}
    )

    # the note is shown again as typed, with the limit, in Spanish
    page = response.content.decode()
    assert response.status_code == 400
    assert "como máximo 2000 caracteres" in page
    assert note in page
    pending_post.refresh_from_db()
    assert pending_post.status == Post.Status.PENDING


def test_admin_form_that_fails_does_not_show_typed_secrets_again(client, db):
    admin = User.objects.create_superuser("admin", "admin@upme.gov.co", "clave-admin-1")
    client.force_login(admin)

    # when the admin forgets the name but pastes the keys
    response = client.post(
        reverse("admin:publishing_socialaccount_add"),
        {
            "network": "x",
            "name": "",
            "handle": "@UPMEOficial",
            "backend": "sandbox",
            "enabled": "on",
            "new_credentials": '{"consumer_secret": "cs-typed-secret-8888"}',
        },
    )

    # then the form comes back with the error and an empty credentials box
    html = response.content.decode()
    assert response.status_code == 200
    assert "cs-typed-secret-8888" not in html
    assert "escriba otra vez las credenciales" in html
    assert not SocialAccount.objects.exists()


def test_admin_refuses_live_x_account_without_every_key(client, db):
    admin = User.objects.create_superuser("admin", "admin@upme.gov.co", "clave-admin-1")
    client.force_login(admin)

    response = client.post(
        reverse("admin:publishing_socialaccount_add"),
        {
            "network": "x",
            "name": "UPME",
            "handle": "@UPMEOficial",
            "backend": "live",
            "enabled": "on",
            "new_credentials": '{"consumer_key": "ck-1234567890"}',
        },
    )

    html = response.content.decode()
    assert "faltan estas credenciales: consumer_secret, access_token, " in html
    assert "access_token_secret" in html
    assert not SocialAccount.objects.exists()


def test_admin_refuses_live_facebook_page_without_numeric_id_or_token(client, db):
    admin = User.objects.create_superuser("admin", "admin@upme.gov.co", "clave-admin-1")
    client.force_login(admin)

    response = client.post(
        reverse("admin:publishing_socialaccount_add"),
        {
            "network": "facebook",
            "name": "Página UPME",
            "handle": "upme.oficial",
            "backend": "live",
            "enabled": "on",
            "new_credentials": "",
        },
    )

    html = response.content.decode()
    assert "faltan estas credenciales: page_access_token" in html
    assert "identificador numérico de la página" in html
    assert not SocialAccount.objects.exists()


def test_admin_says_la_cuenta_fue_agregada(client, db):
    admin = User.objects.create_superuser("admin", "admin@upme.gov.co", "clave-admin-1")
    client.force_login(admin)

    response = client.post(
        reverse("admin:publishing_socialaccount_add"),
        {
            "network": "facebook",
            "name": "Página UPME",
            "handle": "178923456781234",
            "backend": "live",
            "enabled": "on",
            "new_credentials": '{"page_access_token": "EAAtoken-123456"}',
        },
        follow=True,
    )

    html = response.content.decode()
    assert "La cuenta “" in html and "fue agregada" in html
    assert SocialAccount.objects.get().credentials == {
        "page_access_token": "EAAtoken-123456"
    }


def test_wide_tables_scroll_inside_their_own_box_on_a_phone(editor_client, approved):
    # A table wider than a 390 px screen must not push the whole page sideways.
    detail = editor_client.get(
        reverse("publishing:detail", args=[approved.pk])
    ).content.decode()
    listing = editor_client.get(
        reverse("publishing:list"), {"estado": "approved"}
    ).content.decode()

    for html in (detail, listing):
        assert "<table" in html
        assert html.count('<div class="overflow-auto">\n<table') + html.count(
            '<div class="overflow-auto">\n  <table'
        ) == html.count("<table")


def test_a_post_link_that_is_not_a_web_page_is_not_clickable(
    editor_client, editor, x_accounts
):
    # given a post whose stored link is a script (written around the form)
    post = make_post(editor, x_accounts)
    Post.objects.filter(pk=post.pk).update(link="javascript:alert(1)")

    # then its page shows no link that would run it
    html = editor_client.get(reverse("publishing:detail", args=[post.pk]))
    assert html.status_code == 200
    assert 'href="javascript:' not in html.content.decode()
