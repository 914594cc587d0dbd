"""For the tests of service functions: a call that commits, a call that is refused and changes nothing.

Two ways to check, for two kinds of function:
- ``counting_commits`` counts the session's commits (a released savepoint is not one). On
  SQLite a *serial* unit of work first ends the read transaction a request began
  (``begin_write``), which is a commit too: serial functions are checked with ``commits``.
- ``commits`` / ``refuses`` check that the call ended its transaction (committed or rolled
  back) and, for a commit, that what it wrote survives a rollback of the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select

from webapp.core.db import in_unit_of_work
from webapp.core.extensions import db


@contextmanager
def counting_commits() -> Iterator[list[int]]:
    """Count the commits of the session within the block (one item per commit)."""
    seen: list[int] = []

    def count(session: Any) -> None:
        if not session.in_nested_transaction():
            seen.append(1)

    session = db.session()
    event.listen(session, "after_commit", count)
    try:
        yield seen
    finally:
        event.remove(session, "after_commit", count)


def stored(model: type, *where: Any) -> int:
    """How many rows of ``model`` (matching ``where``) are committed: pending changes are dropped first."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _ended(what: str) -> None:
    assert not in_unit_of_work()
    assert not db.session().in_transaction(), f"the call left its transaction open: it did not {what}"


@contextmanager
def commits() -> Iterator[None]:
    """The block's call is a unit of work that committed; the assertions after the block read what it committed."""
    yield
    _ended("commit")
    db.session.rollback()  # nothing is left to roll back: what the call wrote stays
    db.session.expire_all()


@contextmanager
def refuses(error: type[Exception], match: str) -> Iterator[None]:
    """The block's call raises ``error`` (``match``), and its unit of work was rolled back."""
    with pytest.raises(error, match=match):
        yield
    _ended("roll back")
    db.session.expire_all()
