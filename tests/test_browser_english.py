"""A foreign investor's visit in English (issue 17), on a phone whose browser asks for English.

The service page opened from its QR code (a URL with no language in it), a queue ticket taken and
followed, a complaint filed and tracked, and the switch back to Indonesian. Screenshots in
tests/artifacts/ (english-*.png) are for people to look at.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from webapp.core.extensions import db, limiter

pytestmark = pytest.mark.browser


@pytest.fixture
def investor_phone(browser):
    """A phone set to English: its browser sends Accept-Language: en-US."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="en-US")
    yield context
    context.close()


def _watch(page) -> list[str]:
    """Script errors and failed requests of ``page`` (a CSP refusal is logged as a console error)."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def test_a_foreign_visitor_reads_queues_complains_and_tracks_in_english(
    app, investor_phone, live_server, make_service, make_queue, artifacts, monkeypatch
):
    monkeypatch.setitem(app.config, "PENGADUAN_MIN_FILL_SECONDS", 0)
    limiter.reset()
    queue = make_queue()
    unit = queue["unit"]
    service = make_service(unit=unit, title="Izin Reklame", slug="izin-reklame")
    service.title_en = "Advertising permit"
    service.summary_en = "Needed before you put up a billboard, banner or shop sign."
    service.requirements_en = [{"id_text": "Fotokopi KTP",
                                "en": "Copy of your ID card (KTP, or passport for foreign nationals)"}]
    db.session.commit()

    page = investor_phone.new_page()
    problems = _watch(page)
    # The URL printed under the poster's QR code: no language in it; the phone's language decides.
    page.goto(f"{live_server}/layanan/{service.slug}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1, name="Advertising permit")).to_be_visible()
    expect(page.get_by_text("Official text in Indonesian below.")).to_be_visible()
    expect(page.get_by_role("heading", name="Requirements")).to_be_visible()
    expect(page.get_by_text("3 working days").first).to_be_visible()
    page.get_by_label(re.compile("Copy of your ID card")).check()
    expect(page.locator(".checklist-count")).to_have_text("1 of 2 documents ready.")
    page.screenshot(path=str(artifacts / "english-service-390.png"), full_page=True)

    # Take a queue number on the phone and follow it.
    page.goto(f"{live_server}/antrian/ambil?instansi={unit.slug}")
    expect(page.get_by_role("heading", name="Take a queue number")).to_be_visible()
    page.screenshot(path=str(artifacts / "english-take-ticket-390.png"), full_page=True)
    page.get_by_role("button", name="Pendaftaran").click()
    expect(page.locator(".slip-label")).to_have_text("Queue number")
    page.get_by_role("link", name="Open the ticket on screen").click()
    expect(page.locator(".ticket-number")).to_have_text(re.compile(r"A-\d{3}"))
    expect(page.locator("[data-field=ahead]")).to_have_text("0 people ahead of you")
    expect(page.get_by_role("heading", name="Notify me")).to_be_visible()
    page.screenshot(path=str(artifacts / "english-ticket-390.png"), full_page=True)

    # File a complaint about the service, starting from its page.
    page.goto(f"{live_server}/layanan/{service.slug}")
    page.get_by_role("link", name="File a complaint online").click()
    expect(page.get_by_role("heading", name="File a complaint")).to_be_visible()
    page.get_by_role("button", name="Submit complaint").click()  # empty: the errors, in English
    expect(page.locator(".error-summary")).to_contain_text("Tell us what happened.")
    page.screenshot(path=str(artifacts / "english-complaint-errors-390.png"), full_page=True)
    page.get_by_label("Name", exact=True).fill("Jane Investor Unique")
    page.get_by_label("Mobile / WhatsApp number").fill("0812 1111 2222")
    page.get_by_label("What happened?").fill("I was asked to pay an extra fee to speed up my permit.")
    page.get_by_role("button", name="Submit complaint").click()
    expect(page.get_by_role("heading", name="Complaint submitted")).to_be_visible()
    expect(page.get_by_text("working days")).to_be_visible()
    page.screenshot(path=str(artifacts / "english-complaint-sent-390.png"), full_page=True)

    page.get_by_role("link", name="Open the tracking page").click()
    expect(page.locator(".complaint-status")).to_have_text("Received")
    tracking_page = page.url
    expect(page.get_by_role("heading", name="Progress")).to_be_visible()
    assert "Jane" not in page.content()
    page.screenshot(path=str(artifacts / "english-complaint-track-390.png"), full_page=True)

    # The satisfaction survey: English questions and answers, the official Indonesian text beside them.
    page.goto(f"{live_server}/survei")
    expect(page.get_by_role("heading", name="How did we do?")).to_be_visible()
    expect(page.get_by_role("group", name=re.compile("How well did the requirements fit"))).to_contain_text(
        "kesesuaian persyaratan pelayanan")
    expect(page.get_by_role("radio", name=re.compile("Fully"))).to_have_count(2)  # U1 and U5 share their answers
    page.screenshot(path=str(artifacts / "english-survey-390.png"), full_page=True)

    # The switch: back to Indonesian on the same page, and remembered.
    page.goto(tracking_page)
    page.get_by_role("link", name="Bahasa Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator(".complaint-status")).to_have_text("Diterima")
    page.goto(f"{live_server}/layanan/{service.slug}")
    expect(page.get_by_role("heading", level=1, name="Izin Reklame")).to_be_visible()
    # The empty complaint answered 422 on purpose (the form again, with its errors).
    assert not [p for p in problems if "422" not in p], problems
