"""The counter's actions on the queue: call the next ticket (priority first, then arrival), recall,
skip (no-show), start serving, finish, transfer; and the unit's queue version that marks each change.

Each action is one unit of work (``webapp.core.db.transactional``, serial: it reads the ticket
before it changes it, so on SQLite it holds the write lock from its first read): it commits when
it returns and rolls back when it refuses. A finished ticket is announced with the
``antrian.signals.ticket_served`` signal inside the same transaction (a listener adds to it, or
waits for its commit: the survey's invitation does). ``now`` may be passed for tests (an aware UTC
datetime). Issuing lives in ``antrian.issuing``, reading in ``antrian.reading``.

A ticket is "done" (served) only when it was started (serving) or finished explicitly with
``finish``: calling the next number never closes a ticket that was only called (security M4,
ux review trap 2), see ``_release_held``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Select, case, select, update

from antrian.models import Counter, QueueService, QueueState, Ticket
from antrian.reading import waiting_order
from antrian.signals import ticket_served
from webapp.core.db import transactional, upsert
from webapp.core.extensions import db
from webapp.core.i18n import TranslatableError
from webapp.core.localtime import local_today


class QueueError(TranslatableError):
    """A queue action that cannot be done; the message is for the visitor or officer, in Indonesian.

    A message a visitor reads is a msgid with its numbers as values (``TranslatableError``): public
    pages show ``exc.translated()``, staff pages ``str(exc)``.
    """


class StillCalledError(QueueError):
    """The counter holds a ticket that was called but never started: it must be settled first."""

    def __init__(self, ticket: Ticket) -> None:
        super().__init__(
            f"Nomor {ticket.number} masih dipanggil. Pilih Mulai, Tidak hadir atau Selesai "
            "sebelum memanggil nomor lain."
        )
        self.ticket_id = ticket.id


_RAISED_VERSIONS = "antrian.raised_versions"  # db.session.info key: unit id -> the version bump_version raised


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


@transactional(serial=True)
def raise_version(unit_id: int) -> None:
    """Raise the unit's queue version in a transaction of its own: the announcement of new tickets."""
    bump_version(unit_id)


def bump_version(unit_id: int) -> int:
    """Raise the unit's queue version in the same transaction as the change it marks; return the new version.

    An upsert: two counters making a unit's very first change at once must not both try to create its row.
    Its RETURNING refreshes the unit's row if the session holds it, and the session remembers the new
    version (``raised_version``), so that the call's announcement carries it without a query
    (antrian.counter.act). A building block of the actions here: it never commits.
    """
    state = db.session.scalars(
        upsert(QueueState)
        .values(unit_id=unit_id, version=1, running_text="")
        .on_conflict_do_update(index_elements=[QueueState.unit_id], set_={"version": QueueState.version + 1})
        .returning(QueueState),
        execution_options={"populate_existing": True},
    ).one()
    # The row itself cannot be asked for again without a query: the session's identity map holds
    # unchanged rows weakly, and nothing keeps this one once the action returns its ticket.
    db.session.info.setdefault(_RAISED_VERSIONS, {})[unit_id] = state.version
    return state.version


def raised_version(unit_id: int) -> int:
    """The version ``bump_version`` last raised the unit's queue to in this session.

    For the unit of work that just raised it (a counter's call announces the version it made); a
    session lives for one request or task. A LookupError when it raised none: an announcement
    without its version raise is a bug, never a version 0 that would send every display back to its snapshot.
    """
    raised = db.session.info.get(_RAISED_VERSIONS, {})
    if unit_id not in raised:
        raise LookupError(f"the queue version of unit {unit_id} was not raised in this session")
    return raised[unit_id]


def _held_by(counter: Counter, now: datetime | None) -> Select:
    """The tickets the counter has called or is serving today, the latest call first."""
    return (
        select(Ticket)
        .where(
            Ticket.counter_id == counter.id,
            Ticket.day == local_today(counter.unit, now),
            Ticket.status.in_([Ticket.CALLED, Ticket.SERVING]),
        )
        .order_by(Ticket.called_at.desc())
    )


def current_ticket(counter: Counter, now: datetime | None = None) -> Ticket | None:
    """The ticket a counter has called or is serving today."""
    return db.session.scalar(_held_by(counter, now))


def _finish(ticket: Ticket, now: datetime) -> None:
    """Mark the ticket served and announce it before the caller commits (see antrian.signals).

    ``_release_held`` does the same to a ticket being served in the statement that finds it.
    """
    ticket.status = Ticket.DONE
    ticket.serving_at = ticket.serving_at or ticket.called_at
    ticket.finished_at = now
    ticket_served.send(ticket)


def _release_held(counter: Counter, keep: int | None, now: datetime | None) -> Ticket | None:
    """Settle the ticket the counter holds before it calls another (``keep``: the one it is about to call).

    A ticket only called (never started) is refused with StillCalledError: the visitor may
    never have seen the call (a crash between the commit and the announcement, security M4),
    so the officer chooses Mulai, Tidak hadir or Selesai. A ticket being served is finished:
    the officer started it, so the visitor came, and "Panggil berikutnya" as "done, next" keeps
    a fast counter at one key per visitor (the behaviour before this rule, kept on purpose).
    Returns the ticket finished, if any. Never commits.

    One statement finds the held ticket (``_held_by``, as ``current_ticket`` does) and finishes it if it is being
    served, leaving one only called as it is; its RETURNING tells which. A counter's call waits for
    every statement before the lobby hears it (docs/realtime.md, "How fast a call reaches a screen").
    """
    moment = _now(now)
    latest_held = (
        _held_by(counter, now)
        .with_only_columns(Ticket.id)
        .limit(1)
        .correlate(None)  # its own read of the ticket table, not the row being updated
        .scalar_subquery()
    )
    served = Ticket.status == Ticket.SERVING
    held = db.session.scalar(
        update(Ticket)
        .where(Ticket.id == latest_held, Ticket.status.in_([Ticket.CALLED, Ticket.SERVING]),
               *([Ticket.id != keep] if keep is not None else []))
        .values(  # each CASE reads the row as it was: only a ticket being served changes (its serving_at is set)
            status=case((served, Ticket.DONE), else_=Ticket.status),
            finished_at=case((served, moment), else_=Ticket.finished_at),
        )
        .returning(Ticket)
    )
    if held is None:
        return None
    if held.status == Ticket.CALLED:
        raise StillCalledError(held)  # unchanged by the statement; its unit of work rolls back
    ticket_served.send(held)
    return held


@transactional(serial=True)
def call_next(counter: Counter, now: datetime | None = None) -> Ticket | None:
    """Call the next ticket over the counter's services (antrian.reading.call_order); None if nobody waits.

    Finishes the ticket the counter is serving; refuses (StillCalledError, nothing changed)
    while it holds one that was only called (``_release_held``). Two counters pressing at once
    never get the same ticket: the claim is one UPDATE whose subquery locks the ticket it picks
    (SKIP LOCKED on PostgreSQL, so the second counter takes the next one at once; on SQLite the
    unit of work holds the one write lock). The called ticket comes back from the claim's RETURNING:
    the caller's unit of work (antrian.counter.act) builds its announcement before the commit, and
    every query before the announcement is time the lobby waits for the number (docs/realtime.md).
    """
    moment = _now(now)
    service_ids = [s.id for s in counter.queue_services]
    if not service_ids:
        raise QueueError("Loket ini belum melayani layanan antrian apa pun.")
    held = _release_held(counter, None, now)
    # Uncorrelated: the subquery reads the ticket table on its own, not the row being updated.
    next_waiting = (
        waiting_order(
            select(Ticket.id).where(
                Ticket.queue_service_id.in_(service_ids),
                Ticket.day == local_today(counter.unit, now),
                Ticket.status == Ticket.WAITING,
            ),
            moment,
        )
        .limit(1)
        .with_for_update(skip_locked=True)
        .correlate(None)
        .scalar_subquery()
    )
    claimed = db.session.scalar(
        update(Ticket)
        .where(Ticket.id == next_waiting, Ticket.status == Ticket.WAITING)
        .values(status=Ticket.CALLED, counter_id=counter.id, called_at=moment, call_count=Ticket.call_count + 1)
        .returning(Ticket)
    )
    if claimed is not None or held is not None:
        bump_version(counter.unit_id)
    return claimed


def _counter_ticket(counter: Counter, ticket_id: int) -> Ticket:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.unit_id != counter.unit_id:
        raise QueueError("Tiket tidak ditemukan.")
    return ticket


@transactional(serial=True)
def recall(counter: Counter, ticket_id: int, now: datetime | None = None) -> Ticket:
    """Announce a ticket again; a skipped (no-show) ticket of today comes back to this counter."""
    ticket = _counter_ticket(counter, ticket_id)
    if ticket.day != local_today(counter.unit, now):
        raise QueueError("Tiket hari lain tidak dapat dipanggil.")
    if ticket.status not in (Ticket.CALLED, Ticket.SERVING, Ticket.SKIPPED):
        raise QueueError(f"Tiket {ticket.number} tidak sedang dipanggil.")
    if ticket.status == Ticket.SKIPPED or ticket.counter_id != counter.id:
        _release_held(counter, ticket.id, now)  # the same rule as calling the next number
    ticket.status = Ticket.CALLED if ticket.status == Ticket.SKIPPED else ticket.status
    ticket.counter_id = counter.id
    ticket.called_at = _now(now)
    ticket.call_count += 1
    bump_version(counter.unit_id)
    return ticket


def _held(counter: Counter, ticket_id: int) -> Ticket:
    """The ticket the counter holds now (called or serving); QueueError otherwise."""
    ticket = _counter_ticket(counter, ticket_id)
    if ticket.counter_id != counter.id or ticket.status not in (Ticket.CALLED, Ticket.SERVING):
        raise QueueError(f"Tiket {ticket.number} tidak sedang di loket ini.")
    return ticket


@transactional(serial=True)
def skip(counter: Counter, ticket_id: int, now: datetime | None = None) -> Ticket:
    """Mark a called ticket as a no-show; it can still be recalled today.

    ``now`` is not used (a no-show keeps its call time): it is there so that recall, skip,
    start_serving and finish take the same arguments and one dispatcher calls them alike.
    """
    ticket = _held(counter, ticket_id)
    ticket.status = Ticket.SKIPPED
    bump_version(counter.unit_id)
    return ticket


@transactional(serial=True)
def start_serving(counter: Counter, ticket_id: int, now: datetime | None = None) -> Ticket:
    """The visitor has come to the counter."""
    ticket = _held(counter, ticket_id)
    ticket.status = Ticket.SERVING
    ticket.serving_at = _now(now)
    bump_version(counter.unit_id)
    return ticket


@transactional(serial=True)
def finish(counter: Counter, ticket_id: int, now: datetime | None = None) -> Ticket:
    """The visitor has been served."""
    ticket = _held(counter, ticket_id)
    _finish(ticket, _now(now))
    bump_version(counter.unit_id)
    return ticket


@transactional(serial=True)
def transfer(counter: Counter, ticket_id: int, target: QueueService) -> Ticket:
    """Send a ticket to another service's line, keeping its number and its place by arrival time."""
    ticket = _held(counter, ticket_id)
    if target.unit_id != counter.unit_id:
        raise QueueError("Layanan tujuan tidak ada di instansi ini.")
    if target.id == ticket.queue_service_id:
        raise QueueError("Tiket sudah berada di antrian layanan itu.")
    ticket.transferred_from_id = ticket.queue_service_id
    ticket.queue_service_id = target.id
    ticket.status = Ticket.WAITING
    ticket.counter_id = None
    # call_count counts the calls in the current line (docs/realtime.md): the first call in the
    # new line is a first call, not a recall, and displays must not announce it as one.
    ticket.call_count = 0
    # Waiting again in another line: the visitor who left a number is told again when that line
    # comes near and when it calls them (antrian.notify claims each flag once per line).
    ticket.near_sent = False
    ticket.called_sent = False
    bump_version(counter.unit_id)
    return ticket
