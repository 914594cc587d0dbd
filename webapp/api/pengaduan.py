"""JSON API of complaints: file one, and follow it by its tracking code (never any personal data)."""

from __future__ import annotations

from flask import abort, g, jsonify, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from webapp.api import bp
from webapp.core.api import api_error
from webapp.core.extensions import limiter
from webapp.core.policy import can
from webapp.pengaduan.forms import OTHER_SERVICE, ComplaintFields
from webapp.pengaduan.intake import (
    complaint_input,
    is_known_code,
    is_miss,
    lookup_limit,
    published_services,
    save_new_complaint,
    submission_limit,
)
from webapp.pengaduan.models import CHANNELS, ONLINE, STATUSES, WEIGHTS
from webapp.pengaduan.service import ComplaintError, find_by_code, normalise_code, public_text, tracking_url

TEXT_FIELDS = ("name", "phone", "email", "nik", "nib", "service", "service_other", "description",
               "incident_date", "incident_place", "desired_outcome")  # fmt: skip
FLAGS = ("anonymous", "confidential")



class ApiComplaintForm(ComplaintFields):
    """The complaint fields read from JSON: no CSRF (no cookie authority), no files."""

    class Meta:
        csrf = False


@bp.route("/pengaduan", methods=["POST"])
@limiter.shared_limit(submission_limit, scope="pengaduan-kirim", override_defaults=False,
                      exempt_when=lambda: g.get("api_token") is not None)
def create_complaint():
    """File a complaint: 201 with number, code, url and deadline; 400 or 422 with the field errors."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error(400, "Kirim objek JSON berisi pengaduan.")
    channel = body.get("channel") or ONLINE
    if not isinstance(channel, str) or channel not in CHANNELS:  # a list is unhashable: checked first
        return api_error(422, "Periksa isian pengaduan.", fields={"channel": ["Saluran tidak dikenal."]})
    if channel != ONLINE and not can(current_user, "complaint.record"):
        # Other channels (a visit, a letter, SP4N-LAPOR!) are recorded by staff on a visitor's
        # behalf: an anonymous caller setting one would skew the report's channel counts.
        return api_error(403, f"Saluran selain '{ONLINE}' hanya dapat diisi petugas dengan token API.",
                         field="channel")
    data = MultiDict()
    for name in TEXT_FIELDS:
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            return api_error(400, f"{name} harus berupa teks.", field=name)
        if value:
            data[name] = value
    if not body.get("service"):
        data["service"] = OTHER_SERVICE
    for name in FLAGS:
        if body.get(name) is True:
            data[name] = "y"
    form = ApiComplaintForm(formdata=data)
    recorder = current_user if channel != ONLINE else None  # staff recording for a visitor: their unit only
    form.set_services(published_services(recorder))
    if not form.validate():
        fields = {name: list(errors) for name, errors in form.errors.items()}
        return api_error(422, "Periksa isian pengaduan.", fields=fields)
    try:
        complaint, code, _ = save_new_complaint(complaint_input(form, channel), [], user=recorder)
    except ComplaintError as error:
        return api_error(403, str(error), field="service")
    return jsonify(number=complaint.number, code=code, url=tracking_url(code),
                   deadline=complaint.due_on.isoformat()), 201


def _asks_known_code() -> bool:
    """The path names a right tracking code: not limited (security I1)."""
    return is_known_code((request.view_args or {}).get("code"))


@bp.route("/pengaduan/<code>")
@limiter.shared_limit(lookup_limit, scope="pengaduan-lacak", deduct_when=is_miss, override_defaults=False,
                      exempt_when=_asks_known_code)
def get_complaint(code: str):
    """A complaint's status, public history, replies and deadline, as its tracking page shows them."""
    complaint = find_by_code(code)
    if complaint is None:
        abort(404)
    events = complaint.public_events()
    return jsonify(
        number=complaint.number,
        code=normalise_code(code),
        status=complaint.status,
        status_label=STATUSES[complaint.status],
        received_on=complaint.received_on.isoformat(),
        deadline=complaint.due_on.isoformat(),
        weight=complaint.weight,
        weight_label=WEIGHTS.get(complaint.weight or "", None),
        confidential=complaint.confidential,
        service=None if complaint.confidential else complaint.public_service_label,
        history=[{"at": e.at.isoformat(), "action": e.action, "label": e.label, "text": public_text(complaint, e)}
                 for e in events],
        replies=[{"at": e.at.isoformat(), "text": public_text(complaint, e)} for e in events
                 if e.action == "balasan"],
        url=tracking_url(normalise_code(code)),
    )
