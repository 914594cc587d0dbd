"""Figures and exports of berkas: step durations per service, the staff list as CSV and XLSX."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.berkas.listing import Row
from webapp.berkas.models import OPEN_STATUSES, STATUSES, Berkas
from webapp.berkas.service import standard_minutes, step_is_late, step_minutes
from webapp.core.extensions import db
from webapp.core.formatting import tanggal, waktu
from webapp.core.tables import append_table, csv_text, workbook_bytes
from webapp.standards.models import Service


@dataclass
class StepFigure:
    """Mean working minutes at one step of a service's route, against its mutu baku."""

    position: int
    name: str
    executor: str
    standard: int | None
    samples: list[int] = field(default_factory=list)
    late: int = 0

    @property
    def mean(self) -> float | None:
        """Mean minutes over the files that passed the step (or are at it)."""
        return sum(self.samples) / len(self.samples) if self.samples else None


def step_figures(service: Service, since: datetime, now: datetime | None = None) -> list[StepFigure]:
    """Per step of ``service``: how long files registered since ``since`` spent there."""
    found = db.session.scalars(
        select(Berkas)
        .where(Berkas.service_id == service.id, Berkas.registered_at >= since, Berkas.status.in_(
            [*OPEN_STATUSES, "selesai"]))
        .options(selectinload(Berkas.steps))
    ).all()
    figures: dict[int, StepFigure] = {}
    for berkas in found:
        for step in berkas.steps:
            figure = figures.setdefault(
                step.position, StepFigure(step.position, step.name, step.executor, standard_minutes(step))
            )
            if step.visits or berkas.current_position == step.position:
                figure.samples.append(step_minutes(berkas, step, now))
                figure.late += step_is_late(berkas, step, now)
    return [figures[k] for k in sorted(figures)]


def minutes_text(minutes: float | None) -> str:
    """Working minutes as "2 jam 5 menit" (or "-")."""
    if minutes is None:
        return "-"
    whole = round(minutes)
    hours, rest = divmod(whole, 60)
    if hours and rest:
        return f"{hours} jam {rest} menit"
    return f"{hours} jam" if hours else f"{rest} menit"


HEADERS = ["Nomor registrasi", "Layanan", "Pemohon", "Status", "Didaftarkan", "Target selesai",
           "Langkah sekarang", "Dipegang oleh", "Lama di langkah (menit kerja)", "Terlambat",
           "Selesai", "Diambil"]  # fmt: skip


def _cells(row: Row) -> list:
    b = row.berkas
    return [
        b.number, b.service.title, b.applicant_name, STATUSES[b.status], waktu(b.registered_at),
        tanggal(b.due_date), row.step.name if row.step else "", b.holder_name,
        row.step_minutes if row.step else "", "ya" if row.late else "tidak",
        waktu(b.ready_at), waktu(b.collected_at),
    ]  # fmt: skip


def to_csv(rows: list[Row]) -> str:
    """The list as CSV (no NIK, phone or address: an export travels further than a screen)."""
    return csv_text([HEADERS, *(_cells(r) for r in rows)])


def to_xlsx(rows: list[Row], title: str) -> bytes:
    """The list as a one-sheet workbook."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Berkas"
    append_table(sheet, HEADERS, (_cells(row) for row in rows), title=title)
    sheet.column_dimensions["B"].width = 40
    return workbook_bytes(book)
