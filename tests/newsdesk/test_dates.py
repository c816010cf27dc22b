"""Dates as Colombian outlets write them, read as the moment they name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from newsdesk.dates import parse_date


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # The Spanish meridiem, with and without spaces and points.
        ("04 de marzo 2024, 07:30 a. m.", utc(2024, 3, 4, 12, 30)),
        ("mié., 6 mar. 2024 2:00 p. m.", utc(2024, 3, 6, 19, 0)),
        ("lun., 4 mar. 2024 07:30:00 a. m.", utc(2024, 3, 4, 12, 30)),
        ("miércoles 6 de marzo de 2024, 12:15 a. m.", utc(2024, 3, 6, 5, 15)),
        ("06/03/2024 - 04:10 p. m.", utc(2024, 3, 6, 21, 10)),
        ("6 sept. 2024 10:00 a. m.", utc(2024, 9, 6, 15, 0)),
        ("6 de marzo de 2024 - 2:00 p.m.", utc(2024, 3, 6, 19, 0)),
        ("6 de marzo de 2024 | 9:05 a.m.", utc(2024, 3, 6, 14, 5)),
        ("Marzo 6 de 2024 - 11:45 AM", utc(2024, 3, 6, 16, 45)),
        # CLDR's no-break and narrow no-break spaces.
        ("6 de marzo de 2024, 9:00\u00a0a.\u00a0m.", utc(2024, 3, 6, 14, 0)),
        ("6 de marzo de 2024, 9:00\u202fp.\u202fm.", utc(2024, 3, 7, 2, 0)),
        # Remarks around the time that name no other zone.
        ("6 de marzo de 2024 2:00 p. m. (hora de Colombia)", utc(2024, 3, 6, 19, 0)),
        ("6 de marzo de 2024 14:00 hrs", utc(2024, 3, 6, 19, 0)),
        ("6 de marzo de 2024, 07:30 h.", utc(2024, 3, 6, 12, 30)),
        ("6 de mar. de 2024 - 02:00 p. m. COT", utc(2024, 3, 6, 19, 0)),
        # Forms that were read already stay read.
        ("7 de marzo de 2024 09:15", utc(2024, 3, 7, 14, 15)),
        ("mié, 06 mar 2024 10:00:00 -0500", utc(2024, 3, 6, 15, 0)),
        ("2024-03-06T10:00:00-05:00", utc(2024, 3, 6, 15, 0)),
    ],
)
def test_spanish_dates_are_read_in_bogota_time(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["", "sin fecha"])
def test_text_without_a_date_is_no_date(raw):
    assert parse_date(raw) is None


@pytest.mark.parametrize(
    ("raw", "age"),
    [
        ("hace 1 minuto", timedelta(minutes=1)),
        ("hace 2 horas", timedelta(hours=2)),
        ("Publicado hace 3 horas", timedelta(hours=3)),
        ("hoy", timedelta(0)),
        ("ayer", timedelta(days=1)),
        ("2 hours ago", timedelta(hours=2)),
    ],
)
def test_relative_dates_are_read_against_the_present(raw, age):
    # given a worker that read the date once, on the day it started
    started = utc(2024, 3, 6, 15, 0)
    with time_machine.travel(started, tick=False):
        assert parse_date(raw) == started - age

    # when the same words come again days later
    later = started + timedelta(days=3, hours=5)
    with time_machine.travel(later, tick=False):
        # then they name a moment as long before the new present
        assert parse_date(raw) == later - age


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Publicado el 7 de marzo de 2024", utc(2024, 3, 7, 5, 0)),
        ("Fecha: 07/03/2024", utc(2024, 3, 7, 5, 0)),
        ("Fecha de publicación: 07/03/2024", utc(2024, 3, 7, 5, 0)),
        ("Actualizado: 7 de marzo de 2024 09:15", utc(2024, 3, 7, 14, 15)),
        ("Publicado: 07/03/2024 - 09:15 a. m.", utc(2024, 3, 7, 14, 15)),
        ("Última actualización: 07/03/2024 09:15", utc(2024, 3, 7, 14, 15)),
        ("Publicado el lunes 4 de marzo de 2024", utc(2024, 3, 4, 5, 0)),
        ("Por Redacción El Tiempo el 7 de marzo de 2024", utc(2024, 3, 7, 5, 0)),
        ("Publicado por Juan Pérez el 7 de marzo de 2024", utc(2024, 3, 7, 5, 0)),
        ("Posted on March 7, 2024", utc(2024, 3, 7, 5, 0)),
        ("Published: March 7, 2024 9:15 am", utc(2024, 3, 7, 14, 15)),
        ("Last updated: 7 March 2024", utc(2024, 3, 7, 5, 0)),
        ("Posted by Energy Wire on March 7, 2024", utc(2024, 3, 7, 5, 0)),
        # The first of two labelled dates is the publication.
        (
            "Publicado: 7 mar 2024 10:15 a. m. | Actualizado: 8 mar 2024",
            utc(2024, 3, 7, 15, 15),
        ),
        ("Fecha: 2024-03-07", utc(2024, 3, 7, 5, 0)),
    ],
)
def test_labelled_dates_are_read_without_their_label(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-06", utc(2024, 3, 6, 5, 0)),
        ("2024-03-06T10:00:00", utc(2024, 3, 6, 15, 0)),
        ("2024-03-06 10:00:00 -0500", utc(2024, 3, 6, 15, 0)),
        ("2024-3-6 10:00 a. m.", utc(2024, 3, 6, 15, 0)),
        ("2024/03/06", utc(2024, 3, 6, 5, 0)),
        ("2024-01-13", utc(2024, 1, 13, 5, 0)),
    ],
)
def test_year_first_dates_are_year_month_day(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2024-13-01",
        "2024-02-30",
        "2024/13/01",
        "2024-13-01T10:00:00Z",
        "2024-13-01 10:00 a. m.",
        "Fecha: 2024-13-01",
    ],
)
def test_impossible_year_first_dates_are_no_date(raw):
    assert parse_date(raw) is None


def test_a_date_without_its_year_is_the_last_one_that_has_passed():
    # given a page that says "6 de marzo", read in January
    with time_machine.travel(datetime(2027, 1, 20, 15, tzinfo=UTC), tick=False):
        # when it is read
        found = parse_date("6 de marzo, 9:15 a. m.")

    # then it is last March's, not a date ahead
    assert found == datetime(2026, 3, 6, 14, 15, tzinfo=UTC)


def test_a_date_without_its_year_a_few_hours_ahead_stays_this_years():
    # given tonight's time read in the small hours (a wire in another zone)
    with time_machine.travel(datetime(2026, 12, 4, 7, 37, tzinfo=UTC), tick=False):
        found = parse_date("4 de diciembre, 11:00 p. m.")

    # then it is tonight's, which intake flags as ahead, not last year's
    assert found == datetime(2026, 12, 5, 4, 0, tzinfo=UTC)


def test_a_byline_ends_at_its_first_date():
    # The published date, not the update after it, and never a year made up.
    assert parse_date(
        "Por Juan Pérez el 7 de marzo de 2024 | Actualizado el 8 de marzo"
    ) == (datetime(2024, 3, 7, 5, 0, tzinfo=UTC))
