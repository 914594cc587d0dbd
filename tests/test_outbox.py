"""The outbox: messages survive a mail server that is down and go out when it is back."""

from __future__ import annotations

import json
import logging
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from flask import url_for

from tests.conftest import csrf_from
from webapp.core.db import utcnow
from webapp.core.extensions import db
from webapp.outbox.models import FAILED, NO_SENDER, PENDING, SENT, OutboxMessage, mask_recipient
from webapp.outbox.service import deliver_due, enqueue, retry_delay


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_settings(app):
    port = free_port()
    saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_TIMEOUT")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none", SMTP_TIMEOUT=2)
    yield port
    app.config.update(saved)


def test_mail_server_down_then_up(smtp_settings):
    enqueue("email", "warga@example.com", "Pengaduan ADU-2026-000001 diterima.", unit_id=None,
            subject="Pengaduan diterima", topic="pengaduan.diterima", reference="ADU-2026-000001")
    db.session.commit()

    report = deliver_due()  # nothing listens on the port yet
    assert (report.sent, report.retrying) == (0, 1)
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert message.status == PENDING and message.attempts == 1 and message.last_error
    assert deliver_due().retrying == 0  # not due again before its back-off

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings)
    controller.start()
    try:
        report = deliver_due(now=utcnow() + retry_delay(1) + timedelta(seconds=1))
    finally:
        controller.stop()
    assert report.sent == 1
    db.session.expire_all()
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert message.status == SENT and message.sent_at is not None
    (recipients, content), = inbox.messages
    assert recipients == ["warga@example.com"]
    assert b"ADU-2026-000001" in content and b"Subject: Pengaduan diterima" in content


def test_gives_up_after_the_last_attempt(app, smtp_settings):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    try:
        enqueue("email", "warga@example.com", "Halo", unit_id=None)
        db.session.commit()
        deliver_due()
        deliver_due(now=utcnow() + timedelta(hours=1))
    finally:
        app.config["OUTBOX_MAX_ATTEMPTS"] = 12
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert message.status == FAILED and message.attempts == 2


def test_back_off_doubles_and_is_capped():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert retry_delay(30) == timedelta(hours=6)


def test_sms_through_the_http_gateway(app):
    received: list[dict] = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append({"auth": self.headers["Authorization"],
                             "body": json.loads(self.rfile.read(int(self.headers["Content-Length"])))})
            self.send_response(200 if len(received) > 1 else 503)  # fails once, then accepts
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config.update(MESSAGE_GATEWAY_URL=f"http://127.0.0.1:{server.server_port}/kirim", MESSAGE_GATEWAY_TOKEN="t0k")
    try:
        enqueue("sms", "081234567890", "Izin Anda siap diambil.", unit_id=None)
        db.session.commit()
        assert deliver_due().retrying == 1
        assert deliver_due(now=utcnow() + timedelta(minutes=5)).sent == 1
    finally:
        app.config.update(MESSAGE_GATEWAY_URL="", MESSAGE_GATEWAY_TOKEN="")
        server.shutdown()
    assert received[1] == {"auth": "Bearer t0k",
                           "body": {"channel": "sms", "to": "081234567890", "text": "Izin Anda siap diambil."}}


def test_log_sender_masks_the_recipient(caplog):
    enqueue("whatsapp", "081234567890", "Berkas Anda sudah selesai.", unit_id=None)
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="loket.outbox"):
        assert deliver_due().unsent == 1
    assert "0812*****890" in caplog.text
    assert "081234567890" not in caplog.text


def test_masking():
    assert mask_recipient("budi.santoso@example.com") == "b***@example.com"
    assert mask_recipient("081234567890") == "0812*****890"
    assert mask_recipient("12345") == "*****"


def test_unknown_channel_refused():
    with pytest.raises(ValueError):
        enqueue("pos", "x", "y", unit_id=None)


def test_cli_sends_and_reports(runner, smtp_settings):
    enqueue("email", "warga@example.com", "Halo", unit_id=None)
    db.session.commit()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings)
    controller.start()
    try:
        result = runner.invoke(args=["outbox", "kirim"])
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert "terkirim 1" in result.output
    status = runner.invoke(args=["outbox", "status"])
    assert "Terkirim: 1" in status.output


def test_without_a_sender_a_message_is_logged_masked_and_never_marked_sent(app, runner, client, login, caplog,
                                                                            smtp_settings):
    """L3: no SMTP_HOST (and no gateway): the log says a message waits, masked, never its body; staff see it."""
    app.config["SMTP_HOST"] = ""
    enqueue("email", "warga.rahasia@example.com", "Kode lacak ABCD-1234.", unit_id=None, subject="Uji")
    enqueue("sms", "081234567890", "Izin siap diambil.", unit_id=None)
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="loket.outbox"):
        result = runner.invoke(args=["outbox", "kirim"])
    assert "terkirim 0" in result.output and "tidak dikirim (belum ada pengirim) 2" in result.output
    logged = caplog.text
    assert "NOT SENT" in logged and "SMTP_HOST" in logged and "MESSAGE_GATEWAY_URL" in logged
    assert "w***@example.com" in logged
    assert "ABCD-1234" not in logged  # a body carries tracking codes and staff replies: never logged
    assert "warga.rahasia" not in logged and "081234567890" not in logged
    messages = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.status, m.attempts, m.sent_at) for m in messages] == [(NO_SENDER, 0, None)] * 2
    assert "Tidak dikirim (belum ada pengirim): 2" in runner.invoke(args=["outbox", "status"]).output
    login("tim_pengaduan")
    page = client.get(url_for("admin.outbox", status=NO_SENDER))
    assert page.text.count("Tidak dikirim (belum ada pengirim)") >= 3  # the filter and both rows
    assert "warga.rahasia" not in page.text

    # Once SMTP is set, the email goes out by itself; the SMS still waits for its gateway.
    app.config["SMTP_HOST"] = "127.0.0.1"
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings)
    controller.start()
    try:
        report = deliver_due()
    finally:
        controller.stop()
    assert (report.sent, report.unsent) == (1, 0)
    db.session.expire_all()
    assert [m.status for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))] == [
        SENT, NO_SENDER]
    assert inbox.messages[0][0] == ["warga.rahasia@example.com"]


def test_the_app_logs_at_info_to_stderr(app):
    """Neither gunicorn nor flask run configures the app's loggers: create_app does, at LOG_LEVEL."""
    for name in ("loket", "webapp", "antrian"):
        logger = logging.getLogger(name)
        assert logger.getEffectiveLevel() == logging.INFO
        ours = [h for h in logger.handlers if getattr(h, "_loket", False)]
        assert len(ours) == 1 and isinstance(ours[0], logging.StreamHandler)


def test_staff_list_masks_and_retries(client, login, smtp_settings):
    enqueue("email", "warga@example.com", "Halo", unit_id=None, subject="Uji")
    db.session.commit()
    deliver_due()  # fails: no server
    login("tim_pengaduan")
    page = client.get(url_for("admin.outbox"))
    assert page.status_code == 200
    assert "w***@example.com" in page.text and "warga@example.com" not in page.text
    message = db.session.scalars(db.select(OutboxMessage)).one()
    answer = client.post(url_for("admin.retry_message", message_id=message.id),
                         data={"csrf_token": csrf_from(client, url_for("admin.outbox"))})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).next_attempt_at <= utcnow()


def test_outbox_list_is_staff_only(client, login):
    login("petugas_loket")
    assert client.get(url_for("admin.outbox")).status_code == 403


def test_a_crashing_sender_does_not_block_the_messages_behind_it(monkeypatch):
    from webapp.outbox import service

    class Broken:
        delivers = True

        def send(self, message):
            raise RuntimeError("gateway answered nonsense")

    class Working:
        delivers = True

        def send(self, message):
            pass

    monkeypatch.setattr(service, "sender_for", lambda channel, config: Broken() if channel == "sms" else Working())
    monkeypatch.setattr(service, "has_sender", lambda channel, config: True)
    first = enqueue("sms", "081234567890", "Izin Anda siap diambil.", unit_id=None)
    second = enqueue("email", "warga@example.com", "Pengaduan diterima.", unit_id=None)
    db.session.commit()
    report = deliver_due()
    assert (report.sent, report.retrying) == (1, 1)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, first.id).attempts == 1
    assert db.session.get(OutboxMessage, first.id).status == PENDING
    assert db.session.get(OutboxMessage, second.id).status == SENT


class Refusing(Inbox):
    """A mail server that knows no such mailbox."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: mailbox unavailable"


def test_a_refused_address_never_reaches_the_log_or_the_staff_page(smtp_settings, caplog):
    controller = Controller(Refusing(), hostname="127.0.0.1", port=smtp_settings)
    controller.start()
    try:
        enqueue("email", "budi.santoso@example.com", "Halo", unit_id=None)
        db.session.commit()
        with caplog.at_level(logging.INFO, logger="loket.outbox"):
            assert deliver_due().retrying == 1
    finally:
        controller.stop()
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert "550" in message.last_error
    assert "budi.santoso" not in message.last_error
    assert "budi.santoso" not in caplog.text


# --- per unit, and anonymous complainants (security L7) ----------------------------------------------


def _message_about(reference: str) -> OutboxMessage:
    return db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.reference == reference)).one()


def test_a_unit_account_lists_and_retries_only_its_units_messages(client, login, make_unit, make_complaint):
    pku, kampar = make_unit(), make_unit()
    mine = make_complaint(pku, email="warga.pekanbaru@contoh.id")
    theirs = make_complaint(kampar, email="warga.kampar@contoh.id")
    loose = make_complaint(None, email="warga.lain@contoh.id")
    login("tim_pengaduan", unit=pku)
    page = client.get(url_for("admin.outbox")).text
    assert mine.number in page and loose.number in page  # a complaint about no unit is everyone's
    assert theirs.number not in page and "w***@contoh.id" in page
    assert "1 pesan" not in page and "2 pesan" in page
    token = csrf_from(client, url_for("admin.outbox"))
    refused = client.post(url_for("admin.retry_message", message_id=_message_about(theirs.number).id),
                          data={"csrf_token": token})
    assert refused.status_code == 403
    assert client.post(url_for("admin.retry_message", message_id=_message_about(mine.number).id),
                       data={"csrf_token": token}).status_code == 302
    assert (_message_about(mine.number).unit_id, _message_about(theirs.number).unit_id) == (pku.id, kampar.id)

    login("tim_pengaduan")  # a global account sees every unit's messages
    page = client.get(url_for("admin.outbox")).text
    assert all(c.number in page for c in (mine, theirs, loose))


@pytest.mark.parametrize("role", ["admin", "sekretaris"])
def test_an_anonymous_complainants_recipient_is_not_shown_to_staff_who_may_not_see_identities(
        client, login, make_unit, make_complaint, role):
    unit = make_unit()
    hidden = make_complaint(unit, anonymous=True, email="rahasia.pengadu@contoh.id")
    named = make_complaint(unit, email="terbuka.pengadu@contoh.id")
    login(role, unit=unit)
    page = client.get(url_for("admin.outbox")).text
    assert hidden.number in page and "(pengadu anonim)" in page
    assert "r***@contoh.id" not in page
    assert named.number in page and "t***@contoh.id" in page


def test_the_complaints_team_sees_the_masked_recipient_of_an_anonymous_complaint(client, login, make_unit,
                                                                                 make_complaint):
    unit = make_unit()
    complaint = make_complaint(unit, anonymous=True, email="rahasia.pengadu@contoh.id")
    assert _message_about(complaint.number).anonymous
    login("tim_pengaduan", unit=unit)
    page = client.get(url_for("admin.outbox")).text
    assert "r***@contoh.id" in page and "(pengadu anonim)" not in page


def test_a_committed_message_is_sent_after_the_commit_without_the_view_asking(app, monkeypatch):
    """The outbox starts delivery after the commit that queued a message, within a request only."""
    import webapp.outbox.service as outbox

    started = []
    monkeypatch.setattr(outbox, "send_soon", lambda app=None: started.append(1))
    with app.test_request_context("/"):
        enqueue("email", "warga@contoh.id", "Uji", unit_id=None)
        db.session.rollback()
        db.session.commit()
        assert started == []  # rolled back: nothing was queued
        enqueue("email", "warga@contoh.id", "Uji", unit_id=None)
        db.session.commit()
        assert started == [1]
        db.session.commit()
        assert started == [1]  # once per commit that queued something
    monkeypatch.setattr(outbox, "has_request_context", lambda: False)  # as in a CLI command
    enqueue("email", "warga@contoh.id", "Uji dari perintah", unit_id=None)
    db.session.commit()
    assert started == [1]  # a command delivers by itself (its thread would die with it)


def test_a_retry_is_one_unit_of_work_and_is_sent_after_its_commit(app, monkeypatch):
    import webapp.outbox.service as outbox
    from tests.unit_of_work import counting_commits

    enqueue("email", "warga@example.com", "Halo", unit_id=None)
    db.session.commit()
    message = db.session.scalars(db.select(OutboxMessage)).one()
    message.status, message.next_attempt_at = FAILED, utcnow() + timedelta(hours=1)
    db.session.commit()
    started = []
    monkeypatch.setattr(outbox, "send_soon", lambda app=None: started.append(1))
    with counting_commits() as commits:
        outbox.retry_now(message)
    assert commits == [1] and started == [1]
    db.session.rollback()  # what is stored, not what the session holds
    assert message.status == PENDING and message.next_attempt_at <= utcnow()


def test_a_savepoint_neither_sends_nor_forgets_a_message_of_its_transaction(app, monkeypatch):
    """SQLAlchemy reports a savepoint's release and rollback like a commit's: the message waits for the real one."""
    import webapp.outbox.service as outbox

    started = []
    monkeypatch.setattr(outbox, "send_soon", lambda app=None: started.append(1))
    enqueue("email", "warga@contoh.id", "Uji", unit_id=None)
    with db.session.begin_nested():
        pass
    assert started == []  # not committed yet: a delivery round would not see it
    savepoint = db.session.begin_nested()
    savepoint.rollback()  # e.g. a closure refused by its unique index, in the same transaction
    db.session.commit()
    assert started == [1]


def test_a_sent_message_is_not_sent_again(app, monkeypatch):
    import webapp.outbox.service as outbox
    from tests.unit_of_work import refuses

    message = enqueue("email", "warga@example.com", "Halo", unit_id=None)
    message.status = SENT
    db.session.commit()
    started = []
    monkeypatch.setattr(outbox, "send_soon", lambda app=None: started.append(1))
    with refuses(outbox.OutboxError, "sudah terkirim"):
        outbox.retry_now(message)
    assert started == [] and db.session.get(OutboxMessage, message.id).status == SENT
