"""The accounts and tokens service (``webapp.auth.service``): each change commits itself, a refusal changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.unit_of_work import counting_commits, stored
from webapp.audit.models import SYSTEM, AuditEvent
from webapp.auth import throttle
from webapp.auth.models import ApiToken, LoginFailure, User
from webapp.auth.service import (
    NAME_TAKEN,
    NOT_YOURSELF,
    PASSWORD_NEEDED,
    WRONG_PASSWORD,
    AccountDetails,
    AccountError,
    change_own_password,
    create_account,
    issue_api_token,
    note_login,
    note_token_use,
    revoke_api_token,
    set_up_account,
    update_account,
)
from webapp.core.extensions import db

DETAILS = AccountDetails(name=" Sari ", role="petugas_loket", unit_id=None, active=True, password="sandi-loket-2026")


def _events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_creating_an_account_commits_it_with_its_audit_line(make_user, make_unit):
    admin, unit = make_user(), make_unit()
    with counting_commits() as commits:
        user = create_account("loket9", replace(DETAILS, unit_id=unit.id), actor=admin)
    assert commits == [1]
    assert stored(User, User.username == "loket9") == 1
    user = User.by_username("loket9")
    assert (user.name, user.role, user.unit_id, user.active) == ("Sari", "petugas_loket", unit.id, True)
    assert user.check_password("sandi-loket-2026")
    [event] = _events()
    assert (event.username, event.object_id, event.unit_id) == (admin.username, user.id, unit.id)
    assert event.summary.startswith("Membuat akun loket9")


@pytest.mark.parametrize(("username", "password", "message", "field"), [
    ("baru", "", PASSWORD_NEEDED, "password"),
    ("ADA", "sandi-panjang-sekali", NAME_TAKEN, "username"),  # names are compared without case
])
def test_a_refused_account_changes_nothing(make_user, username, password, message, field):
    admin = make_user(username="ada")
    before = stored(User)
    with counting_commits() as commits, pytest.raises(AccountError, match=message) as refusal:
        create_account(username, AccountDetails("", "sekretaris", None, True, password), actor=admin)
    assert refusal.value.field == field
    assert commits == []
    assert stored(User) == before
    assert stored(AuditEvent) == 0


def test_updating_an_account_records_every_change_but_the_password_itself(make_user, make_unit):
    admin, unit = make_user(), make_unit()
    user = make_user(role="petugas_loket")
    details = AccountDetails(name="Budi", role="tim_pengaduan", unit_id=unit.id, active=False,
                             password="sandi-baru-2026")
    with counting_commits() as commits:
        changes = update_account(user, details, actor=admin)
    assert commits == [1]
    db.session.rollback()
    assert (user.role, user.unit_id, user.active, user.name) == ("tim_pengaduan", unit.id, False, "Budi")
    assert user.check_password("sandi-baru-2026")
    # The move to another unit is recorded too (the unit is read by its id, not the stale relationship).
    assert {"name", "role", "unit", "active", "password"} <= {c["path"] for c in changes}
    assert {"path": "unit", "old": None, "new": unit.slug} in changes
    [event] = _events()
    assert event.username == admin.username and "sandi-baru-2026" not in str(event.changes)


@pytest.mark.parametrize(("role", "active"), [("sekretaris", True), ("admin", False)])
def test_an_admin_cannot_demote_or_deactivate_itself_and_nothing_changes(make_user, role, active):
    admin = make_user(role="admin")
    with counting_commits() as commits, pytest.raises(AccountError, match=NOT_YOURSELF) as refusal:
        update_account(admin, AccountDetails("Lain", role, None, active, "sandi-lain-sekali"), actor=admin)
    assert refusal.value.field == "role"
    assert commits == []
    db.session.rollback()
    assert (admin.role, admin.active, admin.name) == ("admin", True, "Petugas 1")
    assert admin.check_password(PASSWORD)
    assert stored(AuditEvent) == 0


def test_changing_ones_own_password(make_user):
    user = make_user()
    with counting_commits() as commits, pytest.raises(AccountError, match=WRONG_PASSWORD) as refusal:
        change_own_password("salah-sekali-ini", "sandi-baru-sekali", actor=user)
    assert refusal.value.field == "current" and commits == []
    assert user.check_password(PASSWORD) and stored(AuditEvent) == 0
    with counting_commits() as commits:
        change_own_password(PASSWORD, "sandi-baru-sekali", actor=user)
    assert commits == [1]
    db.session.rollback()
    assert user.check_password("sandi-baru-sekali")
    [event] = _events()
    assert (event.username, event.object_id) == (user.username, user.id)


def test_the_cli_sets_up_or_resets_an_account_as_the_system(make_unit):
    unit = make_unit()
    with counting_commits() as commits:
        user, created = set_up_account("kios", role="petugas_loket", password="sandi-kios-2026", unit_id=unit.id,
                                       actor=None)
    assert created and commits == [1]
    with counting_commits() as commits:
        again, created = set_up_account("kios", role="sekretaris", password="sandi-lain-2026", actor=None)
    assert not created and commits == [1] and again.id == user.id
    db.session.rollback()
    assert (again.role, again.unit_id, again.active) == ("sekretaris", unit.id, True)  # the unit is kept
    assert again.check_password("sandi-lain-2026")
    assert [(e.action, e.username) for e in _events()] == [("create", SYSTEM), ("update", SYSTEM)]


def test_a_token_is_issued_and_revoked_once_each_in_its_own_unit_of_work(make_user):
    admin, user = make_user(), make_user(role="petugas_loket")
    with counting_commits() as commits:
        token, plain = issue_api_token(user, "kios lobi", actor=admin)
    assert commits == [1] and plain.endswith(token.hint)
    assert stored(ApiToken, ApiToken.revoked_at.is_(None)) == 1
    with counting_commits() as commits:
        assert revoke_api_token(token, actor=admin) is True
        assert revoke_api_token(token, actor=admin) is False  # already revoked: nothing more to record
    assert commits == [1, 1]
    assert stored(ApiToken, ApiToken.revoked_at.is_(None)) == 0
    assert [e.summary.split(" #")[0] for e in _events()] == ["Membuat token API", "Mencabut token API"]


def test_a_login_forgets_the_accounts_failures_and_notes_the_moment(make_user):
    user = make_user(username="admin1")
    throttle.record_failure("Admin1", "10.0.0.1")  # a unit of work of its own
    throttle.record_failure("lain", "10.0.0.1")
    assert stored(LoginFailure) == 2
    with counting_commits() as commits:
        note_login(user)
    assert commits == [1]
    assert stored(LoginFailure, LoginFailure.username == "admin1") == 0
    assert stored(LoginFailure) == 1
    assert user.last_login_at is not None


def test_a_tokens_use_is_written_in_a_unit_of_work(make_user):
    token, _ = issue_api_token(make_user(), "", actor=None)
    moment = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    with counting_commits() as commits:
        note_token_use(token.id, moment)
    assert commits == [1]
    db.session.rollback()
    assert token.last_used_at == moment
