"""How a person is named on every screen and in every note.

The full name when the account has one, the username otherwise: one rule,
so a post, a request and a mention name the same person the same way.
"""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

register = template.Library()


@register.filter
def display_name(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """The name to show for `user`; "" for nobody, so `default` can say who."""
    if user is None or not user.is_authenticated:
        return ""
    full_name = getattr(user, "get_full_name", lambda: "")().strip()
    return full_name or user.get_username()
