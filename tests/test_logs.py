"""What the desk's logs say about requests and tasks."""

import logging
import sys

from upme_social.logs import ClientErrorFilter, TaskContextFilter


def record(status_code: int | None) -> logging.LogRecord:
    try:
        raise PermissionError("no")
    except PermissionError:
        exc_info = sys.exc_info()
    rec = logging.LogRecord(
        "django.request", logging.WARNING, "", 0, "Forbidden", (), exc_info
    )
    if status_code is not None:
        rec.status_code = status_code
    return rec


def test_a_refused_request_is_one_line_without_traceback():
    rec = record(403)

    ClientErrorFilter().filter(rec)

    assert rec.exc_info is None


def test_a_server_error_keeps_its_traceback():
    rec = record(500)

    ClientErrorFilter().filter(rec)

    assert rec.exc_info is not None


def test_lines_outside_a_task_carry_empty_task_fields():
    rec = record(None)

    TaskContextFilter().filter(rec)

    assert (rec.task_name, rec.task_id) == ("", "")
