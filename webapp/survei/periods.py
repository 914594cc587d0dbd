"""Reporting periods: a year, a semester, a quarter, a month, or any range of dates; and the menu of them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from webapp.core.formatting import BULAN

_PERIOD = re.compile(r"^(\d{4})(?:-(S[12]|Q[1-4]|\d{2}))?$")


@dataclass(frozen=True)
class Period:
    """A reporting period: a year, a semester, a quarter or a month, or any range of dates."""

    key: str
    first: date
    last: date
    label: str

    @classmethod
    def parse(cls, key: str) -> Period | None:
        """``2026``, ``2026-S1``, ``2026-Q3`` or ``2026-05``; None when malformed."""
        match = _PERIOD.match(key or "")
        if not match:
            return None
        year, part = int(match.group(1)), match.group(2)
        if not 2000 <= year <= 2100:
            return None
        if part is None:
            return cls(key, date(year, 1, 1), date(year, 12, 31), f"Tahun {year}")
        if part[0] == "S":
            half = int(part[1])
            first = date(year, 1 if half == 1 else 7, 1)
            last = date(year, 6, 30) if half == 1 else date(year, 12, 31)
            return cls(key, first, last, f"Semester {'I' if half == 1 else 'II'} {year}")
        if part[0] == "Q":
            quarter = int(part[1])
            first = date(year, 3 * quarter - 2, 1)
            roman = ("I", "II", "III", "IV")[quarter - 1]
            return cls(key, first, _month_end(year, 3 * quarter), f"Triwulan {roman} {year}")
        month = int(part)
        if not 1 <= month <= 12:
            return None
        return cls(key, date(year, month, 1), _month_end(year, month), f"{BULAN[month - 1]} {year}")

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        """Any range of dates (the API's from/to)."""
        return cls(f"{first.isoformat()}..{last.isoformat()}", first, last, f"{first:%d-%m-%Y} s.d. {last:%d-%m-%Y}")

    @classmethod
    def semester_of(cls, day: date) -> Period:
        """The semester holding ``day``: offices report by semester."""
        return cls.parse(f"{day.year}-S{1 if day.month <= 6 else 2}")  # type: ignore[return-value]

    def previous(self) -> Period | None:
        """The period of the same kind just before this one (None for a free range)."""
        return _shift(self, -1)

    def next(self) -> Period | None:
        """The period of the same kind just after this one."""
        return _shift(self, 1)


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def _shift(period: Period, step: int) -> Period | None:
    match = _PERIOD.match(period.key)
    if not match:
        return None
    year, part = int(match.group(1)), match.group(2)
    if part is None:
        return Period.parse(f"{year + step}")
    kind, count = (part[0], int(part[1])) if part[0] in "SQ" else ("", int(part))
    size = {"S": 2, "Q": 4, "": 12}[kind]
    index = (count - 1) + step
    year += index // size
    index %= size
    return Period.parse(f"{year}-{kind}{index + 1}" if kind else f"{year}-{index + 1:02d}")


def period_choices(today: date) -> list[tuple[str, str]]:
    """Periods offered in the results' menu: this and last year's semesters, quarters and months."""
    result: list[tuple[str, str]] = []
    for year in (today.year, today.year - 1):
        keys = [f"{year}", f"{year}-S2", f"{year}-S1", *[f"{year}-Q{q}" for q in (4, 3, 2, 1)],
                *[f"{year}-{m:02d}" for m in range(12, 0, -1)]]  # fmt: skip
        for key in keys:
            period = Period.parse(key)
            if period and period.first <= today:
                result.append((period.key, period.label))
    return result


ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def english_label(period: Period) -> str:
    """A period as an English reader says it: "2026", "January–June 2026", "July–September 2026", "May 2026".

    Semesters and quarters (triwulan) are named by their months: "Semester I" reads as a school term in English.
    """
    match = _PERIOD.match(period.key)
    if not match:
        return f"{period.first:%d/%m/%Y} to {period.last:%d/%m/%Y}"
    year, part = int(match.group(1)), match.group(2)
    if part is None:
        return str(year)
    first, last = ENGLISH_MONTHS[period.first.month - 1], ENGLISH_MONTHS[period.last.month - 1]
    return f"{first} {year}" if first == last else f"{first}–{last} {year}"
