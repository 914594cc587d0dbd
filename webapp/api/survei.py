"""JSON API of the survey: file a response (POST /survei) and read the index (GET /ikm)."""

from __future__ import annotations

from datetime import date

from flask import current_app, g, jsonify, request

from webapp.api import bp
from webapp.core.api import api_error
from webapp.core.extensions import db, limiter
from webapp.core.localtime import local_today
from webapp.core.page_cache import cached_page
from webapp.core.units import Unit
from webapp.standards.models import Service
from webapp.survei.service import (
    ELEMENTS,
    InvitationUsedError,
    Period,
    SurveyError,
    file_response,
    invitation_by_token,
    latest_period_with_responses,
    results,
)


@bp.route("/survei", methods=["POST"])
@limiter.limit(
    lambda: current_app.config["SURVEY_RATE_LIMIT"],
    methods=["POST"],
    exempt_when=lambda: g.get("api_token") is not None,
)
def post_survey():
    """File one response: {"service", "answers": {"U1".."U9": 1..4}, "respondent": {...}, "suggestion"} -> 201."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error(400, "Kirim JSON berisi service, answers dan respondent.")
    respondent = body.get("respondent")
    if not isinstance(respondent, dict):
        return api_error(400, "respondent harus berisi sex, age, education dan occupation.", field="respondent")
    suggestion = body.get("suggestion", "")
    if suggestion is None:
        suggestion = ""
    if not isinstance(suggestion, str):
        return api_error(400, "suggestion harus berupa teks.", field="suggestion")
    invitation = None
    if body.get("token") is not None:
        invitation = invitation_by_token(str(body["token"]))
        if invitation is None:
            return api_error(422, "Token survei tidak dikenal.", field="token")
        if invitation.used_at is not None:
            return api_error(409, "Token survei ini sudah dipakai.", field="token")
    on = None
    if body.get("date") is not None:
        if g.get("api_token") is None:
            return api_error(403, "Tanggal survei hanya boleh diisi petugas (dengan token API).", field="date")
        try:
            on = date.fromisoformat(str(body["date"]))
        except ValueError:
            return api_error(422, "Tanggal harus berbentuk YYYY-MM-DD.", field="date")
    service = Service.published_by_slug(str(body.get("service", "")))
    if service is None:
        return api_error(422, "Layanan tidak dikenal.", field="service")
    if invitation is not None and invitation.service_id not in (None, service.id):
        return api_error(422, "Token survei ini untuk layanan lain.", field="service")
    if invitation is not None and invitation.unit_id != service.unit_id:
        return api_error(422, "Token survei ini untuk instansi lain.", field="service")
    try:
        response = file_response(
            service=service,
            answers=body.get("answers"),  # type: ignore[arg-type]
            sex=respondent.get("sex"),  # type: ignore[arg-type]
            age=respondent.get("age"),  # type: ignore[arg-type]
            education=respondent.get("education"),  # type: ignore[arg-type]
            occupation=respondent.get("occupation"),  # type: ignore[arg-type]
            suggestion=suggestion,
            channel="api",
            invitation=invitation,
            survey_date=on,
        )
        db.session.commit()
    except InvitationUsedError as exc:
        db.session.rollback()
        return api_error(409, str(exc), field="token")
    except SurveyError as exc:
        db.session.rollback()
        return api_error(422, str(exc))
    return (
        jsonify(
            id=response.id,
            service=service.slug,
            unit=service.unit.slug,
            survey_date=response.survey_date.isoformat(),
        ),
        201,
    )


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name)
    return date.fromisoformat(raw) if raw else None


@bp.route("/ikm")
@cached_page
def get_ikm():
    """The index of a service or a unit over a date range (default: the semester of the latest response)."""
    service_slug, unit_slug = request.args.get("service"), request.args.get("unit")
    if bool(service_slug) == bool(unit_slug):
        return api_error(400, "Sebutkan service atau unit (salah satu).")
    service = unit = None
    if service_slug:
        service = Service.published_by_slug(service_slug)
        if service is None:
            return api_error(404, "Layanan tidak dikenal.", field="service")
        unit = service.unit
    else:
        unit = Unit.by_slug(unit_slug or "")
        if unit is None:
            return api_error(404, "Instansi tidak dikenal.", field="unit")
    try:
        first, last = _date_arg("from"), _date_arg("to")
    except ValueError:
        return api_error(400, "Tanggal harus berbentuk YYYY-MM-DD.")
    if first or last:
        default = Period.semester_of(local_today(unit))
        period = Period.between(first or default.first, last or default.last)
        if period.first > period.last:
            return api_error(400, "Tanggal from harus sebelum tanggal to.")
    else:
        period = latest_period_with_responses(unit) or Period.semester_of(local_today(unit))
    result = results(period, unit=unit if service is None else None, service=service)
    return jsonify(
        unit={"slug": unit.slug, "name": unit.name},
        service={"slug": service.slug, "name": service.title} if service else None,
        period={"from": period.first.isoformat(), "to": period.last.isoformat(), "label": period.label},
        elements=[{"code": e.code, "name": e.name} for e in ELEMENTS],
        **result.as_json(),
    )
