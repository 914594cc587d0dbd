"""The one access policy: who may do what, on which kind of object, within which unit.

Every question of access is asked here, and nowhere else:

- route guards: ``@guard("complaint.view")`` on a view (login, role, and the action kept on
  the view for the access matrix);
- objects: ``require(user, "complaint.view", complaint)`` (403) and ``can(...)``;
- lists: ``scoped(user, statement, Complaint.unit_id)`` keeps the rows of the account's unit;
- the staff menu (``staff_menu``) and the buttons of templates (the global ``can``);
- API tokens: a token acts as its account, so the API asks the same rules.

Roles are the office's posts (admin, petugas loket, tim pengaduan, sekretaris, kepala
dinas). Units: an account with a unit sees and changes only that unit's rows; an account
without one is *global* (the office as a whole: a DPMPTSP's own staff at a Mal Pelayanan
Publik) and may act in every unit. Rows that belong to no unit (an office-wide closure day,
a complaint about "another service") are seen by everyone the action admits, and changed
only by global accounts when the rule says ``unitless="global"``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal, Protocol, TypeVar

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import Select, or_

from webapp.core.units import Unit

ADMIN = "admin"
PETUGAS_LOKET = "petugas_loket"
TIM_PENGADUAN = "tim_pengaduan"
SEKRETARIS = "sekretaris"
KEPALA_DINAS = "kepala_dinas"

ROLES: dict[str, str] = {
    ADMIN: "Admin",
    PETUGAS_LOKET: "Petugas loket",
    TIM_PENGADUAN: "Tim pengaduan",
    SEKRETARIS: "Sekretaris",
    KEPALA_DINAS: "Kepala dinas",
}
EVERY_ROLE = frozenset(ROLES)
COMPLAINT_READERS = frozenset({ADMIN, TIM_PENGADUAN, SEKRETARIS, KEPALA_DINAS})
LEADERS = frozenset({ADMIN, SEKRETARIS, KEPALA_DINAS})


class Account(Protocol):
    """What the policy reads of an account (``webapp.auth.models.User``)."""

    role: str
    unit_id: int | None
    is_authenticated: bool
    is_active: bool


@dataclass(frozen=True)
class Rule:
    """Who may do an action: the roles, what it means in words, and how rows without a unit are treated.

    ``unitless``: "everyone" lets every admitted role act on a row that has no unit;
    "global" keeps such rows to global accounts (an office-wide closure moves every unit's
    deadlines, so a unit's sekretaris may not add one).
    """

    roles: frozenset[str]
    description: str
    unitless: Literal["everyone", "global"] = "everyone"
    # A further condition on the object, beyond role and unit (checked only when an object is given).
    condition: Callable[[Account, Any], bool] | None = None


def _rule(roles: frozenset[str] | set[str], description: str, unitless: Literal["everyone", "global"] = "everyone",
          condition: Callable[[Account, Any], bool] | None = None) -> Rule:
    return Rule(frozenset(roles), description, unitless, condition)


def _own_token_of_admin(actor: Account, account: Any) -> bool:
    """An admin account's token is made by that account only: no admin can act as another through the API."""
    return account.role != ADMIN or account.id == getattr(actor, "id", None)


# Every action of the back office and the staff API. A route guarded by an action not
# listed here fails at import; a staff route without a guard fails the access-matrix test.
POLICY: dict[str, Rule] = {
    # Own account and the staff home page.
    "staff.home": _rule(EVERY_ROLE, "Membuka beranda petugas dan mengganti kata sandi sendiri"),
    # Units and their service standards (the catalogue).
    "unit.edit": _rule({ADMIN}, "Mengubah profil instansi"),
    "office.edit": _rule({ADMIN}, "Mengisi kop surat, jam layanan, logo dan penandatangan instansi"),
    "service.edit": _rule({ADMIN}, "Menyusun, menerbitkan dan memulihkan standar pelayanan"),
    "service.import": _rule({ADMIN}, "Mengimpor dokumen standar pelayanan", unitless="global"),
    "service.review_import": _rule({ADMIN}, "Meninjau hasil impor standar pelayanan lalu menerbitkannya"),
    "audit.view": _rule({ADMIN}, "Membaca log audit"),
    "user.manage": _rule({ADMIN}, "Mengelola akun petugas dan token API", unitless="global"),
    "user.issue_token": _rule({ADMIN}, "Membuat token API untuk sebuah akun", unitless="global",
                              condition=_own_token_of_admin),
    # The queue.
    "counter.operate": _rule({ADMIN, PETUGAS_LOKET}, "Melayani di loket: memanggil, melayani, melewati, mengalihkan"),
    "queue.setup": _rule({ADMIN}, "Mengatur layanan antrian, loket dan jam buka"),
    "queue.statistics": _rule(EVERY_ROLE, "Membaca statistik antrian"),
    # Bookings (reservasi) carry names and phone numbers: staff of the unit who serve the line only.
    "reservasi.view": _rule({ADMIN, PETUGAS_LOKET}, "Membaca daftar reservasi hari ini (nama dan kontak pemesan)"),
    "reservasi.checkin": _rule({ADMIN, PETUGAS_LOKET}, "Mencatat kedatangan (check-in) reservasi di loket"),
    # Complaints.
    "complaint.view": _rule(COMPLAINT_READERS, "Membaca Buku Pengaduan dan berkas pengaduan"),
    "complaint.handle": _rule(COMPLAINT_READERS, "Menindaklanjuti pengaduan (verifikasi, bobot, balasan, selesai)"),
    "complaint.record": _rule({ADMIN, TIM_PENGADUAN, SEKRETARIS, PETUGAS_LOKET},
                              "Mencatat pengaduan yang datang langsung, lewat telepon, surat atau kotak saran"),
    # Anonymity (seed 000): only the complaints team sees who filed an anonymous complaint.
    "complaint.see_anonymous": _rule({TIM_PENGADUAN}, "Melihat identitas pengadu anonim"),
    # A monthly report belongs to a unit; the office-wide one (no unit) counts every unit's
    # complaints, so even reading it is for global accounts (webapp.pengaduan.reporting).
    "report.view": _rule(COMPLAINT_READERS, "Membaca laporan pengaduan bulanan", unitless="global"),
    "report.submit": _rule({ADMIN, TIM_PENGADUAN}, "Menyusun dan mengajukan laporan pengaduan bulanan",
                           unitless="global"),
    "report.review": _rule({SEKRETARIS}, "Memeriksa laporan pengaduan bulanan", unitless="global"),
    # Messages to citizens and the working-day calendar.
    "outbox.view": _rule({ADMIN, TIM_PENGADUAN, SEKRETARIS}, "Membaca dan mengirim ulang pesan keluar"),
    "closure.manage": _rule({ADMIN, SEKRETARIS}, "Mencatat hari libur kantor", unitless="global"),
    # Permit files (berkas) and issued documents.
    "berkas.view": _rule(EVERY_ROLE, "Membaca berkas permohonan dan kartu kendali"),
    "berkas.act": _rule(EVERY_ROLE, "Menerima dan meneruskan berkas pada langkahnya"),
    "berkas.stand_in": _rule({ADMIN}, "Mengerjakan langkah berkas yang ditetapkan untuk peran lain"),
    "berkas.register": _rule({ADMIN, PETUGAS_LOKET}, "Mendaftarkan berkas dan melengkapi persyaratannya"),
    "berkas.route": _rule({ADMIN}, "Mengatur alur berkas per layanan"),
    "document.issue": _rule({ADMIN, PETUGAS_LOKET, SEKRETARIS, KEPALA_DINAS}, "Menerbitkan dokumen hasil layanan"),
    "document.revoke": _rule(LEADERS, "Mencabut dokumen yang sudah terbit"),
    # The satisfaction survey (SKM).
    "survey.view": _rule(COMPLAINT_READERS, "Membaca hasil survei dan IKM"),
    "survey.plan": _rule(LEADERS, "Menyusun rencana tindak lanjut survei"),
    "survey.setup": _rule({ADMIN}, "Menentukan layanan survei untuk setiap antrian"),
    # Staff file responses for respondents (a survey kiosk or paper forms with a bearer token), in their own unit.
    "survey.file": _rule(EVERY_ROLE, "Mengisi survei atas nama responden (kios survei, kuesioner kertas)"),
    # Paper questionnaires typed in later carry the day they were filled (a backdated response).
    "survey.enter_paper": _rule({ADMIN, PETUGAS_LOKET, TIM_PENGADUAN}, "Memasukkan kuesioner kertas"),
}


def rule(action: str) -> Rule:
    """The rule of ``action``; an unknown action is a programming error."""
    try:
        return POLICY[action]
    except KeyError:
        raise KeyError(f"no policy for {action!r}: add it to webapp.core.policy.POLICY") from None


def is_global(user: Account) -> bool:
    """Whether the account acts for every unit (it has no unit of its own)."""
    return user.unit_id is None


def unit_of(target: Any) -> int | None:
    """The unit id a target belongs to: an id, a Unit, or any row with ``unit_id``."""
    if target is None or isinstance(target, int):
        return target
    if hasattr(target, "unit_id"):
        return target.unit_id
    if isinstance(target, Unit):
        return target.id
    raise TypeError(f"{type(target).__name__} belongs to no unit")


NO_TARGET: Any = object()  # "no object": the question is about the action alone


def can(user: Account | None, action: str, target: Any = NO_TARGET) -> bool:
    """Whether ``user`` may do ``action`` (on ``target``, when given: a row, a Unit or a unit id)."""
    wanted = rule(action)
    if user is None or not user.is_authenticated or not user.is_active or user.role not in wanted.roles:
        return False
    if target is NO_TARGET:
        return True
    if wanted.condition is not None and not wanted.condition(user, target):
        return False
    if is_global(user):
        return True
    unit_id = unit_of(target)
    if unit_id is None:
        return wanted.unitless == "everyone"
    return unit_id == user.unit_id


def require(user: Account | None, action: str, target: Any = NO_TARGET) -> None:
    """Stop the request with 403 unless ``user`` may do ``action`` (on ``target``)."""
    if not can(user, action, target):
        abort(403)


Statement = TypeVar("Statement", bound=Select)


def scoped(user: Account, statement: Statement, unit_column: Any, *, unitless: bool = True) -> Statement:
    """``statement`` limited to the rows of the account's unit (global accounts: every row).

    ``unitless`` keeps rows that belong to no unit (office-wide closures, complaints about
    another service) in the list of a unit's account too.
    """
    if is_global(user):
        return statement
    mine = unit_column == user.unit_id
    return statement.where(or_(mine, unit_column.is_(None)) if unitless else mine)


View = TypeVar("View", bound=Callable[..., Any])


def guard(action: str, *, api: bool = False) -> Callable[[View], View]:
    """Guard a staff view: logged in (else the login page), and a role that ``action`` admits (else 403).

    ``api`` views answer 401 instead of sending to the login page (a bearer token logs in
    as its account, so the same rule holds for the API). The action is kept on the view
    (``view.policy_action``), so that the access matrix and the staff menu read the same rule.
    """
    wanted = rule(action)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return abort(401) if api else current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if current_user.role not in wanted.roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.policy_action = action  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


@dataclass(frozen=True)
class MenuItem:
    """One link of the staff menu: shown to the roles its action admits."""

    label: str
    endpoint: str
    action: str
    # Endpoints under which this item is the current page ("berkas.*": every endpoint of berkas).
    current: tuple[str, ...]


STAFF_MENU: tuple[MenuItem, ...] = (
    MenuItem("Beranda petugas", "admin.dashboard", "staff.home", ("admin.dashboard",)),
    MenuItem("Berkas", "berkas.index", "berkas.view", ("berkas.*",)),
    MenuItem("Standar pelayanan", "admin.services", "service.edit",
             ("admin.services", "admin.edit_service", "admin.preview", "admin.versions", "admin.compare",
              "admin.new_service")),
    MenuItem("Impor dokumen", "admin.import_standard", "service.import",
             ("admin.import_standard", "admin.import_review")),
    MenuItem("Instansi", "admin.units", "unit.edit", ("admin.units", "admin.edit_unit", "admin.office_profile")),
    MenuItem("Pengguna", "admin.users", "user.manage", ("admin.users", "admin.new_user", "admin.edit_user")),
    MenuItem("Log audit", "admin.audit", "audit.view", ("admin.audit",)),
    MenuItem("Hari libur", "admin.calendar", "closure.manage", ("admin.calendar",)),
    MenuItem("Buku Pengaduan", "pengaduan.book", "complaint.view",
             ("pengaduan.book", "pengaduan.case_view", "pengaduan.case_action")),
    MenuItem("Laporan pengaduan", "pengaduan.reports", "report.view", ("pengaduan.report*",)),
    MenuItem("Catat pengaduan", "pengaduan.staff_new", "complaint.record",
             ("pengaduan.staff_new", "pengaduan.receipt")),
    MenuItem("Pesan keluar", "admin.outbox", "outbox.view", ("admin.outbox",)),
    MenuItem("Panel loket", "antrian.counter_panel", "counter.operate", ("antrian.*",)),
    MenuItem("Reservasi", "reservasi.day_list", "reservasi.view", ("reservasi.*",)),
    MenuItem("Survei (IKM)", "survei.results_page", "survey.view", ("survei.*",)),
    MenuItem("Kata sandi", "admin.change_password", "staff.home", ("admin.change_password",)),
)


def staff_menu(user: Account) -> list[MenuItem]:
    """The menu items ``user`` may open."""
    return [item for item in STAFF_MENU if can(user, item.action)]


def is_current(item: MenuItem, endpoint: str | None) -> bool:
    """Whether ``endpoint`` is the page of ``item`` (for ``aria-current``)."""
    if not endpoint:
        return False
    return any(endpoint.startswith(c[:-1]) if c.endswith("*") else endpoint == c for c in item.current)
