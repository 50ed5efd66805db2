"""Every kind of malformed input stops the command with exit code 2, a message naming the file
and the place, and nothing written or changed: no output folder for `run`, no store or export for
`corpus` (the table in docs/safety.md "When the input is wrong" comes from here)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from hkasean.scripts.cli import main

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "corpus" / "sample"


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _corpus_bad_json(tmp: Path) -> Path:
    lines = _lines(SAMPLE / "corpus.jsonl")
    return _write(tmp / "corpus.jsonl", lines[:5] + ['{"id": "x", "date": '] + lines[5:])


def _corpus_missing_field(tmp: Path) -> Path:
    lines = _lines(SAMPLE / "corpus.jsonl")
    record = json.loads(lines[2])
    del record["text"]
    return _write(tmp / "corpus.jsonl", lines[:2] + [json.dumps(record)] + lines[3:])


def _corpus_bad_date(tmp: Path) -> Path:
    lines = _lines(SAMPLE / "corpus.jsonl")
    record = dict(json.loads(lines[0]), date="27/02/2019")
    return _write(tmp / "corpus.jsonl", [json.dumps(record)] + lines[1:])


def _coding_with(tmp: Path, edit) -> Path:
    return _write(tmp / "coding.csv", edit(_lines(SAMPLE / "coding.csv")))


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _trade_with(tmp: Path, edit) -> Path:
    return _write(tmp / "trade.csv", edit(_lines(REPO / "analysis" / "data" / "trade.csv")))


def _with_latin1_byte(source: Path, target: Path, line: int) -> Path:
    """A copy of ``source`` with the byte 0xE9 (Latin-1 'e acute', never valid alone in UTF-8) put
    at the start of ``line`` (1-based)."""
    lines = source.read_bytes().splitlines(keepends=True)
    lines[line - 1] = b"\xe9" + lines[line - 1]
    target.write_bytes(b"".join(lines))
    return target


def _codebook_with(tmp: Path, edit) -> Path:
    return _write(tmp / "codebook.yaml", edit(_lines(REPO / "models" / "data" / "codebook.yaml")))


BOMB = "[" + ", ".join(['&a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'] + [
    f"&{name} [{', '.join(['*' + prev] * 9)}]" for prev, name in zip("abcdefgh", "bcdefghi")
]) + "]"
"""A "billion laughs" YAML value: its last item expands to 9**9 (387 million) strings."""


def _codebook_bomb(tmp: Path) -> Path:
    return _codebook_with(tmp, lambda c: [line.replace("label: ASEAN as a market yet to explore", "label: " + BOMB) for line in c])


def _config_bomb(tmp: Path) -> Path:
    return _write(tmp / "config.yaml", ["seed: " + BOMB])


def _config(tmp: Path, *lines: str) -> list[str]:
    return ["--config", str(_write(tmp / "config.yaml", list(lines)))]


BIG_CELL = "x" * 200_000


CASES = {
    # name: (build(tmp) -> (extra CLI args), substrings the error must contain)
    "corpus: not JSON": (lambda t: ["--corpus", str(_corpus_bad_json(t)), "--no-coding"], ["corpus.jsonl:line 6", "not valid JSON"]),
    "corpus: field missing": (lambda t: ["--corpus", str(_corpus_missing_field(t)), "--no-coding"], ["corpus.jsonl:line 3", "'text'"]),
    "corpus: bad date": (lambda t: ["--corpus", str(_corpus_bad_date(t)), "--no-coding"], ["corpus.jsonl:line 1", "'date'", "YYYY-MM-DD"]),
    "coding: unknown theme": (
        lambda t: ["--coding", str(_coding_with(t, lambda c: [c[0].replace("made_in_hk", "made_in_china")] + c[1:]))],
        ["coding.csv:line 1", "made_in_china", "known theme ids"]),
    "coding: value not 0/1": (
        lambda t: ["--coding", str(_coding_with(t, lambda c: c[:10] + [c[10][:-1] + "2"] + c[11:]))],
        ["coding.csv:line 11", "gateway_china", "0 or 1"]),
    "coding: document not in corpus": (
        lambda t: ["--coding", str(_coding_with(t, lambda c: c + ["P9999999999999,gold,0,0,0,0,1"]))],
        ["coding.csv", "P9999999999999", "not in the corpus", "line 266"]),
    "coding: duplicate row": (
        lambda t: ["--coding", str(_coding_with(t, lambda c: c + [c[5]]))], ["coding.csv:line 266", "already coded on line 6"]),
    "codebook: duplicate theme": (
        lambda t: ["--codebook", str(_write(t / "codebook.yaml", [
            line.replace("id: hub_status", "id: value_adder") for line in _lines(REPO / "models" / "data" / "codebook.yaml")]))],
        ["codebook.yaml:themes[3]", "duplicate theme id"]),
    "trade: empty file": (lambda t: ["--trade", str(_write(t / "trade.csv", []))], ["trade.csv", "empty"]),
    "trade: column missing": (
        lambda t: ["--trade", str(_trade_with(t, lambda r: [r[0].replace("unit,", "units,")] + r[1:]))], ["trade.csv:line 1", "unit"]),
    "trade: bad confidence": (
        lambda t: ["--trade", str(_trade_with(t, lambda r: r[:3] + [r[3].replace(",low,", ",certain,")] + r[4:]))],
        ["trade.csv:row 3", "confidence"]),
    "config: unknown key": (
        lambda t: ["--config", str(_write(t / "config.yaml", ["models:", "  pases: 3"]))], ["config.yaml:models.pases", "unknown setting"]),
    "config: wrong type": (
        lambda t: ["--config", str(_write(t / "config.yaml", ["validation:", "  n_boot: many"]))], ["config.yaml:validation.n_boot", "whole number"]),
    # -- YAML alias bombs: refused while the YAML is read, before any value is built
    "codebook: alias bomb": (lambda t: ["--codebook", str(_codebook_bomb(t))], ["codebook.yaml:line", "alias"]),
    "config: alias bomb": (lambda t: ["--config", str(_config_bomb(t))], ["config.yaml:line", "alias"]),
    # -- bytes that are not UTF-8: file, line and byte offset
    "corpus: not UTF-8": (
        lambda t: ["--corpus", str(_with_latin1_byte(SAMPLE / "corpus.jsonl", t / "corpus.jsonl", 4)), "--no-coding"],
        ["corpus.jsonl:line 4", "not valid UTF-8", "byte 0xE9", "offset"]),
    "coding: not UTF-8": (
        lambda t: ["--coding", str(_with_latin1_byte(SAMPLE / "coding.csv", t / "coding.csv", 7))],
        ["coding.csv:line 7", "not valid UTF-8", "offset"]),
    "codebook: not UTF-8": (
        lambda t: ["--codebook", str(_with_latin1_byte(REPO / "models" / "data" / "codebook.yaml", t / "codebook.yaml", 12))],
        ["codebook.yaml:line 12", "not valid UTF-8", "offset"]),
    "trade: not UTF-8": (
        lambda t: ["--trade", str(_with_latin1_byte(REPO / "analysis" / "data" / "trade.csv", t / "trade.csv", 3))],
        ["trade.csv:line 3", "not valid UTF-8", "offset"]),
    "config: not UTF-8": (
        lambda t: ["--config", str(_with_latin1_byte(_write(t / "c.yaml", ["seed: 1", "# caf"]), t / "config.yaml", 2))],
        ["config.yaml:line 2", "not valid UTF-8", "offset 8"]),
    # -- settings out of range: file and key named before any work
    "config: n_boot 0": (lambda t: _config(t, "validation:", "  n_boot: 0"), ["config.yaml:validation.n_boot", ">= 1", "got 0"]),
    "config: n_boot negative": (lambda t: _config(t, "prevalence:", "  n_boot: -5"), ["config.yaml:prevalence.n_boot", ">= 1"]),
    "config: seeds empty": (lambda t: _config(t, "models:", "  seeds: []"), ["config.yaml:models.seeds", "at least 1"]),
    "config: seed too large": (lambda t: _config(t, "models:", "  seeds: [0, 4294967296]"), ["config.yaml:models.seeds[1]", "4294967295"]),
    "config: seed negative": (lambda t: _config(t, "seed: -3"), ["config.yaml:seed", ">= 0"]),
    "config: level nan": (lambda t: _config(t, "prevalence:", "  level: .nan"), ["config.yaml:prevalence.level", "finite"]),
    "config: level 1": (lambda t: _config(t, "correlation:", "  level: 1"), ["config.yaml:correlation.level", "< 1"]),
    "config: n_jobs 0": (lambda t: _config(t, "models:", "  n_jobs: 0"), ["config.yaml:models.n_jobs", "not 0"]),
    "config: k_grid empty": (lambda t: _config(t, "models:", "  k_grid: []"), ["config.yaml:models.k_grid", "at least 1"]),
    "config: k_grid 0": (lambda t: _config(t, "models:", "  k_grid: [0]"), ["config.yaml:models.k_grid[0]", ">= 2"]),
    "config: freq decade": (
        lambda t: _config(t, "prevalence:", "  freq: decade"), ["config.yaml:prevalence.freq", "year, quarter, month", "decade"]),
    "option: --seed -1": (lambda t: ["--seed", "-1"], ["--seed", ">= 0", "-1"]),
    "option: --jobs 0": (lambda t: ["--jobs", "0"], ["--jobs", "not 0"]),
    # -- CSV cells and numbers
    "coding: huge cell": (
        lambda t: ["--coding", str(_coding_with(t, lambda c: c[:4] + [c[4] + BIG_CELL] + c[5:]))],
        ["coding.csv:line 5", "131072"]),
    "trade: huge cell": (
        lambda t: ["--trade", str(_trade_with(t, lambda r: r[:2] + [r[2] + BIG_CELL] + r[3:]))], ["trade.csv:line 3", "131072"]),
    "trade: 400-digit value": (
        lambda t: ["--trade", str(_trade_with(t, lambda r: r[:1] + [r[1].replace(",94.1,", "," + "9" * 400 + ",")] + r[2:]))],
        ["trade.csv:row 1 (line 2), column 'value'", "finite"]),
    # -- codebook ids match exactly
    "codebook: id with newline": (
        lambda t: ["--codebook", str(_codebook_with(t, lambda c: [
            line.replace("id: hub_status", 'id: "hub_status\\n"') for line in c]))],
        ["codebook.yaml:themes[3]", "snake_case", "'hub_status\\n'"]),
    # -- document stores: --db must be an existing SQLite store, never created or changed by `run`
    "store: missing": (lambda t: ["--db", str(t / "nowhere" / "store.sqlite")], ["store.sqlite", "not found"]),
    "store: a folder": (lambda t: ["--db", str(_mkdir(t / "folder.sqlite"))], ["folder.sqlite", "folder"]),
    "store: empty file": (lambda t: ["--db", str(_touch(t / "empty.sqlite", b""))], ["empty.sqlite", "empty file"]),
    "store: not SQLite": (
        lambda t: ["--db", str(_touch(t / "notes.sqlite", b"just some notes\n"))], ["notes.sqlite", "not a SQLite database"]),
    "store: SQLite but no documents": (lambda t: ["--db", str(_other_sqlite(t / "other.sqlite"))], ["other.sqlite", "documents"]),
}


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def _touch(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _other_sqlite(path: Path) -> Path:
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (x TEXT)")
    conn.close()
    return path


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder`` with its size and modification time (what `nothing changed` means)."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_input_is_reported_and_leaves_no_output(case, tmp_path, capsys):
    build, expected = CASES[case]
    args = build(tmp_path)
    out = tmp_path / "out"
    before = _snapshot(tmp_path)
    started = time.perf_counter()
    assert main(["--quiet", "run", "--out", str(out), "--no-cache", *args]) == 2
    assert time.perf_counter() - started < 20, "refused before any work"
    err = capsys.readouterr().err
    for fragment in expected:
        assert fragment in err, f"{case}: {fragment!r} not in {err!r}"
    assert "Traceback" not in err
    assert not out.exists()
    assert not list(tmp_path.glob(".out*")), "no partial output may be left"
    assert _snapshot(tmp_path) == before, "the inputs are left exactly as they were"


def _store(tmp: Path) -> Path:
    """A real store holding the sample (made through `corpus import`)."""
    db = tmp / "store.sqlite"
    assert main(["--quiet", "corpus", "import", str(SAMPLE / "corpus.jsonl"), "--db", str(db)]) == 0
    return db


CORPUS_CASES = {
    # name: (build(tmp) -> `hkasean corpus ...` arguments, substrings the error must contain)
    "stats: store missing": (lambda t: ["stats", "--db", str(t / "new" / "store.sqlite")], ["store.sqlite", "not found"]),
    "stats: store is a folder": (lambda t: ["stats", "--db", str(_mkdir(t / "dir"))], ["dir", "folder"]),
    "stats: empty file": (lambda t: ["stats", "--db", str(_touch(t / "zero.sqlite", b""))], ["zero.sqlite", "empty file"]),
    "stats: not SQLite": (lambda t: ["stats", "--db", str(_touch(t / "x.sqlite", b"x" * 200))], ["x.sqlite", "not a SQLite database"]),
    "export: store missing": (
        lambda t: ["export", "--db", str(t / "new" / "store.sqlite"), "--out", str(t / "out.jsonl")], ["store.sqlite", "not found"]),
    "export: not SQLite": (
        lambda t: ["export", "--db", str(_touch(t / "x.sqlite", b"{}\n")), "--out", str(t / "out.jsonl")], ["not a SQLite database"]),
    "export: --out is a folder": (
        lambda t: ["export", "--db", str(_store(t)), "--out", str(_mkdir(t / "exports"))], ["exports", "folder", "--out"]),
    "export: --out exists": (
        lambda t: ["export", "--db", str(_store(t)), "--out", str(_touch(t / "keep.jsonl", b"precious\n"))],
        ["keep.jsonl", "already exists", "--overwrite"]),
    "import: not UTF-8": (
        lambda t: ["import", str(_with_latin1_byte(SAMPLE / "corpus.jsonl", t / "c.jsonl", 2)), "--db", str(t / "s.sqlite")],
        ["c.jsonl:line 2", "not valid UTF-8", "byte 0xE9"]),
    "import: store is a folder": (
        lambda t: ["import", str(SAMPLE / "corpus.jsonl"), "--db", str(_mkdir(t / "dir"))], ["dir", "folder"]),
    "import: not SQLite": (
        lambda t: ["import", str(SAMPLE / "corpus.jsonl"), "--db", str(_touch(t / "x.sqlite", b"x" * 200))],
        ["x.sqlite", "not a SQLite database"]),
}


@pytest.mark.parametrize("case", sorted(CORPUS_CASES))
def test_corpus_command_refuses_bad_store_or_output_and_changes_nothing(case, tmp_path, capsys):
    build, expected = CORPUS_CASES[case]
    args = build(tmp_path)
    capsys.readouterr()
    before = _snapshot(tmp_path)
    assert main(["--quiet", "corpus", *args]) == 2
    err = capsys.readouterr().err
    for fragment in expected:
        assert fragment in err, f"{case}: {fragment!r} not in {err!r}"
    assert "Traceback" not in err
    assert _snapshot(tmp_path) == before, "nothing created, nothing changed"
