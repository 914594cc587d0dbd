"""Reservasi: days and slots (holidays, closures, cut-off), booking and its code, fairness, check-in and the call
order, reminders, no-shows, erasure, and the last place raced from 20 threads. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import url_for
from sqlalchemy import event, func, select

from antrian.issuing import issue_ticket
from antrian.models import Ticket
from antrian.service import call_next
from tests.conftest import csrf_from
from webapp.core.extensions import db, limiter
from webapp.outbox.models import OutboxMessage
from webapp.reservasi.models import Booking, BookingSlot
from webapp.reservasi.service import (
    BookingError,
    Contact,
    book,
    booking_days,
    cancel,
    check_in,
    clean_code,
    code_hash,
    erase_personal_data,
    find_booking,
    link_key,
    mark_no_shows,
    move,
    send_reminders,
    setup_of,
    slots,
    statistics,
)
from webapp.workdays.models import Closure

# Tuesday 1 December 2026, 08.00 WIB.
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
DAY = date(2026, 12, 2)  # Wednesday
NINE = time(9, 0)
NINE_UTC = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 09.00 WIB


def wib(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware UTC moment of a WIB wall-clock time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def _book(line, phone="081234567890", day=DAY, start=NINE, now=NOW, **contact):
    return book(line, day, start, Contact(contact.pop("name", "Warga Uji"), phone, **contact), now=now)


# --- days and slots -------------------------------------------------------------------------------


def test_two_of_four_places_are_bookable_with_half_kept_for_walk_ins(booking_line):
    line = booking_line()["A"]
    setup = setup_of(line)
    assert setup.bookable_places == 2
    day_slots = slots(line, setup, DAY, NOW)
    assert len(day_slots) == 48  # open all day, 30-minute slots
    assert {s.available for s in day_slots} == {2}
    assert day_slots[18].start == NINE and day_slots[18].end == time(9, 30)


def test_days_skip_weekends_national_holidays_and_the_units_closures(booking_line):
    queue = booking_line(days_ahead=30)
    line = queue["A"]
    db.session.add(Closure(day=date(2026, 12, 3), reason="Rapat kerja", unit_id=queue["unit"].id))
    db.session.commit()
    days = booking_days(line, setup_of(line), NOW)
    assert days[0] == date(2026, 12, 1)  # today still has slots to come
    assert date(2026, 12, 3) not in days  # the unit's closure
    assert date(2026, 12, 5) not in days and date(2026, 12, 6) not in days  # Saturday, Sunday
    assert date(2026, 12, 25) not in days  # Natal
    assert date(2026, 12, 31) == days[-1]  # 30 days ahead
    with pytest.raises(BookingError) as refused:
        _book(line, day=date(2026, 12, 25))
    assert refused.value.field == "date" and refused.value.status == 422


def test_a_slot_that_has_begun_is_no_longer_booked_and_the_horizon_ends(booking_line):
    line = booking_line()["A"]
    today = date(2026, 12, 1)
    now = wib(today, 9, 10)
    offered = [s.start for s in slots(line, setup_of(line), today, now)]
    assert time(9, 0) not in offered and time(9, 30) in offered
    with pytest.raises(BookingError, match="Jam ini tidak tersedia"):
        _book(line, day=today, start=time(9, 0), now=now)
    with pytest.raises(BookingError, match="Tanggal ini tidak dapat dipesan"):
        _book(line, day=date(2026, 12, 16), now=now)  # beyond 14 days ahead


def test_a_line_that_takes_no_bookings_refuses(booking_line):
    queue = booking_line()
    with pytest.raises(BookingError, match="tidak menerima reservasi"):
        _book(queue["B"])


# --- booking --------------------------------------------------------------------------------------


def test_a_booking_has_a_short_code_of_which_only_the_hash_is_kept_and_a_confirmation(booking_line):
    line = booking_line()["A"]
    booking, code = _book(line, name="Siti Aminah")
    assert len(code) == 8 and clean_code(code) == code and not set(code) & set("01OI")
    assert booking.code_hash == code_hash(code) and code not in booking.code_hash
    assert booking.code_tail == code[-4:]
    assert find_booking(code.lower()) == booking
    assert find_booking(f"{code[:4]}-{code[4:]}") == booking
    assert find_booking(f"http://loket.example/reservasi/{code}") == booking  # a scanned QR
    assert find_booking(link_key(booking)) == booking
    assert find_booking("AAAAAAAA") is None and find_booking("x.y") is None
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.recipient == "6281234567890" and message.channel == "whatsapp"
    assert f"{code[:4]}-{code[4:]}" in message.body and f"/reservasi/{code}" in message.body
    assert "Siti" not in message.body  # no name in a message body (the development sender logs it)
    assert db.session.scalar(select(BookingSlot.taken)) == 1


def test_contact_rules_name_the_field(booking_line):
    line = booking_line()["A"]
    with pytest.raises(BookingError) as no_contact:
        _book(line, phone="")
    assert no_contact.value.field == "phone" and no_contact.value.status == 422
    with pytest.raises(BookingError) as bad:
        _book(line, phone="12345")
    assert bad.value.field == "phone"
    with pytest.raises(BookingError) as nik:
        _book(line, nik="1471010101010001")  # the unit does not ask for it
    assert nik.value.field == "nik"
    booking, _ = _book(line, phone="", email="Warga@Contoh.id")
    assert booking.email == "warga@contoh.id" and booking.phone is None


def test_the_slot_is_never_overbooked(booking_line):
    line = booking_line()["A"]
    _book(line, phone="081200000001")
    _book(line, phone="081200000002")
    with pytest.raises(BookingError, match="penuh") as full:
        _book(line, phone="081200000003")
    assert full.value.status == 409
    assert [s.available for s in slots(line, setup_of(line), DAY, NOW) if s.start == NINE] == [0]


def test_one_active_booking_per_phone_per_line_and_day_configurable(booking_line):
    line = booking_line()["A"]
    first, _ = _book(line)
    with pytest.raises(BookingError, match="sudah punya reservasi") as twice:
        _book(line, start=time(10, 0))
    assert twice.value.status == 409
    _book(line, day=date(2026, 12, 4))  # another day is fine
    cancel(first)
    _book(line, start=time(10, 0))  # cancelled: the phone may book that day again
    setup_of(line).max_per_contact = 2
    db.session.commit()
    _book(line, start=time(11, 0), phone="081299999999")
    _book(line, start=time(11, 30), phone="081299999999")


def test_two_no_shows_in_14_days_block_booking_for_that_phone(booking_line, runner):
    line = booking_line()["A"]
    _book(line, day=date(2026, 12, 1), start=time(10, 0))
    _book(line, day=date(2026, 12, 2), start=time(10, 0))
    result = runner.invoke(args=["reservasi", "tidak-datang", "--sekarang", "2026-12-03T00:05+07:00"])
    assert result.exit_code == 0 and "2 reservasi ditandai tidak datang" in result.output
    with pytest.raises(BookingError, match="2 kali tidak datang") as blocked:
        _book(line, day=date(2026, 12, 4), now=wib(date(2026, 12, 3), 8))
    assert blocked.value.status == 409
    _book(line, day=date(2026, 12, 4), now=wib(date(2026, 12, 3), 8), phone="081277777777")  # others still book
    # 14 days after the later no-show, the phone books again.
    later = wib(date(2026, 12, 17), 8)
    setup_of(line).days_ahead = 30
    db.session.commit()
    _book(line, day=date(2026, 12, 18), now=later)


def test_moving_keeps_the_code_gives_the_old_place_back_and_follows_the_rules(booking_line):
    line = booking_line()["A"]
    booking, code = _book(line)
    _book(line, start=time(10, 0), phone="081200000001")
    _book(line, start=time(10, 0), phone="081200000002")
    with pytest.raises(BookingError, match="penuh"):
        move(booking, DAY, time(10, 0), now=NOW)
    move(booking, DAY, time(11, 0), now=NOW)
    assert find_booking(code).start == time(11, 0)
    taken = dict(db.session.execute(select(BookingSlot.start, BookingSlot.taken)).all())
    assert taken[NINE] == 0 and taken[time(11, 0)] == 1
    cancel(booking)
    assert db.session.scalar(select(BookingSlot.taken).where(BookingSlot.start == time(11, 0))) == 0
    with pytest.raises(BookingError):
        cancel(booking)


def test_a_line_keeping_every_place_for_walk_ins_refuses_bookings_as_full(booking_line):
    line = booking_line(walk_in_percent=100)["A"]
    with pytest.raises(BookingError, match="penuh") as full:
        _book(line)
    assert full.value.status == 409
    assert db.session.scalar(select(func.count()).select_from(BookingSlot)) == 0


def test_a_booking_is_one_write_transaction_of_few_statements(app, booking_line):
    """The statements of one booking, counted (bench/bench_booking.py times them): line, unit and setup in one
    read, no count of the day's places (the claim is one upsert), both fairness counts in one query."""
    line = booking_line()["A"]
    _book(line, phone="081200000001")  # the slot's row exists: the claim below is the upsert's update
    db.session.commit()
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        _book(line, phone="081200000002")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # SELECT line+unit+setup, closures, fairness; INSERT..ON CONFLICT claim, booking, outbox (+ BEGIN on SQLite).
    assert [s for s in seen if s != "BEGIN"] == ["SELECT", "SELECT", "SELECT", "INSERT", "INSERT", "INSERT"], seen


# --- the last place, raced --------------------------------------------------------------------------


def test_twenty_visitors_racing_for_the_last_place_give_exactly_one_booking(app, booking_line):
    line = booking_line()["A"]
    _book(line, phone="081200000000")  # one of the two places is taken
    db.session.commit()
    line_id = line.id
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def visitor(index: int) -> None:
        from antrian.models import QueueService

        with app.app_context():
            try:
                own = db.session.get(QueueService, line_id)
                db.session.commit()  # hand the connection back: SQLite's pool holds 15, and 20 wait below
                barrier.wait(timeout=60)
                try:
                    _book(own, phone=f"08130000{index:04d}")
                    outcome = "booked"
                except BookingError as exc:
                    outcome = "full" if "penuh" in str(exc) else repr(exc)
            except Exception as exc:  # reported by the assertion below
                outcome = repr(exc)
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["booked"] + ["full"] * 19
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 2
    assert db.session.scalar(select(BookingSlot.taken)) == 2


# --- check-in and the call order -------------------------------------------------------------------


def test_early_arrivals_wait_for_the_grace_window_late_ones_get_the_walk_in_rule(booking_line):
    queue = booking_line()
    early, _ = _book(queue["A"], phone="081200000001")
    with pytest.raises(BookingError, match=r"dibuka pukul 08\.45"):
        check_in(early, now=wib(DAY, 8, 40))
    with pytest.raises(BookingError, match="bukan hari ini"):
        check_in(early, now=wib(date(2026, 12, 1), 9))
    done = check_in(early, now=wib(DAY, 8, 45))
    assert not done.late and done.ticket.number == "RA-001" and done.ticket.booked_from == NINE_UTC
    assert find_booking(link_key(early)).status == Booking.HADIR
    with pytest.raises(BookingError, match="sudah check-in dengan nomor RA-001"):
        check_in(early, now=wib(DAY, 8, 46))
    late, _ = _book(queue["A"], phone="081200000002")
    done = check_in(late, now=wib(DAY, 9, 31))
    assert done.late and done.ticket.number == "A-002" and done.ticket.booked_from is None
    assert "terlambat" in done.message and "antrian biasa" in done.message


def test_a_booked_ticket_keeps_the_booker_s_language_and_phone_for_its_messages(booking_line):
    """Check-in links the booking's phone and language to the ticket, as a visitor leaving a number would."""
    line = booking_line()["A"]
    english, _ = _book(line, locale="en")
    silent, _ = _book(line, phone="", email="warga@example.org", start=time(9, 30))
    booked = check_in(english, now=wib(DAY, 8, 50)).ticket
    late = check_in(silent, now=wib(DAY, 10, 30)).ticket  # the walk-in path of a check-in
    db.session.commit()
    assert (booked.locale, booked.phone) == ("en", english.phone) and english.phone
    assert (late.locale, late.phone) == ("id", None)


def test_a_phone_the_queue_refuses_does_not_stop_the_check_in(booking_line):
    """The number already rides on as many tickets as the queue allows today: the booked ticket goes without it."""
    from antrian.notify import MAX_TICKETS_PER_PHONE, set_contact

    line = booking_line()["A"]
    booking, _ = _book(line)
    for minute in range(MAX_TICKETS_PER_PHONE):
        set_contact(issue_ticket(line, now=wib(DAY, 8, minute)), booking.phone, now=wib(DAY, 8, minute))
    done = check_in(booking, now=wib(DAY, 8, 50))
    db.session.commit()
    assert done.booking.status == Booking.HADIR and done.ticket.phone is None


def test_a_booked_ticket_is_called_after_priority_and_before_earlier_walk_ins_from_its_slot_start(booking_line):
    queue = booking_line()
    line, counter = queue["A"], queue["loket2"]
    booking, _ = _book(line)
    walk_in = issue_ticket(line, now=wib(DAY, 8, 30))
    second_walk_in = issue_ticket(line, now=wib(DAY, 8, 31))
    booked = check_in(booking, now=wib(DAY, 8, 50)).ticket
    priority = issue_ticket(line, now=wib(DAY, 8, 55), priority_reason="lansia")
    db.session.commit()
    # Before 09.00 the booked ticket waits by its arrival: it is not ahead of the whole day.
    assert call_next(counter, now=wib(DAY, 8, 56)).id == priority.id
    db.session.get(Ticket, priority.id).status = Ticket.DONE
    db.session.commit()
    assert call_next(counter, now=wib(DAY, 8, 57)).id == walk_in.id
    db.session.get(Ticket, walk_in.id).status = Ticket.DONE
    db.session.commit()
    # From its slot's start it goes before the walk-in who came earlier.
    assert call_next(counter, now=wib(DAY, 9, 1)).id == booked.id
    db.session.get(Ticket, booked.id).status = Ticket.DONE
    db.session.commit()
    assert call_next(counter, now=wib(DAY, 9, 2)).id == second_walk_in.id


def test_position_counts_a_started_booked_ticket_ahead(booking_line):
    from antrian.reading import position

    queue = booking_line()
    line = queue["A"]
    booking, _ = _book(line)
    walk_in = issue_ticket(line, now=wib(DAY, 8, 30))
    booked = check_in(booking, now=wib(DAY, 8, 50)).ticket
    db.session.commit()
    assert position(walk_in, now=wib(DAY, 8, 55)) == 0 and position(booked, now=wib(DAY, 8, 55)) == 1
    assert position(walk_in, now=wib(DAY, 9, 0)) == 1 and position(booked, now=wib(DAY, 9, 0)) == 0


# --- reminders, no-shows, erasure -----------------------------------------------------------------


def _topics() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.topic).order_by(OutboxMessage.id)))


def test_reminders_go_the_afternoon_before_and_an_hour_before_once_each(booking_line, runner):
    line = booking_line()["A"]
    booking, _ = _book(line)
    cancelled, _ = _book(line, phone="081200000009")
    cancel(cancelled)
    assert send_reminders(wib(date(2026, 12, 1), 14)) == 0  # before 15.00 the day before
    result = runner.invoke(args=["reservasi", "ingatkan", "--sekarang", "2026-12-01T15:05+07:00"])
    assert result.exit_code == 0 and "1 pengingat" in result.output
    assert send_reminders(wib(date(2026, 12, 1), 16)) == 0  # once
    assert send_reminders(wib(DAY, 7, 59)) == 0
    assert send_reminders(wib(DAY, 8, 1)) == 1
    assert send_reminders(wib(DAY, 8, 30)) == 0
    assert _topics() == ["reservasi.konfirmasi", "reservasi.konfirmasi", "reservasi.besok", "reservasi.sejam"]
    body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.topic == "reservasi.sejam")).one()
    assert f"/reservasi/{link_key(booking)}" in body and "Batal" in body


def test_a_moved_booking_is_reminded_of_its_new_slot_only(booking_line):
    line = booking_line()["A"]
    booking, _ = _book(line)
    assert send_reminders(wib(date(2026, 12, 1), 15, 30)) == 1
    move(booking, date(2026, 12, 4), NINE, now=wib(date(2026, 12, 1), 16))
    assert send_reminders(wib(DAY, 8, 1)) == 0  # nothing for the old slot
    assert send_reminders(wib(date(2026, 12, 3), 15, 30)) == 1


def test_personal_data_is_erased_90_days_after_the_day_and_the_counts_stay(booking_line, runner):
    queue = booking_line()
    _, code = _book(queue["A"], name="Budi", email="budi@contoh.id")
    mark_no_shows(wib(date(2026, 12, 3), 0, 5))
    assert erase_personal_data(wib(date(2027, 3, 2), 1)) == 0  # 90 days after: not yet
    result = runner.invoke(args=["reservasi", "hapus-data", "--sekarang", "2027-03-03T00:10+07:00"])
    assert result.exit_code == 0 and "dihapus dari 1 reservasi" in result.output
    erased = find_booking(code)
    assert (erased.name, erased.phone, erased.email, erased.nik) == (None, None, None, None)
    assert erased.erased_at is not None and erased.status == Booking.TIDAK_DATANG
    figures = statistics(queue["unit"], DAY, DAY)
    assert (figures[0].bookings, figures[0].no_shows, figures[0].show_up_rate) == (1, 1, 0.0)


def test_statistics_count_check_ins_no_shows_and_waits(booking_line):
    queue = booking_line()
    line, counter = queue["A"], queue["loket2"]
    came, _ = _book(line, phone="081200000001")
    _book(line, phone="081200000002")
    walk_in = issue_ticket(line, now=wib(DAY, 8, 40))
    check_in(came, now=wib(DAY, 8, 50))
    db.session.commit()
    call_next(counter, now=wib(DAY, 9, 5))  # the booked ticket: 5 minutes after its slot's start
    db.session.get(Ticket, db.session.scalar(select(Ticket.id).where(Ticket.booked_from.is_not(None)))).status = "done"
    db.session.commit()
    call_next(counter, now=wib(DAY, 9, 10))  # the walk-in: 30 minutes after arrival
    mark_no_shows(wib(date(2026, 12, 3), 0, 5))
    [figures] = statistics(queue["unit"], DAY, DAY)
    assert (figures.bookings, figures.checked_in, figures.no_shows) == (2, 1, 1)
    assert figures.show_up_rate == 50.0
    assert (figures.booked_wait, figures.walk_in_wait) == (5.0, 30.0)
    assert walk_in.id


# --- pages and the API ----------------------------------------------------------------------------


def _first_open_slot(line, setup):
    for day in booking_days(line, setup)[1:]:
        found = [s for s in slots(line, setup, day) if s.available]
        if found:
            return day, found[0]
    raise AssertionError("no slot")


def test_the_public_booking_form_books_and_its_page_shows_code_qr_and_checklist(app, client, booking_line,
                                                                                monkeypatch, make_service):
    monkeypatch.setitem(app.config, "RESERVASI_MIN_FILL_SECONDS", 0)
    queue = booking_line()
    line = queue["A"]
    line.service_id = make_service(unit=queue["unit"]).id
    db.session.commit()
    day, slot = _first_open_slot(line, setup_of(line))
    args = {"instansi": queue["unit"].slug, "layanan": "A", "tanggal": day.isoformat(),
            "jam": slot.start.strftime("%H:%M")}
    page = client.get(url_for("reservasi.start", **args))
    assert page.status_code == 200 and "Fotokopi KTP" in page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    token = csrf_from(client, url_for("reservasi.start", **args))
    import re

    started = re.search(r'name="started" type="hidden" value="([^"]+)"', html).group(1)
    empty = client.post(url_for("reservasi.submit", **args), data={"csrf_token": token, "started": started,
                                                                     "jam": args["jam"], "name": "Ani"})
    assert empty.status_code == 422 and "Tulis nomor HP" in empty.get_data(as_text=True)
    assert 'value="Ani"' in empty.get_data(as_text=True)  # what was typed is kept
    robot = client.post(url_for("reservasi.submit", **args), data={
        "csrf_token": token, "started": started, "jam": args["jam"], "name": "Ani", "phone": "081234567890",
        "website": "http://spam"})
    assert robot.status_code == 422
    done = client.post(url_for("reservasi.submit", **args), data={
        "csrf_token": token, "started": started, "jam": args["jam"], "name": "Ani", "phone": "081234567890"})
    assert done.status_code == 302
    key = done.headers["Location"].rsplit("/", 1)[-1]
    shown = client.get(url_for("reservasi.booking", key=key)).get_data(as_text=True)
    assert f"{key[:4]}-{key[4:]}" in shown and "qr.svg" in shown and "Fotokopi KTP" in shown
    assert "Ani" not in shown and "0812" not in shown  # no personal data on the public page
    assert client.get(url_for("reservasi.booking_qr", key=key)).mimetype == "image/svg+xml"
    assert client.get(url_for("reservasi.booking", key="ZZZZZZZZ")).status_code == 404


def test_a_slot_that_fills_before_the_submit_keeps_the_typed_data_and_offers_other_times(app, client,
                                                                                         booking_line, monkeypatch):
    """Another visitor took the last place meanwhile: the slot stays shown as full, nothing typed is lost."""
    import re

    monkeypatch.setitem(app.config, "RESERVASI_MIN_FILL_SECONDS", 0)
    line = booking_line()["A"]
    day, slot = _first_open_slot(line, setup_of(line))
    args = {"instansi": line.unit.slug, "layanan": "A", "tanggal": day.isoformat(),
            "jam": slot.start.strftime("%H:%M")}
    html = client.get(url_for("reservasi.start", **args)).get_data(as_text=True)
    started = re.search(r'name="started" type="hidden" value="([^"]+)"', html).group(1)
    token = csrf_from(client, url_for("reservasi.start", **args))
    for phone in ("081200000001", "081200000002"):  # the slot fills while the visitor types
        book(line, day, slot.start, Contact("Warga Lain", phone))
    typed = {"csrf_token": token, "started": started, "name": "Ani Rahayu", "phone": "081234567890"}
    full = client.post(url_for("reservasi.submit", **args), data={**typed, "jam": args["jam"]})
    page = full.get_data(as_text=True)
    assert full.status_code == 409
    assert 'value="Ani Rahayu"' in page and 'value="081234567890"' in page
    assert page.count("Jam ini sudah penuh") == 2  # beside the slot and in the error summary
    later = next(s for s in slots(line, setup_of(line), day) if s.available)
    assert f'type="radio" name="jam" value="{later.start.strftime("%H:%M")}"' in page
    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1).replace("&amp;", "&")
    no_time = client.post(action, data=typed)  # sent without picking another time: asked for one, data kept
    assert no_time.status_code == 422 and 'value="Ani Rahayu"' in no_time.get_data(as_text=True)
    done = client.post(action, data={**typed, "jam": later.start.strftime("%H:%M")})
    assert done.status_code == 302 and "/reservasi/" in done.headers["Location"]


def test_the_kiosk_links_its_check_in_screen_and_a_code_checks_in(app, client, booking_line, clock):
    queue = booking_line()
    unit = queue["unit"]
    _, code = _book(queue["A"])
    kiosk = client.get(url_for("antrian.kiosk", instansi=unit.slug)).get_data(as_text=True)
    assert "Saya sudah reservasi" in kiosk and url_for("reservasi.kiosk_checkin", instansi=unit.slug) in kiosk
    screen = url_for("reservasi.kiosk_checkin", instansi=unit.slug)
    clock.set(wib(DAY, 8, 30))
    early = client.post(screen, data={"csrf_token": csrf_from(client, screen), "kode": code})
    assert early.status_code == 409 and "08.45" in early.get_data(as_text=True)
    wrong = client.post(screen, data={"csrf_token": csrf_from(client, screen), "kode": "ABCD-EFGH"})
    assert wrong.status_code == 422 and "tidak dikenal" in wrong.get_data(as_text=True)
    clock.set(wib(DAY, 8, 50))
    done = client.post(screen, data={"csrf_token": csrf_from(client, screen), "kode": f"{code[:4]}-{code[4:]}"})
    assert done.status_code == 302 and "/antrian/tiket/" in done.headers["Location"]
    assert find_booking(code).ticket.number == "RA-001"
    assert "RA-001" in client.get(url_for("reservasi.booking", key=code)).get_data(as_text=True)


def test_the_kiosk_keeps_a_typed_code_after_an_error(app, client, booking_line, clock):
    """A visitor who typed a code by hand and got one character wrong corrects it instead of retyping it."""
    queue = booking_line()
    _, code = _book(queue["A"])
    screen = url_for("reservasi.kiosk_checkin", instansi=queue["unit"].slug)
    wrong = client.post(screen, data={"csrf_token": csrf_from(client, screen), "kode": "ABCD-EFGH"})
    assert wrong.status_code == 422 and 'value="ABCD-EFGH"' in wrong.get_data(as_text=True)
    clock.set(wib(DAY, 8, 30))
    early = client.post(screen, data={"csrf_token": csrf_from(client, screen), "kode": code})
    assert early.status_code == 409 and f'value="{code}"' in early.get_data(as_text=True)


def test_reservasi_url_answers_for_a_line_or_a_catalogue_service_that_takes_bookings(app, booking_line,
                                                                                      make_service):
    queue = booking_line()
    service = make_service(unit=queue["unit"])
    reservasi_url = app.jinja_env.globals["reservasi_url"]
    assert reservasi_url(service) is None
    queue["A"].service_id = service.id
    db.session.commit()
    assert reservasi_url(service) == url_for("reservasi.start", instansi=queue["unit"].slug, layanan="A")
    assert reservasi_url(queue["A"]) is not None and reservasi_url(queue["B"]) is None
    assert reservasi_url(None) is None


def test_api_slots_book_read_cancel(client, booking_line):
    queue = booking_line()
    line, unit = queue["A"], queue["unit"]
    day, slot = _first_open_slot(line, setup_of(line))
    answer = client.get(url_for("api.booking_slots", unit=unit.slug, service="A", date=day.isoformat()))
    assert answer.status_code == 200
    first = next(s for s in answer.get_json()["slots"] if s["start"] == slot.start.strftime("%H:%M"))
    assert first["available"] == 2 and first["end"]
    body = {"unit": unit.slug, "service": "A", "date": day.isoformat(), "start": first["start"], "name": "Ani",
            "phone": "081234567890"}
    created = client.post(url_for("api.create_booking"), json=body)
    assert created.status_code == 201
    data = created.get_json()
    assert data["slot"]["start"] == first["start"] and data["url"].endswith(data["code"].replace("-", ""))
    assert client.post(url_for("api.create_booking"), json=body).status_code == 409  # duplicate
    bad = client.post(url_for("api.create_booking"), json={**body, "phone": "123"})
    assert bad.status_code == 422 and "phone" in bad.get_json()["error"]["fields"]
    missing = client.post(url_for("api.create_booking"), json={"unit": unit.slug})
    assert missing.status_code == 422
    read = client.get(url_for("api.get_booking", code=data["code"])).get_json()
    assert read["status"] == "aktif" and read["ticket"] is None and "Ani" not in str(read)
    assert client.delete(url_for("api.delete_booking", code=data["code"])).status_code == 200
    assert client.delete(url_for("api.delete_booking", code=data["code"])).status_code == 409
    assert client.get(url_for("api.get_booking", code="ZZZZZZZZ")).status_code == 404


def test_api_check_in_needs_a_kiosk_or_staff_token_of_the_unit(client, booking_line, make_user, make_unit, clock):
    from tests.test_api_antrian import _staff_token

    queue = booking_line()
    _, code = _book(queue["A"])
    url = url_for("api.checkin_booking", code=code)
    assert client.post(url).status_code == 401
    other = _staff_token(make_user, make_unit(), role="petugas_loket")
    assert client.post(url, headers=other).status_code == 403
    headers = _staff_token(make_user, queue["unit"])
    clock.set(wib(DAY, 8, 0))
    early = client.post(url, headers=headers)
    assert early.status_code == 409 and "08.45" in early.get_json()["error"]["message"]
    clock.set(wib(DAY, 9, 0))
    done = client.post(url, headers=headers)
    assert done.status_code == 201 and done.get_json()["ticket"]["number"] == "RA-001"
    assert client.post(url_for("api.checkin_booking", code="ZZZZZZZZ"), headers=headers).status_code == 422


def test_staff_see_the_days_bookings_with_names_and_check_in_at_the_counter(client, login, booking_line, clock):
    queue = booking_line()
    unit = queue["unit"]
    _, code = _book(queue["A"], name="Siti Aminah")
    login("petugas_loket", unit=unit)
    page = url_for("reservasi.day_list", instansi=unit.slug, tanggal=DAY.isoformat())
    listing = client.get(page).get_data(as_text=True)
    assert "Siti Aminah" in listing and "0812-3456-7890" in listing
    clock.set(wib(DAY, 8, 55))
    done = client.post(url_for("reservasi.staff_checkin", instansi=unit.slug),
                       data={"csrf_token": csrf_from(client, page), "kode": code})
    assert done.status_code == 302
    assert "RA-001" in client.get(page).get_data(as_text=True)


def test_names_and_contacts_are_for_staff_of_the_unit_only(client, login, booking_line, make_unit):
    queue = booking_line()
    _book(queue["A"], name="Siti Aminah")
    login("petugas_loket", unit=make_unit())
    page = url_for("reservasi.day_list", instansi=queue["unit"].slug, tanggal=DAY.isoformat())
    assert client.get(page).status_code == 403


def test_the_setup_page_turns_booking_on_for_a_line(client, login, make_queue):
    queue = make_queue()
    unit = queue["unit"]
    login("admin", unit=unit)
    page = url_for("reservasi.setup", slug=unit.slug, layanan="B")
    data = {"csrf_token": csrf_from(client, page), "enabled": "y", "slot_minutes": "20", "places": "3",
            "walk_in_percent": "60", "days_ahead": "7", "early_minutes": "10", "late_minutes": "20", "mark": "R",
            "max_per_contact": "1", "noshow_limit": "2", "noshow_days": "14"}
    assert client.post(page, data={**data, "walk_in_percent": "150"}).status_code == 422
    assert client.post(page, data=data).status_code == 302
    setup = setup_of(queue["B"])
    assert setup.enabled and setup.slot_minutes == 20 and setup.bookable_places == 1  # floor(3 x 40 / 100)


def test_statistics_page_exports_csv_and_xlsx(client, login, booking_line):
    queue = booking_line()
    _book(queue["A"])
    login("kepala_dinas", unit=queue["unit"])
    args = {"slug": queue["unit"].slug, "dari": DAY.isoformat(), "sampai": DAY.isoformat()}
    assert "Tingkat kehadiran" in client.get(url_for("reservasi.stats", **args)).get_data(as_text=True)
    csv = client.get(url_for("reservasi.stats", format="csv", **args))
    assert csv.status_code == 200 and "Reservasi,Check-in" in csv.get_data(as_text=True)
    xlsx = client.get(url_for("reservasi.stats", format="xlsx", **args))
    assert xlsx.data[:2] == b"PK"


def test_english_visitors_get_the_english_checklist_of_the_linked_service(app, client, booking_line, monkeypatch,
                                                                          make_service):
    """The booking pages pair English items with the official list as the service page does."""
    from webapp.standards.versions import set_english

    monkeypatch.setitem(app.config, "RESERVASI_MIN_FILL_SECONDS", 0)
    queue = booking_line()
    line = queue["A"]
    service = make_service(unit=queue["unit"])
    set_english(service, None, None, ["Copy of your ID card"], actor=None)
    line.service_id = service.id
    db.session.commit()
    day, slot = _first_open_slot(line, setup_of(line))
    args = {"instansi": queue["unit"].slug, "layanan": "A", "tanggal": day.isoformat(),
            "jam": slot.start.strftime("%H:%M")}
    english = client.get(url_for("reservasi.start", lang="en", **args)).get_data(as_text=True)
    assert '<span lang="en">Copy of your ID card</span> <span class="official-text" lang="id">(Fotokopi KTP)</span>' \
        in english
    assert '<span lang="id">Surat permohonan</span>' in english  # no English written for it: the official text
    indonesian = client.get(url_for("reservasi.start", lang="id", **args)).get_data(as_text=True)
    assert "Copy of your ID card" not in indonesian and '<span lang="id">Fotokopi KTP</span>' in indonesian
