"""Reservasi end to end in headless Chromium, on a clock the test sets (issue 14, "Done when"):

a citizen books on a phone (390 px) the day before; the confirmation is in the outbox; on the day a
walk-in takes A-001 at 08.30; at 08.50 the citizen checks in at the kiosk with the code typed as a QR
scanner types it (code and Enter) and gets RA-002; at 09.01 the counter calls RA-002 before the earlier
walk-in; the lobby TV and the phone show it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from antrian.issuing import issue_ticket
from tests.conftest import PASSWORD
from webapp.core.extensions import db, limiter
from webapp.outbox.models import OutboxMessage
from webapp.reservasi.models import Booking

pytestmark = pytest.mark.browser

DAY_BEFORE = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # Tuesday 08.00 WIB
WALK_IN = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)  # Wednesday 08.30 WIB
CHECK_IN = datetime(2026, 12, 2, 1, 50, tzinfo=UTC)  # 08.50 WIB: within the grace window of the 09.00 slot
CALL = datetime(2026, 12, 2, 2, 1, tzinfo=UTC)  # 09.01 WIB: the slot has begun


def test_book_on_a_phone_check_in_at_the_kiosk_and_be_called_first(app, browser, live_server, booking_line,
                                                                   make_user, clock, monkeypatch, artifacts):
    monkeypatch.setitem(app.config, "RESERVASI_MIN_FILL_SECONDS", 0)  # the robot check, not a person's speed
    limiter.reset()
    queue = booking_line()
    unit, line = queue["unit"], queue["A"]
    make_user(role="petugas_loket", unit=unit, username="loket2")
    clock.set(DAY_BEFORE)

    # 1. Booking on a phone, 390 px wide.
    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                        locale="id-ID")
    phone = phone_context.new_page()
    problems: list[str] = []
    phone.on("pageerror", lambda e: problems.append(str(e)))
    phone.goto(f"{live_server}/reservasi")
    expect(phone.get_by_role("heading", name="Reservasi antrian")).to_be_visible()
    phone.get_by_role("link", name="2 Desember 2026").click()
    phone.get_by_role("link", name="09.00–09.30").click()
    expect(phone.get_by_role("heading", name="5. Data Anda")).to_be_visible()
    phone.get_by_label("Nama").fill("Siti Aminah")
    phone.get_by_label("Nomor HP (WhatsApp/SMS)").fill("0812 3456 7890")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    phone.screenshot(path=str(artifacts / "reservasi-form-390.png"), full_page=True)
    phone.get_by_role("button", name="Pesan").click()
    expect(phone.locator("#status-reservasi")).to_have_text("Terjadwal")
    code = phone.locator("#kode-reservasi").inner_text()
    assert len(code) == 9 and code[4] == "-"
    expect(phone.get_by_role("img", name="Kode QR reservasi: scan di kios saat tiba")).to_be_visible()
    expect(phone.get_by_text("Check-in dibuka pukul 08.45 sampai 09.30.")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifacts / "reservasi-konfirmasi-390.png"), full_page=True)

    # 2. The confirmation is in the outbox, with the code and the link; no name in it.
    db.session.expire_all()
    message = db.session.scalars(select(OutboxMessage)).one()
    assert code in message.body and f"/reservasi/{code.replace('-', '')}" in message.body
    assert message.recipient == "6281234567890" and "Siti" not in message.body

    # 3. On the day, a walk-in comes first.
    clock.set(WALK_IN)
    walk_in = issue_ticket(line, now=WALK_IN)
    db.session.commit()
    assert walk_in.number == "A-001"

    # 4. The kiosk: "Saya sudah reservasi", the scanner types the code and Enter.
    clock.set(CHECK_IN)
    lobby = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="id-ID")
    kiosk = lobby.new_page()
    kiosk.on("pageerror", lambda e: problems.append(str(e)))
    kiosk.goto(f"{live_server}/antrian/ambil?instansi={unit.slug}")
    kiosk.get_by_role("link", name="Saya sudah reservasi").click()
    field = kiosk.get_by_label("Kode reservasi")
    expect(field).to_be_focused()  # a scanner types into it without a touch
    kiosk.keyboard.type(code.lower())
    kiosk.keyboard.press("Enter")
    expect(kiosk.locator(".slip-number")).to_have_text("RA-002")
    kiosk.screenshot(path=str(artifacts / "reservasi-kios-tiket.png"))

    # 5. The lobby TV, then the counter calls at 09.01: the booked ticket before the earlier walk-in.
    clock.set(CALL)
    tv = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    display = tv.new_page()
    display.goto(f"{live_server}/antrian/layar?instansi={unit.slug}")
    counter_context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    counter = counter_context.new_page()
    counter.goto(f"{live_server}/admin/masuk?next=/antrian/loket")
    counter.get_by_label("Nama pengguna").fill("loket2")
    counter.get_by_label("Kata sandi").fill(PASSWORD)
    counter.get_by_role("button", name="Masuk").click()
    counter.get_by_role("link", name="Loket 2").click()
    counter.wait_for_load_state()
    counter.get_by_role("button", name="Panggil berikutnya").click()
    expect(counter.locator(".counter-number")).to_have_text("RA-002")
    counter.screenshot(path=str(artifacts / "reservasi-loket.png"), full_page=True)

    expect(display.locator('[data-counter="2"] .d-counter-number')).to_have_text("RA-002")
    display.screenshot(path=str(artifacts / "reservasi-layar.png"))

    # 6. The phone: the booking shows its ticket, and the live ticket page says it is called.
    phone.reload()
    expect(phone.locator("#status-reservasi")).to_have_text("Sudah hadir")
    expect(phone.locator("#nomor-tiket")).to_have_text("RA-002")
    phone.get_by_role("link", name="Pantau antrian langsung").click()
    expect(phone.locator("#status")).to_contain_text("Loket 2")
    phone.screenshot(path=str(artifacts / "reservasi-ponsel-dipanggil.png"), full_page=True)

    db.session.expire_all()
    booking = db.session.scalars(select(Booking)).one()
    assert booking.status == Booking.HADIR and booking.ticket.number == "RA-002"
    assert problems == []
    for context in (phone_context, lobby, tv, counter_context):
        context.close()
