"""No label leaks into a scored prediction: with the coding shuffled, every model that learns from labels falls to chance.

Each learning model (supervised, ensemble, the seeded LDA's fold-learned threshold; the coders also with
the NMF topic shares they read in a run) is fitted on the bundled sample twice: with the gold coding and with each theme's labels permuted across documents.
Held-out (fold >= 0) predictions that had seen their own label would still agree with the shuffled
labels; honest ones agree only by chance (kappa near 0).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hkasean.corpus.bundled import sample_coding_path, sample_corpus_path
from hkasean.corpus.jsonl import read_documents
from hkasean.models.codebook import load_codebook
from hkasean.models.coder_features import CoderCorpus
from hkasean.models.settings import ModelSettings
from hkasean.models.text import process_documents
from hkasean.models.text_settings import TextSettings
from hkasean.models.zoo import build_model

FAST = ModelSettings(seeded_iterations=300, seeded_chains=2)


@pytest.fixture(scope="module")
def sample():
    """(sentence-unit processed sample, gold labels, the same labels shuffled within each theme)."""
    codebook = load_codebook()
    processed = process_documents(read_documents(sample_corpus_path()), codebook, TextSettings(unit="sentence"))
    coding = pd.read_csv(sample_coding_path())
    gold = coding[coding["coder"] == "gold"].set_index("doc_id")[codebook.theme_ids].loc[processed.doc_ids]
    rng = np.random.default_rng(0)
    shuffled = gold.apply(lambda column: pd.Series(rng.permutation(column.to_numpy()), index=gold.index))
    return processed, gold, shuffled


def held_out_agreement(model, labels: pd.DataFrame) -> tuple[float, float]:
    """(macro F1, mean kappa over themes) of the model's fold >= 0 predictions against ``labels``."""
    themes = model.doc_themes()
    scored = themes[themes["fold"] >= 0]
    f1s, kappas = [], []
    for theme, rows in scored.groupby("theme"):
        truth = labels.loc[rows["doc_id"], theme].to_numpy().astype(bool)
        predicted = rows["present"].to_numpy().astype(bool)
        tp, fp, fn = (truth & predicted).sum(), (~truth & predicted).sum(), (truth & ~predicted).sum()
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else np.nan)
        observed = (truth == predicted).mean()
        expected = truth.mean() * predicted.mean() + (1 - truth.mean()) * (1 - predicted.mean())
        kappas.append((observed - expected) / (1 - expected) if expected < 1 else 0.0)
    return float(np.nanmean(f1s)), float(np.mean(kappas))


def assert_chance_with_shuffled_labels(name: str, real: tuple[float, float], fake: tuple[float, float]) -> None:
    (real_f1, real_kappa), (fake_f1, fake_kappa) = real, fake
    assert abs(fake_kappa) < 0.12, f"{name} agrees with shuffled labels beyond chance (kappa {fake_kappa:.2f})"
    # a threshold tuned to shuffled labels still reaches some F1 by marking many documents (chance F1 about the
    # themes' prevalence); the real coding must beat it clearly, kappa (chance-corrected) by 0.2
    assert real_kappa > fake_kappa + 0.2 and real_f1 > fake_f1 + 0.15


@pytest.mark.parametrize("name", ["supervised", "ensemble", "seeded_lda"])
def test_shuffled_labels_drive_held_out_scores_to_chance(sample, name):
    processed, gold, shuffled = sample
    real = held_out_agreement(build_model(name, FAST, 42).fit(processed, gold), gold)
    fake = held_out_agreement(build_model(name, FAST, 42).fit(processed, shuffled), shuffled)
    assert_chance_with_shuffled_labels(name, real, fake)


@pytest.mark.parametrize("name", ["supervised", "ensemble"])
def test_topic_shares_carry_no_label_to_a_held_out_document(sample, name):
    """The coders reading a topic model's shares (learned without labels, as in a run) still fall to chance."""
    processed, gold, shuffled = sample
    shares = build_model("nmf", FAST, 42).set_params(n_topics=10).fit(processed).doc_topics()
    with_shares = CoderCorpus(processed, shares)
    real = held_out_agreement(build_model(name, FAST, 42).fit(with_shares, gold), gold)
    fake = held_out_agreement(build_model(name, FAST, 42).fit(with_shares, shuffled), shuffled)
    assert_chance_with_shuffled_labels(name, real, fake)
