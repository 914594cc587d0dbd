"""What the complaint views share: the services a complaint may be about, reading uploads, the form as
the service layer's input, saving a new complaint with its files (two units of work, see
``save_new_complaint``), and the rate limits of filing and tracking.

Used by the public form (``routes``), the staff form (``staff``) and the JSON API (``webapp.api.pengaduan``):
views never import views, so what several of them need lives here.
"""

from __future__ import annotations

import base64
from datetime import date

from flask import Response, current_app, render_template

from antrian.models import Ticket
from webapp.auth.models import User
from webapp.core.db import in_unit_of_work, utcnow
from webapp.core.pdf import pdf_bytes
from webapp.core.phone import normalise_phone
from webapp.core.policy import Account, is_global
from webapp.core.qr import qr_svg
from webapp.pengaduan.attachments import Upload, check_upload, store
from webapp.pengaduan.forms import OTHER_SERVICE, ComplaintFields
from webapp.pengaduan.models import Complaint
from webapp.pengaduan.service import ComplaintInput, file_complaint, find_by_code, format_code, tracking_url
from webapp.standards.models import Service
from webapp.standards.service import search_services


def submission_limit() -> str:
    """Complaints per address, the form and the API together."""
    return current_app.config["PENGADUAN_RATE_LIMIT"]


def lookup_limit() -> str:
    """Wrong tracking codes per address."""
    return current_app.config["PENGADUAN_LACAK_RATE_LIMIT"]


def is_known_code(code: object) -> bool:
    """Whether ``code`` opens a complaint: a right code is answered even from an address that has used up
    its wrong guesses (security I1: one person guessing must not lock out everybody behind that address)."""
    if not isinstance(code, str) or not code or len(code) > 64 or "\x00" in code:
        return False
    return find_by_code(code) is not None


def is_miss(response: Response) -> bool:
    """Only wrong codes count against the lookup limit: a person reloading their page is not guessing."""
    return response.status_code == 404


def published_services(recorder: Account | None = None) -> list[Service]:
    """Services a complaint may be about, by unit and catalogue order.

    The public may complain about any unit's service; staff record complaints for their own
    unit only (``recorder``: the account recording; a global account records for every unit).
    """
    services = search_services(None, unit=None if recorder is None or is_global(recorder) else recorder.unit)
    # The standards of complaint handling are public, but nobody complains "about" them (ux review §2.4).
    return [s for s in services if s.category != "pengaduan"]


def read_uploads(form: ComplaintFields) -> list[Upload] | None:
    """The form's files, checked by content; None (with errors on the field) when one is refused."""
    uploads: list[Upload] = []
    problems: list[str] = []
    for storage in form.attachments.data or []:
        if not getattr(storage, "filename", ""):
            continue
        checked = check_upload(storage.filename, storage.read(current_app.config["PENGADUAN_ATTACHMENT_MAX_BYTES"] + 1))
        if isinstance(checked, str):
            problems.append(checked)
        else:
            uploads.append(checked)
    if problems:
        form.attachments.errors = [*form.attachments.errors, *problems, "Pilih lagi berkas yang benar."]
        return None
    return uploads


def complaint_input(form: ComplaintFields, channel: str, locale: str = "id") -> ComplaintInput:
    """The validated form as the service layer's input; ``locale`` is the language the person used."""
    slug = form.service.data
    service = None if slug == OTHER_SERVICE else Service.published_by_slug(slug)
    return ComplaintInput(
        description=form.description.data or "",
        name=form.name.data or "",
        phone=normalise_phone(form.phone.data) if form.phone.data else "",
        email=(form.email.data or "").strip(),
        nik=(form.nik.data or "").replace(" ", ""),
        nib=(form.nib.data or "").replace(" ", ""),
        service=service,
        service_other=form.service_other.data or "",
        incident_date=form.incident_date.data,
        incident_place=form.incident_place.data or "",
        desired_outcome=form.desired_outcome.data or "",
        anonymous=bool(form.anonymous.data),
        confidential=bool(form.confidential.data),
        channel=channel,
        locale=locale,
    )


def save_new_complaint(
    data: ComplaintInput, uploads: list[Upload], *, user: User | None = None, ticket: Ticket | None = None,
    received_on: date | None = None,
) -> tuple[Complaint, str, list[str]]:
    """Number and record the complaint, then store its files: two units of work, on purpose.

    The complaint is committed first (``service.file_complaint``), then the attachments in a
    second transaction (``attachments.store``): a file that cannot be written, or a row that
    cannot be recorded, loses that file (the person is told which, and the history says so),
    never the complaint, its number or its tracking code. Hence this is not a unit of work
    itself, and must not run inside one (it would make the two one again). ``user`` is the
    officer recording it (None: the person). Returns the complaint, its code and the names of
    the files not saved.
    """
    if in_unit_of_work():
        raise RuntimeError("save_new_complaint commits the complaint before its files: call it outside a unit of work")
    complaint, code = file_complaint(data, user=user, ticket=ticket, received_on=received_on)
    failed: list[str] = []
    if uploads:
        try:
            failed = store(complaint, uploads)
        except Exception:  # rolled back by store's unit of work; the complaint stays committed
            current_app.logger.exception("attachments of %s not recorded", complaint.number)
            failed = [u.original_name for u in uploads]
    return complaint, code, failed


def receipt_pdf(complaint: Complaint, code: str, officer_name: str | None = None) -> bytes:
    """The complaint's receipt on the office's paper: number, tracking code with its QR, deadline.

    ``officer_name`` is the officer who recorded it at the counter (a signature block); an online
    complaint has none, and the receipt says it needs no signature.
    """
    url = tracking_url(code)
    qr = "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url)).decode()
    html = render_template(
        "pengaduan/receipt_pdf.html", complaint=complaint, code_text=format_code(code), url=url, qr=qr,
        officer_name=officer_name, unit=complaint.unit, paper_date=complaint.received_on, printed_at=utcnow(),
    )
    return pdf_bytes(html)
