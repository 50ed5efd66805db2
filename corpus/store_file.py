"""Which files are document stores: what the suite recognises as its own store, and what it refuses
(``InputError``, nothing changed).

- a store made by this version is stamped (``store_schema.APPLICATION_ID`` and ``STORE_FORMAT``).
  A stamped store stays ours whatever tables a user adds to it;
- a store made by an earlier version (no application_id) is recognised by its tables: exactly the
  store's tables (``documents``, ``crawl_log``, ``crawl_days``, optionally the later ones), with the
  ``documents`` columns of the first version. Read-only opens leave it as it is; the first open for
  writing adds what later versions added (``raw_hash``, ``crawl_day_checks``, ``document_versions``)
  and stamps it;
- a SQLite database holding nothing at all (no table, user_version 0) becomes a store when written;
- refused: a file that is not SQLite or is empty (0 bytes), a database of another application (another
  application_id, or other tables, views or triggers, or a ``documents`` table of another shape), a
  store of a newer format (user_version above ``STORE_FORMAT``). A foreign file is identified from its
  header and an ``immutable`` read-only look at its schema: it is never locked, written or given
  ``-wal``/``-shm`` files (when its ``-wal`` exists already, a plain read-only look, to see its pages).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from hkasean.corpus.errors import InputError
from hkasean.corpus.store_connection import connect_store, sqlite_errors
from hkasean.corpus.store_schema import APPLICATION_ID, FIRST_DOCUMENT_COLUMNS, FIRST_TABLES, STORE_FORMAT, TABLES

SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""

def check_store_file(path: Path, *, must_exist: bool) -> None:
    """Raise ``InputError`` unless ``path`` can be a document store: not a folder, not an empty file, and
    either a SQLite file or (when ``must_exist`` is false) missing, i.e. a store to create. Whether the
    SQLite file is a store of ours is ``identify_store``'s question."""
    if path.is_dir():
        raise InputError("is a folder; expected a document store file (SQLite)", path=path)
    if not path.exists():
        if must_exist:
            raise InputError("document store not found (run `hkasean scrape` or `hkasean corpus import` first)", path=path)
        return
    header = _read_header(path)
    if not header:
        advice = "" if must_exist else "; a new store is made only where no file exists: delete the empty file or choose another path"
        raise InputError("empty file (0 bytes); expected a document store made by `hkasean scrape` or `hkasean corpus "
                         f"import`{advice}", path=path)
    if not header.startswith(SQLITE_HEADER):
        raise InputError("not a SQLite database (the file does not start with 'SQLite format 3'); expected a document "
                         "store made by `hkasean scrape` or `hkasean corpus import`", path=path)
    if len(header) < 100:
        raise InputError(f"a truncated SQLite file ({len(header)} bytes); expected a document store made by "
                         "`hkasean scrape` or `hkasean corpus import`", path=path)


def _read_header(path: Path) -> bytes:
    """The first 100 bytes of the file (SQLite's database header)."""
    try:
        with path.open("rb") as handle:
            return handle.read(100)
    except OSError as exc:
        raise InputError(f"cannot read the document store ({exc.strerror or exc})", path=path) from None


def identify_store(path: Path, *, for_writing: bool) -> str:
    """What the existing SQLite file ``path`` is: ``"ours"`` (stamped by this suite), ``"earlier"`` (a
    store of an earlier version, not stamped yet) or ``"blank"`` (a database holding nothing); anything
    else raises ``InputError``. Never locks, writes or adds files (see the module notes)."""
    header = _read_header(path)
    app_id, version = int.from_bytes(header[68:72], "big"), int.from_bytes(header[60:64], "big")
    objects: list[tuple[str, str]] = []
    columns: set[str] = set()
    if app_id == 0:  # the header may predate a stamp still in the write-ahead log: ask SQLite
        app_id, version, objects, columns = _schema(path)
    if app_id == APPLICATION_ID:
        if version > STORE_FORMAT:
            raise InputError(f"a document store made by a newer version of hkasean (store format {version}; this "
                             f"version reads formats up to {STORE_FORMAT}); upgrade hkasean to use it. Nothing was changed",
                             path=path)
        return "ours"
    if app_id != 0:
        raise _foreign(path, f"a SQLite database of another application (application_id {app_id:#010x})", for_writing)
    if not objects and version == 0:
        return "blank"
    tables = {name for kind, name in objects if kind == "table"}
    problems = []
    other_tables = sorted(name for kind, name in objects if kind == "table" and name not in TABLES)
    if other_tables:
        problems.append(f"with tables that are not the store's ({_listed(other_tables)})")
    views = sorted(f"{kind} {name}" for kind, name in objects if kind in ("view", "trigger"))
    if views:
        problems.append(f"with views or triggers ({_listed(views)})")
    missing = [name for name in FIRST_TABLES if name not in tables]
    if missing:
        problems.append(f"without the store's tables {', '.join(missing)}")
    elif not FIRST_DOCUMENT_COLUMNS <= columns:
        problems.append(f"whose 'documents' table lacks the columns {', '.join(sorted(FIRST_DOCUMENT_COLUMNS - columns))}")
    if version != 0:
        problems.append(f"marked with another schema version (user_version {version})")
    if problems:
        raise _foreign(path, "a SQLite database " + " and ".join(problems), for_writing)
    return "earlier"


def _listed(names: list[str], shown: int = 8) -> str:
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _foreign(path: Path, why: str, for_writing: bool) -> InputError:
    where = " or a path where no file exists yet (a new store is made there)" if for_writing else ""
    return InputError(f"not a hkasean document store: {why}; nothing was changed. Expected a store made by "
                      f"`hkasean scrape` or `hkasean corpus import` (tables documents, crawl_log, crawl_days ...){where}",
                      path=path)


def _schema(path: Path) -> tuple[int, int, list[tuple[str, str]], set[str]]:
    """application_id, user_version, the (type, name) of every schema object but SQLite's own and
    indexes, and the columns of ``documents``. Read as ``immutable`` (no lock, no -wal/-shm file made)
    unless the database has a write-ahead log, whose pages the plain read-only connection then sees."""
    conn = _connect_read_only(path, "" if Path(f"{path}-wal").exists() else "&immutable=1")
    try:
        with sqlite_errors(path):
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            objects = [(str(kind), str(name)) for kind, name in conn.execute(
                "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger') "
                "AND name NOT LIKE 'sqlite!_%' ESCAPE '!'")]
            columns = {str(row[1]) for row in conn.execute("PRAGMA table_info(documents)")}
    finally:
        conn.close()
    return app_id, version, objects, columns


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection (``mode=ro``) to the existing store ``path`` (see ``identify_store``);
    ``InputError`` if it holds no documents table. Never creates or changes a file."""
    if identify_store(path, for_writing=False) == "blank":
        raise _no_documents_table(path)
    conn = _connect_read_only(path)
    try:
        with sqlite_errors(path):
            found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents'").fetchone()
    except BaseException:
        conn.close()
        raise
    if found is None:
        conn.close()
        raise _no_documents_table(path)
    return conn


def _connect_read_only(path: Path, options: str = "") -> sqlite3.Connection:
    """A ``mode=ro`` connection to ``path``, with the further URI ``options``; ``InputError`` when SQLite cannot open it."""
    try:
        return connect_store(f"{path.resolve().as_uri()}?mode=ro{options}", uri=True)
    except sqlite3.Error as exc:
        raise InputError(f"cannot read the document store ({exc})", path=path) from None


def _no_documents_table(path: Path) -> InputError:
    return InputError("a SQLite database without a 'documents' table; expected a document store made by "
                      "`hkasean scrape` or `hkasean corpus import`", path=path)
