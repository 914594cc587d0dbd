"""The survey's figures read from the stored responses: for a service, a unit or the whole office, in a
period; the respondents' profile; the latest period with responses; the home page's badges.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Select, func, select

from webapp.core.extensions import db
from webapp.core.localtime import local_today
from webapp.core.units import Unit
from webapp.standards.models import Service
from webapp.survei.antrian import service_users
from webapp.survei.ikm import Result, minimum_sample, result_from_sums
from webapp.survei.models import ELEMENT_CODES, SurveyResponse
from webapp.survei.periods import Period
from webapp.survei.questionnaire import AGE_GROUPS, EDUCATIONS, OCCUPATIONS, SEXES, age_group


def _scope(statement: Select, unit: Unit | None, service: Service | None, period: Period) -> Select:
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
    result = result_from_sums(int(row[0]), {code: int(row[i + 1]) for i, code in enumerate(ELEMENT_CODES)})
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


def _tally(counts: dict[str, int], labels: dict[str, str]) -> list[tuple[str, int]]:
    return [(label, counts.get(key, 0)) for key, label in labels.items()]


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


def chosen_period(unit: Unit | None, key: str | None) -> Period:
    """The period ``key`` names (``?periode=``) when valid; else the semester of the latest response; else this one."""
    period = Period.parse(key or "")
    if period is not None:
        return period
    return latest_period_with_responses(unit) or Period.semester_of(local_today(unit))


def home_badges(units: list[Unit]) -> dict[int, dict[str, Any]]:
    """The IKM badge of each unit on the home page: its latest semester with responses."""
    with_responses = set(db.session.scalars(select(SurveyResponse.unit_id).group_by(SurveyResponse.unit_id)))
    badges: dict[int, dict[str, Any]] = {}
    for unit in units:
        if unit.id not in with_responses:
            continue
        period = latest_period_with_responses(unit)
        if period is None:
            continue
        result = results(period, unit=unit, detail=False)
        if result.respondents:
            badges[unit.id] = {"period": period, "result": result}
    return badges
