"""Home page and /healthz."""

from __future__ import annotations

import logging

from flask import Response, json, jsonify, redirect, render_template, url_for
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from antrian.reading import queue_summaries
from webapp.core.extensions import db
from webapp.core.formatting import asset_url
from webapp.core.page_cache import cached_page
from webapp.core.units import Unit
from webapp.main import bp
from webapp.standards.forms import SearchForm
from webapp.standards.service import units_with_services
from webapp.survei.results import home_badges

log = logging.getLogger(__name__)


@bp.route("/")
@cached_page
def home() -> str:
    """The office home: search, each unit's IKM badge, today's queue and the services of every unit."""
    units = units_with_services()
    return render_template(
        "main/home.html", form=SearchForm(), units=units, queues=queue_summaries(units), ikm=home_badges(units)
    )


@bp.route("/manifest.webmanifest")
@cached_page
def manifest() -> Response:
    """The web app manifest: the office's name and icon, so a phone can keep Loket on its home screen.

    The icon is the unit's logo when there is one unit with a logo (an office's own install),
    else Loket's own mark.
    """
    units = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    with_logo = [u for u in units if u.logo_type]
    if len(units) == 1 or len(with_logo) == 1:
        unit = with_logo[0] if with_logo else units[0]
        name, short = unit.name, unit.short_name
    else:
        unit, name, short = None, "Loket Pelayanan Publik", "Loket"
    if unit is not None and unit.logo_type:
        icon = {"src": url_for("standards.unit_logo", slug=unit.slug), "type": unit.logo_type, "sizes": "any"}
    else:
        icon = {"src": asset_url("img/favicon.svg"), "type": "image/svg+xml", "sizes": "any"}
    body = {"name": name, "short_name": short[:30], "lang": "id", "start_url": "/", "display": "standalone",
            "background_color": "#ffffff", "theme_color": "#0b4f5c", "icons": [icon]}  # fmt: skip
    return Response(json.dumps(body), mimetype="application/manifest+json")


@bp.route("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico on their own: send them to the SVG mark."""
    return redirect(asset_url("img/favicon.svg"), code=301)


@bp.route("/healthz")
def healthz():
    """200 when the database answers, 503 otherwise: for load balancers."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("Health check: database does not answer")
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")
