"""JSON API of the queue: state, tickets, and the counter actions (these need a staff bearer token)."""

from __future__ import annotations

import json

from flask import abort, g, jsonify, request
from flask_login import current_user

from antrian.counter import TRANSFER, NotAllowedError, UnknownActionError, act, counter_with_lines
from antrian.events import publish_change
from antrian.flood import TooManyTicketsError, admit_anonymous
from antrian.issuing import KeyReusedError, UnknownQueueError, find_replay, issue, valid_request_key
from antrian.models import Counter
from antrian.reading import snapshot, ticket_by_token, ticket_view
from antrian.service import QueueError
from webapp.api import bp
from webapp.core.api import api_error
from webapp.core.formatting import public_url
from webapp.core.i18n import current_language
from webapp.core.policy import guard, require
from webapp.core.units import Unit


@bp.route("/antrian")
def queue_state():
    """The unit's queue now: services with waiting counts, counters with their current ticket, version."""
    unit = Unit.by_slug(request.args.get("unit", "")) or abort(404)
    state = snapshot(unit)
    return jsonify(
        version=state["version"],
        unit=state["unit"],
        services=[{"code": s["code"], "name": s["name"], "waiting": len(s["waiting"])} for s in state["services"]],
        counters=state["counters"],
    )


@bp.route("/antrian/tiket", methods=["POST"])
def take_ticket():
    """Issue a ticket: {"unit": SLUG, "service": CODE} -> 201 with number, token and url.

    Without a bearer token (a kiosk device's), tickets are limited per address, service and day, and
    all anonymous tickets together to a share of the day (antrian.flood, security M3).
    An ``Idempotency-Key`` header (a uuid per tap) makes a retry safe: the same key within the unit's
    day answers the ticket of the first request again, with 200 (security L8); a replay is not counted
    against the anonymous limits.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error(400, "Kirim JSON berisi unit dan service.")
    unit, code = str(body.get("unit", "")), str(body.get("service", ""))
    key = request.headers.get("Idempotency-Key")
    if key is not None and not valid_request_key(key):
        return api_error(400, "Idempotency-Key harus 8 sampai 64 huruf, angka, - atau _ (misalnya sebuah UUID).",
                         field="Idempotency-Key")
    try:
        ticket = find_replay(unit, code, key)
        if ticket is None:
            if g.get("api_token") is None:
                admit_anonymous(unit, code, request.remote_addr or "-")
            ticket = issue(unit, code, request_key=key, locale=current_language())  # the caller's Accept-Language
    except TooManyTicketsError as exc:
        return api_error(exc.status, str(exc))
    except UnknownQueueError as exc:
        return api_error(422, str(exc), field=exc.field)
    except KeyReusedError as exc:
        return api_error(422, str(exc), field="Idempotency-Key")
    except QueueError as exc:
        return api_error(409, str(exc))
    if not ticket.replayed:
        publish_change(ticket.unit, issued=True)
    answer = jsonify(number=ticket.number, token=ticket.token, url=public_url("antrian.ticket", token=ticket.token))
    return answer, 200 if ticket.replayed else 201


@bp.route("/antrian/tiket/<token>")
def get_ticket(token: str):
    """One ticket, as its holder sees it."""
    ticket = ticket_by_token(token)
    if ticket is None:
        abort(404)
    return jsonify(ticket_view(ticket))


def _staff_counter(counter_id: int) -> Counter:
    counter = counter_with_lines(counter_id) or abort(404)
    require(current_user, "counter.operate", counter)
    return counter


_NOT_JSON = object()


def _optional_json_body() -> object:
    """The parsed body ({} when empty), or ``_NOT_JSON`` for a body that is not JSON.

    Only a JSON content type is parsed: the edge guard checks those bodies for NUL
    (webapp.core.inputs), so nothing unchecked reaches the database.
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if not request.is_json:
        return _NOT_JSON
    try:
        return json.loads(raw)
    except ValueError:  # also bytes that are not UTF-8
        return _NOT_JSON


@bp.route("/antrian/loket/<int:counter_id>/<action>", methods=["POST"])
@guard("counter.operate", api=True)
def counter_action(counter_id: int, action: str):
    """panggil (call next), ulang, lewati, mulai, selesai, alihkan {"service": CODE}: on the counter's ticket."""
    counter = _staff_counter(counter_id)
    # The body is optional except for alihkan; when present it must be JSON (panggil with garbage
    # used to call the next ticket anyway: conformance F7), and alihkan needs an object naming the line.
    body = _optional_json_body()
    if body is _NOT_JSON:
        return api_error(400, "Badan permintaan harus JSON (Content-Type: application/json), atau kosong.")
    target = None
    if action == TRANSFER:
        target = body.get("service") if isinstance(body, dict) else None
        if not isinstance(target, str) or not target:
            return api_error(422, "Tulis kode layanan tujuan sebagai teks, misalnya {\"service\": \"B\"}.",
                             field="service")
    try:
        outcome = act(counter, action, current_user, target=target)
    except UnknownActionError:
        abort(404)
    except NotAllowedError:
        abort(403)
    except UnknownQueueError as exc:
        return api_error(422, str(exc), field=exc.field)
    except QueueError as exc:
        return api_error(409, str(exc))
    if outcome.ticket is None:
        return api_error(404, outcome.notice)
    return jsonify(ticket=ticket_view(outcome.ticket))
