"""The office's identity: its kop surat, opening hours, logo and signatories.

Every printed paper (webapp/templates/paper/) and the public pages read the office from here:
``profile_for(unit)`` gives the kop and the contacts, ``signatory_for(unit, role, on_date)``
the person who signs for a role on a document's date. A signatory may change over time; a
document keeps the signatory of its own date, so a row is never edited in place to a new
person: a new row with a later ``valid_from`` is added.

The rules for the values (NIP of 18 digits, hours as "08.00-16.00", a logo that is really a
PNG or a harmless SVG) live here too, so that the admin form, the demo loader and the tests
apply the same ones. Writing (with its audit line) is a feature's job:
``webapp.standards.units``.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.db import UtcDateTime, utcnow
from webapp.core.extensions import db
from webapp.core.units import Unit

# Roles that sign the office's papers, in the order the admin lists them.
ROLES: dict[str, str] = {
    "kepala_dinas": "Kepala Dinas",
    "sekretaris": "Sekretaris",
    "kepala_bidang": "Kepala Bidang",
    "ketua_tim_pengaduan": "Ketua Tim Pengaduan",
}

WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

LOGO_MAX_BYTES = 512 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class OfficeError(ValueError):
    """A profile value the office must correct; the message is shown beside the field."""


class Signatory(db.Model):
    """One person who signs for a role of a unit, from ``valid_from`` until a later row replaces them."""

    __tablename__ = "signatory"
    __table_args__ = (UniqueConstraint("unit_id", "role", "valid_from", name="uq_signatory_unit_role_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    rank: Mapped[str | None] = mapped_column(String(120))
    nip: Mapped[str | None] = mapped_column(String(18))
    valid_from: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    @property
    def role_label(self) -> str:
        """The role in words, as printed above the signature."""
        return ROLES.get(self.role, self.role)

    @property
    def nip_display(self) -> str:
        """The NIP grouped as printed on Indonesian paper: ``19681024 200003 1 002``."""
        return format_nip(self.nip)


@dataclass(frozen=True)
class OfficeProfile:
    """What a kop surat and a public page print about a unit; empty strings where nothing is filled."""

    unit_id: int | None
    government_name: str
    name: str
    short_name: str
    address: str
    phone: str
    whatsapp: str
    email: str
    website: str
    place_name: str
    hours: list[tuple[str, str]] = field(default_factory=list)
    # The unit itself, for the logo only: read lazily, see logo_data_url.
    unit: Unit | None = field(default=None, repr=False, compare=False)

    @cached_property
    def logo_data_url(self) -> str:
        """The logo as a ``data:`` URL, or empty. Built on first use only: the logo (up to LOGO_MAX_BYTES) is a
        deferred column, and most pages that take a profile (a service page) never show it; the kop of a paper
        or a poster does. (cached_property writes the instance's __dict__, so the frozen dataclass allows it.)"""
        return logo_data_url(self.unit) if self.unit is not None else ""

    @property
    def contact_line(self) -> str:
        """Phone, WhatsApp, email and website on one line, for the kop."""
        parts = []
        if self.phone:
            parts.append(f"Telp. {self.phone}")
        if self.whatsapp and self.whatsapp != self.phone:
            parts.append(f"WhatsApp {self.whatsapp}")
        if self.email:
            parts.append(f"E-mail {self.email}")
        if self.website:
            parts.append(self.website)
        return " · ".join(parts)


# --- NIP -------------------------------------------------------------------------------------

_NIP_RE = re.compile(r"^\d{18}$")


def clean_nip(raw: str | None) -> str | None:
    """The NIP as 18 digits (spaces and dots dropped), None when empty; OfficeError when not valid.

    A NIP (PP 11/2017) is the birth date (YYYYMMDD), the month of appointment (YYYYMM), the sex
    (1 or 2) and a serial number of three digits: the dates must be real dates.
    """
    digits = re.sub(r"[\s.]", "", raw or "")
    if not digits:
        return None
    if not _NIP_RE.match(digits):
        raise OfficeError("NIP harus 18 angka, misalnya 19681024 200003 1 002.")
    try:
        date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
        date(int(digits[8:12]), int(digits[12:14]), 1)
    except ValueError as exc:
        raise OfficeError(
            "NIP tidak sah: 8 angka pertama adalah tanggal lahir dan 6 berikutnya bulan pengangkatan."
        ) from exc
    if digits[14] not in "12":
        raise OfficeError("NIP tidak sah: angka ke-15 adalah jenis kelamin (1 atau 2).")
    return digits


def format_nip(nip: str | None) -> str:
    """``196810242000031002`` as ``19681024 200003 1 002``; empty for None."""
    if not nip:
        return ""
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


# --- opening hours ---------------------------------------------------------------------------

_SESSION_RE = re.compile(r"^\s*(\d{1,2})[.:](\d{2})\s*[-–]\s*(\d{1,2})[.:](\d{2})\s*$")


def parse_day_hours(text: str | None) -> list[list[str]]:
    """``"08.00-11.30, 13.30-16.00"`` as ``[["08:00", "11:30"], ["13:30", "16:00"]]``; a gap is a break.

    Empty text is a closed day. OfficeError names what is wrong.
    """
    sessions: list[list[str]] = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = _SESSION_RE.match(part)
        if not match:
            raise OfficeError("Tulis jam seperti 08.00-16.00; bila ada istirahat: 08.00-11.30, 13.30-16.00.")
        h1, m1, h2, m2 = (int(x) for x in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise OfficeError("Jam tidak sah: jam 0-23, menit 0-59.")
        start, end = f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"
        if end <= start or (sessions and start < sessions[-1][1]):
            raise OfficeError("Jam harus berurutan: jam tutup sesudah jam buka, istirahat di antaranya.")
        sessions.append([start, end])
    return sessions


def day_hours_text(sessions: list[list[str]] | None) -> str:
    """The sessions of a day as typed and printed: ``08.00-11.30, 13.30-16.00``; empty when closed."""
    return ", ".join(f"{a.replace(':', '.')}-{b.replace(':', '.')}" for a, b in sessions or [])


def hours_summary(opening_hours: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Weekdays with the same hours grouped: ``[("Senin–Kamis", "08.00–16.00"), ("Jumat", ...)]``.

    Empty when the office has not published its hours; closed days are left out.
    """
    rows: list[tuple[str, str]] = []
    days = [(i, day_hours_text((opening_hours or {}).get(str(i)))) for i in range(7)]
    i = 0
    while i < 7:
        text = days[i][1]
        j = i
        while j + 1 < 7 and days[j + 1][1] == text:
            j += 1
        if text:
            label = WEEKDAYS[i] if i == j else f"{WEEKDAYS[i]}–{WEEKDAYS[j]}"
            rows.append((label, text.replace("-", "–")))
        i = j + 1
    return rows


# --- logo ------------------------------------------------------------------------------------

_SVG_NS = "{http://www.w3.org/2000/svg}"
_SVG_ALLOWED = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
    "defs", "lineargradient", "radialgradient", "stop", "title", "desc", "clippath", "mask", "use", "symbol",
}  # fmt: skip


def check_logo(data: bytes) -> str:
    """The logo's media type (``image/png`` or ``image/svg+xml``); OfficeError when it is neither or too big.

    The type comes from the content, never from the file name. An SVG is parsed without any
    DTD (so no entity can expand or fetch) and may hold only drawing elements: no script, no
    event attribute, no link to anything but its own ``#id``, no embedded HTML.
    """
    if not data:
        raise OfficeError("Berkas logo kosong.")
    if len(data) > LOGO_MAX_BYTES:
        raise OfficeError(f"Logo paling besar {LOGO_MAX_BYTES // 1024} KB.")
    if data.startswith(PNG_MAGIC):
        if data[12:16] != b"IHDR":
            raise OfficeError("Berkas PNG rusak.")
        return "image/png"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" not in head:
        raise OfficeError("Logo harus berupa gambar PNG atau SVG.")
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise OfficeError("Logo SVG tidak boleh memuat DOCTYPE atau ENTITY.") from exc
    except ElementTree.ParseError as exc:
        raise OfficeError("Berkas SVG tidak dapat dibaca.") from exc
    if root.tag.removeprefix(_SVG_NS).lower() != "svg":
        raise OfficeError("Logo harus berupa gambar PNG atau SVG.")
    for element in root.iter():
        tag = element.tag.removeprefix(_SVG_NS).lower() if isinstance(element.tag, str) else ""
        if tag not in _SVG_ALLOWED:
            raise OfficeError(f"Logo SVG memuat unsur yang tidak diizinkan: <{tag or '?'}>.")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise OfficeError("Logo SVG tidak boleh memuat skrip.")
            if local == "href" and not value.startswith("#"):
                raise OfficeError("Logo SVG tidak boleh menautkan berkas atau alamat lain.")
            if "url(" in value.replace(" ", "").lower() and "url(#" not in value.replace(" ", "").lower():
                raise OfficeError("Logo SVG tidak boleh menautkan berkas atau alamat lain.")
    return "image/svg+xml"


def logo_data_url(unit: Unit) -> str:
    """The unit's logo as a ``data:`` URL (what WeasyPrint and the pages may read), or empty."""
    if not unit.logo or not unit.logo_type:
        return ""
    return f"data:{unit.logo_type};base64,{base64.b64encode(unit.logo).decode('ascii')}"


# --- reading ---------------------------------------------------------------------------------


def profile_for(unit: Unit | None) -> OfficeProfile:
    """The office profile of ``unit`` for a kop or a page; an empty profile for None."""
    if unit is None:
        return OfficeProfile(None, "", "", "", "", "", "", "", "", "")
    return OfficeProfile(
        unit_id=unit.id,
        government_name=unit.government_name or "",
        name=unit.name,
        short_name=unit.short_name,
        address=unit.address or "",
        phone=unit.phone or "",
        whatsapp=unit.whatsapp or "",
        email=unit.email or "",
        website=unit.website or "",
        place_name=unit.place_name or unit.city or "",
        hours=hours_summary(unit.opening_hours),
        unit=unit,
    )


def signatory_for(unit: Unit | None, role: str, on_date: date) -> Signatory | None:
    """Who signed for ``role`` of ``unit`` on ``on_date``: the latest row valid from that date or before."""
    if unit is None:
        return None
    statement = (
        select(Signatory)
        .where(Signatory.unit_id == unit.id, Signatory.role == role, Signatory.valid_from <= on_date)
        .order_by(Signatory.valid_from.desc())
        .limit(1)
    )
    return db.session.scalar(statement)


def signatories_of(unit: Unit) -> list[Signatory]:
    """Every signatory row of the unit, by role then newest first, for the admin page."""
    order = {role: i for i, role in enumerate(ROLES)}
    rows = db.session.scalars(select(Signatory).where(Signatory.unit_id == unit.id)).all()
    return sorted(rows, key=lambda s: (order.get(s.role, 99), -s.valid_from.toordinal()))
