"""Kinerja in a browser: the public page on a phone and a desk, the head's dashboard and its live panel
refreshed by htmx; screenshots in tests/artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import MONDAY, PASSWORD, utc
from tests.conftest import make_ticket as _ticket
from webapp.core.db import utcnow
from webapp.core.extensions import db
from webapp.core.localtime import local_today

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1366])
def test_public_page_fits_and_withholds_small_figures(browser, live_server, queue_day, make_complaint, artifacts,
                                                      width):
    unit = queue_day["unit"]
    for _ in range(2):
        make_complaint(unit, now=utc(MONDAY, 3))
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.goto(f"{live_server}/")
    page.locator("footer").get_by_role("link", name="Kinerja pelayanan").click()
    page.get_by_label("Periode").select_option("2026-11")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.get_by_role("heading", name=unit.name)).to_be_visible()
    expect(page.locator(".tile").nth(1)).to_contain_text("< 5")  # two complaints
    expect(page.get_by_role("row", name="A Pendaftaran")).to_contain_text("5,5 menit")  # six calls
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(artifacts / f"kinerja-publik-{width}.png"), full_page=True)
    context.close()


def test_public_page_in_english_on_a_phone(browser, live_server, queue_day, make_complaint, artifacts):
    """A foreign investor's phone (en-US) gets the page in English: labels, periods, figures by English rules."""
    unit = queue_day["unit"]
    for _ in range(2):
        make_complaint(unit, now=utc(MONDAY, 3))
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server}/")
    page.locator("footer").get_by_role("link", name="Service performance").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Period").select_option("2026-11")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".period-line")).to_contain_text("November 2026 · 1 November 2026 to 30 November 2026")
    expect(page.get_by_text("Complaints received")).to_be_visible()
    expect(page.locator(".tile").nth(1)).to_contain_text("< 5")
    expect(page.get_by_role("row", name="A Pendaftaran")).to_contain_text("5.5 min")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "kinerja-publik-en-390.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_dashboard_live_panel_refreshes(browser, live_server, queue_day, make_user, artifacts, width):
    unit = queue_day["unit"]
    make_user(role="kepala_dinas", unit=unit, username="kadis")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.goto(f"{live_server}/admin/kinerja?periode=2026-11")
    page.get_by_label("Nama pengguna").fill("kadis")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Kinerja pelayanan")).to_be_visible()
    expect(page.get_by_role("heading", name="November 2026")).to_be_visible()
    expect(page.locator("figure.chart svg")).to_have_count(2)  # the daily series and the heatmap
    page.screenshot(path=str(artifacts / f"kinerja-dasbor-{width}.png"), full_page=True)
    # A ticket taken today; the panel's next poll (asked now rather than in 30 s) shows it.
    today_count = page.locator("#hari-ini .tile").first.locator("strong")
    before = int(today_count.inner_text())
    _ticket(queue_day["A"], 99, utcnow(), None, status="waiting", day=local_today(unit))
    db.session.commit()
    page.evaluate("htmx.ajax('GET', location.href, {target: '#hari-ini', swap: 'outerHTML'})")
    expect(today_count).to_have_text(str(before + 1))
    context.close()
