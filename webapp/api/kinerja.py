"""JSON API of the public performance figures: GET /kinerja?unit=&from=&to= (the figures of /kinerja)."""

from __future__ import annotations

from datetime import date

from flask import current_app, jsonify, request

from webapp.api import bp
from webapp.core.api import api_error
from webapp.core.extensions import limiter
from webapp.core.localtime import local_today
from webapp.core.page_cache import cached_page
from webapp.core.units import Unit
from webapp.kinerja.service import cached_public_figures
from webapp.survei.periods import Period

MAX_DAYS = 366 * 2  # two years at most: a range is counted on request (then cached), so it is bounded


@bp.route("/kinerja")
# Its own low limit for every caller: each new range counts the whole aggregate set, far more work than the
# other reads API_RATE_LIMIT is sized for, so a loop over ranges must not hold the database busy.
@limiter.limit(lambda: current_app.config["KINERJA_API_RATE_LIMIT"])
@cached_page
def get_kinerja():
    """A unit's public figures over a date range (default: the semester of today); "< 5" figures are null."""
    if not request.args.get("unit"):
        return api_error(400, "Sebutkan unit.", field="unit")
    unit = Unit.by_slug(request.args["unit"])
    if unit is None:
        return api_error(404, "Instansi tidak dikenal.", field="unit")
    try:
        first = date.fromisoformat(request.args["from"]) if request.args.get("from") else None
        last = date.fromisoformat(request.args["to"]) if request.args.get("to") else None
    except ValueError:
        return api_error(400, "Tanggal harus berbentuk YYYY-MM-DD.")
    default = Period.semester_of(local_today(unit))
    period = default if first is None and last is None else Period.between(first or default.first,
                                                                            last or default.last)
    if period.first > period.last:
        return api_error(400, "Tanggal from harus sebelum tanggal to.")
    if (period.last - period.first).days > MAX_DAYS:
        return api_error(400, "Rentang tanggal paling lama dua tahun.")
    return jsonify(cached_public_figures(unit, period))
