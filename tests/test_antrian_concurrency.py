"""Many kiosks and counters at the same moment: numbers unique and gapless, each ticket called once.

Runs on SQLite (one writer) and on PostgreSQL (row locks, SKIP LOCKED) when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import threading
from collections import Counter as Tally

from sqlalchemy import func, select

from antrian.issuing import issue_ticket
from antrian.models import Counter, QueueService, Ticket
from antrian.service import QueueError, call_next, start_serving
from webapp.core.extensions import db

KIOSKS = 8
TICKETS_PER_KIOSK = 12


def _run_in_threads(app, count: int, work) -> list:
    """Run ``work(index)`` in ``count`` threads released together; returns results and errors."""
    barrier = threading.Barrier(count)
    results: list = []
    errors: list = []
    lock = threading.Lock()

    def runner(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                value = work(index)
                with lock:
                    results.append(value)
            except Exception as exc:
                with lock:
                    errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return results


def test_kiosks_issuing_at_once_get_unique_gapless_numbers(app, make_queue):
    queue = make_queue()
    service_id = queue["A"].id

    def kiosk(_: int) -> list[int]:
        service = db.session.get(QueueService, service_id)
        return [issue_ticket(service).sequence for _ in range(TICKETS_PER_KIOSK)]

    batches = _run_in_threads(app, KIOSKS, kiosk)
    sequences = sorted(s for batch in batches for s in batch)
    assert sequences == list(range(1, KIOSKS * TICKETS_PER_KIOSK + 1))
    stored = db.session.scalars(select(Ticket.number).where(Ticket.queue_service_id == service_id)).all()
    assert len(stored) == len(set(stored)) == KIOSKS * TICKETS_PER_KIOSK


def test_the_daily_cap_holds_when_kiosks_race_for_the_last_numbers(app, make_queue):
    cap = 20
    queue = make_queue(daily_cap=cap)
    service_id = queue["A"].id

    def kiosk(_: int) -> tuple[list[int], list[str]]:
        service = db.session.get(QueueService, service_id)
        issued, refused = [], []
        for _ in range(TICKETS_PER_KIOSK // 2):
            try:
                issued.append(issue_ticket(service).sequence)
            except QueueError as exc:
                refused.append(str(exc))
        return issued, refused

    batches = _run_in_threads(app, KIOSKS, kiosk)
    assert sorted(s for issued, _ in batches for s in issued) == list(range(1, cap + 1))
    refusals = [message for _, refused in batches for message in refused]
    assert len(refusals) == KIOSKS * (TICKETS_PER_KIOSK // 2) - cap
    assert all("Kuota harian" in message for message in refusals)
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == cap


def test_counters_calling_at_once_never_share_a_ticket(app, make_queue, make_unit):
    queue = make_queue()
    unit = queue["unit"]
    extra = [Counter(unit=unit, number=n, name=f"Loket {n}", queue_services=[queue["A"]]) for n in range(3, 7)]
    db.session.add_all(extra)
    db.session.commit()
    for _ in range(40):
        issue_ticket(queue["A"])
    counter_ids = [queue["loket1"].id, queue["loket2"].id, *(c.id for c in extra)]

    def counter(index: int) -> list[int]:
        mine = db.session.get(Counter, counter_ids[index])
        called = []
        while (ticket := call_next(mine)) is not None:
            called.append(ticket.id)
            start_serving(mine, ticket.id)  # the next call finishes a ticket being served, not one only called
        return called

    batches = _run_in_threads(app, len(counter_ids), counter)
    called = [ticket_id for batch in batches for ticket_id in batch]
    assert len(called) == 40
    assert max(Tally(called).values()) == 1
    assert db.session.scalars(select(Ticket.status)).all().count(Ticket.WAITING) == 0


def test_one_counter_pressing_panggil_twice_at_once_calls_one_visitor(app, make_queue, make_user):
    """A double click, or the panel in two tabs: the presses are done one after the other, and the second is
    refused because the first's visitor is still only called (no second visitor sent to the same desk)."""
    from antrian.counter import act, counter_with_lines
    from antrian.service import StillCalledError
    from webapp.auth.models import User

    queue = make_queue()
    for _ in range(5):
        issue_ticket(queue["A"])
    officer_id, counter_id = make_user(role="petugas_loket", unit=queue["unit"]).id, queue["loket1"].id

    def press(_: int) -> str:
        try:
            return act(counter_with_lines(counter_id), "panggil", db.session.get(User, officer_id)).called.number
        except StillCalledError:
            return "refused"

    answers = _run_in_threads(app, 4, press)
    assert sorted(answers) == ["A-001", "refused", "refused", "refused"]
    assert db.session.scalars(select(Ticket.number).where(Ticket.status == Ticket.CALLED)).all() == ["A-001"]
