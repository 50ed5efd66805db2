"""`hkasean codebook suggest`: help, determinism, a clear error without coding, an edited codebook picked up,
each summary line printed once, the stages of a run cached alike and their manifest."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import hkasean
from hkasean import contract
from hkasean.corpus.bundled import sample_coding_path, sample_corpus_path
from hkasean.models.codebook import default_codebook_path
from hkasean.scripts.cli import main
from hkasean.scripts.commands.codebook import summary_lines

FAST = Path(__file__).with_name("fast_config.yaml")
TABLE = f"tables/{contract.INDICATOR_SUGGESTIONS.name}.csv"


def test_help_describes_the_table_and_the_sources(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["codebook", "suggest", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for words in ("indicator_suggestions.csv", "log-odds", "Monroe", "word_vectors", "out of fold", "--coding",
                  "--codebook", "--out", "nothing is added to the codebook"):
        assert words in text


def test_two_runs_write_byte_identical_tables(tmp_path, capsys):
    assert main(["codebook", "suggest", "--out", str(tmp_path / "a")]) == 0
    printed = capsys.readouterr().out
    assert main(["codebook", "suggest", "--out", str(tmp_path / "b")]) == 0
    for name in (contract.INDICATOR_SUGGESTIONS.name, contract.INDICATOR_SOURCES.name):
        assert (tmp_path / "a" / "tables" / f"{name}.csv").read_bytes() == (tmp_path / "b" / "tables" / f"{name}.csv").read_bytes()
    table = pd.read_csv(tmp_path / "a" / TABLE, keep_default_na=False)
    assert list(table.columns) == contract.INDICATOR_SUGGESTIONS.column_list
    assert "untapped_market [log_odds]: " in printed and "word_vectors: skipped" in printed
    assert "nothing was added to the codebook" in printed


def test_a_corpus_without_coding_is_a_clear_error(tmp_path, capsys):
    corpus = tmp_path / "corpus.jsonl"
    shutil.copy(sample_corpus_path(), corpus)
    assert main(["codebook", "suggest", "--corpus", str(corpus), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "needs a manual coding" in error and "--coding FILE" in error
    assert not (tmp_path / "out").exists()


def test_an_edited_codebook_is_picked_up(tmp_path):
    raw = yaml.safe_load(default_codebook_path().read_text(encoding="utf-8"))
    next(t for t in raw["themes"] if t["id"] == "untapped_market")["indicators"] += ["enter", "mission"]
    edited = tmp_path / "codebook.yaml"
    edited.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    assert main(["codebook", "suggest", "--out", str(tmp_path / "before")]) == 0
    assert main(["codebook", "suggest", "--codebook", str(edited), "--coding", str(sample_coding_path()),
                 "--out", str(tmp_path / "after")]) == 0
    before = pd.read_csv(tmp_path / "before" / TABLE, keep_default_na=False)
    after = pd.read_csv(tmp_path / "after" / TABLE, keep_default_na=False)
    untapped = lambda table: set(table.loc[table["theme"] == "untapped_market", "term"])  # noqa: E731
    assert {"enter", "mission"} <= untapped(before)
    assert not {"enter", "mission"} & untapped(after)  # now indicators: no longer suggested


def test_run_writes_the_same_table_as_the_command(tmp_path):
    result = hkasean.run(config=FAST, until="suggest")
    assert main(["codebook", "suggest", "--config", str(FAST), "--out", str(tmp_path / "s")]) == 0
    written = pd.read_csv(tmp_path / "s" / TABLE)
    from_run = result[contract.INDICATOR_SUGGESTIONS.name]
    assert written["term"].tolist() == from_run["term"].tolist()
    assert np.allclose(written["precision"], from_run["precision"].astype(float), equal_nan=True, atol=1e-6)


def test_summary_lines_give_each_theme_and_source_once():
    table = pd.DataFrame({
        "theme": ["a", "a", "a", "b", "b"],
        "source": ["log_odds", "log_odds", "word_vectors", "log_odds", "log_odds"],
        "rank": [1, 2, 1, 1, 6],
        "term": ["port", "cargo", "harbour", "wheat", "barn"],
        "docs_with_theme": [3, 2, 4, 5, 1],
        "docs_without_theme": [1, 0, 2, 0, 1],
        "precision": [0.5, np.nan, 0.75, 1.0, 0.0],
    })
    assert summary_lines(table) == [
        "a [log_odds]: port (3/4 docs with the theme, out-of-fold precision 0.50), cargo (2/2 docs with the theme)",
        "a [word_vectors]: harbour (4/6 docs with the theme, out-of-fold precision 0.75)",
        "b [log_odds]: wheat (5/5 docs with the theme, out-of-fold precision 1.00)",
    ]


def test_the_command_prints_each_theme_and_source_line_once(tmp_path, capsys):
    assert main(["codebook", "suggest", "--no-cache", "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out.splitlines()
    table = pd.read_csv(tmp_path / "out" / TABLE, keep_default_na=False)
    pairs = table[["theme", "source"]].drop_duplicates().itertuples(index=False)
    for theme, source in pairs:
        assert sum(line.startswith(f"{theme} [{source}]: ") for line in printed) == 1, (theme, source)
    assert len(printed) == len(set(printed))


def manifest_stages(out: Path) -> list[tuple[str, bool]]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return [(stage["name"], stage["cached"]) for stage in manifest["stages"]]


def test_the_command_runs_the_cached_stages_of_a_run_and_writes_their_manifest(tmp_path):
    cache = tmp_path / "cache"
    assert main(["codebook", "suggest", "--config", str(FAST), "--cache-dir", str(cache), "--out", str(tmp_path / "a")]) == 0
    assert manifest_stages(tmp_path / "a") == [("inputs", False), ("process", False), ("suggest", False), ("write", False)]
    assert main(["codebook", "suggest", "--config", str(FAST), "--cache-dir", str(cache), "--out", str(tmp_path / "b")]) == 0
    assert manifest_stages(tmp_path / "b") == [("inputs", False), ("process", True), ("suggest", True), ("write", False)]
    for name in (contract.INDICATOR_SUGGESTIONS.name, contract.INDICATOR_SOURCES.name):
        assert (tmp_path / "a" / "tables" / f"{name}.csv").read_bytes() == (tmp_path / "b" / "tables" / f"{name}.csv").read_bytes()
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) == set(hkasean.run(config=FAST, until="process").manifest)  # the format of a run's manifest
    assert manifest["command"][:3] == ["hkasean", "codebook", "suggest"] and manifest["config"]["seed"] == manifest["seeds"]["seed"]
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [".hkasean-output", "figures", "manifest.json", "tables"]


def test_no_cache_writes_no_cache(tmp_path):
    cache = tmp_path / "cache"
    assert main(["codebook", "suggest", "--no-cache", "--cache-dir", str(cache), "--out", str(tmp_path / "out")]) == 0
    assert not cache.exists()
    assert manifest_stages(tmp_path / "out") == [("inputs", False), ("process", False), ("suggest", False), ("write", False)]
