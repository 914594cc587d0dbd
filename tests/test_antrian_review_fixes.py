"""Review fixes of the queue: who may leave a number, transfers and notifications, the printer address."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from antrian.events import publish_change
from antrian.issuing import issue_ticket
from antrian.models import Ticket
from antrian.notify import MAX_TICKETS_PER_PHONE, TOPIC_CALLED, TOPIC_NEAR, masked_phone, set_contact
from antrian.printing import PrinterAddressError, parse_printer_address, printer_target
from antrian.reading import position, positions
from antrian.service import QueueError, call_next, transfer
from tests.test_antrian_rules import MONDAY_9
from tests.test_kiosk import _register
from tests.test_phone_ticket import PHONE_STORED, PHONE_TYPED, _leave_number, _messages
from webapp.core import formatting
from webapp.core.extensions import db
from webapp.core.phone import mask_phone
from webapp.outbox.models import mask_recipient


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


@pytest.mark.parametrize(("text", "message"), [
    ("127.0.0.1:9100", "tidak diizinkan"),
    ("localhost:9100", "tidak diizinkan"),
    ("169.254.169.254:9100", "tidak diizinkan"),
    ("0.0.0.0:9100", "tidak diizinkan"),
    ("224.0.0.1:9100", "tidak diizinkan"),
    ("192.168.1.50:6379", "Port printer harus antara 9100 dan 9109"),
    ("10.0.0.5:22", "Port printer harus antara 9100 dan 9109"),
])
def test_a_printer_address_pointing_elsewhere_is_refused(text, message):
    address = parse_printer_address(text)
    assert address is not None
    with pytest.raises(PrinterAddressError, match=message):
        printer_target(address)


def test_an_office_printer_is_allowed_and_the_ip_is_what_is_connected_to():
    assert printer_target(("192.168.1.50", 9100)) == ("192.168.1.50", 9100)
    assert printer_target(("10.0.0.5", 9109)) == ("10.0.0.5", 9109)


def test_the_kiosk_form_refuses_redis_on_this_server(app, client, make_queue, make_user):
    q = make_queue()
    answer = _register(app, client, make_user, q["unit"], cetak="escpos", printer="127.0.0.1:6379")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Port printer harus antara 9100 dan 9109" in page and 'value="127.0.0.1:6379"' in page
    local = _register(app, client, make_user, q["unit"], cetak="escpos", printer="127.0.0.1:9100")
    assert local.status_code == 422 and "Alamat printer tidak diizinkan" in local.get_data(as_text=True)


def test_one_phone_masker_for_the_ticket_page_and_the_outbox(make_queue):
    q = make_queue()
    ticket = issue_ticket(q["A"])
    set_contact(ticket, PHONE_TYPED)
    assert masked_phone(ticket) == mask_recipient(PHONE_STORED) == mask_recipient(PHONE_TYPED) == "0812*****890"
    assert mask_phone("") == "" and mask_phone("12345") == "*****"


def test_one_decimal_formatter():
    assert not hasattr(formatting, "desimal")
    assert formatting.angka(Fraction(1, 3), 3) == "0,333" and formatting.angka(Decimal("78.245")) == "78,25"
    assert formatting.angka(1234.5, 1) == "1.234,5" and formatting.angka(-0.25, 1) == "-0,3"
    assert formatting.menit(2.25) == "2,3 menit"


def test_positions_in_one_query_match_position_per_ticket(make_queue):
    q = make_queue()
    tickets = [issue_ticket(q["A"], now=MONDAY_9), issue_ticket(q["B"], now=MONDAY_9),
               issue_ticket(q["A"], now=MONDAY_9), issue_ticket(q["A"], priority_reason="lansia", now=MONDAY_9),
               issue_ticket(q["B"], now=MONDAY_9), issue_ticket(q["A"], now=MONDAY_9)]
    call_next(q["loket2"], now=MONDAY_9)  # the priority ticket leaves line A's waiting list
    ids = [t.id for t in tickets]
    found = positions(q["unit"].id, tickets[0].day, ids)
    db.session.expire_all()
    expected = {t.id: position(db.session.get(Ticket, t.id)) for t in tickets}
    assert found == {i: ahead for i, ahead in expected.items() if ahead is not None}
    assert sorted(found.values()) == [0, 0, 1, 1, 2]
    assert positions(q["unit"].id, tickets[0].day, []) == {}
