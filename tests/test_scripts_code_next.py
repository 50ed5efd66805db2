"""``hkasean evaluate`` with a partial coding proposes the next batch to code and writes its template."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from hkasean import contract
from hkasean.corpus.bundled import sample_coding_path
from hkasean.models.codebook import load_codebook
from hkasean.scripts.cli import main

FAST = Path(__file__).with_name("fast_config.yaml")


def test_evaluate_with_a_partial_coding_writes_the_next_batch(tmp_path):
    coding = pd.read_csv(sample_coding_path())
    coded = sorted(coding["doc_id"].unique())[::2]  # half the sample coded
    partial = tmp_path / "partial.csv"
    coding[coding["doc_id"].isin(coded)].to_csv(partial, index=False)
    config = tmp_path / "config.yaml"  # the fast config with only the coders: no K grid to wait for
    config.write_text(FAST.read_text().replace("models:\n", "models:\n  models: [dictionary, ensemble]\n", 1), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--quiet", "evaluate", "--config", str(config), "--coding", str(partial), "--out", str(out), "--no-cache"]) == 0
    proposals = pd.read_csv(out / "tables" / f"{contract.CODE_NEXT.name}.csv")
    assert len(proposals) == 20 and not set(proposals["doc_id"]) & set(coded)
    assert proposals["year"].nunique() >= 5  # spread over the sample's seven years
    template = pd.read_csv(out / contract.CODING_TEMPLATE, keep_default_na=False)
    assert list(template.columns) == ["doc_id", "coder", *load_codebook().theme_ids]
    assert list(template["doc_id"]) == list(proposals["doc_id"])
