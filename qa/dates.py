"""Dates as news text writes them: "5 February 2009", "March 30, 2010", "February of 2009", "1999".

Read by computed answers (the interval between two dated facts), by the generative verifier (a
claim's dates must be the quotes') and by the extractive answerer (a date question's answer stated
first).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
# Regex alternations, also used by the extractive answerer's tests for dates in a sentence.
MONTHS = "|".join(_MONTH_NAMES)
YEAR = r"1[89]\d\d|20\d\d"
# Most precise first: a day-month-year date must not also be read as a bare year.
_DATE_PATTERNS = (
    re.compile(rf"\b(?P<day>\d{{1,2}}) (?P<month>{MONTHS}),? (?P<year>{YEAR})\b", re.I),
    re.compile(rf"\b(?P<month>{MONTHS}) (?P<day>\d{{1,2}}),? (?P<year>{YEAR})\b", re.I),
    re.compile(rf"\b(?P<month>{MONTHS}),? (?:of )?(?P<year>{YEAR})\b", re.I),
    re.compile(rf"\b(?P<year>{YEAR})\b"),
)


_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
# A day and month standing without a year: "on Sunday 31 October a panel …".
_DAY_MONTH = re.compile(
    rf"\b(?:(?P<weekday>{'|'.join(_WEEKDAYS)}),? )?(?P<day>\d{{1,2}}) (?P<month>{MONTHS})\b", re.I
)


@dataclass(frozen=True)
class DateMention:
    """A date as precisely as the text gives it, and where it stands in the text."""

    year: int
    month: int | None
    day: int | None
    start: int
    end: int
    text: str

    def as_date(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"


def find_dates(text: str, before: str = "") -> list[DateMention]:
    """Every date in the text, each once (the most precise reading of overlapping ones).

    News text drops a year it has just given: "Khadr pleaded guilty on Monday 25 October 2010 …
    On Sunday 31 October a panel …". A day and month without a year take the year of the last
    date before them, in the text or in `before` (what precedes the text in its source), provided
    the weekday, when one is named, falls on that day.
    """
    found = _stated_dates(text)
    for m in _DAY_MONTH.finditer(text):
        if any(m.start() < d.end and d.start < m.end() for d in found):
            continue
        earlier = _stated_dates(before + text[: m.start()])
        if not earlier:
            continue
        year, month, day = earlier[-1].year, _MONTH_NAMES[m["month"].lower()], int(m["day"])
        if day > calendar.monthrange(year, month)[1]:
            continue
        if m["weekday"] and date(year, month, day).weekday() != _WEEKDAYS[m["weekday"].lower()]:
            continue
        spelled = f"{day} {calendar.month_name[month]} {year}"
        found.append(DateMention(year, month, day, m.start(), m.end(), spelled))
    return sorted(found, key=lambda d: d.start)


def _stated_dates(text: str) -> list[DateMention]:
    """The dates the text gives with their year (or as a year alone)."""
    found: list[DateMention] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < d.end and d.start < m.end() for d in found):
                continue
            groups = m.groupdict()
            month = _MONTH_NAMES[groups["month"].lower()] if groups.get("month") else None
            day = int(groups["day"]) if groups.get("day") else None
            if day is not None and (month is None or day > calendar.monthrange(2000, month)[1]):
                continue
            found.append(DateMention(int(groups["year"]), month, day, m.start(), m.end(), m[0]))
    return sorted(found, key=lambda d: d.start)


# A year standing between a determiner (or a possessive) and a noun names that thing, not when the
# sentence's event happened: "the Supreme Court's 2010 finding left Ottawa little chance" dates the
# finding, not an apology made in 2017.
_LABEL_YEAR = re.compile(
    rf"(?:\b(?:the|its|his|her|their|this|that)|['’]s) (?P<year>{YEAR})[ -](?P<noun>[a-z]+)"
)


def without_labels(text: str, keep: Callable[[str], bool]) -> str:
    """The text with each year that labels a noun blanked out (same length, so offsets hold),
    unless keep(noun) says the noun is what is asked about ("when was the 2010 finding?")."""

    def blank(m: re.Match[str]) -> str:
        # The year is the match's only run of digits.
        return m[0] if keep(m["noun"]) else m[0].replace(m["year"], " " * len(m["year"]))

    return _LABEL_YEAR.sub(blank, text)


PRECISIONS = ("year", "month", "day")


def cut_to_shared(mention: DateMention, other: DateMention) -> tuple[int, ...]:
    """The date as (year, month, day) cut to the coarser precision of the two, so that dates are
    compared as precisely as both allow: "2010" is neither before nor after "12 August 2010"."""
    shared = min(PRECISIONS.index(mention.precision), PRECISIONS.index(other.precision))
    return (mention.year, mention.month or 1, mention.day or 1)[: shared + 1]


def spoken(mention: DateMention, precision: str = "day") -> str:
    """The date as an answer states it, day first, to at most `precision`: "5 February 2009",
    "February 2009" (also for "February of 2009"), "2009"."""
    keep = PRECISIONS.index(precision)
    month = calendar.month_name[mention.month] if mention.month and keep >= 1 else ""
    day = mention.day if keep >= 2 else None
    return " ".join(str(part) for part in (day, month, mention.year) if part)
