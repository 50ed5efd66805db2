"""Issue #25, "Nothing lost, second round": stores that are not ours, locked stores, and corpus lines
that parse but cannot be kept (lone surrogates, JSON nested too deep, numbers that do not round trip).

Every bad input ends with exit status 2 and a message naming the file and the place, before any work
and before any write: the tests compare the bytes, modification times and folder listings before and after.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from hkasean.corpus import store_connection
from hkasean.corpus.bundled import sample_corpus_path
from hkasean.corpus.document import Document
from hkasean.corpus.errors import InputError
from hkasean.corpus.jsonl import MAX_JSON_DEPTH, check_documents
from hkasean.corpus.store import DocumentStore
from hkasean.corpus.store_schema import APPLICATION_ID, STORE_FORMAT
from hkasean.scripts.cli import main

SAMPLE_LINES = sample_corpus_path().read_text(encoding="utf-8").splitlines()


def _snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every path under ``folder``: size, modification time and (for files) the bytes."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes() if p.is_file() else b"")
            for p in sorted(folder.rglob("*"))}


def _corpus_with_line(tmp: Path, line_no: int, raw: str, name: str = "corpus.jsonl") -> Path:
    """The sample corpus with line ``line_no`` (1-based) replaced by the raw text ``raw``."""
    lines = list(SAMPLE_LINES)
    lines[line_no - 1] = raw
    path = tmp / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _line_plus(line_no: int, tail: str) -> str:
    """Line ``line_no`` of the sample with ``tail`` (raw JSON: ``"key": value``) added as its last member."""
    return SAMPLE_LINES[line_no - 1].rstrip().removesuffix("}") + ", " + tail + "}"


def _refused(argv: list[str], capsys, *fragments: str) -> str:
    capsys.readouterr()
    started = time.perf_counter()
    assert main(["--quiet", *argv]) == 2
    assert time.perf_counter() - started < 15, "refused before any work"
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    return err


# -- 1. lone surrogates: the whole file is validated before anything is written ----------------------

SURROGATE_LINES = {
    "text": lambda: SAMPLE_LINES[79].replace('"text": "', '"text": "\\ud800', 1),
    "title": lambda: SAMPLE_LINES[79].replace('"title": "', '"title": "x\\udfff', 1),
    "extra value": lambda: _line_plus(80, '"note": "ok \\udc00"'),
    "extra key": lambda: _line_plus(80, '"k\\ud800": 1'),
    "nested extra": lambda: _line_plus(80, '"meta": {"authors": ["a", {"name": "\\ud83d"}]}'),
}


@pytest.mark.parametrize("where", sorted(SURROGATE_LINES))
def test_a_lone_surrogate_on_line_80_stores_nothing(where, tmp_path, capsys):
    bad = _corpus_with_line(tmp_path, 80, SURROGATE_LINES[where]())
    before = _snapshot(tmp_path)
    _refused(["corpus", "import", str(bad), "--db", str(tmp_path / "s.sqlite")], capsys,
             f"{bad}:line 80", "surrogate")
    assert _snapshot(tmp_path) == before, "no store created, nothing written"


def test_a_lone_surrogate_in_an_existing_store_import_leaves_it_unchanged(tmp_path, capsys):
    db = tmp_path / "s.sqlite"
    good = _corpus_with_line(tmp_path, 1, SAMPLE_LINES[0], name="good.jsonl")
    assert main(["-q", "corpus", "import", str(good), "--db", str(db)]) == 0
    bad = _corpus_with_line(tmp_path, 80, SURROGATE_LINES["text"]())
    before = _snapshot(tmp_path)
    _refused(["corpus", "import", str(bad), "--db", str(db)], capsys, f"{bad}:line 80", "surrogate")
    assert _snapshot(tmp_path) == before


def test_run_with_a_lone_surrogate_exits_2_before_any_work(tmp_path, capsys):
    bad = _corpus_with_line(tmp_path, 80, SURROGATE_LINES["text"]())
    out = tmp_path / "out"
    before = _snapshot(tmp_path)
    _refused(["run", "--corpus", str(bad), "--out", str(out), "--no-cache"], capsys, f"{bad}:line 80", "surrogate")
    assert not out.exists() and not list(tmp_path.glob(".out*"))
    assert _snapshot(tmp_path) == before


def test_paired_surrogate_escapes_are_one_character_and_round_trip(tmp_path, capsys):
    path = _corpus_with_line(tmp_path, 3, _line_plus(3, '"mood": "\\ud83d\\ude00"'))
    db, out = tmp_path / "s.sqlite", tmp_path / "out.jsonl"
    assert main(["-q", "corpus", "import", str(path), "--db", str(db)]) == 0
    assert main(["-q", "corpus", "export", "--db", str(db), "--out", str(out)]) == 0
    moods = [json.loads(line).get("mood") for line in out.read_text(encoding="utf-8").splitlines()]
    assert "\N{GRINNING FACE}" in moods


def test_the_store_refuses_text_it_cannot_encode_and_writes_nothing(tmp_path):
    with DocumentStore(tmp_path / "s.sqlite") as store:
        with pytest.raises(InputError, match=r"document 'P1'.*surrogate"):
            store.upsert(Document(id="P1", date="2020-01-02", title="t", text="body \ud800"))
        assert len(store) == 0


def test_an_import_is_one_transaction(tmp_path):
    def documents():
        yield Document(id="P1", date="2020-01-02", title="t", text="one")
        yield Document(id="P2", date="2020-01-02", title="t", text="two")
        raise InputError("the file changed under us", path="x.jsonl", where="line 3")

    with DocumentStore(tmp_path / "s.sqlite") as store:
        with pytest.raises(InputError, match="changed under us"):
            store.upsert_many(documents())
        assert len(store) == 0
        assert store.upsert_many(iter([Document(id="P1", date="2020-01-02", title="t", text="one")])) == {"inserted": 1}


# -- 2. nesting and numbers ----------------------------------------------------------------------------

def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("command", ["import", "run"])
def test_json_nested_100000_deep_is_refused_naming_the_line(command, tmp_path, capsys):
    bad = _corpus_with_line(tmp_path, 5, _line_plus(5, '"deep": ' + _nested(100_000)))
    before = _snapshot(tmp_path)
    argv = (["corpus", "import", str(bad), "--db", str(tmp_path / "s.sqlite")] if command == "import"
            else ["run", "--corpus", str(bad), "--out", str(tmp_path / "out"), "--no-cache"])
    _refused(argv, capsys, f"{bad}:line 5", "nested", f"{MAX_JSON_DEPTH}")
    assert _snapshot(tmp_path) == before


def test_nesting_up_to_the_limit_is_kept_one_more_level_is_refused(tmp_path):
    # the document object is level 1, so an extra field may nest MAX_JSON_DEPTH - 1 levels
    fine = _corpus_with_line(tmp_path, 2, _line_plus(2, '"deep": ' + _nested(MAX_JSON_DEPTH - 1)), name="fine.jsonl")
    assert check_documents(fine) == len(SAMPLE_LINES)
    with DocumentStore(tmp_path / "s.sqlite") as store:
        store.upsert_many(Document.from_dict(json.loads(line)) for line in fine.read_text(encoding="utf-8").splitlines())
        stored = store.get(json.loads(SAMPLE_LINES[1])["id"])
        assert stored.extra["deep"] == json.loads(_nested(MAX_JSON_DEPTH - 1))
    deep = _corpus_with_line(tmp_path, 2, _line_plus(2, '"deep": ' + _nested(MAX_JSON_DEPTH)), name="deep.jsonl")
    with pytest.raises(InputError, match=rf"deep\.jsonl:line 2: .*nested deeper than {MAX_JSON_DEPTH}"):
        check_documents(deep)


NUMBER_LINES = {
    "1e400": ('"size": 1e400', ["line 7", "number 1e400", "finite"]),
    "400 digits": ('"size": ' + "9" * 400 + ".5", ["line 7", "402 characters", "finite"]),
    "NaN": ('"score": NaN', ["line 7", "NaN"]),
    "-Infinity": ('"score": [1, -Infinity]', ["line 7", "Infinity"]),
    "5000 digits": ('"n": 1' + "0" * 5000, ["line 7", "digits"]),
    "duplicate key": ('"title": "again"', ["line 7", "duplicate key 'title'"]),
}


@pytest.mark.parametrize("case", sorted(NUMBER_LINES))
def test_values_that_would_not_round_trip_are_refused(case, tmp_path, capsys):
    tail, fragments = NUMBER_LINES[case]
    bad = _corpus_with_line(tmp_path, 7, _line_plus(7, tail))
    before = _snapshot(tmp_path)
    _refused(["corpus", "import", str(bad), "--db", str(tmp_path / "s.sqlite")], capsys, str(bad), *fragments)
    assert _snapshot(tmp_path) == before


# -- 3. stores that are not ours ---------------------------------------------------------------------

LEGACY_SCHEMA = """
CREATE TABLE documents (id TEXT PRIMARY KEY, url TEXT NOT NULL, date TEXT NOT NULL, title TEXT NOT NULL,
    text TEXT NOT NULL, source TEXT NOT NULL, doc_type TEXT NOT NULL, speaker TEXT NOT NULL, lang TEXT NOT NULL,
    extra TEXT NOT NULL, content_hash TEXT NOT NULL, fetched_at TEXT, fetch_url TEXT, http_status INTEGER,
    revision INTEGER NOT NULL DEFAULT 1);
CREATE INDEX documents_by_date ON documents (date, id);
CREATE TABLE crawl_log (url TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('index', 'release', 'robots')),
    status INTEGER NOT NULL, attempts INTEGER NOT NULL, error TEXT, from_cache INTEGER NOT NULL DEFAULT 0,
    last_attempt TEXT NOT NULL);
CREATE TABLE crawl_days (day TEXT NOT NULL, filter_key TEXT NOT NULL, listed INTEGER NOT NULL,
    completed_at TEXT NOT NULL, PRIMARY KEY (day, filter_key));
"""
"""The store as the first version of the suite made it: no application_id, three tables, WAL."""


def _sqlite(path: Path, script: str, *, wal: bool = False) -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(script)
    conn.close()
    return path


FOREIGN = {
    "other tables": lambda p: _sqlite(p, "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine');"),
    "other tables, WAL": lambda p: _sqlite(p, "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine');", wal=True),
    "a documents table only": lambda p: _sqlite(p, LEGACY_SCHEMA.split(";")[0] + ";"),
    "a documents table of another shape": lambda p: _sqlite(
        p, "CREATE TABLE documents (id INTEGER, body BLOB); CREATE TABLE crawl_log (x); CREATE TABLE crawl_days (y);"),
    "our tables and one more": lambda p: _sqlite(p, LEGACY_SCHEMA + "CREATE TABLE invoices (n INTEGER);"),
    "another application_id": lambda p: _sqlite(p, LEGACY_SCHEMA + "PRAGMA application_id = 1234;"),
    "another user_version": lambda p: _sqlite(p, "PRAGMA user_version = 7;"),
    "our tables and a view": lambda p: _sqlite(p, LEGACY_SCHEMA + "CREATE VIEW v AS SELECT id FROM documents;"),
}


def _commands(tmp: Path, db: Path) -> dict[str, list[str]]:
    return {
        "import": ["corpus", "import", str(sample_corpus_path()), "--db", str(db)],
        "stats": ["corpus", "stats", "--db", str(db)],
        "export": ["corpus", "export", "--db", str(db), "--out", str(tmp / "out.jsonl")],
        "run": ["run", "--db", str(db), "--out", str(tmp / "out"), "--no-cache"],
        "scrape": ["scrape", "--start", "2020-01-01", "--end", "2020-01-01", "--db", str(db),
                   "--cache", str(tmp / "html-cache"), "--base-url", "http://127.0.0.1:9"],
    }


@pytest.mark.parametrize("command", ["import", "stats", "export", "run", "scrape"])
@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_a_database_that_is_not_ours_is_refused_and_untouched(kind, command, tmp_path, capsys):
    db = FOREIGN[kind](tmp_path / "theirs.sqlite")
    before = _snapshot(tmp_path)
    _refused(_commands(tmp_path, db)[command], capsys, str(db), "not a hkasean document store")
    assert _snapshot(tmp_path) == before, "the other application's file is exactly as it was"


@pytest.mark.parametrize("command", ["import", "scrape"])
def test_an_empty_file_is_not_made_into_a_store(command, tmp_path, capsys):
    db = tmp_path / "empty.sqlite"
    db.write_bytes(b"")
    before = _snapshot(tmp_path)
    _refused(_commands(tmp_path, db)[command], capsys, str(db), "empty file")
    assert _snapshot(tmp_path) == before


def test_a_new_store_is_stamped_and_made_in_one_step(tmp_path, capsys):
    db = tmp_path / "new" / "s.sqlite"
    assert main(["-q", "corpus", "import", str(sample_corpus_path()), "--db", str(db)]) == 0
    assert sorted(p.name for p in db.parent.iterdir()) == ["s.sqlite"], "no temporary file left behind"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == STORE_FORMAT
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_a_blank_sqlite_database_becomes_a_store(tmp_path, capsys):
    db = _sqlite(tmp_path / "blank.sqlite", "CREATE TABLE t (x); DROP TABLE t;")  # SQLite, but holds nothing
    assert db.read_bytes().startswith(b"SQLite format 3")
    assert main(["-q", "corpus", "import", str(sample_corpus_path()), "--db", str(db)]) == 0
    with DocumentStore(db, read_only=True) as store:
        assert len(store) == len(SAMPLE_LINES)


@pytest.mark.parametrize("wal", [True, False], ids=["wal", "rollback journal"])
def test_a_store_of_an_earlier_version_is_read_unchanged_and_stamped_when_written(wal, tmp_path, capsys):
    db = _sqlite(tmp_path / "old.sqlite", LEGACY_SCHEMA, wal=wal)
    before = db.read_bytes()
    assert main(["-q", "corpus", "stats", "--db", str(db)]) == 0
    assert db.read_bytes() == before, "read-only commands never stamp or migrate"
    assert main(["-q", "corpus", "import", str(sample_corpus_path()), "--db", str(db)]) == 0
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"crawl_day_checks", "document_versions"} <= tables
    assert "raw_hash" in {row[1] for row in conn.execute("PRAGMA table_info(documents)")}
    conn.close()
    assert main(["-q", "corpus", "import", str(sample_corpus_path()), "--db", str(db)]) == 0


def test_a_store_of_our_own_with_extra_tables_is_still_ours(tmp_path):
    db = tmp_path / "s.sqlite"
    DocumentStore(db).close()
    _sqlite(db, "CREATE TABLE my_notes (x TEXT);")
    with DocumentStore(db) as store:
        assert store.upsert(Document(id="P1", date="2020-01-02", title="t", text="x")) == "inserted"


def test_a_store_of_a_newer_format_is_refused(tmp_path, capsys):
    db = tmp_path / "s.sqlite"
    DocumentStore(db).close()
    _sqlite(db, f"PRAGMA user_version = {STORE_FORMAT + 1};")
    before = _snapshot(tmp_path)
    for command in ("import", "stats"):
        _refused(_commands(tmp_path, db)[command], capsys, str(db), "newer version of hkasean")
    assert _snapshot(tmp_path) == before


# -- locks --------------------------------------------------------------------------------------------

@pytest.fixture()
def short_lock_timeout(monkeypatch):
    monkeypatch.setattr(store_connection, "LOCK_TIMEOUT_S", 0.3)


def _hold_exclusive(db: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def test_a_locked_store_is_reported_after_a_bounded_wait_and_nothing_is_written(tmp_path, capsys, short_lock_timeout):
    db = tmp_path / "s.sqlite"
    first = tmp_path / "first.jsonl"
    first.write_text("\n".join(SAMPLE_LINES[:10]) + "\n", encoding="utf-8")
    assert main(["-q", "corpus", "import", str(first), "--db", str(db)]) == 0
    holder = _hold_exclusive(db)
    try:
        _refused(_commands(tmp_path, db)["import"], capsys, str(db), "locked by another process", "try again")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with DocumentStore(db, read_only=True) as store:
        assert len(store) == 10, "the import went in whole or not at all"
    assert main(["-q", "corpus", "import", str(sample_corpus_path()), "--db", str(db)]) == 0


def test_a_crawl_into_a_locked_store_exits_2(tmp_path, capsys, short_lock_timeout):
    db = _sqlite(tmp_path / "old.sqlite", LEGACY_SCHEMA)  # rollback journal: the open needs the lock
    holder = _hold_exclusive(db)
    try:
        _refused(_commands(tmp_path, db)["scrape"], capsys, str(db), "locked by another process", "try again")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.parametrize("command", ["stats", "export", "run"])
def test_reading_a_locked_store_exits_2(command, tmp_path, capsys, short_lock_timeout):
    db = _sqlite(tmp_path / "old.sqlite", LEGACY_SCHEMA)  # rollback journal: an exclusive lock keeps readers out
    holder = _hold_exclusive(db)
    try:
        _refused(_commands(tmp_path, db)[command], capsys, str(db), "locked by another process", "try again")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.jsonl").exists()


# -- 4. export never writes over its input -----------------------------------------------------------

def _same_store_spellings(tmp: Path, db: Path) -> dict[str, str]:
    (tmp / "sub").mkdir(exist_ok=True)
    (tmp / "link.sqlite").symlink_to(db)
    os.link(db, tmp / "hard.sqlite")
    return {
        "same path": str(db),
        "relative": "s.sqlite",
        "with ..": str(tmp / "sub" / ".." / "s.sqlite"),
        "symbolic link": str(tmp / "link.sqlite"),
        "hard link": str(tmp / "hard.sqlite"),
        "its WAL": str(db) + "-wal",
        "its journal": str(db) + "-journal",
    }


@pytest.mark.parametrize("spelling", ["same path", "relative", "with ..", "symbolic link", "hard link", "its WAL", "its journal"])
def test_export_never_writes_over_its_store(spelling, tmp_path, capsys, monkeypatch):
    db = tmp_path / "s.sqlite"
    assert main(["-q", "corpus", "import", str(sample_corpus_path()), "--db", str(db)]) == 0
    out = _same_store_spellings(tmp_path, db)[spelling]
    monkeypatch.chdir(tmp_path)
    before = _snapshot(tmp_path)
    _refused(["corpus", "export", "--db", str(db), "--out", out, "--overwrite"], capsys, out, "--out", "store")
    assert _snapshot(tmp_path) == before
    with DocumentStore(db, read_only=True) as store:
        assert len(store) == len(SAMPLE_LINES)


def test_import_of_the_store_itself_is_refused(tmp_path, capsys):
    db = tmp_path / "s.sqlite"
    assert main(["-q", "corpus", "import", str(sample_corpus_path()), "--db", str(db)]) == 0
    before = _snapshot(tmp_path)
    _refused(["corpus", "import", str(db), "--db", str(db)], capsys, str(db))
    assert _snapshot(tmp_path) == before
