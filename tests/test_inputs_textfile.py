"""Safe reading of user files (``corpus.textfile``): UTF-8 with a BOM accepted everywhere, bad bytes
named by line and offset, over-long CSV cells, YAML alias bombs refused before anything is built."""
from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from hkasean.analysis.coding import load_coding
from hkasean.analysis.trade import bundled_trade_path, load_trade_table
from hkasean.corpus.bundled import sample_coding_path, sample_corpus_path
from hkasean.corpus.collection import JsonlDocuments
from hkasean.corpus.errors import InputError
from hkasean.corpus.textfile import iter_csv_rows, iter_lines, load_yaml, read_text
from hkasean.models.codebook import default_codebook_path, load_codebook
from hkasean.scripts.cli import main
from hkasean.scripts.config import load_config

BOM = b"\xef\xbb\xbf"


def _with_bom(source: Path, target: Path) -> Path:
    target.write_bytes(BOM + source.read_bytes())
    return target


def test_every_input_accepts_a_utf8_bom(tmp_path):
    codebook = load_codebook(_with_bom(default_codebook_path(), tmp_path / "codebook.yaml"))
    assert codebook.theme_ids == load_codebook().theme_ids
    corpus = JsonlDocuments(_with_bom(sample_corpus_path(), tmp_path / "corpus.jsonl"))
    assert [d.id for d in corpus] == [d.id for d in JsonlDocuments(sample_corpus_path())]
    coding = load_coding(_with_bom(sample_coding_path(), tmp_path / "coding.csv"), codebook.theme_ids)
    assert coding.long.equals(load_coding(sample_coding_path(), codebook.theme_ids).long)
    trade = load_trade_table(_with_bom(bundled_trade_path(), tmp_path / "trade.csv"))
    assert trade.equals(load_trade_table())
    config = tmp_path / "config.yaml"
    config.write_bytes(BOM + b"seed: 7\n")
    assert load_config(config).seed == 7


def test_corpus_import_accepts_a_bom(tmp_path, capsys):
    path = _with_bom(sample_corpus_path(), tmp_path / "corpus.jsonl")
    assert main(["-q", "corpus", "import", str(path), "--db", str(tmp_path / "s.sqlite")]) == 0
    assert "88 inserted" in capsys.readouterr().out


def test_bad_byte_named_by_line_and_exact_offset(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(BOM + b"first\r\nsecond caf\xc3\xa9\nthird \xff here\n")
    with pytest.raises(InputError) as err:
        list(iter_lines(path))
    message = str(err.value)
    offset = len(BOM + b"first\r\nsecond caf\xc3\xa9\nthird ")
    assert message.startswith(f"{path}:line 3: not valid UTF-8: byte 0xFF at byte offset {offset} of the file (byte 7 of the line)")


def test_lines_keep_their_endings_and_lose_the_bom(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(BOM + "a\r\nb\u2028c\nd".encode())
    assert list(iter_lines(path)) == ["a\r\n", "b\u2028c\n", "d"]
    assert read_text(path) == "a\r\nb\u2028c\nd"


def test_unreadable_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_text(tmp_path)  # a folder


def test_over_long_csv_cell_names_the_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n3," + "x" * 200_000 + "\n", encoding="utf-8")
    rows = iter_csv_rows(path)
    assert next(rows) == (1, ["a", "b"]) and next(rows) == (2, ["1", "2"])
    with pytest.raises(InputError, match=r"t\.csv:line 3: not readable as CSV \(field larger than field limit"):
        next(rows)


def test_yaml_with_small_aliases_still_loads(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("base: &b {x: 1, y: [1, 2]}\nother: *b\nmerged: {<<: *b, z: 3}\n", encoding="utf-8")
    assert load_yaml(path) == {"base": {"x": 1, "y": [1, 2]}, "other": {"x": 1, "y": [1, 2]},
                               "merged": {"x": 1, "y": [1, 2], "z": 3}}


def test_yaml_alias_bomb_refused_quickly_naming_the_line(tmp_path):
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"{n}: &{n} [{', '.join(['*' + p] * 10)}]" for p, n in zip("abcdefgh", "bcdefghi")]  # i: 10**9 strings
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(levels) + "\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(InputError) as err:
        load_yaml(path)
    assert time.perf_counter() - started < 2
    assert f"{path}:line 5:" in str(err.value)  # e: 10**5 + ... values and f"{MAX_YAML_NODES:,}" in str(err.value)


def test_recursive_yaml_alias_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("a: &a [1, *a]\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: an alias refers to the value that contains it"):
        load_yaml(path)


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("a: [1\nb: 2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.yaml:line 2: not valid YAML"):
        load_yaml(path)


def test_documents_outside_plausible_years_are_kept_with_a_warning_naming_the_lines(tmp_path, caplog):
    lines = sample_corpus_path().read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('"date": "', '"date": "0001-01-01", "old_date": "', 1)
    lines[7] = lines[7].replace('"date": "', '"date": "9999-12-31", "old_date": "', 1)
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        corpus = JsonlDocuments(path)
    assert len(corpus) == 88
    warning = " ".join(r.getMessage() for r in caplog.records)
    assert "2 document(s) dated outside the years 1900-2099" in warning
    assert "line 3: 0001-01-01" in warning and "line 8: 9999-12-31" in warning
