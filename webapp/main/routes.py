"""Home page and /healthz."""

from __future__ import annotations

import logging

from flask import jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from antrian.reading import queue_summaries
from webapp.core.extensions import db
from webapp.core.page_cache import cached_page
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
