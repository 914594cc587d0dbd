"""Public pages of reservasi: booking step by step (unit, line, day, slot, form), the booking's page with its QR,
cancelling and moving, and the kiosk's "Saya sudah reservasi" screen."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from antrian.events import publish_change
from antrian.models import QueueService
from webapp.core.extensions import limiter
from webapp.core.formatting import public_url
from webapp.core.forms import flatten_errors
from webapp.core.i18n import current_language
from webapp.core.localtime import local_time
from webapp.core.qr import private_qr_response
from webapp.core.units import Unit
from webapp.reservasi import bp
from webapp.reservasi.forms import ActionForm, BookingForm, CheckInForm, MoveForm
from webapp.reservasi.models import Booking
from webapp.reservasi.service import (
    BookingError,
    Contact,
    book,
    booking_days,
    booking_lines,
    booking_units,
    cancel,
    catalogue_slug,
    check_in,
    find_booking,
    format_code,
    grace_window,
    line_for,
    move,
    parse_day,
    parse_start,
    requirements,
    setup_of,
    slots,
    taking_bookings,
)


def _choice() -> dict[str, Any]:
    """What the visitor chose so far from ?instansi=, ?layanan=, ?tanggal=, ?jam= (unknown values are ignored)."""
    units = booking_units()
    unit = Unit.by_slug(request.values.get("instansi", "")) if request.values.get("instansi") else None
    if unit is None and len(units) == 1:
        unit = units[0]
    lines = booking_lines(unit) if unit else []
    line = line_for(unit, request.values.get("layanan", "")) if unit and request.values.get("layanan") else None
    if line is None and len(lines) == 1:
        line = lines[0]
    setup = taking_bookings(line) if line else None
    if setup is None:
        line = None
    days = booking_days(line, setup) if line else []
    day = parse_day(request.values.get("tanggal"))
    day = day if day in days else None
    day_slots = slots(line, setup, day) if day else []
    start = parse_start(request.values.get("jam"))
    slot = next((s for s in day_slots if s.start == start and s.available > 0), None)
    # The chosen slot that filled up meanwhile (another visitor took its last place between the form and the
    # submit): still shown, as full, so the visitor keeps what they typed and picks another time in the form.
    full_slot = next((s for s in day_slots if s.start == start and s.available <= 0), None)
    return {"units": units, "unit": unit, "lines": lines, "line": line, "setup": setup, "days": days, "day": day,
            "slots": day_slots, "slot": slot, "full_slot": full_slot}


def _start_page(form: BookingForm | None = None, status: int = 200) -> tuple[str, int]:
    chosen = _choice()
    if form is None:
        form = BookingForm(formdata=None)
        form.stamp()
    line = chosen["line"]
    return render_template("reservasi/start.html", form=form, errors=flatten_errors(form), **chosen,
                           requirements=requirements(line) if line else [],
                           standard_slug=catalogue_slug(line) if line else None), status


@bp.route("/reservasi", methods=["GET"])
def start() -> tuple[str, int]:
    """Booking, one choice per step: unit, line, day, slot (with the places left), then name and contact."""
    return _start_page()


@bp.route("/reservasi", methods=["POST"])
@limiter.limit(lambda: current_app.config["RESERVASI_RATE_LIMIT"])
def submit() -> WerkzeugResponse | tuple[str, int]:
    """Book the chosen slot; the booking's page is the confirmation (its code, QR and checklist)."""
    form = BookingForm()
    chosen = _choice()
    line: QueueService | None = chosen["line"]
    if line is not None and chosen["day"] is not None and not form.jam.data and chosen["full_slot"] is not None:
        # Sent from a full slot's form without picking another time: keep what was typed, ask for a time.
        form.validate()
        form.form_errors.append(_("Pilih layanan, tanggal dan jam lebih dulu."))
        form.stamp()
        return _start_page(form, 422)
    if line is None or chosen["day"] is None or parse_start(form.jam.data) is None:
        flash(_("Pilih layanan, tanggal dan jam lebih dulu."), "error")
        return redirect(url_for("reservasi.start", **dict(request.args.items())))
    if not form.validate():
        if not form.website.data and not form.filled_slowly():
            form.stamp()  # a person who was too quick may send again after reading the message
        return _start_page(form, 422)
    try:
        _booking, code = book(line, chosen["day"], parse_start(form.jam.data),
                             Contact(form.name.data, form.phone.data or "", form.email.data or "",
                                     form.nik.data or "", locale=current_language()), actor=None)
    except BookingError as exc:
        target = {"phone": form.phone, "email": form.email, "name": form.name, "nik": form.nik}.get(exc.field or "")
        if target is not None:
            target.errors = [*target.errors, exc.translated()]
        else:
            form.form_errors.append(exc.translated())
        form.stamp()
        return _start_page(form, 422 if exc.status == 422 else 409)
    flash(_("Reservasi diterima. Simpan kode %(code)s: tunjukkan kode atau QR ini di kios saat tiba.",
            code=format_code(code)), "success")
    return redirect(url_for("reservasi.booking", key=code))


def _booking_or_404(key: str) -> Booking:
    found = find_booking(key)
    if found is None:
        abort(404)
    return found


def _booking_page(key: str, booking: Booking, *, confirm: bool = False, move_day: date | None = None,
                  status: int = 200) -> tuple[str, int]:
    line = booking.line
    setup = setup_of(line)
    window = tuple(f"{local_time(m, line.unit):%H.%M}" for m in grace_window(booking, setup)) if setup else None
    move_setup = taking_bookings(line) if booking.status == Booking.AKTIF else None
    days = booking_days(line, move_setup) if move_setup else []
    move_slots = slots(line, move_setup, move_day) if move_setup and move_day in days else []
    response = render_template(
        "reservasi/booking.html", booking=booking, key=key, code=format_code(key) if len(key) == 8 else None,
        line=line, unit=line.unit, requirements=requirements(line), standard_slug=catalogue_slug(line),
        window=window, ticket=booking.ticket, action_form=ActionForm(), move_form=MoveForm(), confirm=confirm,
        days=days, move_day=move_day, move_slots=move_slots, statuses=Booking.STATUSES,
        booking_url=public_url("reservasi.booking", key=key),
    )
    return response, status


@bp.route("/reservasi/<key>")
@limiter.limit(lambda: current_app.config["RESERVASI_LOOKUP_RATE_LIMIT"])
def booking(key: str) -> tuple[str, int]:
    """One booking: slot, what to bring, cancel or move while it is active, and the live ticket once checked in.

    No personal data is shown: whoever holds the code sees the booking, not who made it.
    """
    found = _booking_or_404(key)
    return _booking_page(key, found, move_day=parse_day(request.args.get("pindah")))


@bp.route("/reservasi/<key>/qr.svg")
@limiter.limit(lambda: current_app.config["RESERVASI_LOOKUP_RATE_LIMIT"])
def booking_qr(key: str) -> Response:
    """The QR code of the booking's page: scanned at the kiosk to check in."""
    _booking_or_404(key)
    return private_qr_response(public_url("reservasi.booking", key=key))


@bp.route("/reservasi/<key>/batal", methods=["POST"])
@limiter.limit(lambda: current_app.config["RESERVASI_LOOKUP_RATE_LIMIT"])
def cancel_booking(key: str) -> WerkzeugResponse | tuple[str, int]:
    """"Batalkan reservasi": the first press asks once more, the second (yakin=1) gives the place back."""
    found = _booking_or_404(key)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if form.yakin.data != "1":
        return _booking_page(key, found, confirm=True)
    try:
        cancel(found)
        flash(_("Reservasi dibatalkan. Tempatnya kini dapat dipakai warga lain."), "success")
    except BookingError as exc:
        flash(exc.translated(), "error")
    return redirect(url_for("reservasi.booking", key=key))


@bp.route("/reservasi/<key>/pindah", methods=["POST"])
@limiter.limit(lambda: current_app.config["RESERVASI_RATE_LIMIT"])
def move_booking(key: str) -> WerkzeugResponse | tuple[str, int]:
    """Move the booking to another day and slot of its line, by the same rules as booking."""
    found = _booking_or_404(key)
    form = MoveForm()
    day, start = parse_day(form.tanggal.data), parse_start(form.jam.data)
    if not form.validate_on_submit() or day is None or start is None:
        flash(_("Pilih tanggal dan jam yang baru."), "error")
        return redirect(url_for("reservasi.booking", key=key))
    try:
        move(found, day, start)
        flash(_("Reservasi dipindahkan. Kode reservasi Anda tetap sama."), "success")
    except BookingError as exc:
        flash(exc.translated(), "error")
        return redirect(url_for("reservasi.booking", key=key, pindah=day.isoformat()))
    return redirect(url_for("reservasi.booking", key=key))


@bp.route("/antrian/ambil/reservasi", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["KIOSK_RATE_LIMIT"], methods=["POST"])
def kiosk_checkin() -> WerkzeugResponse | tuple[str, int]:
    """The kiosk's "Saya sudah reservasi" screen: a QR scanner types the code (or the booking's URL) and Enter,
    or the visitor types it; a check-in prints the ticket like the kiosk does."""
    unit = Unit.by_slug(request.args.get("instansi", "")) or abort(404)
    form = CheckInForm()
    lebar = request.args.get("lebar") if request.args.get("lebar") in ("58", "80") else None
    status = 200
    if form.validate_on_submit():
        found = find_booking(form.kode.data)
        if found is None:
            form.kode.errors = [_("Kode reservasi tidak dikenal. Periksa kembali, atau ambil nomor antrian biasa.")]
            status = 422
        else:
            try:
                done = check_in(found, unit=unit, actor=None)
            except BookingError as exc:
                form.kode.errors = [exc.translated()]
                status = 409
            else:
                publish_change(unit, issued=True)
                flash(done.translated(), "info" if done.late else "success")  # the kiosk: the visitor's language
                args = {"token": done.ticket.token, "kios": 1, **({"lebar": lebar} if lebar else {})}
                return redirect(url_for("antrian.print_ticket", **args))
    elif form.errors:
        status = 422
    # A success redirects above, so the next visitor's scan starts from an empty field anyway; on an error the
    # code stays in the field, so a visitor who typed it by hand corrects one character instead of retyping it.
    back = url_for("antrian.kiosk", instansi=unit.slug, **({"lebar": lebar} if lebar else {}))
    return render_template("reservasi/kiosk.html", unit=unit, form=form, back=back,
                           errors=flatten_errors(form)), status
