"""Social networks behind a small interface, one module each.

Adding a network means adding one module with a `Backend` subclass and
listing it in `get_backend`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Backend, MentionData, Outcome, PublishResult

if TYPE_CHECKING:
    from publishing.models import SocialAccount

__all__ = ["Backend", "MentionData", "Outcome", "PublishResult", "get_backend"]


def get_backend(account: SocialAccount) -> Backend:
    from publishing.models import SocialAccount

    if account.backend == SocialAccount.Backend.SANDBOX:
        from .sandbox import SandboxBackend

        return SandboxBackend(account)
    if account.network == SocialAccount.Network.X:
        from .x import XBackend

        return XBackend(account)
    if account.network == SocialAccount.Network.FACEBOOK:
        from .facebook import FacebookBackend

        return FacebookBackend(account)
    raise ValueError(f"No backend for network {account.network!r}")
