"""JSON API v1: the service catalogue; /api/v1/openapi.json describes it."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import Response, abort, jsonify
from flask_login import current_user

from webapp.api import bp
from webapp.core.formatting import public_url
from webapp.core.page_cache import cached_page
from webapp.standards.models import Service
from webapp.standards.service import search_services

OPENAPI_FILE = Path(__file__).with_name("openapi.json")


@lru_cache(maxsize=1)
def _openapi_text() -> str:
    return json.dumps(json.loads(OPENAPI_FILE.read_text()), ensure_ascii=False)


def _summary(service: Service) -> dict:
    return {
        "slug": service.slug,
        "name": service.title,
        "category": service.category,
        "unit": {"slug": service.unit.slug, "name": service.unit.name},
        "url": public_url("standards.detail", slug=service.slug),
        "qr": public_url("standards.qr_code_svg", slug=service.slug),
        "en": {"name": service.title_en},
    }


@bp.route("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return Response(_openapi_text(), mimetype="application/json")


@bp.route("/saya")
def whoami():
    """The account behind the bearer token (or session): for integrators to check a token."""
    if not current_user.is_authenticated:
        abort(401)
    unit = current_user.unit
    return jsonify(
        username=current_user.username,
        role=current_user.role,
        unit={"slug": unit.slug, "name": unit.name} if unit else None,
    )


@bp.route("/layanan")
@cached_page
def services():
    """Every service, in catalogue order."""
    return jsonify([_summary(s) for s in search_services(None)])


@bp.route("/layanan/<slug>")
@cached_page
def service(slug: str):
    """One whole standard: the summary fields plus every component, SOP, guides and decree."""
    found = Service.published_by_slug(slug)
    if found is None:
        abort(404)
    document = found.to_document()
    for key in ("unit", "slug", "title", "category"):
        document.pop(key)
    english = {"name": found.title_en, "summary": found.summary_en, "requirements": found.english_requirements()}
    return jsonify({**_summary(found), **document, "en": english})
