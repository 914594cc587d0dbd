"""JSON API of the survey: file a response (POST /survei) and read the index (GET /ikm)."""

from __future__ import annotations

from datetime import date

from flask import current_app, g, jsonify, request
from flask_login import current_user

from webapp.api import bp
from webapp.core.api import api_error
from webapp.core.extensions import limiter
from webapp.core.localtime import local_today
from webapp.core.page_cache import cached_page
from webapp.core.units import Unit
from webapp.standards.models import Service
from webapp.survei.filing import InvitationUsedError, SurveyError, SurveyRefusedError, file_response, survey_services
from webapp.survei.forms import ApiSurveyForm, JsonFieldError, JsonShapeError
from webapp.survei.periods import Period
from webapp.survei.questionnaire import ELEMENTS
from webapp.survei.results import latest_period_with_responses, results

# The status of each refusal of the service; any other SurveyError is a 422.
STATUS = {InvitationUsedError: 409, SurveyRefusedError: 403}


def _token_key() -> str:
    """Token callers are limited per token, not per address: a kiosk and a typist may share the office's address."""
    return f"survei-token:{g.api_token.id}"


@bp.route("/survei", methods=["POST"])
@limiter.limit(
    lambda: current_app.config["SURVEY_RATE_LIMIT"],
    methods=["POST"],
    exempt_when=lambda: g.get("api_token") is not None,
)
@limiter.limit(
    lambda: current_app.config["SURVEY_TOKEN_RATE_LIMIT"],
    methods=["POST"],
    key_func=_token_key,
    exempt_when=lambda: g.get("api_token") is None,
)
def post_survey():
    """File one response: {"service", "answers": {"U1".."U9": 1..4}, "respondent": {...}, "suggestion"} -> 201.

    The body is read with the survey form's fields (``ApiSurveyForm``); the service's
    ``file_response`` then applies the rules of one-time tokens, of the caller's unit and of
    backdating. A bearer token acts as its account (``survey.file``: its own unit's services;
    ``survey.enter_paper`` for a ``date``); without one the respondent files for themselves.
    """
    try:
        form = ApiSurveyForm.from_json(request.get_json(silent=True), [(s.slug, s.title) for s in survey_services()])
    except JsonShapeError as exc:
        return api_error(400, str(exc), field=exc.field)
    except JsonFieldError as exc:
        return api_error(422, str(exc), field=exc.field)
    if not form.validate():
        fields = form.json_errors()
        return api_error(422, next(iter(fields.values()))[0], fields=fields)
    service = Service.published_by_slug(form.service.data)
    actor = current_user if current_user.is_authenticated else None
    try:
        response = file_response(
            service=service,
            **form.response(),
            channel="api",
            invitation=form.invitation,
            survey_date=form.survey_date(),
            actor=actor,
        )
    except SurveyError as exc:
        return api_error(STATUS.get(type(exc), 422), str(exc), field=exc.field and _api_field(exc.field))
    return (
        jsonify(
            id=response.id,
            service=service.slug,
            unit=service.unit.slug,
            survey_date=response.survey_date.isoformat(),
        ),
        201,
    )


def _api_field(field: str) -> str:
    """The API's name of a field the service named (``age`` is ``respondent.age`` in the JSON)."""
    return ApiSurveyForm.json_name(field)


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
