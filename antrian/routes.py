"""Kiosk, ticket (phone and print), lobby display and counter panel."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from antrian import bp
from antrian.counter import (
    NotAllowedError,
    UnknownActionError,
    act,
    counter_with_lines,
    counters_for,
    issue_priority,
    panel_state,
)
from antrian.events import publish_change
from antrian.flood import admit_anonymous
from antrian.forms import (
    CancelTicketForm,
    ContactForm,
    CounterActionForm,
    KioskDeviceForm,
    PriorityTicketForm,
    TakeTicketForm,
)
from antrian.issuing import PRIORITY_REASONS, find_replay, issue, open_services
from antrian.models import Counter, QueueService, QueueState, Ticket
from antrian.notify import cancel_ticket, clear_contact, masked_phone, notify_ahead, notify_due, set_contact
from antrian.printing import PrinterError, parse_printer_address, print_slip, printer_target, slip_of
from antrian.reading import kiosk_lines, position, snapshot, ticket_by_token, ticket_view
from antrian.service import QueueError
from antrian.signals import survey_link
from webapp.core.db import utcnow
from webapp.core.extensions import db, limiter
from webapp.core.formatting import public_url
from webapp.core.forms import choices, flatten_errors
from webapp.core.htmx import is_htmx, render_partial_or_page
from webapp.core.i18n import current_language, indonesian_only
from webapp.core.inputs import parse_id
from webapp.core.localtime import local_now, local_today
from webapp.core.policy import can, guard, require
from webapp.core.qr import private_qr_response
from webapp.core.units import Unit


def _queue_units() -> list[Unit]:
    """Units that have queue services."""
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(select(QueueService.unit_id))).order_by(Unit.name)))


def _unit_from_request() -> Unit | None:
    """The unit named by ?instansi=, or the only unit with a queue."""
    slug = request.args.get("instansi")
    if slug:
        return Unit.by_slug(slug) or abort(404)
    units = _queue_units()
    return units[0] if len(units) == 1 else None


# A browser an administrator registered as a unit's kiosk keeps this signed cookie: the unit's id, and the
# device's settings (paper width, browser or ESC/POS printing and the printer's address). Its tickets draw
# on the whole daily cap, not the anonymous share (antrian.flood, security M3). Only an administrator sets
# a printer address: the server connects to it (a stranger must not make it connect anywhere).
KIOSK_COOKIE = "loket_kios"
KIOSK_COOKIE_DAYS = 3650  # a kiosk stays one for as long as its browser keeps the cookie
WIDTHS = ("58", "80")


@dataclass(frozen=True)
class KioskDevice:
    """This browser as a kiosk: registered or not, its paper width, how it prints, and the printer."""

    registered: bool
    width: str = "80"
    mode: str = "browser"  # or "escpos": the server prints on ``printer``
    printer: str = ""

    @property
    def query(self) -> dict[str, str]:
        """What the kiosk's URLs carry so that the print page knows the paper (a cookie-less step)."""
        return {"lebar": self.width} if self.width != "80" else {}


def _kiosk_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="loket-kiosk-device")


def _kiosk_device(unit: Unit) -> KioskDevice:
    """This browser's kiosk settings for ``unit``: from its signed cookie when registered; else the paper width
    given in ``?lebar=`` (58 or 80, carried through every step) and browser printing."""
    raw = request.cookies.get(KIOSK_COOKIE, "")
    try:
        saved = _kiosk_signer().loads(raw) if raw else None
    except BadSignature:
        saved = None
    if isinstance(saved, dict) and saved.get("unit") == unit.id:
        width = saved.get("lebar") if saved.get("lebar") in WIDTHS else "80"
        printer = str(saved.get("printer") or "")
        mode = "escpos" if saved.get("cetak") == "escpos" and parse_printer_address(printer) else "browser"
        return KioskDevice(True, width, mode, printer if mode == "escpos" else "")
    width = request.args.get("lebar")
    return KioskDevice(False, width if width in WIDTHS else "80")


def _kiosk_page(unit: Unit, form: TakeTicketForm, device: KioskDevice,
                device_form: KioskDeviceForm | None = None) -> str:
    """The kiosk page: one big button per open line, with its waiting count and estimated wait."""
    state = db.session.get(QueueState, unit.id)
    # The setup page's preview (?pratinjau=1) shows the kiosk as visitors see it, without the device form.
    may_setup = can(current_user, "queue.setup", unit) and not request.args.get("pratinjau")
    clock = local_now(unit)
    if may_setup and device_form is None:
        device_form = KioskDeviceForm(formdata=None, data={
            "lebar": device.width, "cetak": device.mode, "printer": device.printer})
    return render_template(
        "antrian/kiosk.html", unit=unit, lines=kiosk_lines(unit, open_services(unit)), form=form, device=device,
        priority=bool(state and state.kiosk_priority), reasons=PRIORITY_REASONS,
        device_form=device_form if may_setup else None,
        device_errors=flatten_errors(device_form) if may_setup and device_form else [],
        local_clock=f"{clock:%H.%M}", utc_offset=int(clock.utcoffset().total_seconds() // 60),
    )


def _print_kiosk_slip(device: KioskDevice, ticket: Ticket) -> bool:
    """Print on the kiosk's ESC/POS printer; False (logged) when it does not answer: the screen shows the ticket."""
    address = parse_printer_address(device.printer)
    if address is None:
        return False
    try:
        # Checked again at print time: the setting lives in a cookie signed before this rule, and a
        # name resolves anew; PrinterAddressError is a PrinterError, so the screen shows the ticket.
        print_slip(printer_target(address), slip_of(ticket), device.width)
    except PrinterError as exc:
        current_app.logger.warning("Kiosk printer: %s (%s)", exc, exc.__cause__)
        return False
    return True


@bp.route("/ambil", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["KIOSK_RATE_LIMIT"], methods=["POST"])
def kiosk() -> WerkzeugResponse | str:
    """The kiosk: one big button per open line; a press issues a ticket and prints it.

    The form carries the tap's idempotency key: a POST repeated after a timeout answers the same ticket
    (security L8). In a browser not registered as the unit's kiosk, tickets draw on the anonymous share of
    the day. A kiosk in ESC/POS mode prints on its network printer; when the printer does not answer,
    the visitor gets a message and the ticket on screen with its QR.
    """
    unit = _unit_from_request()
    if unit is None:
        width = request.args.get("lebar")
        return render_template("antrian/choose_unit.html", units=_queue_units(), endpoint="antrian.kiosk",
                               extra={"lebar": width} if width in WIDTHS else {})
    form = TakeTicketForm()
    if request.args.get("pratinjau") and request.method == "POST":
        abort(403)  # the setup page's preview (?pratinjau=1) shows the kiosk and never takes a ticket
    device = _kiosk_device(unit)
    back = url_for("antrian.kiosk", instansi=unit.slug, **device.query)
    if form.validate_on_submit():
        service = db.session.scalar(
            select(QueueService).where(QueueService.unit_id == unit.id, QueueService.code == form.service.data)
        )
        if service is None:
            abort(404)
        state = db.session.get(QueueState, unit.id)
        reason = form.prioritas.data or None
        if reason is not None and not (state and state.kiosk_priority):
            flash(_("Tiket prioritas diberikan oleh petugas loket."), "error")
            return redirect(back)
        key = form.kunci.data or None
        try:
            issued = find_replay(unit.slug, service.code, key)
            if issued is None:
                if not device.registered:
                    admit_anonymous(unit.slug, service.code, None)  # one address for a whole lobby: none per address
                issued = issue(unit.slug, service.code, priority_reason=reason, request_key=key,
                               locale=current_language())  # its page words the estimate in the visitor's language
        except QueueError as exc:
            flash(exc.translated(), "error")  # the kiosk is public: in the visitor's language
            return redirect(back)
        if not issued.replayed:
            publish_change(unit, issued=True)
        args: dict[str, object] = {"token": issued.token, "kios": 1, **device.query}
        if device.mode == "escpos":
            # A retry prints again: the first slip may never have come out.
            args["cetak"] = "ok" if _print_kiosk_slip(device, db.session.get(Ticket, issued.id)) else "gagal"
        return redirect(url_for("antrian.print_ticket", **args))
    if form.errors:
        flash(_("Sentuhan tadi tidak terbaca. Silakan sentuh layanan sekali lagi."), "error")
    return _kiosk_page(unit, form, device)


@bp.route("/pengaturan/kios", methods=["POST"])
@guard("queue.setup")
def register_kiosk() -> WerkzeugResponse | tuple[str, int]:
    """An administrator makes this browser the unit's kiosk, with its paper width and printing (once: the
    visitors then type nothing); saved again to change them."""
    unit = _unit_from_request() or abort(404)
    require(current_user, "queue.setup", unit)  # the CSRF token was checked before the view (auth.security)
    form = KioskDeviceForm()
    if not form.validate():
        return _kiosk_page(unit, TakeTicketForm(formdata=None), _kiosk_device(unit), form), 422
    settings = {"unit": unit.id, "lebar": form.lebar.data, "cetak": form.cetak.data,
                "printer": (form.printer.data or "").strip() if form.cetak.data == "escpos" else ""}
    response = redirect(url_for("antrian.kiosk", instansi=unit.slug))
    response.set_cookie(
        KIOSK_COOKIE, _kiosk_signer().dumps(settings), max_age=KIOSK_COOKIE_DAYS * 86400, httponly=True,
        samesite="Lax", secure=bool(current_app.config["SESSION_COOKIE_SECURE"]), path=url_for("antrian.kiosk"),
    )
    flash("Peramban ini terdaftar sebagai kios antrian instansi ini; pengaturan perangkatnya disimpan.", "success")
    return response


def _ticket_or_404(token: str) -> Ticket:
    ticket = ticket_by_token(token)
    if ticket is None:
        abort(404)
    return ticket


def _ticket_page(found: Ticket, contact: ContactForm | None = None, confirm: bool = False) -> str:
    """The phone ticket page with its forms (``confirm``: ask once more before cancelling)."""
    today = local_today(found.queue_service.unit).isoformat()
    link = survey_link(found) if found.status == Ticket.DONE else None
    return render_template("antrian/ticket.html", ticket=found, view=ticket_view(found), today=today,
                           survey_link=link, cancel_form=CancelTicketForm(), contact_form=contact or ContactForm(),
                           masked_phone=masked_phone(found), notify_ahead=notify_ahead(found.unit_id),
                           confirm_cancel=confirm, open_statuses=(Ticket.WAITING, Ticket.CALLED, Ticket.SERVING))


@bp.route("/tiket/<token>")
def ticket(token: str) -> str:
    """A ticket on the visitor's phone: position, people ahead, estimated wait; live.

    Once served, the page offers the survey through a one-time link, which the survey made when
    the ticket was served (antrian.signals): this page only reads it.
    """
    return _ticket_page(_ticket_or_404(token))


@bp.route("/tiket/<token>/batalkan", methods=["POST"])
@limiter.limit("30 per minute")
def cancel(token: str) -> WerkzeugResponse | str:
    """"Batalkan antrian": the first press asks "Yakin?", the second (yakin=1) gives the place back."""
    found = _ticket_or_404(token)
    form = CancelTicketForm()
    if not form.validate_on_submit():
        abort(400)
    if form.yakin.data != "1":
        return _ticket_page(found, confirm=True)
    try:
        cancel_ticket(found)
    except QueueError as exc:
        flash(exc.translated(), "error")  # a message the visitor reads, in their language
        return redirect(url_for("antrian.ticket", token=found.token))
    publish_change(found.queue_service.unit)
    flash(_("Antrian %(number)s dibatalkan. Terima kasih sudah memberi tahu kami.", number=found.number), "success")
    return redirect(url_for("antrian.ticket", token=found.token))


@bp.route("/tiket/<token>/kontak", methods=["POST"])
@limiter.limit("30 per minute")
def contact(token: str) -> WerkzeugResponse | tuple[str, int]:
    """Leave (or erase) a mobile number for the "near" and "called" messages of this ticket."""
    found = _ticket_or_404(token)
    form = ContactForm()
    if not form.validate_on_submit():
        return _ticket_page(found, contact=form), 422
    try:
        if form.hapus.data == "1" or not form.phone.data:
            clear_contact(found)
            flash(_("Nomor HP Anda sudah dihapus dari tiket ini."), "success")
        else:
            set_contact(found, form.phone.data, locale=current_language())
            notify_due(found.unit_id)  # already near: the message goes at once
            flash(_("Kami akan mengirim pesan saat giliran Anda hampir tiba dan saat dipanggil."), "success")
    except QueueError as exc:
        flash(exc.translated(), "error")  # a message the visitor reads, in their language
    return redirect(url_for("antrian.ticket", token=found.token))


@bp.route("/tiket/<token>/cetak")
def print_ticket(token: str) -> str:
    """The thermal-printer view (58 or 80 mm) with the ticket's QR code and its address in text.

    From a kiosk (``kios=1``) it prints itself and returns to the buttons, keeping the paper width
    (``lebar``); after ESC/POS printing (``cetak=ok``) it only confirms; when the printer did not
    answer (``cetak=gagal``) it says so and keeps the ticket on screen longer, to be scanned.
    """
    found = _ticket_or_404(token)
    width = "58" if request.args.get("lebar") == "58" else "80"
    kiosk = bool(request.args.get("kios"))
    printed = request.args.get("cetak") if request.args.get("cetak") in ("ok", "gagal") else None
    back = None
    if kiosk:
        back = url_for("antrian.kiosk", instansi=found.queue_service.unit.slug, **KioskDevice(False, width).query)
    return render_template(
        "antrian/print.html",
        ticket=found,
        ahead=position(found),
        width=width,
        kiosk=kiosk,
        back=back,
        printed=printed,
        reason=PRIORITY_REASONS.get(found.priority_reason or ""),
        ticket_url=public_url("antrian.ticket", token=found.token),
    )


@bp.route("/tiket/<token>/qr.svg")
def ticket_qr(token: str) -> Response:
    """The QR code of the ticket's phone page."""
    found = _ticket_or_404(token)
    url = public_url("antrian.ticket", token=found.token)
    return private_qr_response(url)


# What a display shows (?tampil=): everything, the counters only, or the calls and the waiting lines only
# (a second TV in the same lobby). Anything else shows everything.
DISPLAY_PARTS = {"semua": "Semua: loket, panggilan dan antrean", "loket": "Hanya nomor di setiap loket",
                 "panggilan": "Hanya panggilan terakhir dan antrean menunggu"}  # fmt: skip


def _lines_served_by(unit: Unit, numbers: set[int]) -> list[str]:
    """The letters of the lines that the unit's active counters ``numbers`` serve (the display's ?loket= filter)."""
    counters = db.session.scalars(
        select(Counter).where(Counter.unit_id == unit.id, Counter.active.is_(True), Counter.number.in_(numbers))
    )
    return sorted({service.code for counter in counters for service in counter.queue_services})


@bp.route("/layar")
@indonesian_only  # the lobby TV speaks Indonesian to everyone in the room
def display() -> str:
    """The lobby TV: current number at each counter, recent calls, waiting lines, clock, running text.

    ``?loket=1,2,3`` shows those counters and the lines they serve; ``?tampil=loket`` or
    ``?tampil=panggilan`` shows one part only (README, "Layar TV").
    """
    unit = _unit_from_request()
    if unit is None:
        return render_template("antrian/choose_unit.html", units=_queue_units(), endpoint="antrian.display")
    only = {number for n in request.args.get("loket", "").split(",") if (number := parse_id(n)) is not None}
    part = request.args.get("tampil", "semua")
    part = part if part in DISPLAY_PARTS else "semua"
    return render_template(
        "antrian/display.html", unit=unit, state=snapshot(unit), only=sorted(only), part=part, parts=DISPLAY_PARTS,
        lines=_lines_served_by(unit, only) if only else [], server_now=utcnow().isoformat(),
    )


# --- counter panel -------------------------------------------------------------------------------

COUNTER_SESSION_KEY = "antrian_counter_id"


def _counter_or_403(counter_id: int) -> Counter:
    counter = counter_with_lines(counter_id) or abort(404)
    require(current_user, "counter.operate", counter)
    return counter


def _panel_context(counter: Counter) -> dict:
    state = panel_state(counter)
    priority = PriorityTicketForm()
    priority.service.choices = choices((s.code, f"{s.code} · {s.name}") for s in counter.queue_services)
    return {
        "counter": counter,
        "current": state.current,
        "waiting": state.waiting,
        "skipped": state.skipped,
        "form": CounterActionForm(),
        "priority_form": priority,
        "transfer_targets": state.transfer_targets,
        "reasons": PRIORITY_REASONS,
    }


@bp.route("/loket")
@guard("counter.operate")
def counter_panel() -> WerkzeugResponse | str:
    """The counter officer's panel; the counter is chosen once and kept in the session."""
    counters = counters_for(current_user)
    chosen = request.args.get("loket", type=int) or session.get(COUNTER_SESSION_KEY)
    counter = next((c for c in counters if c.id == chosen), None)
    if counter is None:
        return render_template("antrian/choose_counter.html", counters=counters)
    session[COUNTER_SESSION_KEY] = counter.id
    return render_partial_or_page("antrian/counter.html", "antrian/_panel.html", **_panel_context(counter))


@bp.route("/loket/<int:counter_id>/<action>", methods=["POST"])
@guard("counter.operate")
def counter_action(counter_id: int, action: str) -> WerkzeugResponse | Response:
    """A counter button: panggil (next), ulang (recall), lewati (no-show), mulai, selesai, alihkan, prioritas."""
    counter = _counter_or_403(counter_id)
    form = CounterActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if action == "prioritas":
            priority = PriorityTicketForm()
            ticket = issue_priority(counter, current_user, priority.service.data, priority.reason.data)
            flash(f"Tiket prioritas {ticket.number} dibuat.", "success")
            publish_change(counter.unit, issued=True)
        else:
            ticket_id = parse_id(form.ticket.data)
            outcome = act(counter, action, current_user, ticket_id=ticket_id, target=form.target.data or None)
            if outcome.notice:
                flash(outcome.notice, "success" if outcome.ticket else "info")
    except UnknownActionError:
        abort(404)
    except NotAllowedError:
        abort(403)
    except QueueError as exc:
        flash(str(exc), "error")
    if not is_htmx():  # without JavaScript: post, redirect, get
        return redirect(url_for("antrian.counter_panel", loket=counter.id))
    return render_partial_or_page("antrian/counter.html", "antrian/_panel.html", **_panel_context(counter))
