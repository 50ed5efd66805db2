"""How the document store talks to SQLite: connections that wait for a lock, SQLite faults of the file
as ``InputError``, all-or-nothing transactions.

A store another process holds locked is waited for up to ``LOCK_TIMEOUT_S`` seconds (SQLite's busy
timeout), then refused with ``StoreLocked`` (an ``InputError``: exit status 2, "try again"), never a
``database is locked`` traceback. Other SQLite faults of the file (read-only, disk full, corrupt) are
an ``InputError`` too; a write that fails is rolled back whole.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Self

from hkasean.corpus.errors import InputError

LOCK_TIMEOUT_S = 30.0
"""How long to wait for a store another process holds locked before giving up (``StoreLocked``)."""

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_FILE_FAULTS = {3: "PERM", 8: "READONLY", 10: "IOERR", 11: "CORRUPT", 13: "FULL", 14: "CANTOPEN", 26: "NOTADB"}


class StoreLocked(InputError):
    """Another process held the store locked for longer than the busy timeout."""

    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__(f"the store is locked by another process (waited {timeout:g} s): another hkasean command "
                         "(a crawl, an import) or another program is writing to it; try again when it has finished",
                         path=path)


def connect_store(database: str | Path, *, uri: bool = False) -> sqlite3.Connection:
    """An autocommit connection to ``database`` (a path, or a ``file:`` URI when ``uri``) that waits
    ``LOCK_TIMEOUT_S`` seconds for a store another process holds locked."""
    return sqlite3.connect(database, uri=uri, isolation_level=None, timeout=LOCK_TIMEOUT_S)


def store_error(path: Path, exc: sqlite3.Error) -> InputError | None:
    """The ``InputError`` for a SQLite error that is about the file (locked, read-only, full, corrupt), else None."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or (primary is None and "database is locked" in str(exc)):
        return StoreLocked(path, LOCK_TIMEOUT_S)
    if primary in _FILE_FAULTS:
        return InputError(f"cannot use the document store ({exc}); nothing was written", path=path)
    return None


@contextmanager
def sqlite_errors(path: Path) -> Iterator[None]:
    """Turn SQLite errors about the file (see ``store_error``) into ``InputError``; others pass unchanged."""
    try:
        yield
    except sqlite3.Error as exc:
        translated = store_error(path, exc)
        if translated is None:
            raise
        raise translated from None


class Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on any error) on an autocommit connection;
    SQLite errors about the file (locked, full ...) leave it as ``InputError`` (see ``store_error``)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._path = path

    def __enter__(self) -> sqlite3.Connection:
        with sqlite_errors(self._path):
            self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc_type is None:
            try:
                self._conn.execute("COMMIT")
                return
            except sqlite3.Error as error:
                exc = error
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            translated = store_error(self._path, exc)
            if translated is not None:
                raise translated from None
            if exc_type is None:
                raise exc


class StoreConnection:
    """The open connection of a store file (``path``): queries and transactions whose SQLite faults of
    the file are ``InputError``, closing, and use as a context manager. Subclasses open ``_conn``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def _execute(self, sql: str, parameters: tuple[Any, ...] | list[Any] = ()) -> sqlite3.Cursor:
        """``execute`` with SQLite's errors about the file (locked, corrupt ...) as ``InputError``."""
        assert self._conn is not None, "the store is closed"
        with sqlite_errors(self.path):
            return self._conn.execute(sql, parameters)

    def _fetchall(self, sql: str, parameters: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        assert self._conn is not None, "the store is closed"
        with sqlite_errors(self.path):
            return self._conn.execute(sql, parameters).fetchall()

    def _columns(self, table: str) -> set[str]:
        return {row[1] for row in self._fetchall(f"PRAGMA table_info({table})")}

    def _transaction(self) -> Transaction:
        assert self._conn is not None, "the store is closed"
        return Transaction(self._conn, self.path)

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
