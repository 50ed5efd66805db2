"""The batch run end to end on the bundled sample: outputs, determinism, caching, bad input."""
from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pandas as pd
import pytest

from hkasean import contract
from hkasean.scripts.cli import main

FAST = Path(__file__).with_name("fast_config.yaml")


def run_cli(*args: str) -> int:
    return main(["--quiet", *args])


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    cache = tmp_path_factory.mktemp("cache")
    assert run_cli("run", "--config", str(FAST), "--out", str(out), "--cache-dir", str(cache)) == 0
    return out


def test_run_writes_the_whole_folder(first_run):
    for name in ("report.html", "report.md", "manifest.json"):
        assert (first_run / name).is_file()
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(first_run.stat().st_mode) == 0o777 & ~umask  # shareable, not mkdtemp's private 0700
    tables = {p.stem for p in (first_run / "tables").glob("*.csv")}
    assert {"topics", "doc_themes", "reliability", "agreement", "disagreements", "prevalence",
            "correlation", "claims", "tfidf_terms_by_year", "indicator_frequency"} <= tables
    figures = {p.stem for p in (first_run / "figures").glob("*.png")}
    assert {"agreement_f1", "themes_by_year", "trade_hk_asean", "trade_export_dependence",
            "trade_import_dependence", "theme_share_vs_trade"} <= figures
    assert not list(first_run.parent.glob(".out.partial-*")), "no partial folder may be left behind"


def test_every_table_and_figure_is_the_declared_one(first_run):
    written = {p.stem: p for p in (first_run / "tables").glob("*.csv")}
    assert set(written) <= set(contract.WRITTEN_TABLES), set(written) - set(contract.WRITTEN_TABLES)
    for name, path in written.items():
        header = pd.read_csv(path, nrows=0).columns.tolist()
        assert header == contract.WRITTEN_TABLES[name].column_list, name
    figures = {p.stem for p in (first_run / "figures").glob("*.png")}
    assert figures == set(contract.FIGURES), "the sample run with coding draws every declared figure"
    agreement = pd.read_csv(first_run / "tables" / "agreement.csv")
    models = set(agreement["model"])
    assert {"lda", "nmf", "seeded_lda", "dictionary", "supervised", "lda+cv_map", "nmf+cv_map"} <= models
    assert "macro" in set(agreement["theme"])


def test_manifest_records_the_run(first_run):
    manifest = json.loads((first_run / "manifest.json").read_text())
    assert manifest["corpus"]["n_documents"] == 88
    assert len(manifest["corpus"]["sha256"]) == 64
    # the fast config lists its grid seeds; the seeded LDA's two chains take seeds derived from the master seed
    assert manifest["seeds"] == {"seed": 7, "k_grid_seeds": [0, 1], "seeded_lda_chain_seeds": [7, 8]}
    assert manifest["config"]["models"]["k_grid"] == [3, 4]
    assert manifest["resolved_settings"]["models"]["lda"] == {"passes": 4}  # set in the config: the rule steps aside
    assert manifest["resolved_settings"]["n_jobs"] >= 1
    seeded = manifest["resolved_settings"]["models"]["seeded_lda"]  # chains set in the config; how many ran at once
    assert seeded["chains"] == 2 and 1 <= seeded["chains_at_once"] <= min(2, manifest["resolved_settings"]["n_jobs"])
    assert manifest["packages"]["gensim"]
    assert {s["name"] for s in manifest["stages"]} >= {"process", "fit", "evaluate", "timeseries", "claims", "report"}


def test_report_is_self_contained(first_run):
    html = (first_run / "report.html").read_text()
    assert "data:image/png;base64," in html
    assert "src=\"http" not in html and "href=\"http" not in html and "<script" not in html
    markdown = (first_run / "report.md").read_text()
    assert "](figures/agreement_f1.png)" in markdown


def test_same_inputs_and_seed_give_identical_tables(first_run, tmp_path):
    out = tmp_path / "again"
    assert run_cli("run", "--config", str(FAST), "--out", str(out), "--no-cache") == 0
    for table in sorted((first_run / "tables").glob("*.csv")):
        assert table.read_bytes() == (out / "tables" / table.name).read_bytes(), table.name


def test_rerun_is_cached_and_one_setting_recomputes_only_its_stages(tmp_path, caplog):
    cache = tmp_path / "cache"
    args = ["--config", str(FAST), "--cache-dir", str(cache)]
    assert run_cli("run", *args, "--out", str(tmp_path / "a")) == 0
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert not any(s["cached"] for s in manifest["stages"])
    assert run_cli("run", *args, "--out", str(tmp_path / "b")) == 0
    cached = {s["name"]: s["cached"] for s in json.loads((tmp_path / "b" / "manifest.json").read_text())["stages"]}
    assert all(cached[name] for name in ("process", "tfidf", "fit", "evaluate", "timeseries", "claims"))
    changed = tmp_path / "changed.yaml"
    changed.write_text(FAST.read_text().replace("validation:\n  n_boot: 100", "validation:\n  n_boot: 50"))
    assert run_cli("run", "--config", str(changed), "--cache-dir", str(cache), "--out", str(tmp_path / "c")) == 0
    cached = {s["name"]: s["cached"] for s in json.loads((tmp_path / "c" / "manifest.json").read_text())["stages"]}
    assert cached["fit"] and cached["process"] and cached["timeseries"] and not cached["evaluate"]
    for token_file in (cache / "processed").glob("*.tokens"):  # the processed corpus's tokens lost: recomputed, not a crash
        token_file.unlink()
    assert run_cli("run", *args, "--out", str(tmp_path / "d")) == 0
    cached = {s["name"]: s["cached"] for s in json.loads((tmp_path / "d" / "manifest.json").read_text())["stages"]}
    assert not cached["process"] and cached["fit"]
    assert len(list((cache / "processed").glob("*.tokens"))) == 1


def _bad_inputs(tmp_path: Path, repo_root: Path) -> dict[str, tuple[list[str], str]]:
    corpus = (repo_root / "corpus" / "sample" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    bad_corpus = tmp_path / "bad_corpus.jsonl"
    bad_corpus.write_text("\n".join(corpus[:3] + ['{"id": "x", "date": "2024-13-01", "title": "t", "text": "t"}'] + corpus[3:]) + "\n")
    coding = (repo_root / "corpus" / "sample" / "coding.csv").read_text().splitlines()
    bad_coding = tmp_path / "bad_coding.csv"
    bad_coding.write_text("\n".join([coding[0] + ",soft_power"] + [row + ",0" for row in coding[1:]]) + "\n")
    empty_trade = tmp_path / "trade.csv"
    empty_trade.write_text("")
    return {
        "corpus": (["--corpus", str(bad_corpus), "--coding", str(repo_root / "corpus" / "sample" / "coding.csv")], "line 4"),
        "coding": (["--coding", str(bad_coding)], "soft_power"),
        "trade": (["--trade", str(empty_trade)], str(empty_trade)),
    }


@pytest.mark.parametrize("which", ["corpus", "coding", "trade"])
def test_bad_input_stops_the_run_and_keeps_the_previous_folder(tmp_path, repo_root, capsys, which, first_run):
    out = tmp_path / "out"
    shutil.copytree(first_run, out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    args, expected = _bad_inputs(tmp_path, repo_root)[which]
    assert main(["run", "--config", str(FAST), "--out", str(out), "--no-cache", *args]) == 2
    err = capsys.readouterr().err
    assert "ERROR" in err and expected in err
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert not list(tmp_path.glob(".out.partial-*"))


def test_fit_and_evaluate_commands(tmp_path):
    assert run_cli("fit", "--config", str(FAST), "--out", str(tmp_path / "fit"), "--no-cache") == 0
    assert (tmp_path / "fit" / "tables" / "topics.csv").is_file()
    assert not (tmp_path / "fit" / "report.html").exists()
    assert not (tmp_path / "fit" / "tables" / "agreement.csv").exists()


def test_fitted_models_are_saved_and_reload(first_run):
    from hkasean.models.dictionary_coder import DictionaryCoder
    from hkasean.models.lda import LdaTopicModel

    saved = {p.stem for p in (first_run / "models").glob("*.joblib")}
    assert saved == {"lda", "nmf", "seeded_lda", "dictionary", "supervised", "ensemble"}
    lda = LdaTopicModel.load(first_run / "models" / "lda.joblib")
    table = pd.read_csv(first_run / "tables" / "topics.csv")
    assert len(lda.topics()) == (table["model"] == "lda").sum()
    with pytest.raises(Exception, match="expected a saved DictionaryCoder"):
        DictionaryCoder.load(first_run / "models" / "lda.joblib")


def test_report_embeds_every_figure(first_run):
    html = (first_run / "report.html").read_text()
    figures = list((first_run / "figures").glob("*.png"))
    assert html.count("data:image/png;base64,") == len(figures)


@pytest.mark.parametrize("coder", ["gold", "coder_a"])
def test_a_single_coder_coding_of_some_documents(tmp_path, repo_root, coder):
    """Users often code a subset by hand, alone: agreement is scored, the human ceiling is left out."""
    rows = (repo_root / "corpus" / "sample" / "coding.csv").read_text().splitlines()
    coding = tmp_path / "coding.csv"
    coding.write_text("\n".join([rows[0]] + [r for r in rows[1:] if f",{coder}," in r][:40]) + "\n")
    out = tmp_path / "out"
    assert run_cli("evaluate", "--config", str(FAST), "--coding", str(coding), "--out", str(out), "--no-cache") == 0
    agreement = pd.read_csv(out / "tables" / "agreement.csv")
    assert set(agreement["n"]) == {40}
    assert not agreement["model"].str.startswith("human:").any(), "no coder is independent of this standard"
    assert pd.read_csv(out / "tables" / "reliability.csv").empty


def test_tiny_corpora(tmp_path, repo_root, capsys):
    lines = (repo_root / "corpus" / "sample" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    five, two = tmp_path / "five.jsonl", tmp_path / "two.jsonl"
    five.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    two.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    assert run_cli("run", "--config", str(FAST), "--corpus", str(five), "--out", str(tmp_path / "a"), "--no-cache") == 0
    assert run_cli("run", "--config", str(FAST), "--corpus", str(two), "--out", str(tmp_path / "b"), "--no-cache") == 2
    assert "no terms are left after processing 2 document(s)" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def test_fit_streams_the_corpus_from_a_store(tmp_path, repo_root):
    db = tmp_path / "corpus.sqlite"
    assert main(["-q", "corpus", "import", str(repo_root / "corpus" / "sample" / "corpus.jsonl"), "--db", str(db)]) == 0
    coding = repo_root / "corpus" / "sample" / "coding.csv"
    out = tmp_path / "fit"
    assert run_cli("fit", "--config", str(FAST), "--db", str(db), "--coding", str(coding), "--out", str(out), "--no-cache") == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["corpus"]["n_documents"] == 88 and manifest["corpus"]["source"] == f"store {db}"
    doc_themes = pd.read_csv(out / "tables" / "doc_themes.csv")
    assert doc_themes.groupby("model")["doc_id"].nunique().eq(88).all()
    assert set(doc_themes["model"]) >= {"lda", "nmf", "seeded_lda", "dictionary", "supervised"}
