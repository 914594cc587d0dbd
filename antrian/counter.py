"""The counter's buttons: one dispatcher for the counter panel (HTML) and the counter API (JSON).

panggil calls the next ticket (finishing the one the counter serves; refused while it holds one
only called, antrian.service._release_held); ulang announces a ticket
again (a skipped ticket of today comes back); lewati marks a no-show; mulai, the visitor has
come to the counter; selesai, the visitor was served; alihkan sends the ticket to another
line of the unit, keeping its number. The panel names the ticket its button acts on; without
one (the API), the action is on the ticket the counter holds now.

Each view maps the outcome and the errors to its own answer (a flash message or JSON); the
rules, the checks, the messages and the announcement to the lobby live here, once, with what the
counter panel shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from antrian.events import publish_change
from antrian.issuing import UnitRef, UnknownQueueError, issue_ticket
from antrian.models import Counter, QueueService, Ticket
from antrian.reading import Call, call_of, waiting_tickets
from antrian.service import (
    QueueError,
    call_next,
    current_ticket,
    finish,
    raised_version,
    recall,
    skip,
    start_serving,
    transfer,
)
from webapp.core.db import transactional, when_committed
from webapp.core.extensions import db
from webapp.core.localtime import local_today
from webapp.core.policy import Account, can, scoped

CALL, RECALL, SKIP, START, FINISH, TRANSFER = "panggil", "ulang", "lewati", "mulai", "selesai", "alihkan"
ACTIONS = (CALL, RECALL, SKIP, START, FINISH, TRANSFER)

# The actions on one ticket the counter holds (or, for ulang, a skipped one), by their rule.
_ON_TICKET: dict[str, Callable[[Counter, int, datetime | None], Ticket]] = {
    RECALL: recall, SKIP: skip, START: start_serving, FINISH: finish,
}  # fmt: skip


class UnknownActionError(QueueError):
    """No counter button has this name."""


class NotAllowedError(QueueError):
    """The acting account may not work at this counter."""


class NothingHeldError(QueueError):
    """The action needs a ticket, none was named, and the counter holds none."""


@dataclass(frozen=True)
class Outcome:
    """What a counter action did.

    ``unit``: the unit whose queue changed, as announced (antrian.events.publish_change);
    ``ticket``: the ticket acted on (None when panggil found nobody waiting); ``called``: the
    ticket called (panggil, ulang) and ``call`` its announcement for the displays; ``notice``: what
    to tell the officer beyond the panel's own update ("" when the panel says it all). ``unit`` and
    ``call`` are taken before the action's commit, so that announcing reads nothing again.
    """

    action: str
    unit: UnitRef
    ticket: Ticket | None
    called: Ticket | None = None
    call: Call | None = None
    notice: str = ""


def _check(actor: Account, counter: Counter) -> None:
    if not can(actor, "counter.operate", counter):
        raise NotAllowedError("Anda tidak dapat melayani di loket ini.")


def _transfer_target(counter: Counter, code: str | None) -> QueueService:
    """The unit's queue service ``code``; an error on the ``service`` field otherwise."""
    if not code:
        raise UnknownQueueError("Pilih layanan tujuan.", "service")
    target = db.session.scalar(
        select(QueueService).where(QueueService.unit_id == counter.unit_id, QueueService.code == code)
    )
    if target is None:
        raise UnknownQueueError("Layanan tujuan tidak dikenal.", "service")
    return target


@transactional(serial=True, keep_loaded=True)
def act(counter: Counter, action: str, actor: Account, *, ticket_id: int | None = None,
        target: str | None = None, now: datetime | None = None) -> Outcome:
    """Do the counter button ``action`` for ``actor``, then announce it; ``ticket_id`` names its ticket (default:
    the held one), ``target`` the letter of the line alihkan sends it to.

    One unit of work: the rule of ``antrian.service`` joins it, commits its change and the unit's
    version when ``act`` returns, or rolls back when it refuses. Once committed, the change is
    announced (antrian.events.publish_change with the outcome's ``call``) before anything else that
    waits for the commit (``when_committed``: a served visitor's survey invitation), and the caller
    answers from the rows as committed, which the commit leaves loaded (``keep_loaded``). Raises
    UnknownActionError, NotAllowedError, NothingHeldError, UnknownQueueError (a bad transfer
    target, field "service") or QueueError (the ticket's state does not allow it), with nothing
    changed or announced.
    """
    outcome = _act(counter, action, actor, ticket_id, target, now)
    when_committed(partial(publish_change, outcome.unit, called=outcome.call), first=True)
    return outcome


def _act(counter: Counter, action: str, actor: Account, ticket_id: int | None, target: str | None,
         now: datetime | None) -> Outcome:
    """``act``'s change, in its unit of work."""
    if action not in ACTIONS:
        raise UnknownActionError("Tombol loket tidak dikenal.")
    _check(actor, counter)
    unit = UnitRef(counter.unit_id, counter.unit.slug)
    if action == CALL:
        called = call_next(counter, now)
        if called is None:
            return Outcome(action, unit, None, notice="Tidak ada yang menunggu.")
        return Outcome(action, unit, called, called, call_of(called, counter, raised_version(unit.id)))
    if ticket_id is None:
        held = current_ticket(counter, now)
        if held is None:
            raise NothingHeldError("Loket ini tidak sedang memanggil nomor.")
        ticket_id = held.id
    if action == TRANSFER:
        line = _transfer_target(counter, target)
        moved = transfer(counter, ticket_id, line)
        return Outcome(action, unit, moved, notice=f"{moved.number} dialihkan ke antrian {line.name}.")
    ticket = _ON_TICKET[action](counter, ticket_id, now)
    if action == RECALL:
        return Outcome(action, unit, ticket, ticket, call_of(ticket, counter, raised_version(unit.id)))
    return Outcome(action, unit, ticket)


def issue_priority(counter: Counter, actor: Account, code: str | None, reason: str | None,
                   now: datetime | None = None) -> Ticket:
    """Issue a priority ticket (elderly, disabled, pregnant) in one of the counter's lines, hours or not.

    The caller announces it (publish_change with ``issued=True``).
    """
    _check(actor, counter)
    service = next((s for s in counter.queue_services if s.code == code), None)
    if service is None:
        raise QueueError("Pilih layanan.")
    return issue_ticket(service, priority_reason=reason, now=now, check_hours=False)


def counter_with_lines(counter_id: int) -> Counter | None:
    """The counter a button was pressed at, with its unit and lines, in one query (None when there is no such
    counter); its row is held until the button's unit of work ends.

    A counter button reads all three before its call is announced; three lazy loads would be three
    round trips that the lobby's screens wait out (docs/realtime.md, "How fast a call reaches a screen").
    The lock (PostgreSQL; SQLite's unit of work holds its one write lock) makes two presses at one
    counter, a double click or two tabs, happen one after the other: the second finds the first's
    call and is refused (``StillCalledError``) instead of calling a second visitor to the same desk.
    """
    return db.session.get(Counter, counter_id, options=(joinedload(Counter.unit), joinedload(Counter.queue_services)),
                          with_for_update={"of": Counter})


def counters_for(user: Account) -> list[Counter]:
    """The active counters ``user`` may work at, by unit and number."""
    statement = select(Counter).where(Counter.active.is_(True)).order_by(Counter.unit_id, Counter.number)
    return list(db.session.scalars(scoped(user, statement, Counter.unit_id, unitless=False)))


@dataclass(frozen=True)
class PanelState:
    """What the counter panel shows: the ticket held, who waits in the counter's lines, today's
    no-shows of the unit (to recall), and the unit's lines a ticket can be sent to."""

    current: Ticket | None
    waiting: list[Ticket]
    skipped: list[Ticket]
    transfer_targets: list[QueueService]


def panel_state(counter: Counter, now: datetime | None = None) -> PanelState:
    """The counter panel's state now."""
    unit = counter.unit
    service_ids = {s.id for s in counter.queue_services}
    skipped = db.session.scalars(
        select(Ticket)
        .where(Ticket.unit_id == unit.id, Ticket.day == local_today(unit, now), Ticket.status == Ticket.SKIPPED)
        .order_by(Ticket.called_at.desc())
    ).all()
    lines = db.session.scalars(
        select(QueueService).where(QueueService.unit_id == unit.id).order_by(QueueService.code)
    ).all()
    return PanelState(
        current=current_ticket(counter, now),
        waiting=[t for t in waiting_tickets(unit, now) if t.queue_service_id in service_ids],
        skipped=list(skipped),
        transfer_targets=list(lines),
    )
