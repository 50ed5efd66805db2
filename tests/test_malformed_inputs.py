"""Every kind of malformed input stops `hkasean run` with exit code 2, a message naming the file
and the place, and no output folder (the table in README "When the input is wrong" comes from here)."""
from __future__ import annotations

import json
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
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_input_is_reported_and_leaves_no_output(case, tmp_path, capsys):
    build, expected = CASES[case]
    args = build(tmp_path)
    out = tmp_path / "out"
    assert main(["--quiet", "run", "--out", str(out), "--no-cache", *args]) == 2
    err = capsys.readouterr().err
    for fragment in expected:
        assert fragment in err, f"{case}: {fragment!r} not in {err!r}"
    assert not out.exists()
    assert not list(tmp_path.glob(".out*")), "no partial output may be left"
