"""The bytes of a feed or page made into text, whatever its label claims.

Feeds and HTML pages fail alike: UTF-8 labelled ISO-8859-1, UTF-8 with a
few Latin-1 characters pasted in, windows-1252 labelled ISO-8859-1. One
routine settles the charset for both, by kind of fault.
"""

from __future__ import annotations

import codecs
import re

UTF8 = "utf-8"
# UTF-8 decoded with stray single bytes read as windows-1252.
UTF8_REPAIRED = "utf-8+cp1252"
CP1252 = "windows-1252"
UTF8_LABELS = frozenset({"utf-8", "utf8", "unicode-1-1-utf-8"})
# Labels whose bytes are really windows-1252 in the wild: cp1252 is a
# superset of Latin-1's printable range, and ASCII documents decode alike.
LATIN1_LABELS = frozenset(
    {
        "iso-8859-1",
        "iso8859-1",
        "latin-1",
        "latin1",
        "l1",
        "us-ascii",
        "ascii",
        "windows-1252",
        "cp1252",
        "iso_8859-1",
    }
)
MULTIBYTE_LABELS = ("utf-16", "utf-32", "shift_jis", "euc-", "gb", "big5", "iso-2022")
UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _cp1252_byte(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        # Five bytes are undefined in cp1252; Latin-1 gives them a (C1)
        # code point, which the control-character pass then removes.
        return chr(byte)


def _per_byte_cp1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(_cp1252_byte(byte) for byte in bad), error.end


codecs.register_error("newsdesk-cp1252", _per_byte_cp1252)


def decode_bytes(
    content: bytes, label: str, *, unlabelled_utf8: bool
) -> tuple[str, str]:
    """The text and the charset it was decoded with.

    `label` is what the document or server declares ("" for nothing);
    `unlabelled_utf8` says whether the format's default is UTF-8 (XML) or
    unknown (HTML).
    """
    label = label.lower()
    if label.startswith(MULTIBYTE_LABELS):
        try:
            return content.decode(label, errors="replace"), label
        except LookupError:
            label = ""

    # Text that decodes as UTF-8 is UTF-8 whatever its label says: Latin-1
    # prose almost never forms valid multi-byte sequences by chance.
    try:
        return content.decode(UTF8), UTF8
    except UnicodeDecodeError:
        pass

    # Any valid sequence in a document whose default is UTF-8, or more valid
    # sequences than stray bytes whatever the label: UTF-8 with a few
    # pasted Latin-1 characters, repaired byte by byte.
    sequences = UTF8_SEQUENCE.findall(content)
    good = len(sequences)
    stray = len(HIGH_BYTE.findall(content)) - sum(map(len, sequences))
    if label in UTF8_LABELS or (not label and unlabelled_utf8 and good) or good > stray:
        return content.decode(UTF8, errors="newsdesk-cp1252"), UTF8_REPAIRED

    if label and label not in LATIN1_LABELS:
        try:
            return content.decode(label, errors="replace"), label
        except LookupError:
            pass
    return content.decode("cp1252", errors="newsdesk-cp1252"), CP1252
