"""The access policy's rules themselves: roles, units, rows of no unit, conditions, list scoping."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import url_for
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.core.policy import (
    POLICY,
    STAFF_MENU,
    can,
    is_current,
    require,
    scoped,
    staff_menu,
)
from webapp.core.units import Unit


@dataclass
class Account:
    """A stand-in account: the policy reads only these attributes."""

    role: str
    unit_id: int | None = None
    id: int = 1
    is_authenticated: bool = True
    is_active: bool = True


@dataclass
class Row:
    """A row that belongs to a unit (or to none)."""

    unit_id: int | None


def test_a_role_outside_the_rule_is_refused_whatever_the_unit():
    assert can(Account("tim_pengaduan"), "complaint.view")
    assert not can(Account("petugas_loket"), "complaint.view")
    assert not can(Account("petugas_loket"), "complaint.view", Row(unit_id=None))


def test_a_unit_account_acts_in_its_unit_only_and_a_global_one_everywhere():
    unit_account, global_account = Account("admin", unit_id=1), Account("admin", unit_id=None)
    assert can(unit_account, "service.edit", Row(1))
    assert not can(unit_account, "service.edit", Row(2))
    assert can(global_account, "service.edit", Row(2))
    assert can(unit_account, "service.edit", 1) and not can(unit_account, "service.edit", 2)  # a unit id


def test_a_unit_object_is_its_own_unit(make_unit):
    unit, other = make_unit(), make_unit()
    account = Account("admin", unit_id=unit.id)
    assert can(account, "queue.setup", unit)
    assert not can(account, "queue.setup", other)


def test_rows_of_no_unit_follow_the_rules_unitless_setting():
    sekretaris = Account("sekretaris", unit_id=1)
    # A complaint about "another service" has no unit: every complaint reader sees it.
    assert POLICY["complaint.view"].unitless == "everyone"
    assert can(sekretaris, "complaint.view", Row(None))
    # An office-wide closure moves every unit's deadlines: only global accounts change it.
    assert POLICY["closure.manage"].unitless == "global"
    assert not can(sekretaris, "closure.manage", Row(None))
    assert can(Account("sekretaris"), "closure.manage", Row(None))
    # A global account is managed by global admins only.
    assert not can(Account("admin", unit_id=1), "user.manage", Row(None))


def test_an_admins_token_is_made_by_that_admin_only():
    me = Account("admin", id=7)
    assert can(me, "user.issue_token", Account("admin", id=7))
    assert not can(me, "user.issue_token", Account("admin", id=8))
    assert can(me, "user.issue_token", Account("petugas_loket", id=9))


def test_an_anonymous_or_inactive_account_may_do_nothing():
    assert not can(None, "staff.home")
    assert not can(Account("admin", is_authenticated=False), "staff.home")
    assert not can(Account("admin", is_active=False), "staff.home")


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError, match=r"add it to webapp\.core\.policy\.POLICY"):
        can(Account("admin"), "complaint.delete")


def test_require_answers_403(app):
    from werkzeug.exceptions import Forbidden

    with pytest.raises(Forbidden):
        require(Account("petugas_loket", unit_id=1), "berkas.view", Row(2))
    require(Account("petugas_loket", unit_id=1), "berkas.view", Row(1))


def test_scoped_lists_keep_the_accounts_unit(make_unit):
    first, second = make_unit(), make_unit()
    statement = select(Unit.id).order_by(Unit.id)
    assert db.session.scalars(scoped(Account("admin", unit_id=first.id), statement, Unit.id)).all() == [first.id]
    assert db.session.scalars(scoped(Account("admin"), statement, Unit.id)).all() == [first.id, second.id]


def test_the_staff_menu_shows_what_the_role_may_open():
    labels = {item.label for item in staff_menu(Account("petugas_loket"))}
    assert {"Panel loket", "Berkas", "Catat pengaduan", "Kata sandi"} <= labels
    assert not labels & {"Buku Pengaduan", "Pengguna", "Hari libur", "Survei (IKM)", "Pesan keluar"}
    assert {item.label for item in staff_menu(Account("admin"))} == {item.label for item in STAFF_MENU}


def test_menu_items_know_their_pages():
    berkas = next(item for item in STAFF_MENU if item.endpoint == "berkas.index")
    assert is_current(berkas, "berkas.detail") and not is_current(berkas, "admin.dashboard")
    assert not is_current(berkas, None)


def test_the_staff_menu_on_a_page_follows_the_policy(client, login):
    login("kepala_dinas")
    page = client.get(url_for("admin.dashboard")).get_data(as_text=True)
    assert url_for("pengaduan.book") in page and url_for("survei.results_page") in page
    assert url_for("antrian.counter_panel") not in page and url_for("admin.users") not in page
    assert url_for("pengaduan.staff_new") not in page  # the Kepala Dinas reads complaints, does not record them
