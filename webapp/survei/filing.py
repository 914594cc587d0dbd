"""Filing a survey response, with every rule a response must obey, whoever sends it.

The public form, the lobby kiosk and the JSON API all call ``file_response``; so the rules are
checked here, once:

- the answers and the respondent's details (the form and the API check them first, to say
  which field is wrong; this is the last word);
- a one-time link (invitation) binds its response to the invitation's unit, and to its service
  when it names one, and is spent by one UPDATE, so a second tab never files twice;
- a staff account filing on behalf of respondents (a bearer token: a survey kiosk, paper
  questionnaires typed in) files only for services of its own unit (a global account: any unit),
  by the policy's ``survey.file``;
- a backdated response (``survey_date``: the day a paper questionnaire was filled) needs a role
  that may type in paper questionnaires, ``survey.enter_paper``; an anonymous respondent never sets it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update

from webapp.core.db import transactional
from webapp.core.extensions import db
from webapp.core.localtime import local_today
from webapp.core.policy import Account, can
from webapp.core.units import Unit
from webapp.standards.models import Service
from webapp.survei.models import ELEMENT_CODES, SurveyInvitation, SurveyResponse
from webapp.survei.questionnaire import (
    AGE_INVALID,
    AGE_MAX,
    AGE_MIN,
    EDUCATION_INVALID,
    EDUCATIONS,
    OCCUPATION_INVALID,
    OCCUPATIONS,
    SEX_INVALID,
    SEXES,
    SUGGESTION_MAX,
    score_invalid,
)

# The messages of the rules above, for the respondent or the officer.
USED = "Tautan survei ini sudah dipakai. Terima kasih, jawaban Anda sudah tercatat."
OTHER_SERVICE = "Token survei ini untuk layanan lain."
OTHER_UNIT = "Token survei ini untuk instansi lain."
NOT_YOUR_UNIT = "Layanan ini milik instansi lain: akun Anda hanya boleh mengisi survei untuk layanan instansi sendiri."
DATE_ANONYMOUS = "Tanggal survei hanya boleh diisi petugas (dengan token API)."
DATE_NOT_YOUR_ROLE = "Tanggal survei hanya boleh diisi petugas yang memasukkan kuesioner kertas."
DATE_IN_FUTURE = "Tanggal survei tidak boleh di masa depan."


class SurveyError(ValueError):
    """A survey that cannot be filed; the message is for the respondent, in Indonesian.

    ``field`` names the input at fault, when one is (the API reports it beside the message).
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvitationUsedError(SurveyError):
    """The one-time link was used already (perhaps a moment ago, in another tab)."""


class SurveyRefusedError(SurveyError):
    """The account filing may not file this response: another unit's service, or a date its role may not set."""


def _offered(statement: Any, unit_id: int | None) -> Any:
    """``statement`` limited to the published services a respondent may choose (of one unit, or of every unit).

    The standards of complaint handling are public but are not a service one is served by (ux review §2.5).
    """
    statement = statement.where(Service.is_published.is_(True), Service.category != "pengaduan").order_by(
        Service.unit_id, Service.position, Service.title
    )
    return statement if unit_id is None else statement.where(Service.unit_id == unit_id)


def survey_services(unit: Unit | None = None) -> list[Service]:
    """The published services a respondent may choose (of one unit, or of every unit), as whole rows."""
    return list(db.session.scalars(_offered(select(Service), unit.id if unit is not None else None)))


def survey_service_titles(unit_id: int) -> list[tuple[int, str]]:
    """The (id, title) of the services a respondent of one unit may choose: what a served ticket's invitation
    needs, without loading each service's standard (its components, SOP and guides)."""
    return [(row.id, row.title) for row in db.session.execute(_offered(select(Service.id, Service.title), unit_id))]


def validate_answers(answers: Any) -> dict[str, int]:
    """The nine scores by code, or SurveyError naming what is wrong."""
    if not isinstance(answers, dict):
        raise SurveyError("Jawaban harus berisi U1 sampai U9.", "answers")
    missing = [c for c in ELEMENT_CODES if c not in answers]
    if missing:
        raise SurveyError(f"Jawaban belum lengkap: {', '.join(missing)}.", "answers")
    unknown = sorted(set(answers) - set(ELEMENT_CODES))
    if unknown:
        raise SurveyError(f"Unsur tidak dikenal: {', '.join(unknown)}.", "answers")
    clean: dict[str, int] = {}
    for code in ELEMENT_CODES:
        value = answers[code]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            raise SurveyError(score_invalid(code), "answers")
        clean[code] = value
    return clean


def _check_respondent(sex: Any, age: Any, education: Any, occupation: Any, suggestion: str) -> None:
    if sex not in SEXES:
        raise SurveyError(SEX_INVALID, "sex")
    if isinstance(age, bool) or not isinstance(age, int) or not AGE_MIN <= age <= AGE_MAX:
        raise SurveyError(AGE_INVALID, "age")
    if education not in EDUCATIONS:
        raise SurveyError(EDUCATION_INVALID, "education")
    if occupation not in OCCUPATIONS:
        raise SurveyError(OCCUPATION_INVALID, "occupation")
    if len(suggestion) > SUGGESTION_MAX:
        raise SurveyError(f"Saran paling banyak {SUGGESTION_MAX} karakter.", "suggestion")


def check_invitation(invitation: SurveyInvitation, service: Service) -> None:
    """A one-time link files only for its own unit, and its own service when it names one; and only once."""
    if invitation.used_at is not None:
        raise InvitationUsedError(USED, "token")
    if invitation.service_id is not None and invitation.service_id != service.id:
        raise SurveyError(OTHER_SERVICE, "service")
    if invitation.unit_id != service.unit_id:
        raise SurveyError(OTHER_UNIT, "service")


def check_actor(actor: Account | None, service: Service, survey_date: date | None) -> None:
    """Who may file this response: anyone for themselves; an account only for its unit; a date by paper-form roles."""
    if actor is not None and not can(actor, "survey.file", service):
        raise SurveyRefusedError(NOT_YOUR_UNIT, "service")
    if survey_date is None:
        return
    if actor is None:
        raise SurveyRefusedError(DATE_ANONYMOUS, "date")
    if not can(actor, "survey.enter_paper", service):
        raise SurveyRefusedError(DATE_NOT_YOUR_ROLE, "date")


@transactional
def file_response(
    *,
    service: Service,
    answers: dict[str, int],
    sex: str,
    age: int,
    education: str,
    occupation: str,
    actor: Account | None,
    suggestion: str = "",
    channel: str = "formulir",
    invitation: SurveyInvitation | None = None,
    now: datetime | None = None,
    survey_date: date | None = None,
) -> SurveyResponse:
    """Store one response; one unit of work: an invitation is spent with it, and a refusal saves nothing.

    ``actor`` is the staff account filing on a respondent's behalf (a bearer token), None when
    the respondent files for themselves (the public form, an anonymous API client). ``survey_date``
    is for a paper form typed in later (the day it was filled, never in the future). Raises
    SurveyError (InvitationUsedError, SurveyRefusedError) naming what is wrong; see the module.
    """
    if invitation is not None:
        check_invitation(invitation, service)
    check_actor(actor, service, survey_date)
    clean = validate_answers(answers)
    suggestion = (suggestion or "").strip()
    _check_respondent(sex, age, education, occupation, suggestion)
    moment = now or datetime.now(UTC)
    today = local_today(service.unit, moment)
    if survey_date is not None and survey_date > today:
        raise SurveyError(DATE_IN_FUTURE, "date")
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
            raise InvitationUsedError(USED, "token")
        response.invitation_id = invitation.id
        response.channel = "undangan"
    db.session.add(response)
    return response
