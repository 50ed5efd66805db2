"""SQLite document store: idempotent upserts, updates, streaming, stats, crash safety."""
from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import types
from pathlib import Path

import pytest

from hkasean.corpus.bundled import sample_corpus_path
from hkasean.corpus.document import Document
from hkasean.corpus.jsonl import read_documents
from hkasean.corpus.store import DocumentStore, FetchMeta

REPO = Path(__file__).resolve().parents[1]


def doc(doc_id: str, date: str = "2020-01-02", text: str = "Body text.", **extra) -> Document:
    return Document(id=doc_id, date=date, title=f"Title {doc_id}", text=text, source="info.gov.hk",
                    doc_type="press_release", extra=extra)


@pytest.fixture()
def store(tmp_path):
    with DocumentStore(tmp_path / "store.sqlite") as opened:
        yield opened


def test_upsert_is_idempotent_and_counts_updates(store):
    assert store.upsert(doc("P1")) == "inserted"
    assert store.upsert(doc("P1")) == "unchanged"
    assert store.revision("P1") == 1
    assert store.upsert(doc("P1", text="Corrected body.")) == "updated"
    assert store.upsert(doc("P1", text="Corrected body.")) == "unchanged"
    assert store.revision("P1") == 2
    assert len(store) == 1
    assert store.get("P1").text == "Corrected body."
    assert store.get("missing") is None and store.revision("missing") == 0
    assert "P1" in store and "P2" not in store


def test_extra_fields_round_trip_with_key_order(store):
    original = doc("P1", copy_url="https://example.org/x", title_is_descriptive=False, photos=[{"label": "a", "url": "u"}])
    store.upsert(original)
    again = store.get("P1")
    assert again == original
    assert list(again.to_dict()) == list(original.to_dict())


def test_fetch_meta_is_stored(store):
    store.upsert(doc("P1"), FetchMeta(fetch_url="http://h/p.htm", http_status=200, fetched_at="2024-01-01T00:00:00+00:00"))
    row = store._conn.execute("SELECT fetch_url, http_status, fetched_at, content_hash FROM documents").fetchone()
    assert row[:3] == ("http://h/p.htm", 200, "2024-01-01T00:00:00+00:00")
    assert row[3] == doc("P1").content_hash()


def test_iter_documents_streams_in_date_then_id_order(store):
    for doc_id, date in [("P3", "2021-05-01"), ("P2", "2020-01-01"), ("P1", "2021-05-01"), ("P0", "2022-01-01")]:
        store.upsert(doc(doc_id, date))
    stream = store.iter_documents()
    assert isinstance(stream, types.GeneratorType)
    assert next(stream).id == "P2"  # the first row arrives before the rest are read
    assert [d.id for d in stream] == ["P1", "P3", "P0"]


def test_stats_and_crawl_log(store):
    store.upsert(doc("P1", "2019-03-01"))
    store.upsert(Document(id="N1", date="2020-03-01", title="t", text="x", source="news.gov.hk", doc_type="news"))
    store.log_fetch("http://h/a.htm", "release", 500, 5, "HTTP 500")
    store.log_fetch("http://h/b.htm", "index", 200, 1)
    store.log_fetch("http://h/b.htm", "index", 503, 5, "HTTP 503")  # latest attempt replaces the older one
    store.log_fetch("http://h/a.htm", "release", 200, 1)  # a retry that worked clears the failure
    stats = store.stats()
    assert stats["documents"] == 2
    assert stats["by_year"] == {"2019": 1, "2020": 1}
    assert stats["by_doc_type"] == {"news": 1, "press_release": 1}
    assert stats["by_source"] == {"info.gov.hk": 1, "news.gov.hk": 1}
    assert stats["crawl_failures"] == 1 and stats["crawl_failures_by_kind"] == {"index": 1}
    assert [f["url"] for f in store.crawl_failures()] == ["http://h/b.htm"]


def test_days_done_depend_on_the_filter(store):
    day = dt.date(2020, 1, 6)
    store.mark_day_done(day, "all", 4)
    assert store.day_done(day, "all")
    assert not store.day_done(day, "keywords=x;prefilter=none")
    assert not store.day_done(dt.date(2020, 1, 7), "all")


def test_bad_log_kind_is_rejected(store):
    with pytest.raises(sqlite3.IntegrityError):
        store.log_fetch("http://h/a.htm", "image", 200, 1)


def test_sample_corpus_imports_unchanged(store):
    documents = read_documents(sample_corpus_path())
    for document in documents:
        store.upsert(document)
    assert len(store) == len(documents) == 88
    assert {d.id: d for d in store.iter_documents()} == {d.id: d for d in documents}


WRITER = """
import sys
from hkasean.corpus.document import Document
from hkasean.corpus.store import DocumentStore
store = DocumentStore(sys.argv[1])
i = 0
while True:
    store.upsert(Document(id=f"P{i:06d}", date="2020-01-02", title="t", text="x" * 5000 + str(i)))
    print(i, flush=True)
    i += 1
"""


def test_writes_survive_sigkill(tmp_path):
    db = tmp_path / "killed.sqlite"
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], cwd=REPO, stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        written = [int(process.stdout.readline()) for _ in range(40)]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()
    assert written == list(range(40))
    with DocumentStore(db) as reopened:
        assert reopened._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert len(reopened) >= 40  # every acknowledged write is there
        for i in written:
            assert reopened.get(f"P{i:06d}").text == "x" * 5000 + str(i)
        assert reopened.upsert(Document(id="P000000", date="2020-01-02", title="t", text="x" * 5000 + "0")) == "unchanged"
