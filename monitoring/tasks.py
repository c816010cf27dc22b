"""Celery tasks for monitoring: thin wrappers that take ids and call actions."""

from __future__ import annotations

import logging

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


@shared_task(
    bind=True,
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=(actions.TransientPullError,),
    retry_backoff=15,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=3,
)
def pull_mentions_task(self, account_id: int) -> int:
    logger.info(
        "Pulling mentions task=%s id=%s account=%s attempt=%s",
        self.name,
        self.request.id,
        account_id,
        self.request.retries,
    )
    return actions.pull_mentions(account_id)
