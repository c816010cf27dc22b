"""Celery tasks for monitoring: thin wrappers that take ids and call actions."""

from __future__ import annotations

import logging
import random

from celery import shared_task

from publishing.models import SocialAccount

from . import actions

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=30, time_limit=60)
def pull_all_mentions() -> int:
    """Beat entry point: one pull task per enabled account."""
    account_ids = list(
        SocialAccount.objects.filter(enabled=True).values_list("pk", flat=True)
    )
    for account_id in account_ids:
        pull_mentions_task.delay(account_id)

    actions.prune_pulls()
    return len(account_ids)


MAX_PULL_RETRIES = 3


@shared_task(bind=True, soft_time_limit=60, time_limit=90)
def pull_mentions_task(self, account_id: int) -> int:
    logger.info(
        "Pulling mentions task=%s id=%s account=%s attempt=%s",
        self.name,
        self.request.id,
        account_id,
        self.request.retries,
    )
    try:
        return actions.pull_mentions(account_id)
    except actions.TransientPullError as exc:
        # An outage is expected: each attempt already logged at INFO, and
        # the pull rows and the account's last error tell the desk.
        if self.request.retries < MAX_PULL_RETRIES:
            raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
        logger.error(
            "Mentions pull gave up account=%s outcome=%s attempts=%s",
            account_id,
            exc.failure.outcome,
            self.request.retries + 1,
        )
        return 0


def _backoff(retries: int) -> int:
    # 15 s, 30 s, 60 s … up to 5 minutes, spread so accounts do not align.
    return min(15 * 2**retries, 300) + random.randint(0, 5)  # noqa: S311 -- jitter
