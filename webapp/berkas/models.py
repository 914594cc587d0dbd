"""Permit applications (berkas), their route (the electronic kartu kendali) and issued documents.

A berkas copies its service's route when it is registered (``BerkasStep``), so that later
edits of the route never rewrite the record of a file already on its way. Every hand-over,
receipt and return is a ``BerkasMovement`` with the officer's name copied, so the record
outlives the account.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from webapp.auth.models import User
from webapp.core.db import JsonType, UtcDateTime, utcnow
from webapp.core.extensions import db
from webapp.core.units import Unit
from webapp.standards.models import Service

# Berkas statuses. "dikembalikan": the requirements were incomplete and the file went back
# to the applicant with a list of what is missing; it is completed later at the counter.
DIKEMBALIKAN = "dikembalikan"
DIPROSES = "diproses"
SIAP = "siap"
SELESAI = "selesai"
STATUSES: dict[str, str] = {
    DIKEMBALIKAN: "Dikembalikan, persyaratan belum lengkap",
    DIPROSES: "Sedang diproses",
    SIAP: "Selesai, siap diambil",
    SELESAI: "Sudah diambil",
}
OPEN_STATUSES = (DIPROSES, SIAP)

# Movement kinds, as the kartu kendali names them.
DAFTAR = "daftar"
TERIMA = "terima"
SERAH = "serah"
KEMBALI = "kembali"
AMBIL = "ambil"
LENGKAPI = "lengkapi"
TOLAK = "tolak_lengkap"
MOVEMENTS: dict[str, str] = {
    DAFTAR: "Didaftarkan",
    TOLAK: "Dikembalikan kepada pemohon (belum lengkap)",
    LENGKAPI: "Persyaratan dilengkapi",
    TERIMA: "Diterima",
    SERAH: "Diserahkan",
    KEMBALI: "Dikembalikan",
    AMBIL: "Diambil pemohon",
}

VALID = "berlaku"
REVOKED = "dicabut"


class StepColumns:
    """What a step is, shared by a service's route and the copy each berkas keeps of it."""

    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    executor: Mapped[str] = mapped_column(String(120))
    # The staff role that may act on the step (None: any staff of the unit; admins always may).
    role: Mapped[str | None] = mapped_column(String(32))
    public_label: Mapped[str] = mapped_column(String(200))
    # The step's mutu baku: minutes and/or working days (None: the standard gives none).
    minutes: Mapped[int | None] = mapped_column(Integer)
    days: Mapped[int | None] = mapped_column(Integer)


class RouteStep(StepColumns, db.Model):
    """One step of a service's configured route; a service without rows follows its SOP or a simple route."""

    __tablename__ = "berkas_route_step"
    __table_args__ = (UniqueConstraint("service_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)

    service: Mapped[Service] = relationship()


class BerkasCounter(db.Model):
    """The last registration number given per unit and year, incremented in place (never a duplicate)."""

    __tablename__ = "berkas_counter"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Berkas(db.Model):
    """A permit application: applicant, service, requirements received, and where the file is now.

    The applicant's name, identity number, phone, email and address are personal data:
    they appear on staff pages and the printed receipt only, never on a public page,
    a public API answer, a message body or a log line.
    """

    __tablename__ = "berkas"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "sequence"),
        Index("ix_berkas_status_unit", "status", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20), index=True)
    # 120 random bits, URL-safe: the applicant's tracking link.
    tracking_code: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=DIPROSES)

    applicant_name: Mapped[str] = mapped_column(String(160))
    applicant_id_kind: Mapped[str] = mapped_column(String(8))  # "nik" or "nib"
    applicant_id_number: Mapped[str] = mapped_column(String(20))
    # A mobile number as stored everywhere (webapp.core.phone): digits starting 62.
    applicant_phone: Mapped[str] = mapped_column(String(20))
    applicant_email: Mapped[str] = mapped_column(String(254), default="")
    applicant_address: Mapped[str] = mapped_column(Text, default="")

    # [{"text": ..., "received": bool}] in the order of the service's requirements.
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    note: Mapped[str] = mapped_column(Text, default="")

    # The standard's jangka waktu in working days when registered, and the date it gives.
    duration_days: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)

    registered_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"))

    # Where the file is: its step, since when, and who has signed for it there.
    current_position: Mapped[int] = mapped_column(Integer, default=0)
    arrived_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    holder_name: Mapped[str] = mapped_column(String(120), default="")

    ready_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    collected_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    collected_by: Mapped[str] = mapped_column(String(160), default="")
    # Seed 004: not collected within a month of being ready -> a reminder and a letter home.
    reminder_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    letter_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    unit: Mapped[Unit] = relationship()
    service: Mapped[Service] = relationship()
    holder: Mapped[User | None] = relationship(foreign_keys=[holder_id])
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    steps: Mapped[list[BerkasStep]] = relationship(
        back_populates="berkas", order_by="BerkasStep.position", cascade="all, delete-orphan"
    )
    movements: Mapped[list[BerkasMovement]] = relationship(
        back_populates="berkas", order_by="BerkasMovement.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[IssuedDocument]] = relationship(back_populates="berkas", order_by="IssuedDocument.id")

    def __repr__(self) -> str:
        return f"<Berkas {self.number}>"

    @property
    def current_step(self) -> BerkasStep | None:
        """The step the file is at (None before registration completes)."""
        if self.status == DIKEMBALIKAN or not self.steps:
            return None
        return self.steps[self.current_position]

    @property
    def missing(self) -> list[str]:
        """Requirements not received."""
        return [item["text"] for item in self.checklist or [] if not item.get("received")]

    @property
    def status_label(self) -> str:
        """The status in plain Indonesian."""
        return STATUSES[self.status]


class BerkasStep(StepColumns, db.Model):
    """One step of one berkas's route, copied from the service's route, with the time spent there."""

    __tablename__ = "berkas_step"
    __table_args__ = (UniqueConstraint("berkas_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    berkas_id: Mapped[int] = mapped_column(ForeignKey("berkas.id", ondelete="CASCADE"), index=True)
    # Working minutes spent at the step on finished visits (a return brings a file back: a new visit).
    spent_minutes: Mapped[int] = mapped_column(Integer, default=0)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    first_arrived_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_left_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    berkas: Mapped[Berkas] = relationship(back_populates="steps")

    @property
    def has_standard(self) -> bool:
        """Whether the step has a mutu baku to compare against."""
        return self.minutes is not None or self.days is not None


class BerkasMovement(db.Model):
    """One line of the kartu kendali: a registration, receipt, hand-over, return or collection."""

    __tablename__ = "berkas_movement"

    id: Mapped[int] = mapped_column(primary_key=True)
    berkas_id: Mapped[int] = mapped_column(ForeignKey("berkas.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    from_position: Mapped[int | None] = mapped_column(Integer)
    to_position: Mapped[int | None] = mapped_column(Integer)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    officer_name: Mapped[str] = mapped_column(String(120), default="sistem")
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    berkas: Mapped[Berkas] = relationship(back_populates="movements")

    @property
    def label(self) -> str:
        """The movement in plain Indonesian."""
        return MOVEMENTS[self.kind]


class IssuedDocument(db.Model):
    """A document the office issued (the permit), with its PDF and the code anyone can verify.

    ``code`` goes into the QR printed on the document; ``seal`` binds the number, holder,
    dates and the PDF's SHA-256 to it, so a record changed behind the application's back
    no longer verifies (see webapp.berkas.documents).
    """

    __tablename__ = "issued_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    berkas_id: Mapped[int | None] = mapped_column(ForeignKey("berkas.id", ondelete="SET NULL"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="SET NULL"))
    number: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    holder_name: Mapped[str] = mapped_column(String(160))
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    seal: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=VALID)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="sistem")

    berkas: Mapped[Berkas | None] = relationship(back_populates="documents")
    unit: Mapped[Unit] = relationship()
    service: Mapped[Service | None] = relationship()
