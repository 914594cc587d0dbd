"""Small presentation helpers shared by templates: money, numbers, dates, links, public URLs.

Locale-aware: a page rendered in English (webapp.core.i18n) gets English dates and words and
English separators ("1,234.5"); everything else, staff pages, printed documents and messages
with no request, is Indonesian. Money stays rupiah as Indonesians write it in both: "Rp 150.000".
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from flask import current_app, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from webapp.core.localtime import HasTimezone, local_time
from webapp.core.phone import international

BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def english() -> bool:
    """Whether the page being rendered is in English (never outside a request: messages and jobs pick their own)."""
    try:
        locale = get_locale()
    except RuntimeError:  # no application context
        return False
    return locale is not None and locale.language == "en"


def _separators(text: str) -> str:
    """An Indonesian figure ("1.234,5") as English writes it ("1,234.5") on an English page."""
    return text.translate(str.maketrans({".": ",", ",": "."})) if english() else text


def rupiah(amount: int | None) -> str:
    """Format rupiah the Indonesian way, on every page: ``Rp 150.000``; zero reads "Gratis" ("Free")."""
    if amount is None:
        return ""
    if amount == 0:
        return _("Gratis")
    return "Rp " + f"{amount:,}".replace(",", ".")


def hari_kerja(days: int | None) -> str:
    """A duration in working days: "5 hari kerja", "5 working days" ("1 working day")."""
    if days is None:
        return ""
    return ngettext("%(num)d hari kerja", "%(num)d hari kerja", days)


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """``value`` rounded half up to ``places`` decimals, exactly (no binary floats on the way)."""
    scale = 10**places
    scaled = value * scale
    whole = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)  # floor(x + 1/2)
    return Decimal(whole).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def angka(value: float | Fraction | Decimal | None, places: int = 2) -> str:
    """A figure as Indonesians write it: "." between thousands, comma for decimals (82,45; 1.234,5); "" for None.

    The one decimal formatter (IKM and NRR at two places, measured minutes at one). Rounded half up, as
    a calculator would: a Fraction exactly, a float on the decimal it prints as (2.25 -> "2,3" at one place).
    """
    if value is None:
        return ""
    if isinstance(value, Fraction):
        rounded = round_half_up(value, places)
    else:
        exact = Decimal(str(value)) if isinstance(value, float) else value
        rounded = exact.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    whole, _dot, fraction = f"{abs(rounded):.{places}f}".partition(".")
    sign = "-" if rounded < 0 else ""
    return _separators(sign + f"{int(whole):,}".replace(",", ".") + ("," + fraction if fraction else ""))


def ribuan(value: int | None) -> str:
    """A count with "." between thousands: ``12345`` -> "12.345"; "" for None."""
    if value is None:
        return ""
    return _separators(f"{value:,}".replace(",", "."))


def menit(value: float | None) -> str:
    """Minutes measured, as statistics show them: "0,9 menit"; a dash when there is nothing to show."""
    return "—" if value is None else _("%(num)s menit", num=angka(value, 1))


def perkiraan_tunggu(minutes: float | None) -> str:
    """An estimated wait in words: "kurang dari 5 menit", "sekitar 25 menit", "sekitar 1 jam 30 menit".

    The one wording of a wait, used by the phone ticket and the kiosk. Estimates are coarse,
    so they are rounded: to 5 minutes under an hour, to 15 minutes beyond. "" for None
    (no estimate yet: nothing served today).
    """
    if minutes is None:
        return ""
    if minutes < 5:
        return _("kurang dari 5 menit")
    if minutes < 58:
        return _("sekitar %(minutes)d menit", minutes=max(5, int(minutes / 5 + 0.5) * 5))
    quarters = int(minutes / 15 + 0.5)
    hours, rest = divmod(quarters * 15, 60)
    if rest:
        return ngettext(
            "sekitar %(num)d jam %(minutes)d menit", "sekitar %(num)d jam %(minutes)d menit", hours, minutes=rest
        )
    return ngettext("sekitar %(num)d jam", "sekitar %(num)d jam", hours)


BULAN_SINGKAT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def tanggal_singkat(value: date | str | None) -> str:
    """A date in tables and labels: "30 Nov 2026"; accepts a date or an ISO string."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if english():
        return format_date(value, "d MMM y", locale="en")
    return f"{value.day} {BULAN_SINGKAT[value.month - 1]} {value.year}"


def tanggal(value: date | str | None) -> str:
    """A date as "25 Februari 2022"; accepts a date or an ISO string."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if english():
        return format_date(value, "d MMMM y", locale="en")
    return f"{value.day} {BULAN[value.month - 1]} {value.year}"


def tel_href(number: str) -> str:
    """A ``tel:`` link for a published phone number."""
    return "tel:+" + international(number)


def whatsapp_href(number: str) -> str:
    """A WhatsApp click-to-chat link for a published phone number."""
    return "https://wa.me/" + international(number)


def web_href(address: str) -> str:
    """A link for a web address as published, which often lacks its scheme."""
    address = address.strip()
    if re.match(r"^https?://", address):
        return address
    return "https://" + address.lstrip("/")


_INTERNAL_SOURCE_MARK = re.compile(r"\s*\((?:seed|transkripsi|sumber uji)[^)]*\)", re.IGNORECASE)


def sumber_publik(source: str | None) -> str:
    """A standard's source as citizens read it: the project's own file marks ("(seed 001)") left out."""
    return _INTERNAL_SOURCE_MARK.sub("", source or "").strip()


def public_url(endpoint: str, **values: object) -> str:
    """An absolute URL for printing (QR codes, posters): PUBLIC_BASE_URL when set, else this request's origin."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    if request:
        return url_for(endpoint, _external=True, **values)
    raise RuntimeError("PUBLIC_BASE_URL is needed outside a request")


@lru_cache(maxsize=256)
def _file_digest(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def asset_url(filename: str) -> str:
    """A static file's URL with a content hash, so that it can be cached for a year."""
    path = Path(current_app.static_folder or "") / filename
    try:
        version = _file_digest(str(path), path.stat().st_mtime)
    except FileNotFoundError:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=version)


def waktu(moment: datetime | None, unit: HasTimezone | None = None) -> str:
    """A timestamp on the wall clock of ``unit`` (the office's without one): "22 November 2026 11.45"."""
    if moment is None:
        return ""
    local = local_time(moment, unit)
    if english():
        return f"{tanggal(local.date())}, {local:%H:%M}"
    return f"{local.day} {BULAN[local.month - 1]} {local.year} {local:%H.%M}"
