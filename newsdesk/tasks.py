"""Celery tasks of the news desk: thin wrappers that call actions."""

from __future__ import annotations

import logging

from celery import shared_task

from newsdesk import clustering, enrich, relevance
from newsdesk.actions import intake

logger = logging.getLogger(__name__)

# Generous for one feed or page; the hard limit kills a worker stuck in C
# code. Both stay under intake.POLL_LEASE so the lease outlives the task,
# and both hold only in a prefork worker (the Procfile's), never in threads.
POLL_SOFT_TIME_LIMIT = 120
POLL_HARD_TIME_LIMIT = 180


@shared_task(ignore_result=True)
def poll_due_sources() -> int:
    """Beat task: queue one poll per enabled source that is due."""
    due = intake.enqueue_due_polls()
    if due:
        logger.info("Queued %d source polls", len(due))
    return len(due)


@shared_task(
    ignore_result=True,
    soft_time_limit=POLL_SOFT_TIME_LIMIT,
    time_limit=POLL_HARD_TIME_LIMIT,
)
def poll_source_task(source_id: int) -> None:
    attempt = intake.poll_source(source_id)
    if attempt is not None:
        logger.info(
            "poll_source_task source=%s outcome=%s error_class=%s",
            source_id,
            attempt.outcome,
            attempt.error_class or "-",
        )


@shared_task(ignore_result=True)
def enrich_pending_items() -> int:
    """Beat task: enrich the items whose enrichment failed at intake."""
    enriched = enrich.enrich_pending()
    if enriched:
        logger.info("enrich_pending_items enriched=%s", enriched)
    return enriched


# -- Relevance (newsdesk/relevance.py) ---------------------------------------


@shared_task(ignore_result=True)
def retrain_relevance_model() -> int | None:
    """Beat task: learn from editors' decisions, then score again what waits."""
    model = relevance.train_model()
    if model is None:
        return None
    rescored = relevance.rescore_pending()
    clustering.recount_recent()
    logger.info("retrain_relevance_model model=%s rescored=%s", model.pk, rescored)
    return model.pk


@shared_task(ignore_result=True)
def rescore_pending_items() -> int:
    """After a vocabulary change: score the candidates still waiting again."""
    rescored = relevance.rescore_pending()
    clustering.recount_recent()
    logger.info("rescore_pending_items rescored=%s", rescored)
    return rescored
