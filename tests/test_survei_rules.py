"""The survey's arithmetic and rules, pinned to PermenPANRB 14/2017 and worked by hand."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from webapp.core.formatting import angka, round_half_up
from webapp.survei.filing import SurveyError, validate_answers
from webapp.survei.ikm import KREJCIE_MORGAN, Result, ikm_grade, minimum_sample, nrr_grade, result_from_sums
from webapp.survei.models import ELEMENT_CODES
from webapp.survei.periods import Period
from webapp.survei.questionnaire import ELEMENTS, FORM_ORDER

# Thirty respondents in three groups (scores of U1..U9).
GROUP_A = (4, 4, 3, 4, 4, 3, 4, 3, 4)  # 10 respondents
GROUP_B = (3, 3, 3, 4, 3, 3, 3, 2, 3)  # 15 respondents
GROUP_C = (2, 3, 2, 4, 3, 2, 3, 1, 2)  # 5 respondents
THIRTY = [GROUP_A] * 10 + [GROUP_B] * 15 + [GROUP_C] * 5


def compute(answers) -> Result:
    """The figures of answer sets (tuples in U1..U9 order, or dicts by code), summed as the database sums them."""
    rows = [tuple(a[c] for c in ELEMENT_CODES) if isinstance(a, dict) else tuple(a) for a in answers]
    sums = {code: sum(row[i] for row in rows) for i, code in enumerate(ELEMENT_CODES)}
    return result_from_sums(len(rows), sums)


def test_the_thirty_responses_give_the_hand_computed_index():
    """Worked by hand, as an office would on paper:

    Sums per element (10 x A + 15 x B + 5 x C):
      U1 40+45+10 = 95    NRR 95/30  = 3,1667  B
      U2 40+45+15 = 100   NRR 100/30 = 3,3333  B
      U3 30+45+10 = 85    NRR 85/30  = 2,8333  C
      U4 40+60+20 = 120   NRR 120/30 = 4,0000  A
      U5 40+45+15 = 100   NRR 100/30 = 3,3333  B
      U6 30+45+10 = 85    NRR 85/30  = 2,8333  C
      U7 40+45+15 = 100   NRR 100/30 = 3,3333  B
      U8 30+30+5  = 65    NRR 65/30  = 2,1667  D
      U9 40+45+10 = 95    NRR 95/30  = 3,1667  B
    Sum of the sums = 845, so the sum of the NRRs = 845/30 and the weighted NRR
    (x 1/9) = 845/270 = 3,12963.  IKM = 845/270 x 25 = 21125/270 = 78,2407... -> 78,24, grade B (Baik).

    Rounding first (NRRs to 2 decimals, times 0,111) would give 28,16 x 0,111 x 25 = 78,14: wrong.
    """
    result = compute(THIRTY)
    assert result.respondents == 30
    nrr = {e.element.code: e.nrr for e in result.elements}
    assert nrr == {
        "U1": Fraction(95, 30), "U2": Fraction(100, 30), "U3": Fraction(85, 30), "U4": Fraction(120, 30),
        "U5": Fraction(100, 30), "U6": Fraction(85, 30), "U7": Fraction(100, 30), "U8": Fraction(65, 30),
        "U9": Fraction(95, 30),
    }  # fmt: skip
    assert result.ikm == Fraction(21125, 270)
    assert result.ikm_shown == Decimal("78.24")
    assert angka(result.ikm) == "78,24"
    assert (result.grade.letter, result.grade.label) == ("B", "Baik")
    grades = {e.element.code: e.grade.letter for e in result.elements}
    assert grades == {"U1": "B", "U2": "B", "U3": "C", "U4": "A", "U5": "B", "U6": "C", "U7": "B", "U8": "D", "U9": "B"}
    assert [e.element.code for e in result.flagged] == ["U8", "U3", "U6"]  # lowest, then the C grades


def test_answers_given_as_dicts_by_code_count_the_same():
    as_dicts = [dict(zip([e.code for e in ELEMENTS], row, strict=True)) for row in THIRTY]
    assert compute(as_dicts).ikm == compute(THIRTY).ikm


@pytest.mark.parametrize(
    ("nrr", "letter"),
    [
        ("1", "D"), ("2.5996", "D"), ("2.5999", "D"),
        ("2.60", "C"), ("3.064", "C"), ("3.0642", "C"),  # 3,064 .. 3,0644 is the table's gap: still C
        ("3.0644", "B"), ("3.532", "B"), ("3.5322", "B"),
        ("3.5324", "A"), ("4", "A"),
    ],
)  # fmt: skip
def test_every_nrr_interval_boundary(nrr, letter):
    assert nrr_grade(Fraction(nrr)).letter == letter


@pytest.mark.parametrize(
    ("ikm", "letter", "label"),
    [
        ("25.00", "D", "Tidak Baik"), ("64.99", "D", "Tidak Baik"), ("64.9949", "D", "Tidak Baik"),
        ("64.995", "C", "Kurang Baik"), ("65.00", "C", "Kurang Baik"), ("76.60", "C", "Kurang Baik"),
        ("76.6049", "C", "Kurang Baik"), ("76.605", "B", "Baik"), ("76.61", "B", "Baik"), ("88.30", "B", "Baik"),
        ("88.3049", "B", "Baik"), ("88.305", "A", "Sangat Baik"), ("88.31", "A", "Sangat Baik"),
        ("100", "A", "Sangat Baik"),
    ],
)  # fmt: skip
def test_every_ikm_grade_boundary_reads_the_rounded_value(ikm, letter, label):
    grade = ikm_grade(Fraction(ikm))
    assert (grade.letter, grade.label) == (letter, label)


def test_rounding_is_half_up_and_exact():
    assert round_half_up(Fraction(1, 8), 2) == Decimal("0.13")  # 0,125: a float would give 0,12
    assert round_half_up(Fraction("2.675"), 2) == Decimal("2.68")
    assert round_half_up(Fraction(2, 3), 4) == Decimal("0.6667")
    assert angka(Fraction(1, 3), 3) == "0,333"


@pytest.mark.parametrize(
    ("population", "sample"),
    [(0, 0), (5, 5), (10, 10), (11, 14), (100, 80), (101, 86), (500, 217), (1000, 278), (1001, 285),
     (10000, 370), (1_000_000, 384), (5_000_000, 384)],
)  # fmt: skip
def test_krejcie_morgan_minimum_sample(population, sample):
    assert minimum_sample(population) == sample


def test_the_krejcie_morgan_table_matches_its_formula():
    """s = X² N P(1-P) / (d² (N-1) + X² P(1-P)), X² = 3,841, P = 0,5, d = 0,05: the table rounds it."""
    for population, sample in KREJCIE_MORGAN:
        exact = 3.841 * population * 0.25 / (0.0025 * (population - 1) + 3.841 * 0.25)
        assert abs(exact - sample) < 1, (population, sample, exact)
    populations = [n for n, _ in KREJCIE_MORGAN]
    assert populations == sorted(populations)


def test_answers_are_validated_by_code():
    full = {e.code: 3 for e in ELEMENTS}
    assert validate_answers(full) == full
    with pytest.raises(SurveyError, match="U9"):
        validate_answers({k: v for k, v in full.items() if k != "U9"})
    with pytest.raises(SurveyError, match="U4"):
        validate_answers({**full, "U4": 5})
    with pytest.raises(SurveyError, match="U1"):
        validate_answers({**full, "U1": 0})
    with pytest.raises(SurveyError, match="U2"):
        validate_answers({**full, "U2": "3"})
    with pytest.raises(SurveyError, match="U2"):
        validate_answers({**full, "U2": True})
    with pytest.raises(SurveyError, match="U10"):
        validate_answers({**full, "U10": 3})


def test_the_form_asks_facilities_before_complaints_like_the_published_sample():
    assert FORM_ORDER[-2:] == ("U9", "U8")
    assert sorted(FORM_ORDER) == [e.code for e in ELEMENTS]
    biaya = next(e for e in ELEMENTS if e.code == "U4")
    assert biaya.answers == ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")


@pytest.mark.parametrize(
    ("key", "first", "last", "label"),
    [
        ("2026", "2026-01-01", "2026-12-31", "Tahun 2026"),
        ("2026-S1", "2026-01-01", "2026-06-30", "Semester I 2026"),
        ("2026-S2", "2026-07-01", "2026-12-31", "Semester II 2026"),
        ("2026-Q1", "2026-01-01", "2026-03-31", "Triwulan I 2026"),
        ("2024-02", "2024-02-01", "2024-02-29", "Februari 2024"),
        ("2026-12", "2026-12-01", "2026-12-31", "Desember 2026"),
    ],
)
def test_periods(key, first, last, label):
    period = Period.parse(key)
    assert (period.first.isoformat(), period.last.isoformat(), period.label) == (first, last, label)


def test_bad_periods_and_neighbours():
    assert Period.parse("2026-13") is None
    assert Period.parse("2026-S3") is None
    assert Period.parse("x") is None
    assert Period.parse("2026-S1").previous().key == "2025-S2"
    assert Period.parse("2026-12").next().key == "2027-01"
    assert Period.parse("2026-Q1").previous().key == "2025-Q4"


def test_the_index_is_the_mean_of_every_score_times_25_for_any_answers():
    """With equal weights, the mean of the nine NRRs is the mean of all 9n scores: a second route to the IKM."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    rows = st.lists(st.tuples(*[st.integers(1, 4)] * 9), min_size=1, max_size=60)

    @settings(max_examples=200, deadline=None)
    @given(rows)
    def check(answers):
        result = compute(answers)
        total = sum(sum(row) for row in answers)
        assert result.ikm == Fraction(total, 9 * len(answers)) * 25
        assert 25 <= result.ikm <= 100
        assert result.grade == ikm_grade(result.ikm)
        assert all(nrr_grade(e.nrr) == e.grade for e in result.elements)

    check()
