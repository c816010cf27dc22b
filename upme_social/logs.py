"""Log records that carry the Celery task they were written in."""

import logging

from celery import current_task


class TaskContextFilter(logging.Filter):
    """Adds task_name and task_id to every record (empty outside a task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        task = current_task
        request = getattr(task, "request", None) if task else None
        record.task_name = getattr(task, "name", "") or "" if request else ""
        record.task_id = getattr(request, "id", "") or "" if request else ""
        return True


class ClientErrorFilter(logging.Filter):
    """Keeps a 4xx answer to one line: a refusal is expected, not a crash.

    Django logs a PermissionDenied with its traceback; only server errors
    (5xx) need one.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
