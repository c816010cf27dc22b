"""Conditional GET for the readers whose source answers at an HTTP address.

The validators kept from the last full read go with the next request, so
an unchanged source costs a 304 and no parsing. The result hands intake
the new validators and any permanent redirect; intake keeps the first
and moves `Source.url` once the second has held for a few polls.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk import http
from newsdesk.sources.base import ReadResult

# The lengths of Source.etag and Source.last_modified.
ETAG_CHARS = 500
LAST_MODIFIED_CHARS = 100


@dataclass
class HttpReadResult(ReadResult):
    """A ReadResult with what intake keeps for the next conditional GET."""

    etag: str = ""
    last_modified: str = ""
    # Where every hop of a redirect moved permanently, else "".
    permanent_redirect: str = ""
    final_url: str = ""
    # Validators of the poll's other requests, by URL, for
    # `Source.request_validators`; None when the reader keeps none.
    request_validators: dict[str, dict[str, str]] | None = None

    def validators(self) -> dict[str, str]:
        """The validators as the source keeps them, cut to its columns."""
        return {
            "etag": self.etag[:ETAG_CHARS],
            "last_modified": self.last_modified[:LAST_MODIFIED_CHARS],
        }

    def forget_validators(self) -> None:
        """Make the next poll read in full, whatever the server says."""
        self.etag = self.last_modified = ""


def kept_validators(kept: object, url: str) -> tuple[str, str]:
    """The (etag, last_modified) kept for `url` in request_validators."""
    held = kept.get(url) if isinstance(kept, dict) else None
    if not isinstance(held, dict):
        return "", ""
    return str(held.get("etag") or ""), str(held.get("last_modified") or "")


def conditional_fetch(
    url: str, *, etag: str, last_modified: str, accept: str
) -> tuple[http.HttpResponse, HttpReadResult]:
    """The response, and a result that says whether it changed."""
    response = http.fetch(url, etag=etag, last_modified=last_modified, accept=accept)
    new_etag = response.headers.get("ETag", "")
    new_last_modified = response.headers.get("Last-Modified", "")

    # A 304 need not repeat the validators; the ones sent still hold.
    if response.not_modified:
        new_etag = new_etag or etag
        new_last_modified = new_last_modified or last_modified
    # A server that ignores If-None-Match but sends back the same ETag says
    # what a 304 says. Last-Modified alone is no such proof: some servers
    # send a script's date for every page it builds.
    unchanged = response.not_modified or bool(etag and new_etag == etag)

    result = HttpReadResult(
        entries=[],
        not_modified=unchanged,
        http_status=response.status,
        etag=new_etag,
        last_modified=new_last_modified,
        permanent_redirect=response.permanent_redirect,
        final_url=response.url,
    )
    return response, result
