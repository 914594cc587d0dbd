"""Review fixes of the queue: who may leave a number, transfers and notifications, the printer address."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from antrian.events import publish_change
from antrian.issuing import issue_ticket
from antrian.models import Ticket
from antrian.notify import MAX_TICKETS_PER_PHONE, TOPIC_CALLED, TOPIC_NEAR, set_contact
from antrian.service import QueueError, call_next, transfer
from tests.test_phone_ticket import PHONE_STORED, PHONE_TYPED, _leave_number, _messages
from webapp.core.extensions import db


def test_a_number_is_taken_only_on_a_waiting_ticket(make_queue):
    q = make_queue()
    ticket = issue_ticket(q["A"])
    call_next(q["loket1"])
    with pytest.raises(QueueError, match="masih menunggu"):
        set_contact(ticket, PHONE_TYPED)
    db.session.refresh(ticket)
    assert ticket.phone is None


def test_a_ticket_closed_meanwhile_is_reread_inside_the_unit_of_work(make_queue):
    q = make_queue()
    ticket = issue_ticket(q["A"])
    # Another request cancels it after this one loaded the ticket: the stale object still says waiting.
    db.session.execute(update(Ticket).where(Ticket.id == ticket.id).values(status=Ticket.CANCELLED)
                       .execution_options(synchronize_session=False))  # fmt: skip
    db.session.commit()
    set_committed_value(ticket, "status", Ticket.WAITING)  # the view's stale copy, not a change to flush
    with pytest.raises(QueueError):
        set_contact(ticket, PHONE_TYPED)
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).phone is None


def test_one_number_on_at_most_three_tickets_a_day(client, make_queue):
    q = make_queue()
    tickets = [issue_ticket(q["A"]) for _ in range(MAX_TICKETS_PER_PHONE + 1)]
    for ticket in tickets[:-1]:
        set_contact(ticket, PHONE_TYPED)
    set_contact(tickets[0], PHONE_TYPED)  # the same number again on a ticket that has it: fine
    response = _leave_number(client, tickets[-1], PHONE_TYPED)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "sudah dititipkan pada 3 tiket" in page
    db.session.refresh(tickets[-1])
    assert tickets[-1].phone is None
    assert [t.phone for t in tickets[:-1]] == [PHONE_STORED] * MAX_TICKETS_PER_PHONE


def test_a_transferred_ticket_is_told_again_in_its_new_line(make_queue):
    q = make_queue()
    mine = issue_ticket(q["A"])
    set_contact(mine, PHONE_TYPED)
    publish_change(q["unit"])
    called = call_next(q["loket1"])
    assert called.id == mine.id
    publish_change(q["unit"], called=called)
    assert len(_messages(TOPIC_NEAR)) == 1 and len(_messages(TOPIC_CALLED)) == 1
    moved = transfer(q["loket1"], mine.id, q["B"])
    assert (moved.near_sent, moved.called_sent) == (False, False)
    publish_change(q["unit"])  # first in line B: near again
    assert len(_messages(TOPIC_NEAR)) == 2
    again = call_next(q["loket1"])
    assert again.id == mine.id
    publish_change(q["unit"], called=again)
    assert len(_messages(TOPIC_CALLED)) == 2
