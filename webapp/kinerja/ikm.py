"""The IKM of a period against the previous one: the survey's own figures (``webapp.survei.results``, sums made by
the database), its nine elements, the respondents against the minimum sample, and the follow-up plan."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from webapp.kinerja.common import Scope
from webapp.survei.ikm import Result
from webapp.survei.models import FollowUpPlan
from webapp.survei.periods import Period
from webapp.survei.questionnaire import ELEMENTS
from webapp.survei.report import follow_up_plan
from webapp.survei.results import results


@dataclass
class ElementChange:
    """One element's NRR now and in the previous period."""

    code: str
    name: str
    nrr: Fraction | None
    before: Fraction | None

    @property
    def change(self) -> Fraction | None:
        """NRR now minus NRR before."""
        return None if self.nrr is None or self.before is None else self.nrr - self.before


@dataclass
class IkmPeriod:
    """The IKM of a period, the previous period's, per element, and the plan."""

    result: Result
    before: Result | None
    elements: list[ElementChange]
    plan: FollowUpPlan | None

    @property
    def change(self) -> Decimal | None:
        """IKM now minus IKM before (as published, two decimals)."""
        if self.result.ikm_shown is None or self.before is None or self.before.ikm_shown is None:
            return None
        return self.result.ikm_shown - self.before.ikm_shown


def period(scope: Scope, current: Period, previous: Period | None, *, detail: bool = True) -> IkmPeriod:
    """The IKM of ``scope`` in ``current`` and ``previous``; ``detail`` adds the minimum sample."""
    now = results(current, unit=scope.unit, detail=detail)
    before = results(previous, unit=scope.unit, detail=False) if previous is not None else None
    nrr_now = {e.element.code: e.nrr for e in now.elements}
    nrr_before = {e.element.code: e.nrr for e in before.elements} if before else {}
    elements = [ElementChange(e.code, e.name, nrr_now.get(e.code), nrr_before.get(e.code)) for e in ELEMENTS]
    plan = follow_up_plan(scope.unit, current) if scope.unit is not None else None
    return IkmPeriod(now, before, elements, plan)
