"""Fixtures every news-desk test may use."""

# The local feed server, registered here for every test in this folder.
from tests.newsdesk.feed_server import feed_server_fixture  # noqa: F401 -- a fixture
