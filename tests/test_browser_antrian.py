"""Kiosk, counter, lobby TV and a phone in four Chromium tabs, working together live."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    yield ctx
    ctx.close()


def test_kiosk_counter_and_display_together(context, browser, live_server, make_queue, make_user, artifacts):
    q = make_queue()
    unit = q["unit"]
    make_user(role="petugas_loket", unit=unit, username="loket1")

    display = context.new_page()
    display.goto(f"{live_server}/antrian/layar?instansi={unit.slug}")
    display.get_by_role("button", name="Aktifkan suara panggilan").click()

    kiosk = context.new_page()
    kiosk.goto(f"{live_server}/antrian/ambil?instansi={unit.slug}")
    kiosk.get_by_role("button", name="Pendaftaran", exact=True).click()
    expect(kiosk.locator(".slip-number")).to_have_text("A-001")
    ticket_url = kiosk.get_by_role("link", name="Buka tiket di layar").get_attribute("href")
    kiosk.screenshot(path=str(artifacts / "antrian-tiket-cetak.png"))

    phone_context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="id-ID")
    phone = phone_context.new_page()
    phone.goto(f"{live_server}{ticket_url}")
    expect(phone.locator("#status")).to_contain_text("0 orang di depan Anda")
    expect(display.locator("#menunggu")).to_contain_text("1")

    counter = context.new_page()
    counter.goto(f"{live_server}/admin/masuk?next=/antrian/loket")
    counter.get_by_label("Nama pengguna").fill("loket1")
    counter.get_by_label("Kata sandi").fill(PASSWORD)
    counter.get_by_role("button", name="Masuk").click()
    counter.get_by_role("link", name="Loket 1").click()
    counter.wait_for_load_state()
    counter.keyboard.press("p")  # the shortcut for "Panggil berikutnya"
    expect(counter.locator(".counter-number")).to_have_text("A-001")
    counter.screenshot(path=str(artifacts / "antrian-loket.png"), full_page=True)

    expect(display.locator('[data-counter="1"] .d-counter-number')).to_have_text("A-001")
    expect(display.locator("#panggilan")).to_contain_text("Silakan ke Loket 1")
    display.screenshot(path=str(artifacts / "antrian-layar-1366.png"))
    expect(phone.locator("#status")).to_contain_text("Silakan ke Loket 1")
    phone.screenshot(path=str(artifacts / "antrian-ponsel.png"))

    kiosk.goto(f"{live_server}/antrian/ambil?instansi={unit.slug}")
    kiosk.get_by_role("button", name="Pengambilan Izin", exact=True).click()
    expect(display.locator("#menunggu")).to_contain_text("B · Pengambilan Izin")
    counter.get_by_role("button", name="Selesai").click()
    expect(counter.locator(".counter-number")).to_have_text("—")
    expect(phone.locator("#status")).to_contain_text("Terima kasih")
    phone_context.close()


def test_display_fits_tv_screens_without_scrolling(browser, live_server, make_queue):
    q = make_queue()
    for width, height in ((1920, 1080), (1366, 768)):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"{live_server}/antrian/layar?instansi={q['unit'].slug}")
        overflow = page.evaluate(
            "[document.documentElement.scrollWidth - innerWidth, document.documentElement.scrollHeight - innerHeight]"
        )
        assert overflow[0] <= 0 and overflow[1] <= 0, (width, height, overflow)
        page.close()
