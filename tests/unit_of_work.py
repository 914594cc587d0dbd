"""For the tests of service functions: a call that commits, and a call that is refused and changes nothing.

Counting ``after_commit`` events would not do: on SQLite a serial unit of work first ends
the read transaction a request began (``begin_write``), which is a commit too. What is
checked instead is that the call ended its transaction (committed or rolled back) and,
for a commit, that what it wrote survives a rollback of the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from webapp.core.db import in_unit_of_work
from webapp.core.extensions import db


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
