"""Public pages: the survey form (/survei, /survei/<token>) and the published results (/ikm)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms.fields.choices import SelectChoice

from webapp.core.extensions import db, limiter
from webapp.core.formatting import english
from webapp.core.forms import flatten_errors
from webapp.core.inputs import keeps_refused_text, refused_fields
from webapp.core.localtime import local_today
from webapp.core.page_cache import cached_page
from webapp.core.qr import private_qr_response
from webapp.core.units import Unit
from webapp.standards.models import Service
from webapp.survei import bp
from webapp.survei.filing import SurveyError, file_response, survey_services
from webapp.survei.forms import SurveyForm
from webapp.survei.invitations import invitation_by_token, survey_url
from webapp.survei.models import SurveyInvitation, SurveyResponse
from webapp.survei.periods import Period, english_label, period_choices
from webapp.survei.questionnaire import ELEMENTS
from webapp.survei.report import unit_report
from webapp.survei.results import chosen_period, results


@bp.app_template_filter("periode")
def periode(period: Period | tuple) -> str:
    """A period's label in the page's language; also takes a (key, label) pair of ``period_choices``."""
    if isinstance(period, tuple):
        key, label = period
        parsed = Period.parse(key)
        return english_label(parsed) if parsed and english() else label
    return english_label(period) if english() else period.label


def _survey_limit() -> str:
    return current_app.config["SURVEY_RATE_LIMIT"]


def _service_choices(services: list[Service]) -> Any:
    """Options grouped by unit when there are several units."""
    grouped = len({service.unit_id for service in services}) > 1
    return [
        SelectChoice(value="", label=_("Pilih layanan")),
        *(
            SelectChoice(value=s.slug, label=s.title, optgroup=s.unit.short_name if grouped else None)
            for s in services
        ),
    ]


def _kiosk() -> bool:
    """?kios=1: the survey on a lobby touchscreen, which returns to a fresh form after each response."""
    return request.args.get("kios") == "1"


def _render_form(
    form: SurveyForm, *, invitation: SurveyInvitation | None, token: str | None, unit: Unit | None, status: int = 200
):
    errors = flatten_errors(form) if form.errors else []
    return (
        render_template(
            "survei/form.html",
            form=form,
            errors=errors,
            invitation=invitation,
            token=token,
            unit=unit,
            kiosk=_kiosk(),
            today=local_today(unit),
        ),
        status,
    )


def _handle(
    invitation: SurveyInvitation | None, token: str | None, unit: Unit | None = None
) -> WerkzeugResponse | tuple[str, int]:
    fixed = invitation.service if invitation is not None else None
    if invitation is not None:
        unit = invitation.unit
    services = [fixed] if fixed is not None else survey_services(unit)
    form = SurveyForm()
    form.service.choices = _service_choices(services)
    if fixed is not None:  # the link knows the service: nothing to choose
        form.service.data = fixed.slug
        form.service.validators = []
    if not services:
        return render_template("survei/closed.html"), 200
    valid = request.method == "POST" and form.validate()
    if not refused_fields(form) and valid:  # after validate(), which clears the errors
        service = next((s for s in services if s.slug == form.service.data), None)
        if service is None:
            form.service.errors = ["Pilih layanan yang Anda terima."]
        else:
            try:
                file_response(
                    service=service,
                    **form.response(),
                    invitation=invitation,
                    actor=None,  # the respondent answers for themselves, even on a logged-in browser
                )
            except SurveyError as exc:
                form.form_errors.append(str(exc))
            else:
                if _kiosk():  # back to the same kiosk form: all units, or the unit it was opened for
                    return redirect(url_for("survei.thanks", kios="1", instansi=unit.slug if unit else None))
                return redirect(url_for("survei.thanks", instansi=service.unit.slug))
        return _render_form(form, invitation=invitation, token=token, unit=unit, status=422)
    if request.method == "POST":
        return _render_form(form, invitation=invitation, token=token, unit=unit, status=422)
    return _render_form(form, invitation=invitation, token=token, unit=unit)


TOO_MANY = (
    "Terlalu banyak survei terkirim dari alamat ini. Tunggu sebentar lalu tekan Kirim lagi; jawaban Anda masih di sini."
)


def _form_kept(_limit: Any) -> Response:
    """A refused (rate-limited) response: the form again, as typed, with the reason on top."""
    token = (request.view_args or {}).get("token")
    invitation = invitation_by_token(token) if token else None
    slug = request.args.get("instansi")
    unit = invitation.unit if invitation else (Unit.by_slug(slug) if slug else None)
    fixed = invitation.service if invitation else None
    form = SurveyForm()
    form.service.choices = _service_choices([fixed] if fixed else survey_services(unit))
    form.form_errors.append(TOO_MANY)
    body, status = _render_form(form, invitation=invitation, token=token, unit=unit, status=429)
    return Response(body, status=status)


@bp.route("/survei", methods=["GET", "POST"])
@limiter.limit(_survey_limit, methods=["POST"], on_breach=_form_kept)
@keeps_refused_text
def form() -> WerkzeugResponse | tuple[str, int]:
    """The open survey: anyone who received a service; ?token= leads to the one-time form,
    ?instansi= offers only that unit's services (a unit's kiosk or poster)."""
    token = request.args.get("token")
    if token:
        return redirect(url_for("survei.form_token", token=token))
    slug = request.args.get("instansi")
    unit = (Unit.by_slug(slug) or abort(404)) if slug else None
    return _handle(None, None, unit)


@bp.route("/survei/<token>", methods=["GET", "POST"])
@limiter.limit(_survey_limit, methods=["POST"], on_breach=_form_kept)
@keeps_refused_text
def form_token(token: str) -> WerkzeugResponse | tuple[str, int]:
    """The survey from a one-time link (a served ticket, a handed-over permit): one response per link."""
    invitation = invitation_by_token(token)
    if invitation is None:
        return render_template("survei/token_invalid.html", used=False), 404
    if invitation.used_at is not None:
        return render_template("survei/token_invalid.html", used=True), 410
    return _handle(invitation, token)


@bp.route("/survei/terima-kasih")
def thanks() -> str:
    """After a response: thanks, and where the results are published."""
    unit = Unit.by_slug(request.args.get("instansi", ""))
    return render_template("survei/thanks.html", unit=unit, kiosk=_kiosk())


@bp.route("/survei/<token>/qr.svg")
def token_qr(token: str) -> Response:
    """The QR code of a one-time survey link, to print on a hand-over slip."""
    if invitation_by_token(token) is None:
        abort(404)
    url = survey_url(token)
    return private_qr_response(url)


# --- /ikm ------------------------------------------------------------------------------------


def _units_with_responses() -> list[Unit]:
    return list(
        db.session.scalars(
            select(Unit).where(Unit.id.in_(select(SurveyResponse.unit_id).distinct())).order_by(Unit.name)
        )
    )


@bp.route("/ikm")
@cached_page
def ikm() -> str | tuple[str, int]:
    """The published results: IKM and grade, NRR per element, respondents, charts, the follow-up plan."""
    units = _units_with_responses()
    slug = request.args.get("instansi")
    unit = (Unit.by_slug(slug) or abort(404)) if slug else (units[0] if len(units) == 1 else None)
    service = None
    if request.args.get("layanan"):
        service = Service.published_by_slug(request.args["layanan"]) or abort(404)
        unit = service.unit
    period = chosen_period(unit, request.args.get("periode"))
    context: dict[str, Any] = {
        "units": units,
        "unit": unit,
        "service": service,
        "period": period,
        "periods": period_choices(local_today(unit)),
        "elements": ELEMENTS,
        "any_response": bool(units),
    }
    if unit is None:
        context["summaries"] = [(u, results(period, unit=u, detail=False)) for u in units]
        return render_template("survei/ikm.html", **context)
    context.update(unit_report(unit, period, service=service))
    return render_template("survei/ikm.html", **context)
