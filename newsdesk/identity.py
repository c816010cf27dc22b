"""Canonical URLs and the identity key of a stored item.

The same article reaches us with tracking parameters, a fragment, the
mobile host or a trailing slash; `canonical_url` maps every such variant to
one address, and `identity_keys` decides what identifies an entry.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newsdesk.sources.base import EntryData

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "ref_src",
        "cmpid",
        "ocid",
        "ito",
        "__twitter_impression",
        "spm",
        "srsltid",
        "s_cid",
        "wt.mc_id",
        "wt.mc_ev",
        "wt.srch",
        "ns_campaign",
        "ns_mchannel",
        "ns_source",
        "ns_linkname",
        "ns_fee",
        "_openstat",
        "vero_id",
        "vero_conv",
        "rb_clickid",
        "ttclid",
        "li_fat_id",
        "epik",
        "hsctatracking",
        "_branch_match_id",
        "sc_cid",
    }
)
# Names are compared in lower case ("WT.mc_id" is wt.mc_id).
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "_ga", "oly_", "hsa_", "mkt_", "_hs")
DEFAULT_PORTS = {"http": 80, "https": 443}
MOBILE_PREFIXES = ("m.", "mobile.", "amp.")
# The unique constraint holds identities of at most this many characters.
MAX_IDENTITY = 500
# GUIDs that outlets put on every item: never an identity.
PLACEHOLDER_GUIDS = frozenset({"", "n/a", "na", "none", "null", "0", "undefined"})


def canonical_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url

    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in MOBILE_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = "www." + host[len(prefix) :]
            break
    if port and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"

    path = parts.path.rstrip("/") or ""
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(key)
    ]
    # Outlets reorder parameters between fetches; sorting keeps one URL.
    query.sort()
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _bounded(prefix: str, value: str) -> str:
    key = f"{prefix}:{value}"
    if len(key) <= MAX_IDENTITY:
        return key
    return f"{prefix}#sha256:{hashlib.sha256(value.encode()).hexdigest()}"


def content_hash(title: str, summary: str) -> str:
    return hashlib.sha256(f"{title}\x00{summary}".encode()).hexdigest()


def identity_keys(
    source_id: int,
    entries: Sequence[EntryData],
    links: Sequence[str] | None = None,
) -> list[str]:
    """One identity per entry, in order.

    A GUID counts only when it is unique within this fetch (some feeds put
    "N/A" on every item); otherwise the canonical link, likewise only when
    unique (some point every item to their home page); otherwise a hash of
    the source, title and date as written, so it is stable across fetches.
    `links` are the entries' canonical links when the caller has them.
    """
    if links is None:
        links = [canonical_url(entry.link) for entry in entries]
    guid_counts = Counter(entry.guid.strip() for entry in entries)
    link_counts = Counter(links)
    keys = []
    for entry, link in zip(entries, links, strict=True):
        guid = entry.guid.strip()
        if guid.lower() not in PLACEHOLDER_GUIDS and guid_counts[guid] == 1:
            keys.append(_bounded("guid", guid))
        elif link and link_counts[link] == 1:
            keys.append(_bounded("link", link))
        else:
            raw_date = entry.extra.get("raw_date") or (
                entry.published_at.isoformat() if entry.published_at else ""
            )
            digest = hashlib.sha256(
                f"{source_id}\x00{entry.title}\x00{raw_date}".encode()
            ).hexdigest()
            keys.append(f"hash:{digest}")
    return keys
