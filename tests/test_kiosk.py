"""The kiosk: idempotent tickets (security L8) in the form and the API, on SQLite and PostgreSQL, with a
threaded race; the device's paper width and printing carried through every step; the per-unit priority
choice; the waiting count and estimated wait on each button."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for
from sqlalchemy import func, select

from antrian.issuing import KeyReusedError, find_replay, issue
from antrian.models import DailySequence, QueueState, Ticket
from antrian.routes import KIOSK_COOKIE
from antrian.service import QueueError
from antrian.setup import save_setup, setup_of
from tests.conftest import csrf_from
from webapp.core.extensions import db

MONDAY_9 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 09.00 WIB


def _tickets() -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket))


def _press(client, unit, code="A", key=None, priority=None, query=None):
    """A touch on the kiosk's button ``code``, as the browser sends it (kios.js fills ``kunci``)."""
    url = url_for("antrian.kiosk", instansi=unit.slug, **(query or {}))
    data = {"csrf_token": csrf_from(client, url), "service": code}
    if key is not None:
        data["kunci"] = key
    if priority is not None:
        data["prioritas"] = priority
    return client.post(url, data=data)


def _query(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query)


def _enable_priority(unit) -> None:
    db.session.add(QueueState(unit_id=unit.id, version=0, running_text="", kiosk_priority=True))
    db.session.commit()


def _register(app, client, make_user, unit, **settings):
    """An administrator saves this browser's kiosk settings, then leaves it to the visitors."""
    admin = make_user(role="admin", unit=unit)
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["login_at"] = session["seen_at"] = int(datetime.now(UTC).timestamp())
    kiosk_url = url_for("antrian.kiosk", instansi=unit.slug)
    answer = client.post(url_for("antrian.register_kiosk", instansi=unit.slug),
                         data={"csrf_token": csrf_from(client, kiosk_url), **settings})
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    return answer


# --- idempotency in the service ------------------------------------------------------------------


def test_a_key_answers_its_ticket_again_within_the_day(make_queue):
    q = make_queue()
    key = str(uuid.uuid4())
    first = issue(q["unit"].slug, "A", now=MONDAY_9, request_key=key)
    again = issue(q["unit"].slug, "A", now=MONDAY_9 + timedelta(minutes=3), request_key=key)
    assert not first.replayed and again.replayed
    assert (again.id, again.number, again.token) == (first.id, first.number, first.token)
    other = issue(q["unit"].slug, "A", now=MONDAY_9, request_key=str(uuid.uuid4()))
    assert other.number == "A-002"
    assert issue(q["unit"].slug, "A", now=MONDAY_9).number == "A-003"  # no key: a new ticket each time
    tomorrow = issue(q["unit"].slug, "A", now=MONDAY_9 + timedelta(days=1), request_key=key)
    assert not tomorrow.replayed and tomorrow.number == "A-001"  # the key holds for one day
    assert db.session.get(DailySequence, (q["A"].id, first.day)).last == 3  # no number skipped by the replay


def test_a_key_of_another_service_or_unit(make_queue, make_unit):
    q = make_queue()
    key = str(uuid.uuid4())
    issue(q["unit"].slug, "A", now=MONDAY_9, request_key=key)
    with pytest.raises(KeyReusedError):
        issue(q["unit"].slug, "B", now=MONDAY_9, request_key=key)
    other = make_queue(unit=make_unit())
    assert not issue(other["unit"].slug, "A", now=MONDAY_9, request_key=key).replayed  # keys are per unit
    with pytest.raises(QueueError):
        issue(q["unit"].slug, "A", now=MONDAY_9, request_key="bad key with spaces")
    assert find_replay(q["unit"].slug, "A", None) is None


def test_a_retry_after_closing_time_still_finds_its_ticket(make_queue):
    q = make_queue()
    q["A"].closes_at = q["A"].closes_at.replace(hour=9, minute=30)  # 09.30 WIB
    db.session.commit()
    key = str(uuid.uuid4())
    first = issue(q["unit"].slug, "A", now=MONDAY_9, request_key=key)
    again = issue(q["unit"].slug, "A", now=MONDAY_9 + timedelta(hours=1), request_key=key)
    assert again.replayed and again.id == first.id


# --- idempotency in the API ----------------------------------------------------------------------


def _api(client, unit, code="A", key=None, headers=None):
    extra = dict(headers or {})
    if key is not None:
        extra["Idempotency-Key"] = key
    return client.post(url_for("api.take_ticket"), json={"unit": unit.slug, "service": code}, headers=extra)


def test_the_api_answers_a_replay_with_200_and_the_same_ticket(client, make_queue):
    q = make_queue()
    key = str(uuid.uuid4())
    first = _api(client, q["unit"], key=key)
    again = _api(client, q["unit"], key=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    assert _tickets() == 1
    assert _api(client, q["unit"], key=str(uuid.uuid4())).get_json()["number"] == "A-002"
    reused = _api(client, q["unit"], code="B", key=key)
    assert reused.status_code == 422 and list(reused.get_json()["error"]["fields"]) == ["Idempotency-Key"]
    bad = _api(client, q["unit"], key="x")
    assert bad.status_code == 400 and list(bad.get_json()["error"]["fields"]) == ["Idempotency-Key"]
    assert _tickets() == 2


def test_a_replay_is_not_counted_against_the_anonymous_limits(client, make_queue, fresh_limits):
    q = make_queue()
    key = str(uuid.uuid4())
    assert [_api(client, q["unit"], key=key).status_code for _ in range(6)] == [201] + [200] * 5
    assert _api(client, q["unit"]).status_code == 201  # 2 of the address's 3 anonymous tickets used, not 7


def test_simultaneous_requests_with_one_key_make_one_ticket(app, make_queue, make_user):
    """Eight kiosks' retries of one tap, released at once: one 201, seven 200, one ticket, no number lost."""
    q = make_queue()
    user = make_user(role="petugas_loket", unit=q["unit"])
    _, token = user.issue_token("kios")  # a kiosk device's token: no anonymous limit in the way
    db.session.commit()
    slug, key, count = q["unit"].slug, str(uuid.uuid4()), 8
    barrier = threading.Barrier(count)
    answers: list[tuple[int, str]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def kiosk() -> None:
        client = app.test_client()
        with app.test_request_context():
            url = url_for("api.take_ticket")
        try:
            barrier.wait()
            answer = client.post(url, json={"unit": slug, "service": "A"},
                                 headers={"Idempotency-Key": key, "Authorization": f"Bearer {token}"})
            with lock:
                answers.append((answer.status_code, answer.get_json().get("token", answer.get_data(as_text=True))))
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            with lock:
                errors.append(repr(exc))

    threads = [threading.Thread(target=kiosk) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(status for status, _ in answers) == [200] * (count - 1) + [201], answers
    assert len({token for _, token in answers}) == 1
    db.session.expire_all()
    assert _tickets() == 1
    assert db.session.scalar(select(DailySequence.last)) == 1  # the losers' numbers were rolled back


# --- the kiosk page ------------------------------------------------------------------------------


def test_a_retried_kiosk_press_gets_the_same_ticket(client, make_queue):
    q = make_queue()
    key = str(uuid.uuid4())
    first = _press(client, q["unit"], key=key)
    again = _press(client, q["unit"], key=key)  # the browser sends the form again after a timeout
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert _tickets() == 1
    _press(client, q["unit"], key=str(uuid.uuid4()))
    _press(client, q["unit"])  # without JavaScript: no key, a ticket per press
    assert _tickets() == 3
    assert db.session.scalar(select(Ticket.request_key).where(Ticket.number == "A-001")) == key


def test_a_bad_key_or_priority_is_refused_without_a_ticket(client, make_queue):
    q = make_queue()
    page = _press(client, q["unit"], key="<script>")
    assert page.status_code == 200 and "tidak terbaca" in page.get_data(as_text=True)
    refused = _press(client, q["unit"], priority="lansia")  # the unit does not offer priority at its kiosk
    assert refused.status_code == 302
    assert "diberikan oleh petugas loket" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert _press(client, q["unit"], priority="presiden").status_code == 200
    assert _tickets() == 0


def test_priority_tickets_when_the_unit_offers_them(client, make_queue):
    q = make_queue()
    page = client.get(url_for("antrian.kiosk", instansi=q["unit"].slug)).get_data(as_text=True)
    assert 'name="prioritas"' not in page
    _enable_priority(q["unit"])
    page = client.get(url_for("antrian.kiosk", instansi=q["unit"].slug)).get_data(as_text=True)
    assert page.count('name="prioritas"') == 4  # "Tidak" and the three reasons
    assert "img/prioritas.svg" in page and "#disabilitas" in page
    _press(client, q["unit"])
    answer = _press(client, q["unit"], priority="hamil")
    ticket = db.session.scalar(select(Ticket).where(Ticket.priority.is_(True)))
    assert ticket.priority_reason == "hamil"
    slip = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Prioritas: Ibu hamil" in slip and "0 orang di depan Anda" in slip  # called before A-001


def test_the_priority_setting_is_part_of_the_queue_setup(make_queue, make_user):
    q = make_queue()
    admin = make_user(role="admin", unit=q["unit"])
    assert setup_of(q["unit"])["kiosk"] == {"priority": False}
    current = setup_of(q["unit"])
    changes = save_setup(q["unit"], current["services"], current["counters"], "", actor=admin,
                         kiosk={"priority": True})
    assert db.session.get(QueueState, q["unit"].id).kiosk_priority is True
    assert any("kiosk" in str(change) for change in changes)  # in the audit line
    save_setup(q["unit"], current["services"], current["counters"], "", actor=admin)  # None keeps it
    assert db.session.get(QueueState, q["unit"].id).kiosk_priority is True


def test_the_setup_page_has_a_kios_fieldset(client, login, make_queue):
    q = make_queue()
    login("admin", unit=q["unit"])
    page = client.get(url_for("antrian.setup", slug=q["unit"].slug)).get_data(as_text=True)
    assert "<legend>Kios</legend>" in page and 'name="kiosk-priority"' in page


# --- the device's paper width and printing -------------------------------------------------------


def test_an_unregistered_kiosk_carries_lebar_through_every_step(client, make_queue, make_unit):
    q = make_queue()
    other = make_queue(unit=make_unit())
    chooser = client.get(url_for("antrian.kiosk", lebar="58")).get_data(as_text=True)  # two units: a choice
    assert f'href="/antrian/ambil?instansi={other["unit"].slug}&amp;lebar=58"' in chooser
    page = client.get(url_for("antrian.kiosk", instansi=q["unit"].slug, lebar="58")).get_data(as_text=True)
    assert f'action="/antrian/ambil?instansi={q["unit"].slug}&amp;lebar=58"' in page
    answer = _press(client, q["unit"], query={"lebar": "58"})
    assert _query(answer.headers["Location"])["lebar"] == ["58"]
    slip = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'class="ticket-print w58"' in slip and "data-print-now" in slip
    assert f'data-kiosk-return="/antrian/ambil?instansi={q["unit"].slug}&amp;lebar=58"' in slip
    token = db.session.scalar(select(Ticket.token))
    assert f'<p class="slip-url">http://localhost/antrian/tiket/{token}</p>' in slip


def test_a_registered_kiosk_remembers_its_paper_width(app, client, make_queue, make_user):
    q = make_queue()
    assert _register(app, client, make_user, q["unit"], lebar="58", cetak="browser").status_code == 302
    assert client.get_cookie(KIOSK_COOKIE, path=url_for("antrian.kiosk")) is not None
    answer = _press(client, q["unit"])  # no ?lebar= in the address: the device knows
    assert _query(answer.headers["Location"])["lebar"] == ["58"]
    assert 'class="ticket-print w58"' in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_a_printer_address_is_checked_and_kept_on_error(app, client, make_queue, make_user):
    q = make_queue()
    answer = _register(app, client, make_user, q["unit"], lebar="80", cetak="escpos", printer="10.0.0.5:99999")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "host:port" in page and 'value="10.0.0.5:99999"' in page
    assert client.get_cookie(KIOSK_COOKIE, path=url_for("antrian.kiosk")) is None
    empty = _register(app, client, make_user, q["unit"], cetak="escpos", printer="")
    assert empty.status_code == 422 and "Isi alamat printer" in empty.get_data(as_text=True)


def test_a_printer_that_does_not_answer_leaves_the_ticket_on_screen(app, client, make_queue, make_user,
                                                                   printer_on_loopback):
    q = make_queue()
    dead = _free_port()
    _register(app, client, make_user, q["unit"], lebar="58", cetak="escpos", printer=f"127.0.0.1:{dead}")
    answer = _press(client, q["unit"], key=str(uuid.uuid4()))
    assert answer.status_code == 302
    assert _query(answer.headers["Location"])["cetak"] == ["gagal"]
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Printer tiket tidak menjawab" in page and "A-001" in page and "slip-qr" in page
    assert "data-print-now" not in page and 'data-return-after="30"' in page
    assert _tickets() == 1


def _free_port() -> int:
    """A loopback port nobody listens on (closed at once after it was bound)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the buttons' waiting count and estimate -----------------------------------------------------


def test_each_button_shows_its_waiting_count_and_estimate(client, make_queue):
    q = make_queue()
    now = datetime.now(UTC)
    for _ in range(6):
        issue(q["unit"].slug, "A", check_hours=False)
    served = db.session.scalar(select(Ticket).order_by(Ticket.id).limit(1))
    served.status, served.called_at, served.finished_at = Ticket.DONE, now - timedelta(minutes=10), now
    db.session.commit()
    page = client.get(url_for("antrian.kiosk", instansi=q["unit"].slug)).get_data(as_text=True)
    # 5 waiting; a new ticket: (5 + 1) x 10 minutes over the 2 counters serving A = 30 minutes.
    assert "5 orang menunggu · sekitar 30 menit" in page
    assert "Tidak ada yang menunggu" in page  # B


def test_the_request_that_loses_the_race_answers_the_winners_ticket(make_queue, monkeypatch):
    """The unique key decides: a request whose look-up found nothing (the winner had not committed yet) hits
    the constraint, and answers the winner's ticket; its number is rolled back with it."""
    import antrian.issuing

    q = make_queue()
    key = str(uuid.uuid4())
    first = issue(q["unit"].slug, "A", now=MONDAY_9, request_key=key)
    looked_up = []
    real = antrian.issuing.find_replay
    # Blind before the statement, and on SQLite also under its write lock.
    blind = 2 if db.session.get_bind().dialect.name == "sqlite" else 1

    def too_early(*args, **kwargs):
        looked_up.append(args)
        return None if len(looked_up) <= blind else real(*args, **kwargs)

    monkeypatch.setattr(antrian.issuing, "find_replay", too_early)
    again = issue(q["unit"].slug, "A", now=MONDAY_9, request_key=key)
    assert again.replayed and again.id == first.id
    assert len(looked_up) == blind + 1  # it did reach the constraint, then looked again
    assert db.session.get(DailySequence, (q["A"].id, first.day)).last == 1
    assert _tickets() == 1


def test_the_kiosk_pages_pass_the_html_checker(app, client, login, make_queue, make_user, tmp_path,
                                               printer_on_loopback):
    """The variants the public-page check does not see: priority choice, the device form, a failed printer."""
    from tests.test_html_validity import vnu_errors

    q = make_queue()
    _enable_priority(q["unit"])
    _register(app, client, make_user, q["unit"], cetak="escpos", printer=f"127.0.0.1:{_free_port()}")
    answer = _press(client, q["unit"], priority="lansia")
    pages = {"failed-print": client.get(answer.headers["Location"]).get_data(as_text=True)}
    login("admin", unit=q["unit"])
    pages["kiosk-admin"] = client.get(url_for("antrian.kiosk", instansi=q["unit"].slug)).get_data(as_text=True)
    refused = client.post(url_for("antrian.register_kiosk", instansi=q["unit"].slug), data={
        "csrf_token": csrf_from(client, url_for("antrian.kiosk", instansi=q["unit"].slug)), "cetak": "escpos"})
    pages["kiosk-refused"] = refused.get_data(as_text=True)
    assert "Isi alamat printer" in pages["kiosk-refused"] and 'name="prioritas"' in pages["kiosk-admin"]
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    assert vnu_errors(files) == []
