"""JSON API of reservasi: the slots of a line on a day, booking, a booking's state, cancelling and check-in."""

from __future__ import annotations

from flask import abort, current_app, jsonify, request
from flask_login import current_user

from antrian.events import publish_change
from webapp.api import bp
from webapp.core.api import api_error
from webapp.core.extensions import limiter
from webapp.core.formatting import public_url
from webapp.core.localtime import local_time
from webapp.core.policy import can
from webapp.core.units import Unit
from webapp.reservasi.models import Booking
from webapp.reservasi.service import (
    BookingError,
    Contact,
    Slot,
    book,
    cancel,
    check_in,
    find_booking,
    format_code,
    line_for,
    parse_day,
    parse_start,
    slots,
    taking_bookings,
)


def _slot_json(slot: Slot) -> dict:
    """A slot as the API answers it: local start and end (HH:MM) and the places left."""
    return {"start": slot.start.strftime("%H:%M"), "end": slot.end.strftime("%H:%M"), "available": slot.available}


@bp.route("/reservasi/slot")
@limiter.limit(lambda: current_app.config["RESERVASI_LOOKUP_RATE_LIMIT"])
def booking_slots():
    """The bookable slots of a line on a day: ?unit=SLUG&service=CODE&date=YYYY-MM-DD."""
    unit = Unit.by_slug(request.args.get("unit", ""))
    if unit is None:
        return api_error(422, "Instansi tidak dikenal.", field="unit")
    line = line_for(unit, request.args.get("service", ""))
    setup = taking_bookings(line) if line else None
    if setup is None:
        return api_error(422, "Layanan ini tidak menerima reservasi.", field="service")
    day = parse_day(request.args.get("date"))
    if day is None:
        return api_error(422, "Tulis tanggal sebagai YYYY-MM-DD.", field="date")
    found = slots(line, setup, day)
    return jsonify(unit=unit.slug, service=line.code, date=day.isoformat(),
                   slots=[_slot_json(s) for s in found])


@bp.route("/reservasi", methods=["POST"])
@limiter.limit(lambda: current_app.config["RESERVASI_RATE_LIMIT"])
def create_booking():
    """Book: {unit, service, date, start, name, phone|email[, nik]} -> 201 with code, url and slot."""
    body = request.get_json(silent=True) or {}
    unit = Unit.by_slug(str(body.get("unit", "")))
    if unit is None:
        return api_error(422, "Instansi tidak dikenal.", field="unit")
    line = line_for(unit, str(body.get("service", "")))
    if line is None:
        return api_error(422, "Layanan antrian tidak dikenal.", field="service")
    day, start = parse_day(body.get("date")), parse_start(body.get("start"))
    if day is None:
        return api_error(422, "Tulis tanggal sebagai YYYY-MM-DD.", field="date")
    if start is None:
        return api_error(422, "Tulis jam mulai slot sebagai HH:MM.", field="start")
    contact = Contact(str(body.get("name", "")), str(body.get("phone") or ""), str(body.get("email") or ""),
                      str(body.get("nik") or ""))
    try:
        booking, code = book(line, day, start, contact, actor=None)
    except BookingError as exc:
        return api_error(exc.status, str(exc), field=exc.field if exc.status == 422 else None)
    slot = {"date": booking.day.isoformat(), "start": booking.start.strftime("%H:%M"), "end": _end_of(booking)}
    return jsonify(code=format_code(code), url=public_url("reservasi.booking", key=code), slot=slot), 201


def _end_of(booking: Booking) -> str:
    """The slot's local end as HH:MM."""
    return f"{local_time(booking.ends_at, booking.line.unit):%H:%M}"


def _booking_or_404(code: str) -> Booking:
    found = find_booking(code)
    if found is None:
        abort(404)
    return found


def _booking_json(booking: Booking) -> dict:
    """A booking as its holder sees it: status, slot and ticket; no personal data."""
    ticket = booking.ticket
    return {
        "status": booking.status,
        "unit": booking.line.unit.slug,
        "service": booking.line.code,
        "slot": {"date": booking.day.isoformat(), "start": booking.start.strftime("%H:%M"), "end": _end_of(booking)},
        "ticket": ({"number": ticket.number, "status": ticket.status,
                    "url": public_url("antrian.ticket", token=ticket.token)} if ticket else None),
    }


@bp.route("/reservasi/<code>")
@limiter.limit(lambda: current_app.config["RESERVASI_LOOKUP_RATE_LIMIT"])
def get_booking(code: str):
    """A booking's status, slot and ticket, with no personal data."""
    return jsonify(_booking_json(_booking_or_404(code)))


@bp.route("/reservasi/<code>", methods=["DELETE"])
@limiter.limit(lambda: current_app.config["RESERVASI_LOOKUP_RATE_LIMIT"])
def delete_booking(code: str):
    """Cancel a booking (its code is the right to do so); 409 once it is no longer active."""
    found = _booking_or_404(code)
    try:
        cancel(found)
    except BookingError as exc:
        return api_error(409, str(exc))
    return jsonify(_booking_json(found))


@bp.route("/reservasi/<code>/checkin", methods=["POST"])
def checkin_booking(code: str):
    """Check a booking in with a kiosk's or an officer's bearer token: 201 with the ticket, 409 or 422 with why."""
    if not current_user.is_authenticated:
        return api_error(401, "Check-in lewat API memerlukan token kios atau petugas.")
    found = find_booking(code)
    if found is None:
        return api_error(422, "Kode reservasi tidak dikenal.", field="code")
    if not can(current_user, "reservasi.checkin", found):
        return api_error(403, "Token ini tidak berhak mencatat kedatangan reservasi kantor ini.")
    try:
        done = check_in(found, actor=current_user)
    except BookingError as exc:
        return api_error(exc.status, str(exc))
    publish_change(found.line.unit, issued=True)
    return jsonify(late=done.late, message=done.message,
                   ticket={"number": done.ticket.number, "token": done.ticket.token,
                           "url": public_url("antrian.ticket", token=done.ticket.token)}), 201
