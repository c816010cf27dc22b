from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from publishing import actions
from publishing.models import Post, SocialAccount
from upme_social import celery_app


@pytest.fixture(autouse=True)
def eager_celery():
    """Unit tests run tasks in-process; the integration test uses a worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def x_accounts(db) -> list[SocialAccount]:
    return [
        SocialAccount.objects.create(
            network=SocialAccount.Network.X, name="UPME", handle="@UPMEOficial"
        ),
        SocialAccount.objects.create(
            network=SocialAccount.Network.X, name="UPME Energía", handle="@UPMEenergia"
        ),
    ]


@pytest.fixture
def facebook_page(db) -> SocialAccount:
    return SocialAccount.objects.create(
        network=SocialAccount.Network.FACEBOOK,
        name="Página UPME",
        handle="178923456781234",
    )


def make_post(
    author: User,
    accounts: list[SocialAccount],
    *,
    text: str = "La UPME publica el plan de expansión de transmisión 2025-2039.",
    link: str = "https://www.upme.gov.co/plan-transmision",
    mirror: bool = True,
    scheduled_for=None,
) -> Post:
    return actions.save_draft(
        author,
        actions.Draft(
            text=text,
            link=link,
            accounts=accounts,
            mirror_to_facebook=mirror,
            scheduled_for=scheduled_for,
        ),
    )


@pytest.fixture
def pending_post(editor, x_accounts, facebook_page) -> Post:
    post = make_post(editor, x_accounts)
    return actions.submit(post.pk, editor)


def shown_version(client: Client, post: Post) -> str:
    """The version the approve button of the post's page carries."""
    page = client.get(reverse("publishing:detail", args=[post.pk])).content.decode()
    match = re.search(r'name="version" value="([0-9a-f]+)"', page)
    assert match, "the page shows no approve form"
    return match[1]
