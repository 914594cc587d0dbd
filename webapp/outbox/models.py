"""A queued message to a person and its delivery state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.db import UtcDateTime, utcnow
from webapp.core.extensions import db
from webapp.core.phone import mask_phone

EMAIL, SMS, WHATSAPP = "email", "sms", "whatsapp"
CHANNELS: dict[str, str] = {EMAIL: "Email", SMS: "SMS", WHATSAPP: "WhatsApp"}

PENDING, SENT, FAILED = "menunggu", "terkirim", "gagal"
# No SMTP (email) or gateway (SMS, WhatsApp) is set for its channel: written to the log, not
# delivered. It goes out by itself once the setting is there (see webapp.outbox.service).
NO_SENDER = "tanpa_pengirim"
STATUSES: dict[str, str] = {
    PENDING: "Menunggu dikirim",
    SENT: "Terkirim",
    NO_SENDER: "Tidak dikirim (belum ada pengirim)",
    FAILED: "Gagal",
}


class OutboxMessage(db.Model):
    """One message. ``recipient`` is personal data: staff pages show it masked, logs never.

    A message belongs to the unit of the complaint or berkas it is about (None: a complaint
    about no unit's service), so that staff of one unit list and resend only their own. A
    message about an anonymous complaint says so (``anonymous``): staff who may not see who
    filed it do not see even the masked recipient.
    """

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    # What the message is about, e.g. topic "pengaduan.diterima", reference "ADU-2026-000123".
    topic: Mapped[str] = mapped_column(String(60), default="", index=True)
    reference: Mapped[str] = mapped_column(String(80), default="", index=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    @property
    def masked_recipient(self) -> str:
        """The recipient with most characters hidden, for staff lists."""
        return mask_recipient(self.recipient)


def mask_recipient(value: str) -> str:
    """``budi@example.com`` → ``b***@example.com``; a number as webapp.core.phone.mask_phone masks it
    (``081234567890`` and ``6281234567890`` → ``0812*****890``)."""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask_phone(value)
