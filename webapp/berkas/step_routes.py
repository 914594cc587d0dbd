"""Admin pages of each service's route of steps: where it comes from, and editing it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp.berkas import bp
from webapp.berkas.forms import RouteForm
from webapp.berkas.listing import services_for
from webapp.berkas.steps import StepSpec, default_route, route_for, route_source, save_route
from webapp.core.extensions import db
from webapp.core.forms import apply_list_operation, flatten_errors
from webapp.core.policy import guard, require
from webapp.standards.models import Service


@bp.route("/admin/berkas/alur")
@guard("berkas.route")
def routes() -> str:
    """Every service with where its route comes from (configured, SOP, simple)."""
    services = services_for(current_user)
    return render_template("berkas/routes.html", services=[(s, route_source(s), route_for(s)) for s in services])


@bp.route("/admin/berkas/alur/<int:service_id>", methods=["GET", "POST"])
@guard("berkas.route")
def edit_route(service_id: int) -> WerkzeugResponse | str | tuple[str, int]:
    """Edit a service's route; "Kembalikan ke bawaan" goes back to the SOP's or the simple route."""
    service = db.session.get(Service, service_id) or abort(404)
    require(current_user, "berkas.route", service)
    operation = request.form.get("op")
    if request.method == "POST" and operation == "reset":
        form = RouteForm()
        if form.validate_on_submit() or not form.csrf_token.errors:
            save_route(service, [], actor=current_user)
            flash("Alur kembali ke bawaan.", "success")
        return redirect(url_for("berkas.edit_route", service_id=service.id))
    if request.method == "POST" and operation:
        form = RouteForm(formdata=None, data=apply_list_operation(RouteForm().data, operation))
        return render_template("berkas/route_edit.html", service=service, form=form, errors=[],
                               source=route_source(service), default=default_route(service))  # fmt: skip
    if request.method == "GET":
        steps = [{**s.as_dict(), "role": s.role or ""} for s in route_for(service)]
        form = RouteForm(data={"steps": steps})
        return render_template("berkas/route_edit.html", service=service, form=form, errors=[],
                               source=route_source(service), default=default_route(service))  # fmt: skip
    form = RouteForm()
    if form.validate():
        steps = [StepSpec(e["name"].strip(), e["executor"].strip(), e["role"] or None, e["public_label"].strip(),
                          e["minutes"], e["days"]) for e in form.steps.data]  # fmt: skip
        save_route(service, steps, actor=current_user)
        flash("Alur berkas disimpan. Berkas yang sudah terdaftar tetap memakai alur lamanya.", "success")
        return redirect(url_for("berkas.edit_route", service_id=service.id))
    return render_template("berkas/route_edit.html", service=service, form=form, errors=flatten_errors(form),
                           source=route_source(service), default=default_route(service)), 422  # fmt: skip
