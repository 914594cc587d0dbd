"""A whole lobby in Chromium (issue 13): a portrait kiosk at 58 mm printing on an ESC/POS printer, a counter PC
driven by the keyboard only, a 1920x1080 TV for 24 counters, and a phone that was allowed to notify.

The printer is the fake network printer of tests/conftest.py; the phone records its notifications (Chromium's
permission is granted by the context). Screenshots: tests/artifacts/lobi-*.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from antrian.models import Counter, Ticket
from tests.conftest import PASSWORD, focus_within
from webapp.core.extensions import db

pytestmark = pytest.mark.browser

QR_STORE = b"\x1d(k"  # GS ( k: the printer draws the ticket's QR itself
CUT = b"\x1dV"  # GS V: the paper is cut

RECORD_NOTIFICATIONS = """
(() => {
  window.__notes = [];
  const Real = window.Notification;
  function Recorder(title, options) { window.__notes.push({ title: title, body: (options || {}).body || "" }); }
  Object.defineProperty(Recorder, "permission", { get: () => Real.permission });
  Recorder.requestPermission = () => Real.requestPermission();
  window.Notification = Recorder;
})();
"""


def _console_errors(page) -> list[str]:
    """Console errors and uncaught script errors of ``page``: a CSP refusal shows as one."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _log_in_by_keyboard(page, live_server: str, username: str, next_url: str) -> None:
    page.goto(f"{live_server}/admin/masuk?next={next_url}")
    page.get_by_label("Nama pengguna").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


@pytest.mark.usefixtures("printer_on_loopback")
def test_kiosk_counter_tv_and_phone_in_one_lobby(browser, live_server, make_queue, make_user, printer, artifacts):
    q = make_queue()
    unit = q["unit"]
    db.session.add_all(Counter(unit=unit, number=n, name=f"Loket {n}", queue_services=[q["A"], q["B"]])
                       for n in range(3, 25))  # fmt: skip
    db.session.commit()
    make_user(role="admin", unit=unit, username="admin-lobi")
    make_user(role="petugas_loket", unit=unit, username="petugas-lobi")

    # The TV: 1920x1080, 24 counters, no scrolling.
    tv_context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="id-ID")
    tv = tv_context.new_page()
    tv_errors = _console_errors(tv)
    tv.goto(f"{live_server}/antrian/layar?instansi={unit.slug}")
    expect(tv.locator(".d-counter")).to_have_count(24)
    assert tv.evaluate("document.documentElement.scrollHeight <= innerHeight")

    # The kiosk: portrait; its administrator sets 58 mm paper and the network printer once.
    kiosk_context = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="id-ID", has_touch=True)
    kiosk = kiosk_context.new_page()
    kiosk_errors = _console_errors(kiosk)
    kiosk.goto(f"{live_server}/admin/masuk?next=/antrian/ambil?instansi={unit.slug}")
    kiosk.get_by_label("Nama pengguna").fill("admin-lobi")
    kiosk.get_by_label("Kata sandi").fill(PASSWORD)
    kiosk.get_by_role("button", name="Masuk").click()
    kiosk.get_by_label("58 mm").check()
    kiosk.get_by_label(re.compile("Langsung ke printer termal")).check()
    kiosk.get_by_label("Alamat printer jaringan").fill(f"127.0.0.1:{printer.port}")
    kiosk.get_by_role("button", name=re.compile("Daftarkan peramban ini")).click()
    expect(kiosk.get_by_text(re.compile("kertas 58 mm"))).to_be_visible()
    kiosk.goto(f"{live_server}/admin/")
    kiosk.get_by_role("button", name="Keluar").click()

    # A visitor taps a line: the slip comes out of the printer, the screen says so, with no print dialog.
    kiosk.goto(f"{live_server}/antrian/ambil?instansi={unit.slug}")
    kiosk.get_by_role("button", name="Pendaftaran", exact=True).tap()
    expect(kiosk.get_by_text("Tiket Anda sudah tercetak")).to_be_visible()
    assert "lebar=58" in kiosk.url
    assert printer.done.wait(10)
    ticket = db.session.scalar(select(Ticket).where(Ticket.unit_id == unit.id))
    job = printer.jobs[0]
    assert b"A-001" in job and QR_STORE in job and CUT in job
    assert f"/antrian/tiket/{ticket.token}".encode() in job
    kiosk.screenshot(path=str(artifacts / "lobi-kios-58mm.png"))

    # The visitor's phone opens the slip's URL and allows notifications when asked.
    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="id-ID")
    phone_context.grant_permissions(["notifications"])
    phone_context.add_init_script(RECORD_NOTIFICATIONS)
    phone = phone_context.new_page()
    phone_errors = _console_errors(phone)
    phone.goto(f"{live_server}/antrian/tiket/{ticket.token}")
    expect(phone.locator("#koneksi")).to_contain_text("Terhubung")
    expect(phone.locator("#status")).to_contain_text("0 orang di depan Anda")
    phone.get_by_role("button", name="Beri tahu saya di peramban ini").click()
    expect(phone.locator("#izin-status")).to_contain_text("aktif")

    # The counter PC, keyboard only: log in, call (P), start (M); a second call is refused until then.
    counter = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page()
    counter_errors = _console_errors(counter)
    _log_in_by_keyboard(counter, live_server, "petugas-lobi", f"/antrian/loket?loket={q['loket1'].id}")
    expect(counter.locator(".counter-number")).to_have_text("—")
    expect(counter.locator("#panel")).to_be_focused()  # the panel's script is ready: it takes the focus on load
    counter.keyboard.press("p")
    expect(counter.locator(".counter-number")).to_have_text("A-001")

    expect(tv.locator('[data-counter="1"] .d-counter-number')).to_have_text("A-001")
    expect(tv.locator("#panggilan")).to_contain_text("A-001")
    expect(phone.locator("#status")).to_contain_text("Silakan ke Loket 1")
    phone.wait_for_function("window.__notes.some((n) => n.title.includes('dipanggil'))")
    called = {"title": "Nomor A-001 dipanggil", "body": "Silakan ke Loket 1 sekarang."}
    assert called in phone.evaluate("window.__notes")

    kiosk.goto(f"{live_server}/antrian/ambil?instansi={unit.slug}")  # a second visitor, for the next call
    kiosk.get_by_role("button", name="Pendaftaran", exact=True).tap()
    expect(kiosk.get_by_text("Tiket Anda sudah tercetak")).to_be_visible()
    counter.keyboard.press("p")  # A-001 was only called: not closed as served
    expect(counter.get_by_text(re.compile("masih dipanggil"))).to_be_visible()
    expect(counter.locator(".counter-number")).to_have_text("A-001")
    counter.keyboard.press("m")
    expect(counter.locator("#panel")).to_contain_text("Sedang dilayani")
    # The focus stays on the panel: it is moved back when the swap settles, a moment after the text.
    assert focus_within(counter, "#panel")
    counter.screenshot(path=str(artifacts / "lobi-loket.png"))
    counter.keyboard.press("p")  # A-001 was started: finished as served, A-002 is called
    expect(counter.locator(".counter-number")).to_have_text("A-002")
    expect(tv.locator('[data-counter="1"] .d-counter-number')).to_have_text("A-002")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == Ticket.DONE

    tv.screenshot(path=str(artifacts / "lobi-layar-panggilan.png"))  # the call's banner over the counters
    expect(tv.locator("#panggilan")).to_be_hidden(timeout=20_000)
    tv.screenshot(path=str(artifacts / "lobi-layar-1920x1080-24.png"))
    phone.screenshot(path=str(artifacts / "lobi-ponsel.png"), full_page=True)
    assert (tv_errors, kiosk_errors, phone_errors, counter_errors) == ([], [], [], [])
    for context in (tv_context, kiosk_context, phone_context, counter.context):
        context.close()
