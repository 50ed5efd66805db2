"""The SQLite document store: idempotent upserts keyed by document id, a crawl log, crawl progress.

Every write is its own committed transaction in WAL mode (``upsert_many``: one transaction for all its
documents), so a process killed at any moment (even with SIGKILL) leaves every write that returned
intact and nothing half-written.

Tables:

- ``documents``: one row per document: the ``Document`` core fields, ``extra`` as JSON (key order
  kept), ``content_hash`` (``Document.content_hash()``), ``fetched_at``/``fetch_url``/
  ``http_status`` (how it was obtained; empty for imports), ``revision`` (1 + number of updates).
- ``crawl_log``: one row per URL (the latest attempt): ``kind`` (index, release, robots),
  HTTP ``status`` (0 when no response), ``attempts``, ``error`` (NULL on success),
  ``from_cache``, ``last_attempt``.
- ``crawl_days``: days whose index was fully processed under a given filter (``filter_key``),
  so a resumed crawl can skip them.
- ``crawl_day_checks``: per day, the latest look at its index: releases ``listed`` (0 = a
  *suspect* day), ``select_listed`` (releases in the day's ``select_en.htm``, NULL when not
  available), ``select_differs`` and a ``detail`` sentence.
- ``document_versions``: every raw page (``raw_hash``, SHA-256 of the bytes) seen for a document,
  in the order seen; ``documents.raw_hash`` is the latest. More than one version = the release
  was replaced on the site after publication.

What the suite recognises as its own store, and what it refuses (``InputError``, nothing changed):

- a store made by this version carries ``PRAGMA application_id = APPLICATION_ID`` ("hkas") and
  ``PRAGMA user_version = STORE_FORMAT``; a new store is built in a temporary file next to the target
  and linked into place complete, so a store is never half made and an empty file is never one of ours.
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

A store another process holds locked is waited for up to ``LOCK_TIMEOUT_S`` seconds (SQLite's busy
timeout), then refused with ``StoreLocked`` (an ``InputError``: exit status 2, "try again"), never a
``database is locked`` traceback. Other SQLite faults of the file (read-only, disk full, corrupt) are
an ``InputError`` too; a write that fails is rolled back whole.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from hkasean.corpus.document import CORE_FIELDS, Document
from hkasean.corpus.errors import InputError
from hkasean.corpus.locations import default_db_path
from hkasean.corpus.permissions import make_like_new_file

SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""

APPLICATION_ID = 0x686B6173
"""``PRAGMA application_id`` of every store this suite makes (the bytes "hkas")."""

STORE_FORMAT = 1
"""``PRAGMA user_version`` of the stores this version makes; a store with a higher one is refused."""

LOCK_TIMEOUT_S = 30.0
"""How long to wait for a store another process holds locked before giving up (``StoreLocked``)."""

TABLES: tuple[str, ...] = ("documents", "crawl_log", "crawl_days", "crawl_day_checks", "document_versions")
"""Every table of a store."""

FIRST_TABLES: tuple[str, ...] = ("documents", "crawl_log", "crawl_days")
"""The tables every store has had since the first version (how an unstamped earlier store is recognised)."""

FIRST_DOCUMENT_COLUMNS: frozenset[str] = frozenset({
    "id", "url", "date", "title", "text", "source", "doc_type", "speaker", "lang", "extra", "content_hash",
    "fetched_at", "fetch_url", "http_status", "revision",
})
"""The columns of ``documents`` since the first version."""

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_FILE_FAULTS = {3: "PERM", 8: "READONLY", 10: "IOERR", 11: "CORRUPT", 13: "FULL", 14: "CANTOPEN", 26: "NOTADB"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    date TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    speaker TEXT NOT NULL,
    lang TEXT NOT NULL,
    extra TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    fetched_at TEXT,
    fetch_url TEXT,
    http_status INTEGER,
    revision INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS documents_by_date ON documents (date, id);
CREATE TABLE IF NOT EXISTS crawl_log (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('index', 'release', 'robots')),
    status INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    error TEXT,
    from_cache INTEGER NOT NULL DEFAULT 0,
    last_attempt TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS crawl_days (
    day TEXT NOT NULL,
    filter_key TEXT NOT NULL,
    listed INTEGER NOT NULL,
    completed_at TEXT NOT NULL,
    PRIMARY KEY (day, filter_key)
);
CREATE TABLE IF NOT EXISTS crawl_day_checks (
    day TEXT PRIMARY KEY,
    listed INTEGER NOT NULL,
    select_listed INTEGER,
    select_differs INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL,
    checked_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS document_versions (
    id TEXT NOT NULL,
    raw_hash TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    fetch_url TEXT,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (id, raw_hash)
);
"""


@dataclass(frozen=True)
class FetchMeta:
    """How a document was obtained: the URL fetched, the HTTP status, the UTC time (ISO 8601), and
    the SHA-256 of the raw page (None when there is no raw page, e.g. an import)."""

    fetch_url: str
    http_status: int
    fetched_at: str
    raw_hash: str | None = None


def utc_now() -> str:
    """The current UTC time as ISO 8601 with seconds, e.g. ``2024-05-01T12:00:00+00:00``."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


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
    immutable = "" if Path(f"{path}-wal").exists() else "&immutable=1"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro{immutable}", uri=True, isolation_level=None,
                               timeout=LOCK_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise InputError(f"cannot read the document store ({exc})", path=path) from None
    try:
        with _sqlite_errors(path):
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            objects = [(str(kind), str(name)) for kind, name in conn.execute(
                "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger') "
                "AND name NOT LIKE 'sqlite!_%' ESCAPE '!'")]
            columns = {str(row[1]) for row in conn.execute("PRAGMA table_info(documents)")}
    finally:
        conn.close()
    return app_id, version, objects, columns


class StoreLocked(InputError):
    """Another process held the store locked for longer than the busy timeout."""

    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__(f"the store is locked by another process (waited {timeout:g} s): another hkasean command "
                         "(a crawl, an import) or another program is writing to it; try again when it has finished",
                         path=path)


def _store_error(path: Path, exc: sqlite3.Error) -> InputError | None:
    """The ``InputError`` for a SQLite error that is about the file (locked, read-only, full, corrupt), else None."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or (primary is None and "database is locked" in str(exc)):
        return StoreLocked(path, LOCK_TIMEOUT_S)
    if primary in _FILE_FAULTS:
        return InputError(f"cannot use the document store ({exc}); nothing was written", path=path)
    return None


@contextmanager
def _sqlite_errors(path: Path) -> Iterator[None]:
    """Turn SQLite errors about the file (see ``_store_error``) into ``InputError``; others pass unchanged."""
    try:
        yield
    except sqlite3.Error as exc:
        translated = _store_error(path, exc)
        if translated is None:
            raise
        raise translated from None


class DocumentStore:
    """Documents in one SQLite file (created with its folder if missing); a context manager.

    ``path=None`` uses ``corpus.locations.default_db_path()``. The file must be a store of ours (see the
    module notes; ``InputError`` otherwise, nothing changed). With ``read_only=True`` the store must
    already exist (see ``check_store_file``) and is opened read-only: no file or folder is created and
    the store is never changed. A store locked by another process is waited for ``LOCK_TIMEOUT_S``
    seconds, then ``StoreLocked``.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> None:
        self.path = Path(default_db_path() if path is None else path)
        self._conn: sqlite3.Connection | None = None
        check_store_file(self.path, must_exist=read_only)
        if read_only:
            if identify_store(self.path, for_writing=False) == "blank":
                raise InputError("a SQLite database without a 'documents' table; expected a document store made by "
                                 "`hkasean scrape` or `hkasean corpus import`", path=self.path)
            self._conn = _open_read_only(self.path)
            return
        if not self.path.exists():
            _create_store(self.path)
        kind = identify_store(self.path, for_writing=True)
        self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=LOCK_TIMEOUT_S)
        try:
            with _sqlite_errors(self.path):
                self._conn.execute("PRAGMA synchronous=NORMAL")
                if kind != "ours" or self._needs_upgrade():
                    self._conn.execute("PRAGMA journal_mode=WAL")
                    with self._transaction() as conn:
                        _build_schema(conn)
        except BaseException:
            self.close()
            raise

    def _needs_upgrade(self) -> bool:
        tables = {row[0] for row in self._execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return bool(set(TABLES) - tables) or "raw_hash" not in self._columns("documents")

    # -- documents ---------------------------------------------------------------------------

    def upsert(self, document: Document, fetch_meta: FetchMeta | None = None) -> str:
        """Insert or update one document by id; returns 'inserted', 'updated' or 'unchanged'.

        'unchanged' (same content hash) writes nothing, not even the fetch metadata, except that a
        ``fetch_meta.raw_hash`` is always recorded (``document_versions``, ``documents.raw_hash``).
        Text that cannot be encoded as UTF-8 (a lone surrogate) is an ``InputError``; nothing is written.
        """
        with self._transaction() as conn:
            return self._upsert(conn, document, fetch_meta)

    def upsert_many(self, documents: Iterable[Document]) -> Counter[str]:
        """``upsert`` each document (no fetch metadata) in one transaction: all of them are written or,
        when anything fails (a bad document, an error raised by ``documents`` itself, a lock), none.
        Returns the count of each outcome."""
        outcomes: Counter[str] = Counter()
        with self._transaction() as conn:
            for document in documents:
                outcomes[self._upsert(conn, document, None)] += 1
        return outcomes

    def _upsert(self, conn: sqlite3.Connection, document: Document, fetch_meta: FetchMeta | None) -> str:
        record = document.to_dict()
        try:
            content_hash = document.content_hash()
            extra_json = json.dumps({key: value for key, value in record.items() if key not in CORE_FIELDS}, ensure_ascii=False)
            extra_json.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(f"field {_unencodable_field(record)!r}: text that cannot be encoded as UTF-8 (a lone "
                             "surrogate); nothing was written", path=self.path, where=f"document {document.id!r}") from None
        values = [record[name] for name in CORE_FIELDS] + [extra_json, content_hash]
        meta = [fetch_meta.fetched_at, fetch_meta.fetch_url, fetch_meta.http_status] if fetch_meta else [None] * 3
        if fetch_meta is not None and fetch_meta.raw_hash:
            conn.execute(
                "INSERT OR IGNORE INTO document_versions (id, raw_hash, content_hash, fetch_url, first_seen) "
                "VALUES (?, ?, ?, ?, ?)",
                (document.id, fetch_meta.raw_hash, content_hash, fetch_meta.fetch_url, fetch_meta.fetched_at),
            )
            conn.execute("UPDATE documents SET raw_hash = ? WHERE id = ?", (fetch_meta.raw_hash, document.id))
        row = conn.execute("SELECT content_hash FROM documents WHERE id = ?", (document.id,)).fetchone()
        if row is None:
            conn.execute(
                f"INSERT INTO documents ({', '.join(CORE_FIELDS)}, extra, content_hash, fetched_at, "
                f"fetch_url, http_status, raw_hash) VALUES ({', '.join('?' * (len(CORE_FIELDS) + 6))})",
                values + meta + [fetch_meta.raw_hash if fetch_meta else None],
            )
            return "inserted"
        if row[0] == content_hash:
            return "unchanged"
        assignments = ", ".join(f"{name} = ?" for name in (*CORE_FIELDS[1:], "extra", "content_hash"))
        conn.execute(
            f"UPDATE documents SET {assignments}, revision = revision + 1, "
            "fetched_at = COALESCE(?, fetched_at), fetch_url = COALESCE(?, fetch_url), "
            "http_status = COALESCE(?, http_status) WHERE id = ?",
            values[1:] + meta + [document.id],
        )
        return "updated"

    def get(self, doc_id: str) -> Document | None:
        """The document with this id, or None."""
        row = self._execute(f"SELECT {', '.join(CORE_FIELDS)}, extra FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else _row_to_document(row)

    def __contains__(self, doc_id: object) -> bool:
        return self._execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def __len__(self) -> int:
        return int(self._execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def iter_documents(self) -> Iterator[Document]:
        """Every document ordered by (date, id), streamed from a cursor one row at a time."""
        assert self._conn is not None, "the store is closed"
        cursor = self._conn.cursor()
        try:
            with _sqlite_errors(self.path):
                cursor.execute(f"SELECT {', '.join(CORE_FIELDS)}, extra FROM documents ORDER BY date, id")
            while True:
                with _sqlite_errors(self.path):
                    row = cursor.fetchone()
                if row is None:
                    return
                yield _row_to_document(row)
        finally:
            cursor.close()

    def dates_outside(self, first_year: int, last_year: int) -> list[tuple[str, str]]:
        """``(id, date)`` of the documents whose issue year is before ``first_year`` or after ``last_year``."""
        rows = self._fetchall(
            "SELECT id, date FROM documents WHERE date < ? OR date >= ? ORDER BY date, id",
            (f"{first_year:04d}", f"{last_year + 1:04d}"),
        )
        return [(str(doc_id), str(date)) for doc_id, date in rows]

    def raw_hash(self, doc_id: str) -> str | None:
        """SHA-256 of the latest raw page of the document (None for imports, old stores or unknown ids)."""
        if "raw_hash" not in self._columns("documents"):
            return None
        row = self._execute("SELECT raw_hash FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else row[0]

    def replaced_documents(self) -> list[dict[str, Any]]:
        """Documents seen with more than one raw page (replaced on the site after publication): dicts
        with ``id`` and ``raw_hashes`` (oldest first), ordered by id."""
        if not self._columns("document_versions"):
            return []
        rows = self._fetchall(
            "SELECT id, raw_hash FROM document_versions WHERE id IN "
            "(SELECT id FROM document_versions GROUP BY id HAVING COUNT(*) > 1) ORDER BY id, rowid"
        )
        replaced: dict[str, list[str]] = {}
        for doc_id, raw_hash in rows:
            replaced.setdefault(doc_id, []).append(raw_hash)
        return [{"id": doc_id, "raw_hashes": hashes} for doc_id, hashes in replaced.items()]

    def revision(self, doc_id: str) -> int:
        """1 for a document never updated, +1 per changing upsert; 0 when the id is unknown."""
        row = self._execute("SELECT revision FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return 0 if row is None else int(row[0])

    # -- crawl bookkeeping -------------------------------------------------------------------

    def log_fetch(
        self,
        url: str,
        kind: str,
        status: int,
        attempts: int,
        error: str | None = None,
        from_cache: bool = False,
    ) -> None:
        """Record the latest fetch of ``url`` (kind: index, release or robots), replacing older ones."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO crawl_log (url, kind, status, attempts, error, from_cache, last_attempt) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET kind = excluded.kind, "
                "status = excluded.status, attempts = excluded.attempts, error = excluded.error, "
                "from_cache = excluded.from_cache, last_attempt = excluded.last_attempt",
                (url, kind, int(status), int(attempts), error, int(from_cache), utc_now()),
            )

    def crawl_failures(self) -> list[dict[str, Any]]:
        """The URLs whose latest fetch failed: dicts with url, kind, status, attempts, error, last_attempt."""
        keys = ("url", "kind", "status", "attempts", "error", "last_attempt")
        rows = self._fetchall(
            f"SELECT {', '.join(keys)} FROM crawl_log WHERE error IS NOT NULL ORDER BY url"
        )
        return [dict(zip(keys, row)) for row in rows]

    def mark_day_done(self, day: _dt.date, filter_key: str, listed: int) -> None:
        """Remember that every release listed on ``day`` was processed under ``filter_key``."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO crawl_days (day, filter_key, listed, completed_at) VALUES (?, ?, ?, ?)",
                (day.isoformat(), filter_key, int(listed), utc_now()),
            )

    def day_done(self, day: _dt.date, filter_key: str) -> bool:
        """True when ``day`` was fully processed under ``filter_key`` by an earlier crawl."""
        row = self._execute(
            "SELECT 1 FROM crawl_days WHERE day = ? AND filter_key = ?", (day.isoformat(), filter_key)
        ).fetchone()
        return row is not None

    def record_day_check(
        self, day: _dt.date, listed: int, select_listed: int | None, select_differs: bool, detail: str
    ) -> None:
        """Record the latest look at ``day``'s index (replacing the previous one); see the table notes."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO crawl_day_checks (day, listed, select_listed, select_differs, detail, checked_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (day.isoformat(), int(listed), select_listed, int(select_differs), detail, utc_now()),
            )

    def suspect_days(self) -> list[dict[str, Any]]:
        """Days whose latest index look found no release: dicts with day, detail, checked_at, by day."""
        return self._day_checks("listed = 0")

    def select_mismatches(self) -> list[dict[str, Any]]:
        """Days whose index and ``select_en.htm`` disagree: dicts with day, listed, select_listed, detail."""
        return self._day_checks("select_differs = 1")

    def _day_checks(self, condition: str) -> list[dict[str, Any]]:
        if not self._columns("crawl_day_checks"):
            return []  # a store made before day checks, opened read-only
        keys = ("day", "listed", "select_listed", "detail", "checked_at")
        rows = self._fetchall(f"SELECT {', '.join(keys)} FROM crawl_day_checks WHERE {condition} ORDER BY day")
        return [dict(zip(keys, row)) for row in rows]

    def _columns(self, table: str) -> set[str]:
        return {row[1] for row in self._fetchall(f"PRAGMA table_info({table})")}

    def _execute(self, sql: str, parameters: tuple[Any, ...] | list[Any] = ()) -> sqlite3.Cursor:
        """``execute`` with SQLite's errors about the file (locked, corrupt ...) as ``InputError``."""
        assert self._conn is not None, "the store is closed"
        with _sqlite_errors(self.path):
            return self._conn.execute(sql, parameters)

    def _fetchall(self, sql: str, parameters: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        assert self._conn is not None, "the store is closed"
        with _sqlite_errors(self.path):
            return self._conn.execute(sql, parameters).fetchall()

    # -- summary -----------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts: ``documents``; ``by_year``, ``by_doc_type``, ``by_source`` (value -> count, sorted
        by value; an empty doc_type or source shows as ""); ``crawl_failures`` (URLs whose latest
        fetch failed) and ``crawl_failures_by_kind``."""
        def grouped(expression: str) -> dict[str, int]:
            rows = self._fetchall(f"SELECT {expression} AS k, COUNT(*) FROM documents GROUP BY k ORDER BY k")
            return {str(key): int(count) for key, count in rows}

        failures = Counter(row["kind"] for row in self.crawl_failures())
        return {
            "documents": len(self),
            "by_year": grouped("substr(date, 1, 4)"),
            "by_doc_type": grouped("doc_type"),
            "by_source": grouped("source"),
            "crawl_failures": sum(failures.values()),
            "crawl_failures_by_kind": dict(sorted(failures.items())),
        }

    # -- lifecycle ---------------------------------------------------------------------------

    def hold_snapshot(self) -> None:
        """Start a read transaction: from now until ``close()`` this connection reads the store as it
        is now, whatever other processes write meanwhile (a crawl may go on). For readers that make
        several passes and need each to see the same documents; never write through this store then."""
        self._execute("BEGIN")
        self._execute("SELECT COUNT(*) FROM documents").fetchone()

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> "DocumentStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _transaction(self) -> "_Transaction":
        assert self._conn is not None, "the store is closed"
        return _Transaction(self._conn, self.path)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on any error) on an autocommit connection;
    SQLite errors about the file (locked, full ...) leave it as ``InputError`` (see ``_store_error``)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._path = path

    def __enter__(self) -> sqlite3.Connection:
        with _sqlite_errors(self._path):
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
            translated = _store_error(self._path, exc)
            if translated is not None:
                raise translated from None
            if exc_type is None:
                raise exc


def _build_schema(conn: sqlite3.Connection) -> None:
    """Create what is missing (tables, index, the ``raw_hash`` column of earlier stores) and stamp the
    store as ours; inside the caller's transaction."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    if "raw_hash" not in {row[1] for row in conn.execute("PRAGMA table_info(documents)")}:
        conn.execute("ALTER TABLE documents ADD COLUMN raw_hash TEXT")  # a store made before raw page hashes were kept
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {STORE_FORMAT}")


def _create_store(path: Path) -> None:
    """Make a new, empty, stamped store at ``path`` in one step: built in a temporary file in the same
    folder, then hard-linked into place (never over a file another process made meanwhile)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    except OSError as exc:
        raise InputError(f"cannot create the document store ({exc.strerror or exc})", path=path) from None
    os.close(fd)
    tmp = Path(name)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            with _sqlite_errors(path):
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("BEGIN IMMEDIATE")
                _build_schema(conn)
                conn.execute("COMMIT")
        finally:
            conn.close()  # the last connection: the log is checkpointed into the file and removed
        make_like_new_file(tmp)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: theirs is opened (and checked) instead
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(tmp, path)
    finally:
        for leftover in (tmp, *(Path(f"{tmp}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)


def _unencodable_field(record: dict[str, Any]) -> str:
    """The first field of ``record`` whose name or value cannot be encoded as UTF-8."""
    for key, value in record.items():
        try:
            json.dumps([key, value], ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return str(key.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace"))
    return "?"


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection (``mode=ro``) to an existing store; ``InputError`` if it holds no documents table."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=LOCK_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise InputError(f"cannot read the document store ({exc})", path=path) from None
    try:
        with _sqlite_errors(path):
            found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents'").fetchone()
    except BaseException:
        conn.close()
        raise
    if found is None:
        conn.close()
        raise InputError("a SQLite database without a 'documents' table; expected a document store made by "
                         "`hkasean scrape` or `hkasean corpus import`", path=path)
    return conn


def _row_to_document(row: tuple[Any, ...]) -> Document:
    record = dict(zip(CORE_FIELDS, row[:-1]))
    return Document(extra=json.loads(row[-1]), **record)
