"""Complaints (pengaduan), their history, attachments, the per-year number counter and the monthly report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import JsonType, UtcDateTime, utcnow
from webapp.core.extensions import db
from webapp.core.i18n import N_
from webapp.core.units import Unit
from webapp.standards.models import Service

# --- vocabularies (code -> label shown to people) ---------------------------------------------

ONLINE = "online"
DATANG_LANGSUNG = "datang_langsung"
TELEPON = "telepon"
SURAT = "surat"
EMAIL = "email"
KOTAK_SARAN = "kotak_saran"
LAPOR = "lapor"
CHANNELS: dict[str, str] = {
    ONLINE: "Formulir daring",
    DATANG_LANGSUNG: "Datang langsung",
    TELEPON: "Telepon/WhatsApp",
    SURAT: "Surat",
    EMAIL: "Email",
    KOTAK_SARAN: "Kotak saran",
    LAPOR: "SP4N-LAPOR!",
}
# Pengaduan langsung (at the counter) against tidak langsung (everything else), as the seeds group them.
DIRECT_CHANNELS = frozenset({DATANG_LANGSUNG})
# The channels staff record on behalf of a visitor (the public form is "online").
STAFF_CHANNELS = {code: label for code, label in CHANNELS.items() if code != ONLINE}

RINGAN, SEDANG, BERAT = "ringan", "sedang", "berat"
WEIGHTS: dict[str, str] = {RINGAN: "Ringan", SEDANG: "Sedang", BERAT: "Berat"}
# Who handles a complaint of each weight (seed 004, items c, d, e).
ROUTING: dict[str, str] = {
    RINGAN: "Dijawab langsung oleh petugas yang menangani.",
    SEDANG: "Dikoordinasikan dengan kepala bidang terkait dan Kepala Dinas; hasilnya disampaikan kepada pengadu.",
    BERAT: "Dikoordinasikan oleh Kepala Dinas dengan Bupati/Wali Kota c.q. Asisten atau Sekretaris Daerah; "
    "hasilnya disampaikan langsung kepada pengadu.",
}

DITERIMA = "diterima"
DIVERIFIKASI = "diverifikasi"
DITINDAKLANJUTI = "ditindaklanjuti"
SELESAI = "selesai"
DITOLAK = "ditolak"
STATUSES: dict[str, str] = {
    DITERIMA: "Diterima",
    DIVERIFIKASI: "Diverifikasi",
    DITINDAKLANJUTI: "Ditindaklanjuti",
    SELESAI: "Selesai",
    DITOLAK: "Ditolak",
}
OPEN_STATUSES = (DITERIMA, DIVERIFIKASI, DITINDAKLANJUTI)

# History actions. Public ones appear on the tracking page; the others only to staff.
EVENT_LABELS: dict[str, str] = {
    "diterima": N_("Pengaduan diterima"),
    "diverifikasi": N_("Pengaduan diverifikasi"),
    "klasifikasi": N_("Bobot pengaduan ditetapkan"),
    "ditugaskan": N_("Penanganan ditugaskan"),
    "ditindaklanjuti": N_("Pengaduan ditindaklanjuti"),
    "catatan": N_("Catatan internal"),
    "balasan": N_("Balasan kepada pengadu"),
    "selesai": N_("Pengaduan selesai"),
    "ditolak": N_("Pengaduan ditolak"),
    "dibuka_kembali": N_("Pengaduan dibuka kembali"),
    "kode_baru": N_("Kode lacak baru dibuat"),
    "lampiran": N_("Lampiran"),
}


class ComplaintCounter(db.Model):
    """The last complaint number of a year: the atomic counter behind ADU-2026-000123."""

    __tablename__ = "complaint_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Complaint(db.Model):
    """One complaint, from receipt to its Berita Acara Penyelesaian.

    Identity and contact fields are personal data: they never reach a public page, a
    public API answer or a log line, and on anonymous complaints only the complaint team
    sees them. The tracking code is stored only as its SHA-256 (``tracking_hash``).
    """

    __tablename__ = "complaint"
    __table_args__ = (
        UniqueConstraint("year", "sequence"),
        Index("ix_complaint_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    tracking_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(20), default=ONLINE, index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    # Null when the person chose "lainnya"; service_other then says what it was about.
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="SET NULL"), index=True)
    service_other: Mapped[str] = mapped_column(String(200), default="")

    reporter_name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    nik: Mapped[str] = mapped_column(String(16), default="")
    nib: Mapped[str] = mapped_column(String(13), default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language the complainant used ("id", "en"): the messages sent later speak it (issue 17).
    locale: Mapped[str] = mapped_column(String(5), default="id")

    description: Mapped[str] = mapped_column(Text)
    incident_date: Mapped[date | None] = mapped_column(Date)
    incident_place: Mapped[str] = mapped_column(String(200), default="")
    desired_outcome: Mapped[str] = mapped_column(Text, default="")

    weight: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default=DITERIMA)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    # The office's local date of receipt; the deadline counts 14 working days after it.
    received_on: Mapped[date] = mapped_column(Date, index=True)
    due_on: Mapped[date] = mapped_column(Date)
    # Who holds it now (seed 004's routing, or the assigned officer), for the Buku Pengaduan.
    holder: Mapped[str] = mapped_column(String(200), default="Tim Pengaduan")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # A complaint made from a queue ticket of service D at the counter (once per ticket).
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"), unique=True)
    resolution: Mapped[str] = mapped_column(Text, default="")
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    service: Mapped[Service | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    assignee = relationship("User", foreign_keys=[assignee_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[ComplaintAttachment]] = relationship(
        back_populates="complaint", order_by="ComplaintAttachment.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Complaint {self.number}>"

    @property
    def is_open(self) -> bool:
        """Whether the complaint still waits for an answer."""
        return self.status in OPEN_STATUSES

    @property
    def service_label(self) -> str:
        """The service concerned, or what the person wrote under "lainnya"."""
        if self.service is not None:
            return self.service.title
        return f"Lainnya: {self.service_other}" if self.service_other else "Lainnya"

    @property
    def public_service_label(self) -> str:
        """The service for public pages: never the citizen's own words under "lainnya"."""
        return self.service.title if self.service is not None else "Lainnya"

    @property
    def kind(self) -> str:
        """Jenis pengaduan for the Buku Pengaduan: langsung or tidak langsung."""
        return "Langsung" if self.channel in DIRECT_CHANNELS else "Tidak langsung"

    def public_events(self) -> list[ComplaintEvent]:
        """The history a tracking page may show."""
        return [event for event in self.events if event.public]


class ComplaintEvent(db.Model):
    """One step of a complaint's history: who, when, what; public text for the person, internal for staff."""

    __tablename__ = "complaint_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Copied, so the history outlives the account.
    actor: Mapped[str] = mapped_column(String(120), default="Sistem")
    action: Mapped[str] = mapped_column(String(30))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    # Public text is what the person reads; internal text is for staff only.
    public_text: Mapped[str] = mapped_column(Text, default="")
    internal_text: Mapped[str] = mapped_column(Text, default="")
    status_after: Mapped[str] = mapped_column(String(20), default="")

    complaint: Mapped[Complaint] = relationship(back_populates="events")

    @property
    def label(self) -> str:
        """The action in words."""
        return EVENT_LABELS.get(self.action, self.action)


class ComplaintAttachment(db.Model):
    """A file the person sent with the complaint, kept under the instance folder, not static/."""

    __tablename__ = "complaint_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    # The name the person's device gave it (shown to staff only); the file on disk has a random name.
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="attachments")


REPORT_DRAFT = "draf"
REPORT_SUBMITTED = "diajukan"
REPORT_RETURNED = "dikembalikan"
REPORT_APPROVED = "disetujui"
REPORT_STATUSES: dict[str, str] = {
    REPORT_DRAFT: "Draf",
    REPORT_SUBMITTED: "Diajukan kepada Sekretaris",
    REPORT_RETURNED: "Dikembalikan untuk diperbaiki",
    REPORT_APPROVED: "Disetujui, diserahkan kepada Kepala Dinas",
}


class ComplaintReport(db.Model):
    """The monthly Laporan Pengaduan Pelayanan Publik of a unit, or of the whole office, and its review.

    Seed 004, items j and k. The figures are computed live while the report is a draft or
    returned, and frozen into ``figures`` when it is submitted, so that what the Sekretaris
    approves is what the Kepala Dinas receives.

    A unit's report counts that unit's complaints; the office-wide report (``unit_id``
    None) counts every complaint, those about no unit's service included. One report per
    month and unit, and one office-wide report per month: the unique constraint covers
    rows with a unit, a partial unique index the office-wide rows (NULLs are distinct in a
    unique constraint on SQLite and PostgreSQL alike).
    """

    __tablename__ = "complaint_report"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "month"),
        Index("uq_complaint_report_office_month", "year", "month", unique=True,
              sqlite_where=text("unit_id IS NULL"), postgresql_where=text("unit_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: the office-wide report (every unit); read, submitted and reviewed by global accounts only.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=REPORT_DRAFT)
    summary: Mapped[str] = mapped_column(Text, default="")
    figures: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    review_note: Mapped[str] = mapped_column(Text, default="")
    # [{"at": ISO, "actor": name, "action": code, "note": text}], oldest first.
    history: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    approved_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    unit: Mapped[Unit | None] = relationship()
