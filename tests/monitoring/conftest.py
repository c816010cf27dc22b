"""Accounts, mentions and a scripted network for the monitoring tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from monitoring.models import Mention
from publishing.models import SocialAccount
from publishing.networks import Backend, MentionData, Outcome, PublishResult


class FakeNetwork:
    """What the fake backend answers: mentions after the cursor, or an error."""

    def __init__(self) -> None:
        self.mentions: list[MentionData] = []
        self.error: BaseException | None = None
        # Raised once each, before `error`, on the next calls.
        self.failures: list[BaseException] = []
        self.calls: list[str] = []

    def add(self, *ids: int, text: str = "¿Cuándo sale el informe?") -> None:
        for n in ids:
            self.mentions.append(
                MentionData(
                    external_id=str(n),
                    author_handle=f"ciudadano{n}",
                    author_name=f"Ciudadana {n}",
                    text=text,
                    said_at=datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
                    + timedelta(minutes=n),
                    url=f"https://x.com/ciudadano{n}/status/{n}",
                )
            )


class FakeBackend(Backend):
    network: FakeNetwork

    def publish(self, text: str, link: str = "") -> PublishResult:
        return PublishResult(outcome=Outcome.OK, external_id="1")

    def repost(self, external_id: str) -> PublishResult:
        return PublishResult(outcome=Outcome.OK, external_id=external_id)

    def fetch_mentions(self, since: str = "") -> list[MentionData]:
        self.network.calls.append(since)
        if self.network.failures:
            raise self.network.failures.pop(0)
        if self.network.error is not None:
            raise self.network.error
        after = int(since) if since else -1
        # Like X: repeat everything after the cursor, oldest first.
        return [m for m in self.network.mentions if int(m.external_id) > after]


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNetwork]:
    fake = FakeNetwork()

    def backend_for(account: SocialAccount) -> Backend:
        backend = FakeBackend(account)
        backend.network = fake
        return backend

    monkeypatch.setattr("monitoring.actions.get_backend", backend_for)
    yield fake


@pytest.fixture
def x_account(db) -> SocialAccount:
    return SocialAccount.objects.create(
        network=SocialAccount.Network.X,
        name="UPME Colombia",
        handle="@upme_co",
        backend=SocialAccount.Backend.SANDBOX,
    )


@pytest.fixture
def facebook_account(db) -> SocialAccount:
    return SocialAccount.objects.create(
        network=SocialAccount.Network.FACEBOOK,
        name="Página UPME",
        handle="1234567890",
        backend=SocialAccount.Backend.LIVE,
    )


def _make_mention(account: SocialAccount, n: int, **fields: object) -> Mention:
    values: dict[str, object] = {
        "account": account,
        "external_id": str(n),
        "author_handle": f"ciudadano{n}",
        "text": f"Mensaje número {n}",
        "said_at": datetime(2026, 12, 1, 15, 0, tzinfo=UTC) + timedelta(minutes=n),
        "url": f"https://x.com/ciudadano{n}/status/{n}",
    }
    values.update(fields)
    return Mention.objects.create(**values)


@pytest.fixture
def make_mention(db):
    """Store mention number n of an account; later n is said later."""
    return _make_mention
