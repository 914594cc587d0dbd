"""Queue statistics for staff: per day and service, and per counter, with CSV and XLSX exports.

Labels are written the Indonesian way ("30 Nov 2026", webapp.core.formatting); figures stay numbers
in the exports, so that a spreadsheet can add them up. A cancelled ticket (given back from the
phone) counts as a ticket and as cancelled: never as served or as a no-show, and it has no wait.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from antrian.models import Ticket
from webapp.core.extensions import db
from webapp.core.formatting import tanggal_singkat
from webapp.core.tables import append_table, csv_text, workbook_bytes
from webapp.core.units import Unit


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (90th: share 0.9) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Row:
    """Figures of one group of tickets (a day and service, or a counter)."""

    label: str
    tickets: int = 0
    served: int = 0
    no_shows: int = 0
    cancelled: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)

    def add(self, ticket: Ticket) -> None:
        """Count one ticket in this group."""
        self.tickets += 1
        if ticket.status == Ticket.DONE:
            self.served += 1
        if ticket.status == Ticket.SKIPPED:
            self.no_shows += 1
        if ticket.status == Ticket.CANCELLED:
            self.cancelled += 1
            return  # given back before any call: no wait to count
        wait = _minutes(ticket.wait_start, ticket.called_at)  # the one definition, shared with webapp.kinerja
        if wait is not None:
            self.waits.append(wait)
        service = _minutes(ticket.serving_at or ticket.called_at, ticket.finished_at)
        if ticket.status == Ticket.DONE and service is not None:
            self.services.append(service)

    @property
    def mean_wait(self) -> float | None:
        """Mean minutes from taking the ticket to being called."""
        return sum(self.waits) / len(self.waits) if self.waits else None

    @property
    def p90_wait(self) -> float | None:
        """90th percentile of the wait."""
        return percentile(self.waits, 0.9)

    @property
    def mean_service(self) -> float | None:
        """Mean minutes of service at the counter."""
        return sum(self.services) / len(self.services) if self.services else None

    @property
    def p90_service(self) -> float | None:
        """90th percentile of the service time."""
        return percentile(self.services, 0.9)


def tickets_between(unit: Unit, first: date, last: date) -> list[Ticket]:
    """The unit's tickets of these local days."""
    return list(
        db.session.scalars(
            select(Ticket)
            .where(Ticket.unit_id == unit.id, Ticket.day >= first, Ticket.day <= last)
            .options(selectinload(Ticket.queue_service), selectinload(Ticket.counter))
            .order_by(Ticket.day, Ticket.issued_at)
        )
    )


def by_day_and_service(tickets: Iterable[Ticket]) -> list[Row]:
    """One row per local day and queue service (by the line the ticket ended in)."""
    rows: dict[tuple, Row] = {}
    for ticket in tickets:
        key = (ticket.day, ticket.queue_service.code)
        label = f"{tanggal_singkat(ticket.day)} · {ticket.queue_service.code} {ticket.queue_service.name}"
        rows.setdefault(key, Row(label)).add(ticket)
    return [rows[key] for key in sorted(rows)]


def by_day(tickets: Iterable[Ticket], first: date, last: date) -> list[Row]:
    """One row per local day of the period, days without tickets included (for the report's charts)."""
    days = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    rows = {day: Row(tanggal_singkat(day)) for day in days}
    for ticket in tickets:
        if ticket.day in rows:
            rows[ticket.day].add(ticket)
    return list(rows.values())


@dataclass
class Bar:
    """One bar of a chart drawn as SVG in the PDF: its label, value and length in percent of the longest."""

    label: str
    value: float
    percent: float


def bars(rows: list[Row], attribute: str) -> list[Bar]:
    """The rows' ``attribute`` (tickets, mean_wait ...) as bars scaled to the largest value."""
    values = [float(getattr(row, attribute) or 0) for row in rows]
    top = max(values, default=0) or 1
    return [Bar(row.label, value, round(100 * value / top, 1)) for row, value in zip(rows, values, strict=True)]


def by_counter(tickets: Iterable[Ticket]) -> list[Row]:
    """One row per counter that called tickets."""
    rows: dict[int, Row] = defaultdict(lambda: Row(""))
    for ticket in tickets:
        if ticket.counter is None:
            continue
        row = rows[ticket.counter.number]
        row.label = ticket.counter.name
        row.add(ticket)
    return [rows[number] for number in sorted(rows)]


HEADERS = ["Kelompok", "Tiket", "Dilayani", "Tidak hadir", "Rata-rata tunggu (menit)", "P90 tunggu (menit)",
           "Rata-rata layanan (menit)", "P90 layanan (menit)", "Dibatalkan"]  # fmt: skip


def _cells(row: Row) -> list:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return [row.label, row.tickets, row.served, row.no_shows, rounded(row.mean_wait), rounded(row.p90_wait),
            rounded(row.mean_service), rounded(row.p90_service), row.cancelled]  # fmt: skip


def to_csv(days: list[Row], counters: list[Row]) -> str:
    """The two tables as one CSV (a blank line between them)."""
    return csv_text([["Per hari dan layanan"], HEADERS, *(_cells(r) for r in days), [],
                     ["Per loket"], HEADERS, *(_cells(r) for r in counters)])


def to_xlsx(days: list[Row], counters: list[Row], title: str) -> bytes:
    """The two tables as a workbook with one sheet each."""
    book = Workbook()
    for sheet, rows, name in (
        (book.active, days, "Per hari dan layanan"),
        (book.create_sheet(), counters, "Per loket"),
    ):
        sheet.title = name
        append_table(sheet, HEADERS, (_cells(row) for row in rows), title=title)
        sheet.column_dimensions["A"].width = 42
    return workbook_bytes(book)
