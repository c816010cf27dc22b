"""The desk's roles, as Django groups.

Permissions follow the group a person is in, so an administrator assigns a
role in the admin by adding the user to one of these groups.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

EDITORS = "Editores"
APPROVERS = "Aprobadores"
REQUESTERS = "Solicitantes"

ALL_GROUPS = (EDITORS, APPROVERS, REQUESTERS)

User = AbstractBaseUser | AnonymousUser


def in_group(user: User, name: str) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=name).exists()


def is_editor(user: User) -> bool:
    # Approvers also edit: the head of the office may fix a post before
    # approving it.
    return in_group(user, EDITORS) or in_group(user, APPROVERS)


def is_approver(user: User) -> bool:
    return in_group(user, APPROVERS)
