"""The index (IKM) computed exactly: NRR per element, the weighted mean converted to 25..100, grades by the
regulation's intervals, and the minimum sample of Krejcie and Morgan. Pure arithmetic: no database.

Arithmetic is done in ``fractions.Fraction``: an NRR is a sum of scores over the number of
respondents, the IKM is the mean of the nine NRRs times 25. Nothing is rounded until it is
shown (``webapp.core.formatting.angka``), to two decimals, half up, as a calculator would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from webapp.core.formatting import round_half_up
from webapp.core.i18n import N_
from webapp.survei.models import ELEMENT_CODES
from webapp.survei.questionnaire import ELEMENTS, Element

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
    Grade("A", N_("Sangat Baik"), Fraction("3.5324"), Decimal("88.31")),
    Grade("B", N_("Baik"), Fraction("3.0644"), Decimal("76.61")),
    Grade("C", N_("Kurang Baik"), Fraction("2.60"), Decimal("65.00")),
    Grade("D", N_("Tidak Baik"), Fraction(1), Decimal("25.00")),
)


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


# --- the minimum sample -----------------------------------------------------------------------


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


# --- a result -------------------------------------------------------------------------------------


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


def result_from_sums(respondents: int, sums: dict[str, int]) -> Result:
    """The figures of ``respondents`` responses whose scores add up to ``sums`` per element code."""
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
