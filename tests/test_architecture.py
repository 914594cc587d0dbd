"""The written rules of docs/architecture.md that a reader of the source can check.

**Who commits**: the service layer owns transactions. Views, socket handlers, CLI
commands and request hooks (the *entry points*) never commit, roll back, open a write
transaction (``begin_write``) or start the outbox's delivery (``send_soon``: a session hook
sends after the commit). **Who acts**: every other module of a feature is given the acting
user, and never reads the logged-in user, the request, the session or ``g``.

The calls and imports are found in the syntax tree, so a comment or a docstring that names
them is no offence. Entry points are found by their decorators (a route, a socket handler,
a CLI command, an error handler), so a new one is checked without anyone listing it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

# The feature packages and the entry-point packages over them (webapp/core is below the rules:
# it holds the guard, which reads the logged-in user, and the helpers that commit).
PACKAGES = (
    "antrian", "webapp/admin", "webapp/api", "webapp/audit", "webapp/auth", "webapp/berkas", "webapp/demo",
    "webapp/errors", "webapp/kinerja", "webapp/main", "webapp/outbox", "webapp/pengaduan", "webapp/standards",
    "webapp/survei",
    "webapp/workdays",
)  # fmt: skip
# A decorator of one of these names makes a module an entry point.
ENTRY_DECORATORS = {"route", "get", "post", "put", "patch", "delete", "on", "command", "group", "app_errorhandler",
                    "errorhandler", "app_template_filter", "before_app_request"}  # fmt: skip
# Entry points without such a decorator: hooks registered by a function, and the blueprints' packages.
OTHER_ENTRY_POINTS = {"webapp/auth/security.py", "webapp/api/schema.py"}  # the latter: the API's request check
FORBIDDEN_IN_ENTRY_POINTS = {
    "commit": "call a @transactional service function instead",
    "rollback": "a refused unit of work rolls itself back",
    "begin_write": "a @transactional(serial=True) service function opens the write transaction",
    "send_soon": "the outbox sends after the commit by itself (a session hook)",
}
# The only rollbacks an entry point may make, and why.
ALLOWED_ROLLBACKS = {
    "webapp/errors/handlers.py",  # a 500 rolls back whatever the request began (style rule 7)
    "webapp/main/routes.py",  # /healthz ends the transaction its failed probe broke
}
# What a service function must be given instead of reading it.
FORBIDDEN_IN_SERVICES = {"flask_login": {"current_user"}, "flask": {"request", "session", "g"}}


def _tree(path: str) -> ast.Module:
    return ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)


def _called_name(call: ast.Call) -> str:
    """The last name of what is called: ``db.session.commit()`` -> "commit"."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _modules() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _is_entry_point(path: str) -> bool:
    if path in OTHER_ENTRY_POINTS or path.endswith("__init__.py"):
        return True
    return any(
        isinstance(decorator, ast.Call) and _called_name(decorator) in ENTRY_DECORATORS
        for node in ast.walk(_tree(path)) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for decorator in node.decorator_list
    )  # fmt: skip


def forbidden_calls(path: str) -> list[str]:
    """Each call an entry point must not make, as "path:line name(): why"."""
    allowed = {"rollback"} if path in ALLOWED_ROLLBACKS else set()
    return [f"{path}:{node.lineno} {_called_name(node)}(): {FORBIDDEN_IN_ENTRY_POINTS[_called_name(node)]}"
            for node in ast.walk(_tree(path))
            if isinstance(node, ast.Call) and _called_name(node) in FORBIDDEN_IN_ENTRY_POINTS.keys() - allowed]


def request_reads(path: str) -> list[str]:
    """Each import of the logged-in user, the request, the session or ``g``."""
    return [f"{path}:{node.lineno} {node.module}.{alias.name}" for node in ast.walk(_tree(path))
            if isinstance(node, ast.ImportFrom) for alias in node.names
            if alias.name in FORBIDDEN_IN_SERVICES.get(node.module or "", set())]  # fmt: skip


ENTRY_POINTS = [path for path in _modules() if _is_entry_point(path)]
SERVICES = [path for path in _modules() if not _is_entry_point(path)]


@pytest.mark.parametrize("path", ENTRY_POINTS)
def test_entry_points_never_commit(path):
    assert forbidden_calls(path) == []


@pytest.mark.parametrize("path", SERVICES)
def test_other_modules_take_the_actor_and_never_read_the_request(path):
    assert request_reads(path) == []


def test_the_views_are_found():
    """The discovery itself: the known views, sockets, commands and hooks are entry points, the rules are not."""
    for path in ("webapp/admin/routes.py", "webapp/pengaduan/staff.py", "antrian/events.py", "webapp/auth/commands.py",
                 "webapp/berkas/document_routes.py", "webapp/errors/handlers.py", "webapp/auth/security.py"):
        assert path in ENTRY_POINTS, path
    for path in ("webapp/pengaduan/service.py", "antrian/counter.py", "webapp/berkas/actions.py",
                 "webapp/auth/service.py", "webapp/survei/filing.py"):
        assert path in SERVICES, path


def test_the_check_finds_every_forbidden_call_and_read(tmp_path, monkeypatch):
    (tmp_path / "view.py").write_text(
        "from flask import request\n"
        "from flask_login import current_user\n"
        "def save():\n"
        "    '''A docstring may say db.session.commit() and send_soon().'''\n"
        "    db.session.commit()\n"
        "    db.session.rollback()\n"
        "    begin_write()\n"
        "    outbox.send_soon()\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert [entry.split(" ")[1] for entry in forbidden_calls("view.py")] == [
        "commit():", "rollback():", "begin_write():", "send_soon():"]
    assert [entry.split(" ")[1] for entry in request_reads("view.py")] == ["flask.request", "flask_login.current_user"]
