"""Personas shared by every app's tests.

Each test reads as a story about people of the desk: Erika edits, Andrés
approves (he heads the office), Ramiro requests a post from another area,
and Olga is an outsider with an account but no role.
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from upme_social import roles

SHARED_DIR = Path(__file__).resolve().parent.parent.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when it is absent."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"{path} is absent: ../shared is only beside the project in CI and "
            "on the developers' machines, not in a user's fresh clone"
        )
    return path


def _user(username: str, *groups: str) -> User:
    user = User.objects.create_user(
        username, f"{username}@upme.gov.co", "clave-segura-1"
    )
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.fixture
def editor(db) -> User:
    return _user("erika", roles.EDITORS)


@pytest.fixture
def approver(db) -> User:
    return _user("andres", roles.APPROVERS)


@pytest.fixture
def requester(db) -> User:
    return _user("ramiro", roles.REQUESTERS)


@pytest.fixture
def outsider(db) -> User:
    return _user("olga")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def approver_client(client, approver):
    client.force_login(approver)
    return client
