"""A real browser for the end-to-end tests.

Debian's chromium at /usr/bin/chromium, driven by Playwright's sync API,
against pytest-django's live server on 127.0.0.1. Without that chromium
the tests skip (`.ci/run` installs it); Playwright's own browser download
is never used.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.steps import PASSWORD

# The local feed server, registered here as in tests/newsdesk.
from tests.newsdesk.feed_server import feed_server_fixture  # noqa: F401 -- a fixture

CHROMIUM = Path("/usr/bin/chromium")
# Generous for a loaded CI machine; a passing step waits far less.
TIMEOUT_MS = 10_000

CHROMIUM_ARGS = [
    # Every page and request stays on this machine: no name resolves but
    # the live server's and the feed server's address.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
# Chromium's sandbox refuses to start as root (CI and this machine's
# developers run as root).
if os.geteuid() == 0:
    CHROMIUM_ARGS.append("--no-sandbox")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is absent: install Debian's chromium "
            "(apt-get install chromium) to run the browser tests"
        )

    # While Playwright's sync API runs, its event loop is marked running in
    # this thread, and Django refuses every ORM call from such a thread
    # (SynchronousOnlyOperation): the personas, the flush after each test.
    # Those calls are plain synchronous code that only shares the thread,
    # so allow them exactly while the browser runs, and only here.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            expect.set_options(timeout=TIMEOUT_MS)
            yield browser
            browser.close()


@pytest.fixture
def open_page(browser: Browser, live_server) -> Iterator[Callable[[], Page]]:
    """A new page in a browser context of its own: one person's session."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale="es-CO", timezone_id="America/Bogota"
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def administrator(django_user_model) -> User:
    """Adriana administers the desk: she sets up sources in the admin."""
    return django_user_model.objects.create_superuser(
        "adriana", "adriana@upme.gov.co", PASSWORD
    )
