"""Canonical URLs and the identity key of a stored item.

The same article reaches us with tracking parameters, a fragment, the
mobile host or a trailing slash, or wrapped in a redirector's link (a mail
gateway's Safe Links, Google Alerts, Facebook's link shim); `canonical_url`
maps every such variant to one address, and `identity_keys` decides what
identifies an entry.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from urllib.parse import (
    SplitResult,
    parse_qsl,
    unquote,
    urlencode,
    urlsplit,
    urlunsplit,
)

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
# Redirectors that carry the destination in their own query, by host:
# (path or "" for any, the parameters that may hold it). Trackers that
# hide it behind a request (Mailchimp's list-manage, t.co) stay as they
# are: resolving them would mean a request per link.
REDIRECTORS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    # Microsoft Defender for Office 365, which rewrites every link of the
    # mail an Exchange Online mailbox receives.
    (re.compile(r"(^|\.)safelinks\.protection\.outlook\.com$"), "", ("url",)),
    # Google Alerts (url=) and Gmail or search results (q=), any country.
    (
        re.compile(r"^(www\.)?google\.(com|[a-z]{2})(\.[a-z]{2})?$"),
        "/url",
        ("url", "q"),
    ),
    (re.compile(r"^(l|lm)\.facebook\.com$"), "/l.php", ("u",)),
    # Proofpoint URL Defense v2, which writes "%" as "-" and "/" as "_".
    (re.compile(r"^urldefense\.proofpoint\.com$"), "/v2/url", ("u",)),
)
# A gateway's link around a Google Alerts link is two layers; more is a loop.
MAX_UNWRAP = 3
# The unique constraint holds identities of at most this many characters.
MAX_IDENTITY = 500
# GUIDs that outlets put on every item: never an identity.
PLACEHOLDER_GUIDS = frozenset({"", "n/a", "na", "none", "null", "0", "undefined"})


def canonical_url(url: str, *, unwrapped: bool = False) -> str:
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
    # Once only: `unwrap` bounds the layers, a hostile link cannot recurse.
    if not unwrapped and _wrapped(parts, host):
        return canonical_url(unwrap(url), unwrapped=True)
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


def unwrap(url: str) -> str:
    """The destination of a redirector's link, else the link itself."""
    for _ in range(MAX_UNWRAP):
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            return url
        target = _wrapped(parts, (parts.hostname or "").lower().rstrip("."))
        if not target:
            return url
        url = target
    return url


def _wrapped(parts: SplitResult, host: str) -> str:
    """The web address a redirector's link names, or ""."""
    for pattern, path, names in REDIRECTORS:
        if not pattern.search(host) or (path and parts.path != path):
            continue
        params = dict(parse_qsl(parts.query))
        for name in names:
            target = params.get(name, "").strip()
            if host.startswith("urldefense."):
                target = unquote(target.replace("-", "%").replace("_", "/"))
            if target.lower().startswith(("http://", "https://")):
                return target
    return ""


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
