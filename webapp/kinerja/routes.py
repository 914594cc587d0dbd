"""The public performance page ``/kinerja``: per unit and period, figures of at least 5 cases, no personal data."""

from __future__ import annotations

from flask import abort, render_template, request

from webapp.core.localtime import local_today
from webapp.core.page_cache import cached_page
from webapp.core.units import Unit
from webapp.kinerja import bp
from webapp.kinerja.common import SUPPRESSED
from webapp.kinerja.service import cached_public_figures, chosen_period, period_choices, units_with_activity


@bp.route("/kinerja")
@cached_page
def public_page() -> str:
    """IKM and grade, complaints on time, permits within the standard's time, waits per line; per unit."""
    units = units_with_activity()
    slug = request.args.get("instansi")
    chosen = [Unit.by_slug(slug) or abort(404)] if slug else units
    day = local_today(chosen[0] if len(chosen) == 1 else None)
    period = chosen_period(request.args.get("periode"), day)
    return render_template("kinerja/public.html", units=units, unit=chosen[0] if slug else None, period=period,
                           periods=period_choices(day), figures=[cached_public_figures(u, period) for u in chosen],
                           suppressed=SUPPRESSED)
