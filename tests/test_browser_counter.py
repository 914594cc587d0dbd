"""The counter panel in headless Chromium, driven by the keyboard only (issue 13, item 4).

P panggil, U ulang, M mulai, S selesai, T tidak hadir (twice), A alihkan: each press works, the
focus stays on the panel after every htmx swap, "Panggil berikutnya" on a ticket only called is
refused with a message, and the console holds no CSP error or script error.
"""

from __future__ import annotations

import pytest
from flask import url_for
from playwright.sync_api import Page, expect

from antrian.issuing import issue_ticket
from tests.conftest import PASSWORD, focus_within

pytestmark = pytest.mark.browser

PROMPT = "Tekan T sekali lagi untuk menandai tidak hadir"


@pytest.fixture
def counter_pc(browser):
    """A counter PC's browser window at 1366×768; fails the test on any console error or script error."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    assert [p for p in problems if "Content Security Policy" in p or "Refused to" in p] == []
    assert problems == []


def _focus_on_panel(page: Page) -> bool:
    """Whether the panel, or an element in it, has the focus (once loket.js has run and htmx has settled)."""
    return focus_within(page, "#panel")


def _press(page: Page, key: str) -> None:
    """Press ``key`` and wait until htmx has swapped and settled (no request in flight)."""
    page.keyboard.press(key)
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")


def test_the_counter_by_keyboard_only(counter_pc, app, live_server, make_queue, make_user, artifacts):
    q = make_queue()
    make_user(role="petugas_loket", unit=q["unit"], username="petugas1")
    for _ in range(4):
        issue_ticket(q["A"])
    with app.test_request_context():
        panel_url = url_for("antrian.counter_panel", loket=q["loket1"].id)
    page = counter_pc
    page.clock.install()  # the 3-second confirmation window is moved forward, not waited for
    page.goto(f"{live_server}/admin/masuk?next={panel_url}")
    page.get_by_label("Nama pengguna").fill("petugas1")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    number = page.locator(".counter-number")
    expect(number).to_have_text("—")
    assert _focus_on_panel(page)  # the panel takes the focus on load: shortcuts work at once

    # The keys are on the buttons, for eyes and for assistive technology.
    for key, name in (("P", "Panggil berikutnya"),):
        button = page.get_by_role("button", name=name)
        expect(button).to_have_attribute("aria-keyshortcuts", key)
        expect(button.locator("kbd")).to_have_text(key)

    _press(page, "p")
    expect(number).to_have_text("A-001")
    expect(page.locator(".counter-rule")).to_contain_text("pilih Mulai, Tidak hadir atau Selesai")
    assert _focus_on_panel(page)
    _press(page, "p")  # only called: refused, A-001 stays
    expect(page.locator(".flash-error")).to_contain_text("Nomor A-001 masih dipanggil")
    expect(number).to_have_text("A-001")
    assert _focus_on_panel(page)
    _press(page, "m")
    expect(page.locator(".counter-current .eyebrow")).to_contain_text("Sedang dilayani")
    assert _focus_on_panel(page)
    _press(page, "s")
    expect(number).to_have_text("—")
    assert _focus_on_panel(page)

    _press(page, "p")
    expect(number).to_have_text("A-002")
    page.keyboard.press("t")  # first press: a prompt, nothing marked yet
    prompt = page.locator("#konfirmasi")
    expect(prompt).to_contain_text(PROMPT)
    expect(prompt).to_have_attribute("aria-live", "assertive")
    page.screenshot(path=str(artifacts / "loket-panel.png"), full_page=True)
    page.clock.run_for(3100)  # too late for a second press: the prompt goes, nothing is marked
    expect(prompt).to_have_text("")
    expect(number).to_have_text("A-002")
    page.keyboard.press("t")
    expect(prompt).to_contain_text(PROMPT)
    _press(page, "t")  # the second press within 3 s
    expect(number).to_have_text("—")
    expect(page.locator("#h-lewat + ul")).to_contain_text("A-002")
    assert _focus_on_panel(page)

    _press(page, "p")
    expect(number).to_have_text("A-003")
    _press(page, "u")
    expect(page.locator(".counter-current .eyebrow")).to_contain_text("dipanggil 2 kali")
    assert _focus_on_panel(page)

    # No shortcut with a modifier key, nor while typing in a field.
    page.keyboard.press("Shift+S")
    page.keyboard.press("Alt+s")
    page.get_by_label("Alasan prioritas").focus()
    page.keyboard.press("s")
    page.locator("#panel").focus()
    expect(number).to_have_text("A-003")

    # Tidak hadir by mouse: the first click asks, the second marks.
    page.get_by_role("button", name="Tidak hadir").click()
    expect(prompt).to_contain_text(PROMPT)
    expect(number).to_have_text("A-003")
    page.get_by_role("button", name="Tidak hadir").click()
    expect(number).to_have_text("—")
    expect(page.locator("#h-lewat + ul")).to_contain_text("A-003")

    # A: choose the line, Enter sends the ticket there.
    _press(page, "p")
    expect(number).to_have_text("A-004")
    page.keyboard.press("a")
    assert page.evaluate("() => document.activeElement.id") == "target"
    _press(page, "Enter")
    expect(number).to_have_text("—")
    assert _focus_on_panel(page)
    expect(page.locator("#h-antre + ol")).to_contain_text("A-004 B")  # waits in line B (Loket 1 serves it too)


def _refresh_arrives(page: Page) -> None:
    """A queue change elsewhere: the panel asks for itself again (as loket.js does on a new version) and the
    answer comes back."""
    with page.expect_response(lambda response: "/antrian/loket?loket=" in response.url):
        page.evaluate("() => document.body.dispatchEvent(new CustomEvent('queue-changed'))")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")


def test_a_refresh_during_a_mouse_press_does_not_swallow_the_click(
    counter_pc, app, live_server, make_queue, make_user
):
    # The panel is replaced after every queue change. One that lands between an officer's press and
    # release would take the pressed button away, and the browser then fires no click.
    q = make_queue()
    make_user(role="petugas_loket", unit=q["unit"], username="petugas1")
    issue_ticket(q["A"])
    with app.test_request_context():
        panel_url = url_for("antrian.counter_panel", loket=q["loket1"].id)
    page = counter_pc
    page.goto(f"{live_server}/admin/masuk?next={panel_url}")
    page.get_by_label("Nama pengguna").fill("petugas1")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    number = page.locator(".counter-number")
    assert _focus_on_panel(page)  # loket.js has run
    _press(page, "p")
    expect(number).to_have_text("A-001")

    # Pressed, a refresh arrives with a new ticket, released: the click counts, and the panel is new.
    issue_ticket(q["A"])
    box = page.get_by_role("button", name="Selesai").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    _refresh_arrives(page)
    page.mouse.up()
    expect(number).to_have_text("—")
    expect(page.locator("#h-antre")).to_have_text("Menunggu (1)")

    # Pressed, a refresh arrives, released elsewhere (no click): the held refresh is shown then.
    issue_ticket(q["A"])
    box = page.get_by_role("button", name="Panggil berikutnya").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    _refresh_arrives(page)
    expect(page.locator("#h-antre")).to_have_text("Menunggu (1)")  # held while the button is down
    page.mouse.move(5, 5)
    page.mouse.up()
    expect(page.locator("#h-antre")).to_have_text("Menunggu (2)")
    expect(number).to_have_text("—")
