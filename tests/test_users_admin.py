"""Managing staff accounts in the back office."""

from __future__ import annotations

import re

from flask import url_for

from tests.conftest import csrf_from
from webapp.audit.models import AuditEvent
from webapp.auth.models import ApiToken, User
from webapp.core.extensions import db


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_from(client, url), **data})


def test_admin_creates_an_account_limited_to_a_unit(client, login, make_unit):
    unit = make_unit()
    login("admin")
    response = _post(client, url_for("admin.new_user"), username="loket2", name="Sari", role="petugas_loket",
                     unit=unit.id, active="y", password="sandi-loket-2026")  # fmt: skip
    assert response.status_code == 302
    user = User.by_username("loket2")
    assert (user.role, user.unit_id, user.active) == ("petugas_loket", unit.id, True)
    assert user.check_password("sandi-loket-2026")
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.object_type == "user")).summary.startswith(
        "Membuat akun loket2"
    )


def test_new_account_needs_a_password_and_a_free_name(client, login, make_user):
    login("admin")
    make_user(username="ada")
    missing = _post(client, url_for("admin.new_user"), username="baru", role="sekretaris", unit=0, active="y")
    assert missing.status_code == 422
    assert "Masukkan kata sandi awal." in missing.get_data(as_text=True)
    taken = _post(
        client, url_for("admin.new_user"), username="ada", role="sekretaris", unit=0, password="panjang-sekali"
    )
    assert "sudah dipakai" in taken.get_data(as_text=True)
    assert 'value="ada"' in taken.get_data(as_text=True)


def test_edit_role_deactivate_and_reset_password(client, login, make_user):
    login("admin")
    user = make_user(role="petugas_loket", username="loket3")
    url = url_for("admin.edit_user", user_id=user.id)
    response = _post(
        client, url, username="loket3", name="Budi", role="tim_pengaduan", unit=0, password="sandi-baru-2026"
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.role, user.active, user.name) == ("tim_pengaduan", False, "Budi")
    assert user.check_password("sandi-baru-2026")
    event = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    paths = {c["path"] for c in event.changes}
    assert {"role", "active", "name", "password"} <= paths
    assert "sandi-baru-2026" not in str(event.changes)


def test_an_admin_cannot_demote_or_deactivate_itself(client, login):
    admin = login("admin")
    url = url_for("admin.edit_user", user_id=admin.id)
    response = _post(client, url, username=admin.username, role="sekretaris", unit=0, active="y")
    assert response.status_code == 422
    assert "akun Anda sendiri" in response.get_data(as_text=True)


def test_token_shown_once_then_revoked_from_the_page(client, login, make_user):
    login("admin")
    user = make_user(role="petugas_loket", username="kios")
    url = url_for("admin.edit_user", user_id=user.id)
    token_page = client.post(url_for("admin.issue_token", user_id=user.id), data={"csrf_token": csrf_from(client, url)})
    html = token_page.get_data(as_text=True)
    plain = re.search(r'value="(loket_[^"]+)"', html).group(1)
    whoami = client.application.test_client().get(url_for("api.whoami"), headers={"Authorization": f"Bearer {plain}"})
    assert whoami.get_json()["username"] == "kios"
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.hint in html
    assert "loket_" not in client.get(url).get_data(as_text=True)  # never shown again
    revoke = url_for("admin.revoke_token", user_id=user.id, token_id=token.id)
    assert client.post(revoke, data={"csrf_token": csrf_from(client, url)}).status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None


def test_a_unit_limited_admin_manages_only_its_unit(client, login, make_unit, make_user):
    own, other = make_unit(), make_unit()
    login("admin", unit=own)
    mine = make_user(role="petugas_loket", unit=own, username="milik")
    theirs = make_user(role="petugas_loket", unit=other, username="bukan")
    listing = client.get(url_for("admin.users")).get_data(as_text=True)
    assert "milik" in listing and "bukan" not in listing
    assert client.get(url_for("admin.edit_user", user_id=theirs.id)).status_code == 403
    form = client.get(url_for("admin.new_user")).get_data(as_text=True)
    assert "Semua instansi" not in form
    escalate = _post(
        client, url_for("admin.new_user"), username="naik", role="admin", unit=0, password="panjang-sekali"
    )
    assert escalate.status_code == 422  # "all units" is not a choice for a unit-limited admin
    assert User.by_username("naik") is None
    assert client.get(url_for("admin.edit_user", user_id=mine.id)).status_code == 200


def test_an_admin_cannot_make_a_token_for_another_admin(client, login, make_user):
    login("admin")
    other = make_user(role="admin", username="admin-lain")
    url = url_for("admin.edit_user", user_id=other.id)
    assert "hanya dapat dibuat oleh pemilik" in client.get(url).get_data(as_text=True)
    response = client.post(url_for("admin.issue_token", user_id=other.id), data={"csrf_token": csrf_from(client, url)})
    assert response.status_code == 403
    assert not other.tokens
