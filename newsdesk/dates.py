"""Publication dates as sources write them, made into aware UTC datetimes.

feedparser reads RFC 822 and ISO 8601 in English; Colombian outlets also
write "mié, 06 mar 2024", "7 de marzo de 2024 09:15", "COT" or no offset at
all. Those go through dateparser in Spanish and English, day first, with
Bogotá as the zone of a time that names none; a date written year first
("2024-03-06") is read year, month, day, or not at all.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

BOGOTA = "America/Bogota"
DATEPARSER_SETTINGS = {
    "TIMEZONE": BOGOTA,
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "first",
}
BOGOTA_ZONE = ZoneInfo(BOGOTA)
YEAR_FIRST_SETTINGS = {**DATEPARSER_SETTINGS, "DATE_ORDER": "YMD"}
# "2024-03-06", "2024/3/6", with or without a time after it. dateparser
# would read "2024-13-01" as 13 January rather than give up.
YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d/.-])")
# A date written with a numeric offset, "Z", GMT or UTC: what feedparser
# made of it is exact, so dateparser (a thousand times slower) is skipped.
EXPLICIT_OFFSET = re.compile(
    r"(?:[+-]\d{2}:?\d{2}|\dZ|\b(?:GMT|UTC|UT)\b)\s*$", re.IGNORECASE
)
# Spanish (CLDR) writes the meridiem "a. m." / "p. m.", often with a
# no-break space; dateparser reads only "am" / "pm".
MERIDIEM = re.compile(r"(\d)\s*([ap])\.?\s*m\.?(?![^\W\d_])", re.IGNORECASE)
# "07:30 h", "07:30 hrs." and "(hora de Colombia)" say nothing more.
HOURS_SUFFIX = re.compile(r"(\d:\d{2})\s*(?:hrs?|h)\.?(?![^\W\d_])", re.IGNORECASE)
LOCAL_TIME_NOTE = re.compile(r"\(?\s*hora (?:de |en )?colombia\s*\)?", re.IGNORECASE)
# What pages write before a date: "Publicado el", "Fecha:", "Actualizado:",
# "Publicado por Redacción el", "Por Redacción el", "Posted on", "Last
# updated:". A byline ends at the first "el"/"on" that a date follows (not
# at "El" of "El Tiempo"), and a later label ends the first date
# ("Publicado: ... | Actualizado: ...").
_LABEL_WORDS = r"""
    (?:fecha\s+de\s+)?(?:publicad[oa]|publicaci[oó]n|actualizad[oa]
        |actualizaci[oó]n|modificad[oa])
    |[uú]ltima\s+actualizaci[oó]n
    |fecha
    |(?:first\s+|last\s+)?(?:published|updated|posted|modified)
    |date
"""
LABEL = re.compile(
    rf"""^[\W_]*
    (?:
        (?:(?:{_LABEL_WORDS})\s+)?(?:por|by)\s.*?\s(?:el|on)(?=\s+(?:\w+,?\s+)?\d)
        |(?:{_LABEL_WORDS})(?:\s+(?:el|on|at))?
    )\b
    (?:\s*[:|·•\u2013\u2014-]\s*|\s+)""",
    re.IGNORECASE | re.VERBOSE,
)
NEXT_LABEL = re.compile(
    rf"[\s|·•,;\u2013\u2014-]+\b(?:{_LABEL_WORDS})\b.*$", re.IGNORECASE | re.VERBOSE
)
# Words whose reading moves with the clock: "hace 2 horas", "ayer".
RELATIVE_WORDS = re.compile(
    r"\b(?:hace|hoy|ayer|anteayer|ma[nñ]ana|ahora|ago|today|yesterday"
    r"|tomorrow|now|last|next)\b",
    re.IGNORECASE,
)
FOUR_DIGIT_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
# How far ahead a date without its year may be before it counts as last
# year's: more than a month is no slip of the clock or zone.
YEARLESS_AHEAD = timedelta(days=31)
WIDE_SPACES = re.compile(r"[\u00a0\u2007\u202f]")
# Before this, a date is a placeholder (the Unix epoch, 0001-01-01...).
EARLIEST_PLAUSIBLE = datetime(1980, 1, 1, tzinfo=UTC)
# Clocks drift and outlets schedule a few minutes ahead; past this margin a
# date in the future is a mistake that would pin the item atop the queue.
FUTURE_MARGIN = timedelta(minutes=30)

FLAG_OK = ""
FLAG_MISSING = "date_missing"
FLAG_FUTURE = "future"
FLAG_LABELS = {
    FLAG_MISSING: _("Sin fecha: se usó la hora de consulta"),
    FLAG_FUTURE: _("Fecha futura: se usó la hora de consulta"),
}


def from_struct(parsed: time.struct_time | None) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def parse_date(raw: str, parsed: time.struct_time | None = None) -> datetime | None:
    """The moment `raw` names, in UTC, or None.

    `parsed` is feedparser's reading of the same string; it is trusted
    only when the string carries an explicit offset, because feedparser
    takes an unknown zone (COT) or none at all as UTC.
    """
    raw = (raw or "").strip()
    if parsed and (not raw or EXPLICIT_OFFSET.search(raw)):
        return from_struct(parsed)
    if not raw:
        return None
    text = normalise(raw)
    year_first = YEAR_FIRST.match(text)
    if year_first:
        return _year_first(text, year_first)
    return _dateparser(text)


def _year_first(text: str, match: re.Match[str]) -> datetime | None:
    """An ISO 8601 date or one like it, read in that order only."""
    try:
        date(*map(int, match.groups()))
    except ValueError:
        return None

    # RFC 3339 (JSON Feed, Atom, <time datetime>) needs no language guessing.
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return _dateparser(text, year_first=True)
    if value.tzinfo is None:
        value = value.replace(tzinfo=BOGOTA_ZONE)
    return value.astimezone(UTC)


def normalise(raw: str) -> str:
    """The forms Colombian outlets write that dateparser does not know,
    made into ones it does: "2:00 p. m." becomes "2:00 pm", "Publicado
    el 7 de marzo de 2024" becomes "7 de marzo de 2024"."""
    text = WIDE_SPACES.sub(" ", raw)
    text = MERIDIEM.sub(lambda match: f"{match[1]} {match[2].lower()}m", text)
    text = HOURS_SUFFIX.sub(r"\1", text)
    # Bogotá is the zone of a time that names none anyway.
    text = LOCAL_TIME_NOTE.sub(" ", text).strip()
    text = LABEL.sub("", text, count=1)
    return NEXT_LABEL.sub("", text).strip()


def _dateparser(text: str, year_first: bool = False) -> datetime | None:
    # Only a reading that cannot change is remembered: "hace 2 horas",
    # "hoy" or "6 de marzo" (this year's) are read against today each time.
    if RELATIVE_WORDS.search(text):
        return _read(text, year_first)
    if FOUR_DIGIT_YEAR.search(text):
        return _read_fixed(text, year_first)

    # A date without its year is read as this year's, unless that is well
    # ahead: "6 de marzo" read in January is last March. Tonight's "11:00
    # p. m." stays tonight's (and is flagged as future, as before).
    value = _read(text, year_first)
    if value is not None and value > datetime.now(UTC) + YEARLESS_AHEAD:
        value = _year_before(value)
    return value


def _year_before(value: datetime) -> datetime:
    try:
        return value.replace(year=value.year - 1)
    except ValueError:
        # 29 February of a leap year: the year before has none.
        return value.replace(year=value.year - 1, day=28)


@lru_cache(maxsize=2048)
def _read_fixed(text: str, year_first: bool) -> datetime | None:
    return _read(text, year_first)


def _read(text: str, year_first: bool) -> datetime | None:
    import dateparser

    settings = YEAR_FIRST_SETTINGS if year_first else DATEPARSER_SETTINGS
    try:
        value = dateparser.parse(text, languages=["es", "en"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    if value is None:
        return None
    return value.astimezone(UTC)


def checked_date(value: datetime | None, fetched_at: datetime) -> tuple[datetime, str]:
    """The date to store and its flag: a missing, placeholder or future date
    becomes the fetch time, so no item sorts above today's news."""
    if value is None or value < EARLIEST_PLAUSIBLE:
        return fetched_at, FLAG_MISSING
    if value > fetched_at + FUTURE_MARGIN:
        return fetched_at, FLAG_FUTURE
    return value, FLAG_OK
