"""Database types and helpers every feature uses: timestamps, JSON, the write transaction, one counter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.types import TypeDecorator

from webapp.core.extensions import db

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (a naive value is taken to be UTC already)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UtcDateTime(TypeDecorator):
    """A timestamp that always comes back timezone-aware in UTC.

    PostgreSQL keeps the offset; SQLite hands back naive values, which would not compare
    with ``utcnow()``. Same column type as ``DateTime(timezone=True)`` in migrations, so
    every column that holds a moment uses this type and no feature patches naive values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Store UTC (a naive value is taken to be UTC already)."""
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Give the value back aware, in UTC."""
        return None if value is None else as_utc(value)


def dialect_name() -> str:
    """The name of the session's database dialect: "sqlite" or "postgresql"."""
    return db.session.get_bind().dialect.name


def upsert(table: Any) -> Any:
    """An INSERT that can take ON CONFLICT, for the session's database."""
    return (pg_insert if dialect_name() == "postgresql" else sqlite_insert)(table)


def begin_write() -> None:
    """Start a write transaction that reads before it writes (take a number, claim a row).

    On SQLite there is one writer at a time: BEGIN IMMEDIATE takes the write lock before
    the first read, so a read-then-write never finds its snapshot stale and waits for
    busy_timeout instead of failing. PostgreSQL needs nothing here: row locks and the
    atomic counter do it.
    """
    if dialect_name() == "sqlite":
        db.session.commit()  # end whatever read transaction the request began
        db.session.connection().exec_driver_sql("BEGIN IMMEDIATE")


def next_value(counter: type, **key: Any) -> int:
    """Atomically take the next number of one counter row: ``counter`` has the ``key`` columns and ``last``.

    The row is created at 0 if missing (an upsert, so two first numbers never collide),
    then raised in place with ``UPDATE ... RETURNING``: concurrent callers each get their
    own number, with no gaps, in the caller's transaction. Ticket, complaint and berkas
    numbers all come from here.
    """
    db.session.execute(upsert(counter).values(**key, last=0).on_conflict_do_nothing())
    return db.session.execute(
        update(counter)
        .where(*(getattr(counter, name) == value for name, value in key.items()))
        .values(last=counter.last + 1)
        .returning(counter.last)
    ).scalar_one()


_UNIT_OF_WORK = "loket.unit_of_work"
_WHEN_COMMITTED = "loket.when_committed"  # db.session.info: (not first, callback) to run after the unit of work commits
Function = TypeVar("Function", bound=Callable[..., Any])


def in_unit_of_work() -> bool:
    """Whether a ``@transactional`` function is running in this session now."""
    return bool(db.session.info.get(_UNIT_OF_WORK))


def transactional(func: Function | None = None, *, serial: bool = False, keep_loaded: bool = False) -> Any:
    """Make a service function one unit of work: it commits when it returns, and rolls back when it raises.

    This is where Loket commits (docs/architecture.md): service functions that change data
    are decorated; views, CLI commands and socket handlers never commit. A decorated
    function called from another joins the outer unit of work, which commits once. What was
    registered with ``when_committed`` runs after that commit (and is dropped by a rollback).

    ``serial``: the function reads before it writes (takes a number, claims a row), so on
    SQLite it starts with ``begin_write`` (BEGIN IMMEDIATE) to hold the one write lock from
    its first read.

    ``keep_loaded``: its commit leaves what the session loaded and wrote as it is, where a commit
    normally expires it all. For a counter's button (antrian.counter.act): its answer and the
    counter panel are built from the rows it just wrote, and reading them back would cost the
    lobby's screens a round trip each while the call is on its way to them (docs/realtime.md).
    The rows are as this unit of work committed them, not newer.
    """

    def decorator(inner: Function) -> Function:
        @wraps(inner)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            info = db.session.info
            if info.get(_UNIT_OF_WORK):
                return inner(*args, **kwargs)
            if serial:
                begin_write()
            info[_UNIT_OF_WORK] = True
            try:
                result = inner(*args, **kwargs)
                _commit(keep_loaded)
            except BaseException:
                db.session.rollback()
                info.pop(_WHEN_COMMITTED, None)
                raise
            finally:
                info.pop(_UNIT_OF_WORK, None)
            _run_when_committed()
            return result

        return wrapper  # type: ignore[return-value]

    return decorator(func) if func is not None else decorator


def when_committed(callback: Callable[[], object], *, first: bool = False) -> None:
    """Run ``callback`` once the current unit of work has committed; never, if it rolls back.

    For what follows a change but must not hold it up: a counter's call is announced to the lobby
    after its commit (antrian.counter.act), and what the features that follow the queue owe a
    served visitor comes after that (the survey's invitation, webapp.survei.antrian). Callbacks
    run in the order registered, ``first`` ones ahead of the rest, outside the unit of work: one
    that writes is a ``@transactional`` function of its own. All of them run even when one
    raises; the first error is raised after them. Outside a unit of work, ``callback`` runs now.
    """
    if not in_unit_of_work():
        callback()
        return
    db.session.info.setdefault(_WHEN_COMMITTED, []).append((not first, callback))


def _run_when_committed() -> None:
    """Run what the unit of work just committed registered with ``when_committed`` (see there)."""
    pending = db.session.info.pop(_WHEN_COMMITTED, [])
    failure: BaseException | None = None
    for _, callback in sorted(pending, key=lambda item: item[0]):  # stable: the first ones, then the rest
        try:
            callback()
        except Exception as exc:  # the others still run: they do not depend on each other
            failure = failure or exc
    if failure is not None:
        raise failure


def _commit(keep_loaded: bool) -> None:
    """Commit the session; with ``keep_loaded``, without expiring what it holds (see ``transactional``)."""
    if not keep_loaded:
        db.session.commit()
        return
    session = db.session()  # the request's Session itself: the setting is read when it commits
    expiring, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring
