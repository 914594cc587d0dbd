"""The survey's rules: the nine elements of PermenPANRB 14/2017, the index computed exactly,
grades, the minimum sample of Krejcie and Morgan, periods, results, and one-time invitations.

Arithmetic is done in ``fractions.Fraction``: an NRR is a sum of scores over the number of
respondents, the IKM is the mean of the nine NRRs times 25. Nothing is rounded until it is
shown (``display``), to two decimals, half up, as a calculator would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from webapp.core.extensions import db
from webapp.core.formatting import BULAN, public_url
from webapp.core.localtime import local_today
from webapp.core.units import Unit
from webapp.standards.models import Service
from webapp.survei.models import ELEMENT_CODES, SurveyInvitation, SurveyResponse


class SurveyError(ValueError):
    """A survey that cannot be filed; the message is for the respondent, in Indonesian."""


class InvitationUsedError(SurveyError):
    """The one-time link was used already (perhaps a moment ago, in another tab)."""


# --- the nine elements -----------------------------------------------------------------------


@dataclass(frozen=True)
class Element:
    """One element (unsur) of the survey: its code, name, question and the four answers for scores 1..4."""

    code: str
    name: str
    question: str
    answers: tuple[str, str, str, str]


ELEMENTS: tuple[Element, ...] = (
    Element("U1", "Persyaratan",
            "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
            ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    Element("U2", "Sistem, mekanisme, dan prosedur",
            "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
            ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah")),
    Element("U3", "Waktu penyelesaian",
            "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
            ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat")),
    Element("U4", "Biaya/tarif", "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
            ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")),
    Element("U5", "Produk spesifikasi jenis pelayanan",
            "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
            "dalam standar pelayanan dengan hasil yang diberikan?",
            ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    Element("U6", "Kompetensi pelaksana",
            "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
            ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten")),
    Element("U7", "Perilaku pelaksana",
            "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
            ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah")),
    Element("U8", "Penanganan pengaduan, saran, dan masukan",
            "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
            ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik")),
    Element("U9", "Sarana dan prasarana", "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
            ("Buruk", "Cukup", "Baik", "Sangat baik")),
)  # fmt: skip
ELEMENTS_BY_CODE = {e.code: e for e in ELEMENTS}
# The regulation's sample form asks about facilities (U9) before complaints handling (U8);
# answers are stored by code, so the order of the form is free.
FORM_ORDER = ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U9", "U8")

SEXES = {"L": "Laki-laki", "P": "Perempuan"}
EDUCATIONS = {
    "sd": "SD ke bawah",
    "smp": "SMP/sederajat",
    "sma": "SMA/sederajat",
    "diploma": "D1/D2/D3/D4",
    "s1": "S1",
    "s2": "S2 ke atas",
}
OCCUPATIONS = {
    "pns": "PNS",
    "tni": "TNI",
    "polri": "POLRI",
    "swasta": "Pegawai swasta",
    "wirausaha": "Wirausaha",
    "pelajar": "Pelajar/mahasiswa",
    "lainnya": "Lainnya",
}
AGE_MIN, AGE_MAX = 15, 100
AGE_GROUPS = ((15, 19, "15–19"), (20, 29, "20–29"), (30, 39, "30–39"), (40, 49, "40–49"), (50, 59, "50–59"),
              (60, AGE_MAX, "60 ke atas"))  # fmt: skip
SUGGESTION_MAX = 2000

# --- grades ----------------------------------------------------------------------------------

WEIGHT = Fraction(1, len(ELEMENTS))  # each element weighs the same: 1/9
CONVERSION = 25


@dataclass(frozen=True)
class Grade:
    """A quality grade (mutu pelayanan) and what it means (kinerja unit pelayanan)."""

    letter: str
    label: str
    nrr_from: Fraction
    ikm_from: Decimal


# The interval table of PermenPANRB 14/2017: NRR intervals (NI) and converted ones (NIK = NI x 25).
#   D  1,00 – 2,5996   25,00 – 64,99   Tidak baik
#   C  2,60 – 3,064    65,00 – 76,60   Kurang baik
#   B  3,0644 – 3,532  76,61 – 88,30   Baik
#   A  3,5324 – 4,00   88,31 – 100,00  Sangat baik
# The table leaves hairline gaps between intervals (3,064 … 3,0644): a value there has not
# reached the next interval's lower bound and keeps the grade below.
GRADES: tuple[Grade, ...] = (
    Grade("A", "Sangat Baik", Fraction("3.5324"), Decimal("88.31")),
    Grade("B", "Baik", Fraction("3.0644"), Decimal("76.61")),
    Grade("C", "Kurang Baik", Fraction("2.60"), Decimal("65.00")),
    Grade("D", "Tidak Baik", Fraction(1), Decimal("25.00")),
)
GRADES_BY_LETTER = {g.letter: g for g in GRADES}


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """``value`` rounded half up to ``places`` decimals, exactly (no binary floats on the way)."""
    scale = 10**places
    scaled = value * scale
    whole = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)  # floor(x + 1/2)
    return Decimal(whole).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def nrr_grade(nrr: Fraction) -> Grade:
    """The grade of an element's NRR (or any unconverted mean), by the regulation's intervals."""
    for grade in GRADES:
        if nrr >= grade.nrr_from:
            return grade
    return GRADES[-1]


def ikm_grade(ikm: Fraction | Decimal) -> Grade:
    """The grade of an IKM, read from its value rounded to two decimals as published."""
    shown = ikm if isinstance(ikm, Decimal) else round_half_up(ikm)
    for grade in GRADES:
        if shown >= grade.ikm_from:
            return grade
    return GRADES[-1]


def nrr_per_element(score_sums: dict[str, int], respondents: int) -> dict[str, Fraction]:
    """NRR per element: the sum of its scores over the number of respondents."""
    if respondents <= 0:
        raise ValueError("no respondents")
    return {code: Fraction(score_sums[code], respondents) for code in ELEMENT_CODES}


def ikm_from_nrr(nrr: dict[str, Fraction]) -> Fraction:
    """IKM = sum over elements of NRR x 1/9, times 25 (the regulation's weighted NRR, converted)."""
    return sum((nrr[code] * WEIGHT for code in ELEMENT_CODES), Fraction(0)) * CONVERSION


def display(value: Fraction | Decimal | None, places: int = 2) -> str:
    """A figure as Indonesians write it: comma for decimals (82,45); empty for None."""
    if value is None:
        return ""
    rounded = value if isinstance(value, Decimal) else round_half_up(value, places)
    return f"{rounded:.{places}f}".replace(".", ",")


# --- the minimum sample ----------------------------------------------------------------------

# Krejcie and Morgan (1970), the table PermenPANRB 14/2017 points to: population N -> sample S.
KREJCIE_MORGAN: tuple[tuple[int, int], ...] = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40), (50, 44), (55, 48),
    (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70), (90, 73), (95, 76), (100, 80), (110, 86),
    (120, 92), (130, 97), (140, 103), (150, 108), (160, 113), (170, 118), (180, 123), (190, 127), (200, 132),
    (210, 136), (220, 140), (230, 144), (240, 148), (250, 152), (260, 155), (270, 159), (280, 162), (290, 165),
    (300, 169), (320, 175), (340, 181), (360, 186), (380, 191), (400, 196), (420, 201), (440, 205), (460, 210),
    (480, 214), (500, 217), (550, 226), (600, 234), (650, 242), (700, 248), (750, 254), (800, 260), (850, 265),
    (900, 269), (950, 274), (1000, 278), (1100, 285), (1200, 291), (1300, 297), (1400, 302), (1500, 306),
    (1600, 310), (1700, 313), (1800, 317), (1900, 320), (2000, 322), (2200, 327), (2400, 331), (2600, 335),
    (2800, 338), (3000, 341), (3500, 346), (4000, 351), (4500, 354), (5000, 357), (6000, 361), (7000, 364),
    (8000, 367), (9000, 368), (10000, 370), (15000, 375), (20000, 377), (30000, 379), (40000, 380),
    (50000, 381), (75000, 382), (1000000, 384),
)  # fmt: skip


def minimum_sample(population: int) -> int:
    """The minimum number of respondents for ``population`` service users (Krejcie and Morgan).

    Below the table's first row everyone is asked; between two rows the larger population's
    row is read, so the sample is never too small; beyond the table, 384.
    """
    if population <= 0:
        return 0
    if population < KREJCIE_MORGAN[0][0]:
        return population
    for size, sample in KREJCIE_MORGAN:
        if population <= size:
            return sample
    return KREJCIE_MORGAN[-1][1]


# --- periods ---------------------------------------------------------------------------------

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


# --- results ---------------------------------------------------------------------------------


@dataclass
class ElementResult:
    """One element's figures in a result."""

    element: Element
    total: int
    nrr: Fraction
    converted: Fraction
    weighted: Fraction
    grade: Grade
    flagged: bool = False


@dataclass
class Result:
    """The survey's figures for one scope (all, a unit or a service) and period."""

    respondents: int
    elements: list[ElementResult] = field(default_factory=list)
    ikm: Fraction | None = None
    ikm_shown: Decimal | None = None
    grade: Grade | None = None
    population: int | None = None
    sample: int | None = None
    by_sex: list[tuple[str, int]] = field(default_factory=list)
    by_age: list[tuple[str, int]] = field(default_factory=list)
    by_education: list[tuple[str, int]] = field(default_factory=list)
    by_occupation: list[tuple[str, int]] = field(default_factory=list)

    @property
    def enough(self) -> bool | None:
        """Whether the respondents reach the minimum sample; None when the population is unknown."""
        return None if self.sample is None else self.respondents >= self.sample

    @property
    def flagged(self) -> list[ElementResult]:
        """The elements to improve first, lowest first."""
        return sorted((e for e in self.elements if e.flagged), key=lambda e: e.nrr)

    def as_json(self) -> dict[str, Any]:
        """The figures for the API: exact values rounded for display, as numbers."""
        return {
            "respondents": self.respondents,
            "nrr": {e.element.code: float(round_half_up(e.nrr, 4)) for e in self.elements},
            "element_grades": {e.element.code: e.grade.letter for e in self.elements},
            "ikm": float(self.ikm_shown) if self.ikm_shown is not None else None,
            "grade": self.grade.letter if self.grade else None,
            "grade_label": self.grade.label if self.grade else None,
            "population": self.population,
            "minimum_sample": self.sample,
        }


def compute(answers: list[dict[str, int]] | list[tuple[int, ...]]) -> Result:
    """The figures of a list of answer sets (dicts by code, or tuples in U1..U9 order)."""
    rows = [tuple(a[c] for c in ELEMENT_CODES) if isinstance(a, dict) else tuple(a) for a in answers]
    sums = {code: sum(row[i] for row in rows) for i, code in enumerate(ELEMENT_CODES)}
    return _result(len(rows), sums)


def _result(respondents: int, sums: dict[str, int]) -> Result:
    result = Result(respondents=respondents)
    if respondents == 0:
        return result
    nrr = nrr_per_element(sums, respondents)
    for element in ELEMENTS:
        value = nrr[element.code]
        result.elements.append(
            ElementResult(element, sums[element.code], value, value * CONVERSION, value * WEIGHT, nrr_grade(value))
        )
    lowest = min(e.nrr for e in result.elements)
    for item in result.elements:
        # The lowest element always, and every element below "Baik": what the follow-up plan is about.
        item.flagged = item.nrr == lowest or item.grade.letter in ("C", "D")
    result.ikm = ikm_from_nrr(nrr)
    result.ikm_shown = round_half_up(result.ikm)
    result.grade = ikm_grade(result.ikm_shown)
    return result


def _scope(statement: Any, unit: Unit | None, service: Service | None, period: Period) -> Any:
    statement = statement.where(SurveyResponse.survey_date.between(period.first, period.last))
    if service is not None:
        statement = statement.where(SurveyResponse.service_id == service.id)
    elif unit is not None:
        statement = statement.where(SurveyResponse.unit_id == unit.id)
    return statement


def results(
    period: Period, *, unit: Unit | None = None, service: Service | None = None, detail: bool = True
) -> Result:
    """The figures of every response in ``period`` for a service, a unit, or the whole office.

    Sums and counts are made by the database; ``detail=False`` leaves out the respondents'
    profile and the sample (for summaries such as the home page's badge).
    """
    columns = [func.coalesce(func.sum(getattr(SurveyResponse, c.lower())), 0) for c in ELEMENT_CODES]
    row = db.session.execute(_scope(select(func.count(SurveyResponse.id), *columns), unit, service, period)).one()
    result = _result(int(row[0]), {code: int(row[i + 1]) for i, code in enumerate(ELEMENT_CODES)})
    if not detail:
        return result

    def counts(column: Any) -> dict[Any, int]:
        statement = _scope(select(column, func.count(SurveyResponse.id)), unit, service, period).group_by(column)
        return {value: int(count) for value, count in db.session.execute(statement)}

    result.by_sex = _tally(counts(SurveyResponse.sex), SEXES)
    result.by_education = _tally(counts(SurveyResponse.education), EDUCATIONS)
    result.by_occupation = _tally(counts(SurveyResponse.occupation), OCCUPATIONS)
    ages: Counter[str] = Counter()
    for age, count in counts(SurveyResponse.age).items():
        ages[age_group(age)] += count
    result.by_age = _tally(ages, {g[2]: g[2] for g in AGE_GROUPS})
    result.population = service_users(period, unit=unit, service=service)
    result.sample = None if result.population is None else minimum_sample(result.population)
    return result


def age_group(age: int) -> str:
    """The reporting age group of an age."""
    for low, high, label in AGE_GROUPS:
        if low <= age <= high:
            return label
    return AGE_GROUPS[-1][2]


def _tally(counts: dict[str, int], labels: dict[str, str]) -> list[tuple[str, int]]:
    return [(label, counts.get(key, 0)) for key, label in labels.items()]


def service_users(period: Period, *, unit: Unit | None = None, service: Service | None = None) -> int | None:
    """How many people were served in ``period``: finished queue tickets, where the queue knows.

    None when it does not: the scope has no queue line (or, for a service, no line linked to it).
    """
    from antrian.models import QueueService, Ticket

    lines = select(QueueService.id)
    if service is not None:
        lines = lines.where(QueueService.service_id == service.id)
    elif unit is not None:
        lines = lines.where(QueueService.unit_id == unit.id)
    line_ids = list(db.session.scalars(lines))
    if not line_ids:
        return None
    return db.session.scalar(
        select(func.count(Ticket.id)).where(
            Ticket.queue_service_id.in_(line_ids),
            Ticket.status == Ticket.DONE,
            Ticket.day.between(period.first, period.last),
        )
    )


def responses(period: Period, *, unit: Unit | None = None, service: Service | None = None) -> list[SurveyResponse]:
    """The responses of a scope and period, oldest first (the tabulation's rows)."""
    statement = _scope(select(SurveyResponse), unit, service, period).order_by(SurveyResponse.submitted_at)
    return list(db.session.scalars(statement))


def latest_period_with_responses(unit: Unit | None = None) -> Period | None:
    """The semester of the latest response (of a unit, or of the office); None when there is none."""
    statement = select(func.max(SurveyResponse.survey_date))
    if unit is not None:
        statement = statement.where(SurveyResponse.unit_id == unit.id)
    latest = db.session.scalar(statement)
    return Period.semester_of(latest) if latest else None


# --- filing a response -----------------------------------------------------------------------


def validate_answers(answers: Any) -> dict[str, int]:
    """The nine scores by code, or SurveyError naming what is wrong."""
    if not isinstance(answers, dict):
        raise SurveyError("Jawaban harus berisi U1 sampai U9.")
    missing = [c for c in ELEMENT_CODES if c not in answers]
    if missing:
        raise SurveyError(f"Jawaban belum lengkap: {', '.join(missing)}.")
    unknown = sorted(set(answers) - set(ELEMENT_CODES))
    if unknown:
        raise SurveyError(f"Unsur tidak dikenal: {', '.join(unknown)}.")
    clean: dict[str, int] = {}
    for code in ELEMENT_CODES:
        value = answers[code]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            raise SurveyError(f"Nilai {code} harus 1, 2, 3 atau 4.")
        clean[code] = value
    return clean


def file_response(
    *,
    service: Service,
    answers: dict[str, int],
    sex: str,
    age: int,
    education: str,
    occupation: str,
    suggestion: str = "",
    channel: str = "formulir",
    invitation: SurveyInvitation | None = None,
    now: datetime | None = None,
    survey_date: date | None = None,
) -> SurveyResponse:
    """Store one response (not committed); an invitation is spent in the same transaction.

    ``survey_date`` is for a paper form typed in later (the day it was filled, never in the future).
    """
    clean = validate_answers(answers)
    if sex not in SEXES:
        raise SurveyError("Jenis kelamin harus L atau P.")
    if isinstance(age, bool) or not isinstance(age, int) or not AGE_MIN <= age <= AGE_MAX:
        raise SurveyError(f"Umur harus antara {AGE_MIN} dan {AGE_MAX} tahun.")
    if education not in EDUCATIONS:
        raise SurveyError("Pendidikan tidak dikenal.")
    if occupation not in OCCUPATIONS:
        raise SurveyError("Pekerjaan tidak dikenal.")
    suggestion = (suggestion or "").strip()
    if len(suggestion) > SUGGESTION_MAX:
        raise SurveyError(f"Saran paling banyak {SUGGESTION_MAX} karakter.")
    moment = now or datetime.now(UTC)
    today = local_today(service.unit, moment)
    if survey_date is not None and survey_date > today:
        raise SurveyError("Tanggal survei tidak boleh di masa depan.")
    response = SurveyResponse(
        unit_id=service.unit_id,
        service_id=service.id,
        channel=channel,
        sex=sex,
        age=age,
        education=education,
        occupation=occupation,
        suggestion=suggestion,
        submitted_at=moment,
        survey_date=survey_date or today,
        **{code.lower(): value for code, value in clean.items()},
    )
    if invitation is not None:
        # Claimed by one UPDATE, so a double tap or a second tab cannot both use the link.
        claimed = db.session.execute(
            update(SurveyInvitation)
            .where(SurveyInvitation.id == invitation.id, SurveyInvitation.used_at.is_(None))
            .values(used_at=moment)
        ).rowcount
        if claimed != 1:
            raise InvitationUsedError("Tautan survei ini sudah dipakai. Terima kasih, jawaban Anda sudah tercatat.")
        response.invitation_id = invitation.id
        response.channel = "undangan"
    db.session.add(response)
    return response


# --- one-time invitations --------------------------------------------------------------------


def _raw_token(source: str, reference: str) -> str:
    """The invitation token of a source and reference, derived from the secret key.

    Derived rather than random, so that it can be shown again (a ticket page reloaded) while
    the database keeps only its hash.
    """
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"survei:{source}:{reference}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def token_hash(token: str) -> str:
    """What is stored of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_invitation(*, unit_id: int, service_id: int | None, source: str, reference: str) -> str:
    """A one-time survey token for one service delivered (``source`` + ``reference``, e.g. a ticket).

    Idempotent: the same source and reference give the same token, and one invitation row.
    Only the token's hash is stored. The row is flushed, not committed: the caller commits.
    """
    token = _raw_token(source, reference)
    existing = db.session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.source == source, SurveyInvitation.reference == reference)
    )
    if existing is not None:
        if existing.token_hash != token_hash(token) and existing.used_at is None:
            existing.token_hash = token_hash(token)  # the secret key was changed since
        return token
    invitation = SurveyInvitation(
        token_hash=token_hash(token), unit_id=unit_id, service_id=service_id, source=source, reference=reference
    )
    try:
        with db.session.begin_nested():
            db.session.add(invitation)
    except IntegrityError:
        pass  # another request made it a moment ago: the same token
    return token


def invitation_by_token(token: str) -> SurveyInvitation | None:
    """The invitation of a raw token, used or not; None for an unknown token."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.token_hash == token_hash(token)))


def survey_url(token: str) -> str:
    """The absolute URL of the survey for a one-time token (for a link, a QR code, a message)."""
    return public_url("survei.form_token", token=token)


def ticket_invitation(ticket: Any) -> str | None:
    """The survey token of a served queue ticket (issued on first ask).

    None before it is served, and when its unit publishes no service the survey could be about.
    """
    if ticket.status != "done":
        return None
    line = ticket.queue_service
    linked = line.service_id
    if linked is None and not survey_services(line.unit):
        return None
    if linked is None:
        suggested = suggest_link(line)
        linked = suggested.id if suggested else None
    return issue_invitation(unit_id=ticket.unit_id, service_id=linked, source="antrian", reference=str(ticket.id))


def berkas_invitation(berkas: Any) -> str | None:
    """The survey token of a permit handed over to its applicant (issued on first ask); None before."""
    if berkas.status != "selesai":
        return None
    return issue_invitation(unit_id=berkas.unit_id, service_id=berkas.service_id, source="berkas",
                            reference=str(berkas.id))


def survey_services(unit: Unit | None = None) -> list[Service]:
    """The published services a respondent may choose (of one unit, or of every unit)."""
    statement = select(Service).where(Service.is_published.is_(True)).order_by(Service.unit_id, Service.position,
                                                                                Service.title)  # fmt: skip
    if unit is not None:
        statement = statement.where(Service.unit_id == unit.id)
    return list(db.session.scalars(statement))


def suggest_link(queue_service: Any) -> Service | None:
    """The catalogue service a queue line plainly delivers: its unit's only service, or one of the same name."""
    services = survey_services(queue_service.unit)
    if len(services) == 1:
        return services[0]
    same = [s for s in services if s.title.casefold() == queue_service.name.casefold()]
    return same[0] if len(same) == 1 else None
