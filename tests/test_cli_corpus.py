"""``hkasean corpus`` and ``hkasean scrape`` through ``scripts.cli.main``."""
from __future__ import annotations

import json

import pytest

from hkasean.corpus.bundled import sample_corpus_path
from hkasean.corpus.store import DocumentStore
from infogovhk_site import LocalSite
from hkasean.scripts.cli import main


def read_objects(path) -> dict[str, dict]:
    with open(path, encoding="utf-8") as handle:
        return {record["id"]: record for record in map(json.loads, filter(str.strip, handle))}


def test_import_export_round_trip_of_the_sample(tmp_path, capsys):
    db, out = tmp_path / "store.sqlite", tmp_path / "export.jsonl"
    assert main(["-q", "corpus", "import", str(sample_corpus_path()), "--db", str(db)]) == 0
    assert "88 inserted" in capsys.readouterr().out
    assert main(["-q", "corpus", "import", str(sample_corpus_path()), "--db", str(db)]) == 0
    assert "0 inserted, 0 updated, 88 unchanged" in capsys.readouterr().out
    assert main(["-q", "corpus", "export", "--db", str(db), "--out", str(out)]) == 0
    original, exported = read_objects(sample_corpus_path()), read_objects(out)
    assert exported == original
    assert sum("copy_url" in record for record in exported.values()) == 43
    assert sum("title_is_descriptive" in record for record in exported.values()) == 5
    dates = [json.loads(line)["date"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert dates == sorted(dates)


def test_stats(tmp_path, capsys):
    db = tmp_path / "store.sqlite"
    main(["-q", "corpus", "import", str(sample_corpus_path()), "--db", str(db)])
    with DocumentStore(db) as store:
        store.log_fetch("https://www.info.gov.hk/gia/general/202001/06.htm", "index", 503, 5, "HTTP 503")  # data only, never fetched
    capsys.readouterr()
    assert main(["-q", "corpus", "stats", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "documents: 88" in out
    assert "2019" in out and "speech" in out and "info.gov.hk" in out
    assert "crawl failures: 1" in out and "[index] https://www.info.gov.hk/gia/general/202001/06.htm: HTTP 503" in out  # data only, never fetched


def test_bad_line_exits_2_naming_file_line_and_field(tmp_path, capsys):
    lines = sample_corpus_path().read_text(encoding="utf-8").splitlines()[:3]
    broken = json.loads(lines[1])
    del broken["title"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([lines[0], json.dumps(broken), lines[2]]) + "\n", encoding="utf-8")
    db = tmp_path / "store.sqlite"
    assert main(["corpus", "import", str(bad), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:line 2" in err and "'title'" in err
    with DocumentStore(db) as store:
        assert len(store) == 0  # validated first: nothing written


def test_scrape_against_the_local_site(tmp_path, capsys):
    site = LocalSite().start()
    try:
        args = ["-q", "scrape", "--start", "2019-12-31", "--end", "2020-01-07", "--base-url", site.base_url,
                "--rate", "200", "--db", str(tmp_path / "store.sqlite"), "--cache", str(tmp_path / "cache")]
        assert main(args + ["--contact", "researcher@example.org"]) == 0
        assert site.requests and all("researcher@example.org" in r.user_agent for r in site.requests)
        out = capsys.readouterr().out
        assert "days: 8" in out and "listed: 13" in out and "fetched: 13" in out and "kept: 4" in out and "failed: 0" in out
        assert main(args[:-4] + ["--db", str(tmp_path / "mers.sqlite"), "--cache", str(tmp_path / "cache"),
                                 "--keyword", "MERS", "--prefilter", "title"]) == 0
        assert "kept: 3" in capsys.readouterr().out
    finally:
        site.stop()
    with DocumentStore(tmp_path / "mers.sqlite") as store:
        assert sorted(d.id for d in store.iter_documents()) == ["P2019123100709", "P2020010600666", "P2020010700901"]


def test_scrape_rejects_bad_arguments(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["scrape", "--start", "2020-13-01", "--end", "2020-01-07"])
    assert exit_info.value.code == 2 and "expected a date YYYY-MM-DD" in capsys.readouterr().err
    assert main(["-q", "scrape", "--start", "2020-01-07", "--end", "2020-01-01", "--db", str(tmp_path / "s.sqlite"),
                 "--cache", str(tmp_path / "c")]) == 2
    assert "after the end date" in capsys.readouterr().err


def test_help_shows_default_locations(capsys):
    with pytest.raises(SystemExit):
        main(["scrape", "--help"])
    out = capsys.readouterr().out
    assert "corpus.sqlite" in out and "html-cache" in out and "--prefilter" in out


def test_read_only_commands_never_create_a_store(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HKASEAN_HOME", str(tmp_path / "home"))
    assert main(["-q", "corpus", "stats"]) == 2
    assert main(["-q", "corpus", "export", "--out", str(tmp_path / "x.jsonl")]) == 2
    assert main(["-q", "run", "--db", "--no-cache", "--out", str(tmp_path / "out")]) == 2
    assert "document store not found" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_stats_and_export_leave_the_store_unchanged(tmp_path, capsys):
    db, out = tmp_path / "store.sqlite", tmp_path / "export.jsonl"
    assert main(["-q", "corpus", "import", str(sample_corpus_path()), "--db", str(db)]) == 0
    content = db.read_bytes()
    assert main(["-q", "corpus", "stats", "--db", str(db)]) == 0
    assert main(["-q", "corpus", "export", "--db", str(db), "--out", str(out)]) == 0
    assert db.read_bytes() == content


def test_export_replaces_an_existing_file_only_with_overwrite(tmp_path, capsys):
    db, out = tmp_path / "store.sqlite", tmp_path / "export.jsonl"
    main(["-q", "corpus", "import", str(sample_corpus_path()), "--db", str(db)])
    out.write_text("keep me\n", encoding="utf-8")
    assert main(["-q", "corpus", "export", "--db", str(db), "--out", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "keep me\n"
    assert main(["-q", "corpus", "export", "--db", str(db), "--out", str(out), "--overwrite"]) == 0
    assert read_objects(out) == read_objects(sample_corpus_path())


def test_store_documents_outside_plausible_years_are_named_in_a_warning(tmp_path, caplog):
    from hkasean.corpus.collection import StoredDocuments
    from hkasean.corpus.document import Document

    db = tmp_path / "store.sqlite"
    with DocumentStore(db) as store:
        store.upsert(Document(id="early", date="0001-01-01", title="t", text="x"))
        store.upsert(Document(id="fine", date="2020-01-01", title="t", text="x"))
    with caplog.at_level("WARNING"):
        documents = StoredDocuments(db)
    assert len(documents) == 2
    documents.close()
    assert "1 document(s) dated outside the years 1900-2099: id early: 0001-01-01" in caplog.text
