"""The head of office's dashboard: today live (an htmx partial), a period against the previous one, XLSX and PDF."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_login import current_user

from webapp.core.htmx import is_htmx, render_partial_or_page
from webapp.core.localtime import local_now, local_today
from webapp.core.pdf import render_pdf
from webapp.core.policy import guard, is_global, require
from webapp.core.tables import xlsx_bytes_response
from webapp.core.units import Unit
from webapp.kinerja import bp
from webapp.kinerja.charts import heatmap, series_chart
from webapp.kinerja.common import Scope
from webapp.kinerja.exports import to_xlsx
from webapp.kinerja.queue import WEEKDAYS
from webapp.kinerja.service import chosen_period, dashboard, period_choices, today, units_with_activity

REFRESH_SECONDS = 30  # the live panel asks again this often; the queue changes by the minute, not the second


def _scope() -> Scope:
    """A unit's account sees its unit; a global account picks one (``?instansi=``) or sees every unit."""
    if not is_global(current_user):
        return Scope(current_user.unit)
    slug = request.args.get("instansi")
    if not slug:
        return Scope(None)
    unit = Unit.by_slug(slug) or abort(404)
    require(current_user, "kinerja.view", unit)
    return Scope(unit)


def _stem(scope: Scope) -> str:
    return scope.unit.slug if scope.unit is not None else "semua"


def _context(scope: Scope) -> dict:
    day = local_today(scope.unit)
    period = chosen_period(request.args.get("periode"), day)
    board = dashboard(scope, period)
    return {"scope": scope, "period": period, "periods": period_choices(day), "board": board,
            "series_chart": series_chart(board.current.queue), "heat_chart": heatmap(board.current.queue),
            "units": units_with_activity() if is_global(current_user) else [], "weekdays": WEEKDAYS,
            "title": f"Kinerja pelayanan {scope.label} · {period.label}"}


@bp.route("/admin/kinerja")
@guard("kinerja.view")
def dashboard_page() -> Response:
    """Today live and the chosen period; htmx asks for the live panel alone."""
    scope = _scope()
    live = today(scope)
    stamp = local_now(scope.unit)
    if is_htmx():
        return render_partial_or_page("kinerja/dashboard.html", "kinerja/_today.html", live=live, scope=scope,
                                      stamp=stamp, refresh=REFRESH_SECONDS)
    return render_partial_or_page("kinerja/dashboard.html", "kinerja/_today.html", live=live, stamp=stamp,
                                  refresh=REFRESH_SECONDS, **_context(scope))


@bp.route("/admin/kinerja/kinerja.xlsx")
@guard("kinerja.view")
def dashboard_xlsx() -> Response:
    """Every table of the dashboard as a workbook."""
    scope = _scope()
    context = _context(scope)
    body = to_xlsx(context["board"], today(scope), context["title"])
    return xlsx_bytes_response(body, f"kinerja-{_stem(scope)}-{context['period'].key}.xlsx")


@bp.route("/admin/kinerja/laporan.pdf")
@guard("kinerja.view")
def dashboard_pdf() -> Response:
    """The Laporan Kinerja Pelayanan of the period, as a PDF."""
    scope = _scope()
    context = _context(scope)
    printed_at = local_now(scope.unit)
    # The office's paper (templates/paper): its kop and the Kepala Dinas of the printing day.
    html = render_template("kinerja/report_pdf.html", printed_at=printed_at, paper_date=printed_at.date(),
                           unit=scope.unit, pdf=True, **context)
    return render_pdf(html, f"laporan-kinerja-{_stem(scope)}-{context['period'].key}.pdf")
