"""The written rules of docs/architecture.md that a reader of the source can check.

**Who commits**: the service layer owns transactions. Views, CLI commands and socket
handlers never commit, never open a write transaction (``begin_write``) and never start
the outbox's delivery (``send_soon``: the session hook sends after the commit). This test
reads the source of each such module and finds those calls, whatever the comments say.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

# Every view, CLI command and socket-handler module, by feature. Add a feature's entry points
# here when the feature keeps the rule (berkas, pengaduan and antrian follow).
ENTRY_POINT_MODULES = [
    # the back office's own pages
    "webapp.admin.routes",
    "webapp.admin.users",
    "webapp.admin.calendar",
    "webapp.admin.editor",
    # accounts: the login page, the request hooks, `flask users`
    "webapp.auth.routes",
    "webapp.auth.security",
    "webapp.auth.commands",
    # the catalogue: public pages, `flask standards import`
    "webapp.standards.routes",
    "webapp.standards.commands",
    # the survey: public form, staff pages, the JSON API
    "webapp.survei.routes",
    "webapp.survei.staff",
    "webapp.api.survei",
    # demo data, the outbox worker (`flask demo load`, `flask outbox`)
    "webapp.demo.commands",
    "webapp.outbox.commands",
]

# The features whose every routes/staff/public/events/commands module must be in the list above.
CHECKED_PACKAGES = ["webapp.admin", "webapp.auth", "webapp.standards", "webapp.survei", "webapp.demo",
                    "webapp.outbox", "webapp.workdays"]
ENTRY_POINT_NAMES = ("routes", "staff", "public", "events", "commands")

FORBIDDEN = {
    "commit": "db.session.commit(): call a @transactional service function instead",
    "begin_write": "begin_write(): a @transactional(serial=True) service function opens the write transaction",
    "send_soon": "send_soon(): the outbox sends after the commit by itself (a session hook)",
}


def _name_of(call: ast.Call) -> str | None:
    """The called name: ``commit`` only on a session (``db.session.commit``), the others however reached."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        if func.attr == "commit":
            owner = func.value
            is_session = (isinstance(owner, ast.Attribute) and owner.attr == "session") or (
                isinstance(owner, ast.Name) and owner.id == "session")  # fmt: skip
            return "commit" if is_session else None
        return func.attr
    return None


def forbidden_calls(source: str) -> list[str]:
    """Each forbidden call in ``source``, as "line N: why"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = _name_of(node)
            if name in FORBIDDEN:
                found.append(f"line {node.lineno}: {FORBIDDEN[name]}")
    return found


def _path(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin, f"{module} not found: the list is out of date"
    return Path(spec.origin)


@pytest.mark.parametrize("module", ENTRY_POINT_MODULES)
def test_entry_points_never_commit(module):
    problems = forbidden_calls(_path(module).read_text(encoding="utf-8"))
    assert not problems, f"{module} breaks the transaction rule:\n" + "\n".join(problems)


def test_every_entry_point_of_the_checked_features_is_listed():
    webapp_dir = _path("webapp").parent
    found = {
        f"{package}.{path.stem}"
        for package in CHECKED_PACKAGES
        for path in (webapp_dir / package.removeprefix("webapp.")).glob("*.py")
        if path.stem in ENTRY_POINT_NAMES or (package == "webapp.admin" and path.stem != "__init__")
    }
    assert found - {*ENTRY_POINT_MODULES, "webapp.admin.forms", "webapp.admin.fields"} == set()


def test_the_check_finds_every_forbidden_call():
    source = (
        "def view():\n"
        "    '''A docstring may say db.session.commit() and send_soon().'''\n"
        "    db.session.commit()\n"
        "    begin_write()\n"
        "    outbox.send_soon()\n"
        "    form.commit()  # not a session\n"
    )
    assert [line.split(":")[0] for line in forbidden_calls(source)] == ["line 3", "line 4", "line 5"]
