"""Regression tests for defects found in review: each names the scenario it guards against."""

from __future__ import annotations

from pathlib import Path

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.conftest import PASSWORD, csrf_from
from tests.test_importer import SEEDS
from webapp import _instance_secret_key
from webapp.auth.models import User
from webapp.core.extensions import db
from webapp.core.forms import apply_list_operation
from webapp.core.page_cache import page_cache
from webapp.standards.importer import import_document, read_document
from webapp.standards.models import Service, ServiceVersion


def test_an_api_token_does_not_open_the_back_office(client, make_user):
    admin = make_user(username="admin1")
    _, plain = admin.issue_token()
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get(url_for("api.whoami"), headers=headers).status_code == 200
    response = client.get(url_for("admin.new_user"), headers=headers)
    assert response.status_code == 302  # to the login page: the token is not a staff session
    assert "/admin/masuk" in response.headers["Location"]


def test_a_typed_title_does_not_merge_the_standards_of_a_document(make_unit):
    result = import_document(make_unit(), next(SEEDS.glob("000_*.txt")).read_bytes(), title="Judul Ketik", actor=None)
    assert len(result.created) == 5
    assert "Judul Ketik" not in [s.title for s, _ in result.created]


def test_a_component_row_that_lost_its_number_starts_that_component():
    text = "Izin Reklame\n\nNO\tKOMPONEN\tURAIAN\n1\tPersyaratan\tKTP\n\tProduk pelayanan\tSurat izin reklame\n"
    standard = read_document(text.encode()).standards[0]
    assert set(standard.components) == {"persyaratan", "produk"}
    assert standard.blocks()["produk"]["paragraphs"] == ["Surat izin reklame"]


def test_resetting_a_password_from_the_cli_keeps_the_unit_and_state(runner, make_unit, make_user):
    unit = make_unit(slug="dpmptsp-kota")
    user = make_user(role="admin", unit=unit, username="adminkota")
    user.active = False
    db.session.commit()
    result = runner.invoke(args=["users", "create", "adminkota", "--role", "admin", "--password", "sandi-baru-panjang"])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.unit_id == unit.id
    assert user.active is False


def test_a_unit_with_accounts_cannot_be_deleted(make_unit, make_user):
    unit = make_unit()
    make_user(role="admin", unit=unit)
    db.session.delete(unit)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    else:
        raise AssertionError("deleting the unit should have been refused")


def test_a_password_change_ends_the_other_sessions(app, client, make_user):
    user = make_user(username="admin1")
    other = app.test_client()
    for browser in (client, other):
        token = csrf_from(browser, url_for("auth.login"))
        browser.post(url_for("auth.login"), data={"csrf_token": token, "username": "admin1", "password": PASSWORD})
    assert other.get(url_for("admin.dashboard")).status_code == 200
    url = url_for("admin.change_password")
    response = client.post(url, data={"csrf_token": csrf_from(client, url), "current": PASSWORD,
                                      "new": "sandi-baru-sekali", "repeat": "sandi-baru-sekali"})  # fmt: skip
    assert response.status_code == 302
    assert other.get(url_for("admin.dashboard")).status_code == 302  # signed out
    assert User.by_username("admin1").check_password("sandi-baru-sekali")
    assert user.id


def test_login_starts_a_fresh_session(client, make_user):
    make_user(username="admin1")
    token = csrf_from(client, url_for("auth.login"))
    client.post(url_for("auth.login"), data={"csrf_token": token, "username": "admin1", "password": PASSWORD})
    with client.session_transaction() as session:
        assert session.get("csrf_token") is None  # the token from before login is gone


def test_hx_request_false_cannot_poison_the_partial(client, demo):
    url = url_for("standards.catalogue", q="genset")
    client.get(url, headers={"HX-Request": "false"})
    partial = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in partial
    restored = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restored.get_data(as_text=True)  # the back button gets a whole page


def test_renaming_a_unit_is_found_by_the_search_at_once(client, demo):
    from webapp.core.units import Unit

    unit = Unit.by_slug("dpmptsp-pekanbaru")
    unit.short_name = "Mal Pelayanan Publik Madani"
    db.session.commit()
    html = client.get(url_for("standards.catalogue", q="madani")).get_data(as_text=True)
    assert "Surat Izin Kerja Tenaga Sanitarian" in html


def test_only_one_open_draft_per_service(make_service):
    service = make_service()
    db.session.add(ServiceVersion(service=service, document=service.to_document()))
    db.session.add(ServiceVersion(service=service, document=service.to_document()))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    else:
        raise AssertionError("two drafts of one service were stored")
    drafts = select(func.count()).select_from(ServiceVersion).where(ServiceVersion.status == "draft")
    assert db.session.scalar(drafts) == 0


def test_moving_an_item_carries_its_sub_items():
    rows = [{"text": "A", "level": "0"}, {"text": "A1", "level": "1"}, {"text": "B", "level": "0"}]
    moved = apply_list_operation({"items": [dict(r) for r in rows]}, "up:items-2")["items"]
    assert [r["text"] for r in moved] == ["B", "A", "A1"]
    moved = apply_list_operation({"items": [dict(r) for r in rows]}, "down:items-0")["items"]
    assert [r["text"] for r in moved] == ["B", "A", "A1"]
    unchanged = apply_list_operation({"items": [dict(r) for r in rows]}, "up:items-1")["items"]
    assert [r["text"] for r in unchanged] == ["A", "A1", "B"]  # a sub-item does not leave its parent
    removed = apply_list_operation({"items": [dict(r) for r in rows]}, "remove:items-0")["items"]
    assert [r["text"] for r in removed] == ["B"]


def test_the_audit_date_filter_uses_local_days(client, login, make_service):
    from datetime import UTC, datetime

    from webapp.audit.models import AuditEvent

    make_service()
    login("admin")
    event = db.session.scalar(select(AuditEvent))
    event.at = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)  # 22 November 06.30 WIB
    db.session.commit()
    html = client.get(url_for("admin.audit", date_from="2026-11-22", date_to="2026-11-22")).get_data(as_text=True)
    assert "1 catatan" in html


def test_the_secret_key_file_is_created_once(tmp_path: Path):
    path = tmp_path / "secret_key"
    keys = {_instance_secret_key(path) for _ in range(3)}
    assert len(keys) == 1


def test_untrusted_host_is_refused_when_hosts_are_configured(app, client, demo, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["layanan.kamparkab.go.id"])
    page_cache.clear()
    assert client.get("/layanan/izin-instalasi-genset/qr.png", base_url="http://evil.example").status_code == 400
    good = client.get("/layanan/izin-instalasi-genset/qr.png", base_url="https://layanan.kamparkab.go.id")
    assert good.status_code == 200


def test_static_files_stream_past_the_page_cache(client):
    response = client.get(url_for("static", filename="js/htmx.min.js"))
    assert response.status_code == 200
    assert "X-Loket-Cache-Ttl" not in response.headers
    assert len(response.data) > 40_000


def test_no_service_is_left_behind_by_these_tests():
    assert db.session.scalar(select(func.count()).select_from(Service)) == 0
