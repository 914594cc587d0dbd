"""Helpers for the tests of service functions: did the unit of work commit, and what is stored now."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select

from webapp.core.extensions import db


@contextmanager
def counting_commits() -> Iterator[list[int]]:
    """Count the commits of the session within the block (one item per commit).

    A savepoint released (``begin_nested``) sends the same event; it commits nothing, so it is not counted.
    """
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
