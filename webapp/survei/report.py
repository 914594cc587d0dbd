"""A unit's results for a period, as the public page, the staff page and the semester report show them,
and the unit's follow-up plan beside them (``save_follow_up_plan``: one unit of work)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from webapp.audit.models import SYSTEM, Actor, record
from webapp.core.db import transactional
from webapp.core.extensions import db
from webapp.core.units import Unit
from webapp.standards.models import Service
from webapp.survei.models import FollowUpPlan, SurveyResponse
from webapp.survei.periods import Period
from webapp.survei.questionnaire import ELEMENTS_BY_CODE
from webapp.survei.results import results


def follow_up_plan(unit: Unit, period: Period) -> FollowUpPlan | None:
    """The unit's follow-up plan for exactly this period, if staff wrote one."""
    return db.session.scalar(
        select(FollowUpPlan).where(FollowUpPlan.unit_id == unit.id, FollowUpPlan.period == period.key)
    )


MAX_PLAN_ROWS = 20
_PLAN_FIELDS = ("element", "action", "schedule", "responsible")


@transactional
def save_follow_up_plan(unit: Unit, period: Period, items: list[dict[str, Any]], note: str, *,
                        actor: Actor | None) -> FollowUpPlan:
    """Write the unit's follow-up plan for ``period`` (published at once), in the audit log; one unit of work.

    Rows without an action are dropped, and at most MAX_PLAN_ROWS are kept; every text is trimmed.
    """
    rows = [{name: (item.get(name) or "").strip() for name in _PLAN_FIELDS} for item in items]
    plan = follow_up_plan(unit, period)
    if plan is None:
        plan = FollowUpPlan(unit_id=unit.id, period=period.key)
        db.session.add(plan)
    plan.items = [row for row in rows if row["action"]][:MAX_PLAN_ROWS]
    plan.note = (note or "").strip()
    plan.updated_by = actor.username if actor is not None else SYSTEM
    db.session.flush()
    record("update", "survey_follow_up", plan.id, f"Rencana tindak lanjut {period.label}", unit_id=unit.id,
           actor=actor)
    return plan


def plan_rows(plan: FollowUpPlan | None) -> list[dict[str, Any]]:
    """The plan's filled rows, each with its element's name."""
    if plan is None:
        return []
    rows = []
    for item in plan.items or []:
        if not (item.get("action") or "").strip():
            continue
        element = ELEMENTS_BY_CODE.get(item.get("element") or "")
        rows.append({**item, "element_name": f"{element.code} {element.name}" if element else "Umum"})
    return rows


def unit_report(unit: Unit, period: Period, *, service: Service | None = None) -> dict[str, Any]:
    """The figures of a unit (or one of its services) for a period, each service's, and the follow-up plan."""
    result = results(period, unit=unit, service=service)
    service_ids = db.session.scalars(
        select(SurveyResponse.service_id)
        .where(SurveyResponse.unit_id == unit.id, SurveyResponse.survey_date.between(period.first, period.last))
        .group_by(SurveyResponse.service_id)
    ).all()
    services = db.session.scalars(select(Service).where(Service.id.in_(service_ids)).order_by(Service.title)).all()
    plan = follow_up_plan(unit, period)
    return {
        "result": result,
        "service_results": [(s, results(period, service=s, detail=False)) for s in services],
        "plan": plan,
        "plan_rows": plan_rows(plan),
    }
