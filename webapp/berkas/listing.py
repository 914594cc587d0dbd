"""The staff list of berkas: its filters in SQL, late files first, the counts above it, a page of it.

Every filter (status, service, the current step's executor, holder, number) is a condition
of one SQL statement, and the page, its counts and the CSV/XLSX exports all read the rows
of that one statement, with no cap: a file matching the filters is never lost for being the
2,001st. Lateness needs working-time arithmetic over the holiday calendar, which SQL cannot
do, so the rows are ordered here; the page then shows ``PAGE_SIZE`` of them and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from math import ceil

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import aliased, selectinload

from webapp.auth.models import User
from webapp.berkas.models import DIKEMBALIKAN, DIPROSES, OPEN_STATUSES, STATUSES, Berkas, BerkasStep
from webapp.berkas.service import is_late, step_is_late, step_minutes
from webapp.core.extensions import db
from webapp.core.policy import scoped
from webapp.core.units import Unit
from webapp.standards.models import Service

OPEN = "terbuka"  # the list's default: files in process or ready to collect
EVERY = "semua"
PAGE_SIZE = 100
UNRECEIVED = "belum diterima"


@dataclass(frozen=True)
class ListFilter:
    """What the officer asked the list for; empty values do not filter."""

    status: str = OPEN  # OPEN, EVERY, or a key of STATUSES
    service_id: int | None = None
    executor: str = ""  # a part of the current step's executor ("langkah"), any case
    holder_id: int | None = None
    number: str = ""  # a part of the registration number


def services_for(user: User) -> list[Service]:
    """Published services (complaints aside) of the account's units: what it registers files for."""
    statement = (
        select(Service)
        .join(Unit)
        .where(Service.is_published.is_(True), Service.category != "pengaduan")
        .order_by(Unit.name, Service.position, Service.title)
    )
    return list(db.session.scalars(scoped(user, statement, Service.unit_id, unitless=False)))


def officers_for(user: User) -> list[User]:
    """Active accounts the account may see, for the "held by" filter."""
    statement = select(User).where(User.active.is_(True)).order_by(User.name)
    return list(db.session.scalars(scoped(user, statement, User.unit_id)))


def filtered(user: User, wanted: ListFilter) -> Select:
    """The berkas of the account's units that match ``wanted``, as one statement."""
    statement = scoped(user, select(Berkas), Berkas.unit_id, unitless=False)
    if wanted.status == OPEN:
        statement = statement.where(Berkas.status.in_(OPEN_STATUSES))
    elif wanted.status in STATUSES:
        statement = statement.where(Berkas.status == wanted.status)
    if wanted.service_id is not None:
        statement = statement.where(Berkas.service_id == wanted.service_id)
    if wanted.holder_id is not None:
        statement = statement.where(Berkas.holder_id == wanted.holder_id)
    if wanted.number.strip():
        statement = statement.where(Berkas.number.contains(wanted.number.strip(), autoescape=True))
    if wanted.executor.strip():
        # An alias: the rows' own join of the current step (below) must not correlate into this test.
        step = aliased(BerkasStep)
        at_step = (
            select(step.id)
            .where(step.berkas_id == Berkas.id, step.position == Berkas.current_position)
            .where(step.executor.icontains(wanted.executor.strip(), autoescape=True))
        )
        # A returned file has no current step (Berkas.current_step), whatever rows it kept.
        statement = statement.where(Berkas.status != DIKEMBALIKAN, at_step.exists())
    return statement


@dataclass
class Row:
    """One berkas of the list, with its current step (while open) and how late it is."""

    berkas: Berkas
    step: BerkasStep | None
    late: bool
    step_late: bool
    step_minutes: int

    @property
    def in_process(self) -> bool:
        """Whether the file is at a step of the office (its clock runs), not waiting to be collected."""
        return self.step is not None and self.berkas.status == DIPROSES


def rows(statement: Select, now: datetime | None = None) -> list[Row]:
    """Every berkas of ``statement`` (no cap), late ones first (whole file, then step), then oldest.

    Each row's current step is joined in the same query; the files' other steps are not loaded.
    """
    current = and_(
        BerkasStep.berkas_id == Berkas.id,
        BerkasStep.position == Berkas.current_position,
        Berkas.status.in_(OPEN_STATUSES),
    )
    found = db.session.execute(
        statement.add_columns(BerkasStep)
        .outerjoin(BerkasStep, current)
        .options(selectinload(Berkas.service), selectinload(Berkas.unit))
    ).all()
    result = []
    for berkas, step in found:
        result.append(Row(
            berkas=berkas,
            step=step,
            late=is_late(berkas, now),
            step_late=bool(step and step_is_late(berkas, step, now)),
            step_minutes=step_minutes(berkas, step, now) if step else 0,
        ))  # fmt: skip
    result.sort(key=lambda r: (not r.late, not r.step_late, r.berkas.registered_at, r.berkas.id))
    return result


@dataclass(frozen=True)
class Counts:
    """Files in process per current executor and per holder ("belum diterima": not yet signed for)."""

    by_step: dict[str, int]
    by_holder: dict[str, int]


def counts(found: list[Row]) -> Counts:
    """The counts above the list, over every row the filters matched (not only the page shown)."""
    by_step: dict[str, int] = {}
    by_holder: dict[str, int] = {}
    for row in found:
        if row.in_process:
            by_step[row.step.executor] = by_step.get(row.step.executor, 0) + 1
            holder = row.berkas.holder_name or UNRECEIVED
            by_holder[holder] = by_holder.get(holder, 0) + 1
    return Counts(by_step, by_holder)


@dataclass(frozen=True)
class Page:
    """One page of the list, shaped like Flask-SQLAlchemy's pagination for the shared pager markup."""

    items: list[Row]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the rows fill (at least one)."""
        return max(1, ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        """The position of the page's first row, counted from 1 (0 when there is none)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        """The position of the page's last row."""
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def has_prev(self) -> bool:
        """Whether a page comes before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a page comes after this one."""
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        """The previous page's number."""
        return self.page - 1

    @property
    def next_num(self) -> int:
        """The next page's number."""
        return self.page + 1


def page_of(found: list[Row], number: int | None, per_page: int = PAGE_SIZE) -> Page:
    """Page ``number`` (from 1; out of range: the nearest page) of the ordered rows."""
    pages = max(1, ceil(len(found) / per_page))
    number = min(max(number or 1, 1), pages)
    start = (number - 1) * per_page
    return Page(found[start : start + per_page], number, per_page, len(found))
