"""Calls on the lobby TV: the unit's announcement setting, calls that pile up, recalls, and calls a display
missed (security M4: a display that reconnects announces a call of the last 30 s it never announced).

The browser tests read ``window.layarDiagnostics`` (static/js/layar.js): the keys (number#call) the page
announced, spoke (in order) and dropped as too old, and the length of an announcement from the decoded clips.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import url_for
from playwright.sync_api import expect

from antrian.events import publish_change
from antrian.issuing import issue_ticket
from antrian.models import Counter, QueueState
from antrian.reading import snapshot
from antrian.service import call_next, recall, transfer
from tests.conftest import csrf_from
from webapp.core.db import utcnow
from webapp.core.extensions import db

SETUP = {
    "services-0-code": "A", "services-0-name": "Pendaftaran", "services-0-opens_at": "00:00",
    "services-0-closes_at": "00:00", "services-0-active": "y",
    "counters-0-number": "1", "counters-0-name": "Loket 1", "counters-0-services": "A", "counters-0-active": "y",
}  # fmt: skip


def test_the_announcement_setting_is_saved_and_reaches_displays(client, login, make_queue):
    q = make_queue()
    login("admin")
    url = url_for("antrian.setup", slug=q["unit"].slug)
    page = client.get(url).get_data(as_text=True)
    assert "Pengumuman panggilan" in page
    assert snapshot(q["unit"])["announce"] == {"style": "singkat", "max_age_seconds": 60}
    data = {**SETUP, "csrf_token": csrf_from(client, url), "announce-style": "lengkap",
            "announce-max_age_seconds": "25"}  # fmt: skip
    assert client.post(url, data=data).status_code == 302
    assert snapshot(q["unit"])["announce"] == {"style": "lengkap", "max_age_seconds": 25}
    state = db.session.get(QueueState, q["unit"].id)
    assert (state.announce_style, state.announce_max_age_seconds) == ("lengkap", 25)


@pytest.mark.parametrize(("field", "value"), [("announce-max_age_seconds", "0"), ("announce-max_age_seconds", "abc"),
                                              ("announce-style", "teriak")])  # fmt: skip
def test_a_bad_announcement_setting_is_refused_and_kept(client, login, make_queue, field, value):
    q = make_queue()
    login("admin")
    url = url_for("antrian.setup", slug=q["unit"].slug)
    data = {**SETUP, "csrf_token": csrf_from(client, url), "announce-style": "singkat",
            "announce-max_age_seconds": "30", field: value}  # fmt: skip
    response = client.post(url, data=data)
    assert response.status_code == 422
    if field == "announce-max_age_seconds":
        assert re.search(rf'name="announce-max_age_seconds"[^>]*value="{value}"', response.get_data(as_text=True))
    assert db.session.get(QueueState, q["unit"].id) is None  # nothing saved


def test_0011_gives_every_unit_the_default_announcement_and_goes_back(scratch_app):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    from tests.test_migrations import _insert

    with scratch_app.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as connection:
            _insert(connection, "unit", id=1, slug="unit-1", timezone="Asia/Jakarta")
            _insert(connection, "queue_state", unit_id=1, version=7, running_text="Selamat datang")
        upgrade(revision="0011_display_announce")
        with db.engine.connect() as connection:
            row = connection.execute(text("SELECT announce_style, announce_max_age_seconds FROM queue_state")).one()
            assert tuple(row) == ("singkat", 60)
        downgrade(revision="0010")
        with db.engine.connect() as connection:
            columns = {column["name"] for column in inspect(connection).get_columns("queue_state")}
            assert "announce_style" not in columns and "announce_max_age_seconds" not in columns
            assert connection.execute(text("SELECT version FROM queue_state")).scalar() == 7


def test_recent_calls_carry_when_and_which_call(make_queue):
    q = make_queue()
    ticket = issue_ticket(q["A"])
    call_next(q["loket1"])
    recall(q["loket1"], ticket.id)
    db.session.commit()
    (call,) = snapshot(q["unit"])["recent_calls"]
    assert call["call"] == 2
    assert abs((utcnow() - datetime.fromisoformat(call["called_at"])).total_seconds()) < 60
    assert call["called_at"].endswith("+00:00")


# --- in the browser -------------------------------------------------------------------------------------


@pytest.fixture
def display(browser):
    """A display on a device of its own (its own localStorage)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    yield context
    context.close()


def _open(context, live_server, unit):
    page = context.new_page()
    page.goto(live_server + url_for("antrian.display", instansi=unit.slug))
    page.wait_for_selector("body[data-fitted]")
    return page


def _diagnostics(page, name):
    return page.evaluate(f"window.layarDiagnostics.{name}")


def _wait_spoken(page, count: int, seconds: float = 20) -> None:
    """Until the page has spoken ``count`` calls (the page's CSP forbids wait_for_function's eval)."""
    for _ in range(int(seconds * 10)):
        if len(_diagnostics(page, "spoken")) >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"spoken: {_diagnostics(page, 'spoken')}, wanted {count}")


@pytest.mark.browser
def test_a_missed_recent_call_is_announced_once_and_an_old_one_never(display, live_server, make_queue):
    q = make_queue()
    issue_ticket(q["A"])
    issue_ticket(q["A"])
    call_next(q["loket2"], now=utcnow() - timedelta(seconds=45))  # before the 30 s
    call_next(q["loket1"])  # just now, and no display heard it (as after a crash between commit and emit)
    page = _open(display, live_server, q["unit"])
    expect(page.locator("#panggilan")).to_contain_text("A-002")
    expect(page.locator("#panggilan")).to_contain_text("Silakan ke Loket 1")
    assert _diagnostics(page, "announced") == ["A-002#1"]
    # The socket's snapshot carries the same call: not announced twice.
    _wait_spoken(page, 1)
    assert _diagnostics(page, "announced") == ["A-002#1"]
    # Reloaded on the same device (a restart, a reconnect): remembered, not announced again.
    page.reload()
    page.wait_for_selector("body[data-fitted]")
    assert _diagnostics(page, "announced") == []
    expect(page.locator("#panggilan")).to_be_hidden()


@pytest.mark.browser
def test_piled_up_calls_show_the_newest_at_once_and_are_spoken_in_order(display, live_server, make_queue, artifacts):
    q = make_queue()
    three = Counter(unit=q["unit"], number=3, name="Loket 3", queue_services=[q["A"]])
    db.session.add(three)
    db.session.commit()
    for _ in range(3):
        issue_ticket(q["A"])
    page = _open(display, live_server, q["unit"])
    page.wait_for_selector("body[data-live]")  # the socket's snapshot came: it hears the calls
    called = []
    for counter in (q["loket1"], q["loket2"], three):
        ticket = call_next(counter)
        publish_change(q["unit"], called=ticket)
        called.append(ticket)
    banner = page.locator("#panggilan")
    expect(banner.locator(".n")).to_have_text("A-003")
    expect(banner.locator(".c")).to_have_text("Silakan ke Loket 3")
    expect(banner.locator(".others")).to_contain_text("A-002 → Loket 2")
    expect(banner.locator(".others")).to_contain_text("A-001 → Loket 1")
    page.screenshot(path=str(artifacts / "layar-panggilan-menumpuk.png"))
    _wait_spoken(page, 3)
    assert [s["key"] for s in _diagnostics(page, "spoken")] == ["A-001#1", "A-002#1", "A-003#1"]
    # A recall is a new call: spoken again.
    again = recall(q["loket1"], called[0].id)
    db.session.commit()
    publish_change(q["unit"], called=again)
    _wait_spoken(page, 4)
    assert _diagnostics(page, "spoken")[-1]["key"] == "A-001#2"
    assert _diagnostics(page, "dropped") == []


@pytest.mark.browser
def test_calls_older_than_the_units_setting_are_shown_but_not_spoken(display, live_server, make_queue):
    q = make_queue()
    db.session.add(QueueState(unit_id=q["unit"].id, version=0, announce_max_age_seconds=10))
    db.session.commit()
    issue_ticket(q["A"])
    call_next(q["loket1"], now=utcnow() - timedelta(seconds=20))  # missed, recent (< 30 s), but over 10 s old
    page = _open(display, live_server, q["unit"])
    expect(page.locator("#panggilan")).to_contain_text("A-001")
    assert _diagnostics(page, "dropped") == ["A-001#1"]
    assert _diagnostics(page, "spoken") == []


@pytest.mark.browser
def test_an_announcement_lasts_about_three_seconds(display, live_server, make_queue, capsys):
    """Measured from the decoded clips: chime, letter, digits, "loket", counter (the short words)."""
    q = make_queue()
    page = _open(display, live_server, q["unit"])
    typical = page.evaluate("window.layarDiagnostics.measure('A-007', 2)")
    assert 2.0 < typical <= 4.0, typical
    # The longest a 40-counter lobby can hear: the longest letter, three "sembilan", counter 39.
    longest = page.evaluate("window.layarDiagnostics.measure('X-999', 39)")
    assert typical < longest <= 6.0, longest
    with capsys.disabled():
        print(f"\nannouncement A-007 at loket 2: {typical:.2f} s; X-999 at loket 39: {longest:.2f} s")


@pytest.mark.browser
def test_a_booked_number_is_spelled_letter_by_letter_with_clips_that_exist(display, live_server, make_queue):
    """"RA-007" is "R", "A", ...: there is one clip per letter, none for "ra" (it was silently left out)."""
    q = make_queue()
    page = _open(display, live_server, q["unit"])
    clips = page.evaluate("window.layarDiagnostics.clips('RA-007', 2)")
    assert clips[:5] == ["huruf-r", "huruf-a", "nol", "nol", "tujuh"], clips
    audio = Path(__file__).resolve().parent.parent / "static" / "audio" / "id"
    assert all((audio / f"{clip}.ogg").is_file() for clip in clips if clip != ","), clips


@pytest.mark.browser
def test_a_transferred_ticket_called_again_with_the_same_count_is_announced(display, live_server, make_queue):
    """A call is its number and its moment: a transfer starts the call count again (A-001#1 twice), as does a new
    day with the same numbers; a display that remembered "A-001#1" must still announce the second one."""
    q = make_queue()
    ticket = issue_ticket(q["A"])
    page = _open(display, live_server, q["unit"])
    page.wait_for_selector("body[data-live]")
    first = call_next(q["loket1"])
    publish_change(q["unit"], called=first)
    _wait_spoken(page, 1)
    transfer(q["loket1"], ticket.id, q["B"])  # to line B: its call count starts again
    publish_change(q["unit"])
    again = call_next(q["loket1"])  # Loket 1 serves B too: A-001's first call in line B
    publish_change(q["unit"], called=again)
    _wait_spoken(page, 2)
    assert again.id == ticket.id and again.call_count == 1
    assert [s["key"] for s in _diagnostics(page, "spoken")] == ["A-001#1", "A-001#1"]
    assert _diagnostics(page, "announced") == ["A-001#1", "A-001#1"]
