"""Public pages of the catalogue: list and search, one standard, its QR codes and posters."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request

from webapp.core.formatting import public_url
from webapp.core.htmx import render_partial_or_page
from webapp.core.i18n import indonesian_only
from webapp.core.page_cache import cached_page
from webapp.core.qr import qr_etag, qr_png, qr_svg
from webapp.core.units import Unit
from webapp.standards import bp
from webapp.standards.components import DELIVERY_COMPONENTS, MANUFACTURING_COMPONENTS
from webapp.standards.forms import SearchForm
from webapp.standards.models import Service
from webapp.standards.service import group_by_unit, poster_layout, search


def _service_or_404(slug: str) -> Service:
    service = Service.published_by_slug(slug)
    if service is None:
        abort(404)
    return service


@bp.route("/layanan")
@cached_page
def catalogue() -> Response:
    """The catalogue; with ``?q=`` it narrows, and htmx gets only the results partial."""
    form = SearchForm(request.args)
    query = form.q.data if form.validate() else ""
    found = search(query)
    return render_partial_or_page(
        "standards/catalogue.html",
        "standards/_results.html",
        form=form,
        query=query,
        groups=group_by_unit(found.services),
        suggestion=found.suggestion,
    )


@bp.route("/layanan/<slug>")
@cached_page
def detail(slug: str) -> str:
    """One service standard, all 14 components, the public six first."""
    service = _service_or_404(slug)
    return render_template(
        "standards/detail.html",
        service=service,
        delivery=DELIVERY_COMPONENTS,
        manufacturing=MANUFACTURING_COMPONENTS,
        page_url=public_url("standards.detail", slug=service.slug),
    )


def _qr_response(slug: str, fmt: str) -> Response:
    service = _service_or_404(slug)
    url = public_url("standards.detail", slug=service.slug)
    etag = qr_etag(url, fmt)
    mimetype = "image/svg+xml" if fmt == "svg" else "image/png"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(qr_svg(url) if fmt == "svg" else qr_png(url), mimetype=mimetype)
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["QR_MAX_AGE"]
    return response


@bp.route("/layanan/<slug>/qr.svg")
@cached_page
def qr_code_svg(slug: str) -> Response:
    """The QR code of the service page, as SVG."""
    return _qr_response(slug, "svg")


@bp.route("/layanan/<slug>/qr.png")
@cached_page
def qr_code_png(slug: str) -> Response:
    """The QR code of the service page, as PNG."""
    return _qr_response(slug, "png")


@bp.route("/layanan/<slug>/cetak")
@cached_page
@indonesian_only  # a printed poster is an official document of the office
def poster(slug: str) -> str:
    """An A4 poster of the standard with its QR code, to hang at the counter."""
    service = _service_or_404(slug)
    return render_template(
        "standards/poster.html",
        service=service,
        page_url=public_url("standards.detail", slug=service.slug),
        layout=poster_layout(service),
    )


@bp.route("/instansi/<slug>")
@cached_page
def unit(slug: str) -> str:
    """A unit's profile: its contacts and its services."""
    unit = Unit.by_slug(slug) or abort(404)
    return render_template("standards/unit.html", unit=unit)


@bp.route("/instansi/<slug>/cetak-qr")
@cached_page
@indonesian_only  # printed, like the posters
def unit_qr_sheet(slug: str) -> str:
    """One printable sheet with the QR codes of all services of a unit, to cut out for the counters."""
    unit = Unit.by_slug(slug) or abort(404)
    return render_template("standards/qr_sheet.html", unit=unit)


@bp.route("/instansi/<slug>/logo")
def unit_logo(slug: str) -> Response:
    """The unit's logo (PNG or SVG, checked when uploaded), for the manifest and pages; 404 when it has none.

    An SVG is served sandboxed with no script allowed, even though the upload refused scripts already.
    """
    unit = Unit.by_slug(slug) or abort(404)
    if not unit.logo or not unit.logo_type:
        abort(404)
    response = Response(unit.logo, mimetype=unit.logo_type)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
