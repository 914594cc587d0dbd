"""Who commits, for the queue, permits and complaints: the service layer, never a view (docs/architecture.md).

Views, socket handlers and CLI commands validate, call a service function with the acting
user, and answer. They never commit, roll back, open a write transaction (``begin_write``)
or send the outbox (``send_soon``: the outbox's hook sends after the commit). The service
modules of these features, in turn, never read the logged-in user, the request or the
session: the actor is a parameter. The calls are found in the syntax tree, so a comment or
a docstring that names them is no offence.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

# Every view, socket handler and CLI module of the queue, permits and complaints, and their JSON API.
VIEW_MODULES = (
    "antrian/routes.py",
    "antrian/staff.py",
    "antrian/events.py",
    "webapp/berkas/routes.py",
    "webapp/berkas/public.py",
    "webapp/berkas/document_routes.py",
    "webapp/berkas/step_routes.py",
    "webapp/berkas/commands.py",
    "webapp/pengaduan/routes.py",
    "webapp/pengaduan/staff.py",
    "webapp/pengaduan/report.py",
    "webapp/api/antrian.py",
    "webapp/api/berkas.py",
    "webapp/api/pengaduan.py",
)
FEATURES = ("antrian", "webapp/berkas", "webapp/pengaduan")
FORBIDDEN_IN_VIEWS = {"commit", "rollback", "begin_write", "send_soon"}
# What a service function must be given instead of reading it: the acting user, the request, the session.
FORBIDDEN_IN_SERVICES = {"flask_login": {"current_user"}, "flask": {"request", "session", "g"}}
# A decorator of one of these names makes a module an entry point: a route, a socket handler, a CLI command.
ENTRY_DECORATORS = {"route", "get", "post", "put", "patch", "delete", "on", "command"}


def _tree(path: str) -> ast.Module:
    return ast.parse((ROOT / path).read_text(), filename=path)


def _called_name(call: ast.Call) -> str:
    """The last name of what is called: ``db.session.commit()`` -> "commit"."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _forbidden_calls(path: str) -> list[str]:
    return [f"{path}:{node.lineno} {_called_name(node)}()" for node in ast.walk(_tree(path))
            if isinstance(node, ast.Call) and _called_name(node) in FORBIDDEN_IN_VIEWS]  # fmt: skip


def _is_entry_point(path: str) -> bool:
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and _called_name(decorator) in ENTRY_DECORATORS:
                    return True
    return False


def _modules(feature: str) -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / feature).glob("*.py"))


@pytest.mark.parametrize("path", VIEW_MODULES)
def test_views_commands_and_socket_handlers_never_commit(path):
    assert _forbidden_calls(path) == [], "a view calls a service function, whose unit of work commits"


def test_the_list_of_view_modules_is_complete():
    """A new view, socket or CLI module of these features is checked without anyone remembering to list it."""
    entry_points = {path for feature in FEATURES for path in _modules(feature) if _is_entry_point(path)}
    assert entry_points - set(VIEW_MODULES) == set()
    assert all(_is_entry_point(path) for path in VIEW_MODULES)


@pytest.mark.parametrize("path", [p for feature in FEATURES for p in _modules(feature)
                                  if p not in VIEW_MODULES and not p.endswith("__init__.py")])  # fmt: skip
def test_service_modules_take_the_actor_and_never_read_the_request(path):
    found = [f"{path}:{node.lineno} {node.module}.{alias.name}" for node in ast.walk(_tree(path))
             if isinstance(node, ast.ImportFrom) for alias in node.names
             if alias.name in FORBIDDEN_IN_SERVICES.get(node.module or "", set())]  # fmt: skip
    assert found == []


def test_the_check_finds_a_commit_in_a_view(tmp_path, monkeypatch):
    """The check itself: a view that commits, rolls back, begins a write or sends is caught; a comment is not."""
    view = tmp_path / "view.py"
    view.write_text(
        "# views never call db.session.commit() themselves\n"
        "def save():\n"
        "    db.session.commit()\n"
        "    db.session.rollback()\n"
        "    begin_write()\n"
        "    send_soon()\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert [entry.split(" ")[1] for entry in _forbidden_calls("view.py")] == [
        "commit()", "rollback()", "begin_write()", "send_soon()",
    ]  # fmt: skip
