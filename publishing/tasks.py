import logging

from celery import Task, shared_task

from . import actions

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=None)
def publish_delivery(self: Task, delivery_id: int) -> str:
    # The action counts attempts on the row and decides whether to retry;
    # a redelivered or duplicate message finds nothing to claim.
    run = actions.publish_delivery(delivery_id)
    logger.info(
        "Task %s[%s]: delivery %s claimed=%s outcome=%s",
        self.name,
        self.request.id,
        delivery_id,
        run.claimed,
        run.outcome or "-",
    )
    if run.retry_in is not None:
        raise self.retry(countdown=run.retry_in)
    return run.outcome


@shared_task(bind=True)
def publish_due_posts(self: Task) -> int:
    flagged = actions.flag_stale_claims()
    enqueued = actions.enqueue_due()
    logger.info(
        "Task %s[%s]: %s deliveries enqueued, %s stuck flagged",
        self.name,
        self.request.id,
        enqueued,
        flagged,
    )
    return enqueued
