"""The phone ticket in Chromium (issue 13): the live wait in words, "Beri tahu saya" notifications at N ahead and
when called, a transfer shown at once, cancelling with its confirmation; and the setup page with its previews."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from antrian.events import publish_change
from antrian.issuing import issue_ticket
from antrian.models import Ticket
from antrian.service import call_next, finish, transfer
from tests.conftest import PASSWORD
from webapp.core.extensions import db

pytestmark = pytest.mark.browser

# Records every notification the page makes; the permission itself is Chromium's (granted by the context), and
# asked only through the real requestPermission, so the test sees whether the page asks on load.
RECORD_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  window.__notes = [];
  window.__asked = 0;
  function Recorder(title, options) { window.__notes.push({ title: title, body: (options || {}).body || "" }); }
  Object.defineProperty(Recorder, "permission", { get: () => Real.permission });
  Recorder.requestPermission = function () { window.__asked += 1; return Real.requestPermission(); };
  window.Notification = Recorder;
})();
"""


def _notes(page) -> list[dict]:
    return page.evaluate("window.__notes")


def test_phone_ticket_notifies_follows_a_transfer_and_cancels(app, browser, live_server, make_queue, artifacts,
                                                              monkeypatch):
    monkeypatch.setitem(app.config, "QUEUE_ESTIMATE_REFRESH", 0)  # every change asks for the estimate
    q = make_queue()
    unit, one, two = q["unit"], q["loket1"], q["loket2"]
    served = issue_ticket(q["A"])
    waiting = [issue_ticket(q["A"]) for _ in range(5)]  # A-002 ... A-006
    mine = waiting[-1]
    first = call_next(one)
    first.called_at -= timedelta(minutes=10)  # ten minutes at the counter: the estimate has a basis
    db.session.commit()
    finish(one, served.id)
    publish_change(unit)

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="id-ID")
    context.grant_permissions(["notifications"])
    context.add_init_script(RECORD_NOTIFICATIONS)
    phone = context.new_page()
    phone.goto(f"{live_server}/antrian/tiket/{mine.token}")
    status = phone.locator("#status")
    expect(phone.locator("#koneksi")).to_contain_text("Terhubung")
    # 4 ahead + itself, 10 minutes each, over the two counters of A: 25 minutes.
    expect(status).to_contain_text("4 orang di depan Anda")
    expect(status).to_contain_text("Perkiraan menunggu: sekitar 25 menit.")
    assert phone.evaluate("window.__asked") == 0  # no permission prompt on page load
    phone.get_by_role("button", name="Beri tahu saya di peramban ini").click()
    expect(phone.locator("#izin-status")).to_contain_text("aktif")
    assert phone.evaluate("window.__asked") == 1
    assert _notes(phone) == []  # 4 ahead: not near yet (N = 3)

    call_next(two)  # 3 ahead
    publish_change(unit)
    expect(status).to_contain_text("3 orang di depan Anda")
    phone.wait_for_function("window.__notes.length > 0")
    assert _notes(phone) == [{"title": "Giliran Anda hampir tiba", "body": "Nomor A-006: 3 orang lagi di depan Anda."}]
    # The live update keeps the estimate (it used to vanish within a second): 4 x 10 / 2 = 20 minutes.
    expect(status).to_contain_text("Perkiraan menunggu: sekitar 20 menit.")
    phone.screenshot(path=str(artifacts / "tiket-ponsel.png"), full_page=True)

    # The three ahead are called and served; then A-006 itself is called at Loket 1.
    held = {two.id: waiting[0]}
    for counter in (one, two, one):
        if counter.id in held:
            finish(counter, held[counter.id].id)
        held[counter.id] = call_next(counter)
        publish_change(unit, called=held[counter.id])
    expect(status).to_contain_text("0 orang di depan Anda")
    finish(one, held[one.id].id)
    called = call_next(one)
    assert called.id == mine.id
    publish_change(unit, called=called)
    expect(status).to_contain_text("Silakan ke Loket 1")
    expect(phone.get_by_role("button", name="Batalkan antrian")).to_be_hidden()  # called: too late to cancel
    phone.wait_for_function("window.__notes.length > 1")
    assert _notes(phone)[1] == {"title": "Nomor A-006 dipanggil", "body": "Silakan ke Loket 1 sekarang."}
    assert len(_notes(phone)) == 2  # "near" once, however many changes followed

    # Loket 1 sends A-006 to line B: the phone shows the new line at once, without a reload.
    transfer(one, mine.id, q["B"])
    publish_change(unit)
    expect(phone.locator("#layanan")).to_have_text("Pengambilan Izin")
    expect(status).to_contain_text("0 orang di depan Anda")
    expect(phone.get_by_role("button", name="Batalkan antrian")).to_be_visible()  # waiting again

    # Cancel: a first press asks, the second gives the place back.
    phone.reload()
    phone.get_by_role("button", name="Batalkan antrian").click()
    expect(phone.locator("#konfirmasi-batal")).to_contain_text("Batalkan antrian A-006?")
    db.session.expire_all()
    assert db.session.get(Ticket, mine.id).status == Ticket.WAITING
    phone.get_by_role("button", name="Ya, batalkan antrian").click()
    expect(status).to_contain_text("Antrian ini sudah Anda batalkan.")
    db.session.expire_all()
    assert db.session.get(Ticket, mine.id).status == Ticket.CANCELLED
    context.close()


def test_setup_page_shows_kiosk_and_tv_previews(browser, live_server, make_queue, make_user, artifacts):
    q = make_queue()
    make_user(role="admin", username="admin-antrian")
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page.goto(f"{live_server}/admin/masuk?next=/antrian/pengaturan/{q['unit'].slug}")
    page.get_by_label("Nama pengguna").fill("admin-antrian")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Pratinjau")).to_be_visible()
    tv = page.frame_locator('iframe[title="Pratinjau layar TV"]')
    kiosk = page.frame_locator('iframe[title="Pratinjau kios"]')
    expect(kiosk.get_by_role("button", name="Pendaftaran", exact=True)).to_be_visible()
    expect(tv.locator("body")).to_contain_text("Loket 1")
    page.get_by_role("heading", name="Pratinjau").scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # the frames' fonts and first state settle before the picture
    page.screenshot(path=str(artifacts / "pengaturan-antrian.png"), full_page=True)
    assert db.session.scalar(db.select(Ticket.id)) is None  # the preview took no ticket
    page.close()
