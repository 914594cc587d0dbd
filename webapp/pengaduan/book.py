"""The Buku Pengaduan (complaint register) and the confidentiality rules it, its export and the case page obey.

Who may open a complaint at all is the access policy's (``complaint.view``, unit-scoped;
complaints about no unit's service are seen by every complaint reader). Who may see the
name behind an *anonymous* complaint is too (``complaint.see_anonymous``: the complaints
team only, seed 000): the register, its search, the XLSX, the case page and the minutes
all ask ``sees_identity``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Select, case, false, func, or_, select
from sqlalchemy.orm import selectinload

from webapp.auth.models import User
from webapp.core.extensions import db
from webapp.core.policy import Account, can, scoped
from webapp.core.tables import append_row, workbook_bytes
from webapp.pengaduan.models import CHANNELS, OPEN_STATUSES, STATUSES, WEIGHTS, Complaint
from webapp.pengaduan.service import deadline_state

SEARCH_WORDS = 6


def sees_identity(user: Account, complaint: Complaint) -> bool:
    """Whether ``user`` may see who filed ``complaint`` (anonymous ones: the complaints team only)."""
    return not complaint.anonymous or can(user, "complaint.see_anonymous", complaint)


def in_scope(user: Account, statement: Select) -> Select:
    """``statement`` over complaints, kept to those ``user`` may read: the unit's, and those of no unit."""
    return scoped(user, statement, Complaint.unit_id)


@dataclass(frozen=True)
class BookFilter:
    """The register's filters, as the filter form gives them (every one optional)."""

    q: str = ""
    status: str = ""
    weight: str = ""
    channel: str = ""
    tenggat: str = ""
    dari: date | None = None
    sampai: date | None = None

    @classmethod
    def from_form(cls, form: Any) -> BookFilter:
        """The filters of a validated ``BookFilterForm`` (a field that failed is left out)."""
        return cls(**{name: getattr(form, name).data or (None if name in ("dari", "sampai") else "")
                      for name in cls.__dataclass_fields__ if not getattr(form, name).errors})


def book_statement(user: Account, filters: BookFilter, today: date, soon: date) -> Select:
    """The register's query for ``user``: filters and search, overdue first, then due soon."""
    is_open = Complaint.status.in_(OPEN_STATUSES)
    rank = case(
        (is_open & (Complaint.due_on < today), 0),
        (is_open & (Complaint.due_on <= soon), 1),
        (is_open, 2),
        else_=3,
    )
    statement = in_scope(user, select(Complaint).options(selectinload(Complaint.service),
                                                         selectinload(Complaint.assignee)))
    if filters.status == "terbuka":
        statement = statement.where(is_open)
    elif filters.status in STATUSES:
        statement = statement.where(Complaint.status == filters.status)
    if filters.weight == "belum":
        statement = statement.where(Complaint.weight.is_(None))
    elif filters.weight in WEIGHTS:
        statement = statement.where(Complaint.weight == filters.weight)
    if filters.channel in CHANNELS:
        statement = statement.where(Complaint.channel == filters.channel)
    if filters.tenggat == "terlambat":
        statement = statement.where(is_open, Complaint.due_on < today)
    elif filters.tenggat == "segera":
        statement = statement.where(is_open, Complaint.due_on >= today, Complaint.due_on <= soon)
    if filters.dari:
        statement = statement.where(Complaint.received_on >= filters.dari)
    if filters.sampai:
        statement = statement.where(Complaint.received_on <= filters.sampai)
    # A name matches only where the searcher may see it: a search must not unmask an anonymous complaint.
    name_visible = ~false() if can(user, "complaint.see_anonymous") else Complaint.anonymous.is_(False)
    for word in filters.q.split()[:SEARCH_WORDS]:
        statement = statement.where(or_(
            Complaint.number.icontains(word, autoescape=True),
            Complaint.description.icontains(word, autoescape=True),
            Complaint.service_other.icontains(word, autoescape=True),
            name_visible & Complaint.reporter_name.icontains(word, autoescape=True),
        ))
    return statement.order_by(rank, case((is_open, Complaint.due_on)), Complaint.id.desc())


def deadline_counts(user: Account, today: date, soon: date) -> tuple[int, int]:
    """How many open complaints ``user`` may read are overdue, and how many are due soon."""
    is_open = Complaint.status.in_(OPEN_STATUSES)
    overdue = db.session.scalar(in_scope(user, select(func.count(Complaint.id)).where(
        is_open, Complaint.due_on < today)))
    due_soon = db.session.scalar(in_scope(user, select(func.count(Complaint.id)).where(
        is_open, Complaint.due_on >= today, Complaint.due_on <= soon)))
    return overdue or 0, due_soon or 0


def book_xlsx(user: Account, rows: list[Complaint], today: date, soon: date) -> bytes:
    """The register as a spreadsheet, with the filters applied; anonymous identities stay hidden."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Buku Pengaduan"
    headers = ["Nomor", "Tanggal", "Pengadu", "Jenis", "Saluran", "Layanan", "Bobot", "Status", "Batas waktu",
               "Tenggat", "Dipegang"]
    append_row(sheet, headers, bold=True)
    for c in rows:
        identity = (c.reporter_name or "Tanpa nama") if sees_identity(user, c) else "Anonim"
        append_row(sheet, [c.number, c.received_on, identity, c.kind, CHANNELS[c.channel], c.service_label,
                           WEIGHTS.get(c.weight or "", ""), STATUSES[c.status], c.due_on,
                           deadline_state(c, today, soon), c.holder])
    for column, width in zip("ABCDEFGHIJK", (18, 12, 28, 14, 18, 40, 10, 16, 12, 12, 36), strict=True):
        sheet.column_dimensions[column].width = width
    return workbook_bytes(book)


def possible_assignees(complaint: Complaint) -> list[User]:
    """Active accounts who may handle ``complaint`` and hold it: the team, the Sekretaris, the Kepala Dinas."""
    from webapp.core.policy import KEPALA_DINAS, SEKRETARIS, TIM_PENGADUAN

    accounts = db.session.scalars(
        select(User).where(User.active.is_(True), User.role.in_((TIM_PENGADUAN, SEKRETARIS, KEPALA_DINAS)))
        .order_by(User.name, User.username)
    )
    return [account for account in accounts if can(account, "complaint.handle", complaint)]
