"""The learning-curve table: one protocol for every point, and its last point is the run's cross-validated score."""
from __future__ import annotations

import pandas as pd
import pytest

from hkasean.analysis.agreement import agreement_table
from hkasean.analysis.learning_curve import SUBSAMPLES, WHOLE_TRAINING_PART, learning_curve_table, still_rising
from hkasean.analysis.report_readings import learning_curve_reading
from hkasean.models.learning_curve import learning_curve_predictions
from test_models_learning_curve import SEED, SETTINGS, labels_for, processed, run_doc_themes  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def run(processed):  # noqa: F811 (the fixture imported above)
    """(labels, the run's doc_themes of its learning coders, their agreement table)."""
    labels = labels_for(processed.doc_ids)
    doc_themes = run_doc_themes(processed, labels)
    return labels, doc_themes, agreement_table(doc_themes, labels, n_boot=200, random_state=SEED)


def test_table_has_one_point_per_size_and_the_whole_training_part_last(processed, run):  # noqa: F811
    labels, doc_themes, agreement = run
    curve = learning_curve_predictions(processed, labels, SETTINGS, SEED, cross_validated=doc_themes)
    table = learning_curve_table(curve, agreement, labels)
    assert list(pd.unique(table["model"])) == ["supervised", "ensemble"]
    supervised = table[table["model"] == "supervised"]
    assert list(supervised["n_coded"]) == [4, 8, 16, 21]  # 32 documents in 3 folds: training parts of 21 or 22
    assert list(supervised["scoring"]) == [SUBSAMPLES] * 3 + [WHOLE_TRAINING_PART]
    assert list(supervised["n_repeats"]) == [3, 3, 3, 1]
    assert (table["n_scored"] == 32).all()  # every point scored on every coded document, each once
    assert (table["macro_f1_low"] <= table["macro_f1"] + 1e-9).all()
    assert (table["macro_f1"] <= table["macro_f1_high"] + 1e-9).all()
    assert still_rising(table, "supervised") in (True, False) and still_rising(table, "nothing") is None


def test_the_last_point_is_the_runs_cross_validated_score(processed, run):  # noqa: F811
    """The curve's own fits of each fold's whole training part give the run's macro-F1 and interval (agreement,
    computed from the run's scored predictions: same documents, same folds)."""
    labels, doc_themes, agreement = run
    fitted_here = learning_curve_table(learning_curve_predictions(processed, labels, SETTINGS, SEED), agreement, labels)
    from_run = learning_curve_table(learning_curve_predictions(processed, labels, SETTINGS, SEED,
                                                               cross_validated=doc_themes), agreement, labels)
    pd.testing.assert_frame_equal(fitted_here, from_run)
    for model in ("supervised", "ensemble"):
        last = fitted_here[fitted_here["model"] == model].iloc[-1]
        macro = agreement[(agreement["model"] == model) & (agreement["theme"] == "macro")].iloc[0]
        assert last["macro_f1"] == pytest.approx(macro["f1"], abs=1e-12)
        assert (last["macro_f1_low"], last["macro_f1_high"]) == (macro["f1_low"], macro["f1_high"])
        assert last["n_scored"] == macro["n"]
    assert fitted_here["macro_f1"].between(0.2, 0.99).all()  # the flipped labels keep every coder imperfect


def test_the_reading_says_what_each_point_was_trained_and_scored_on(processed, run):  # noqa: F811
    labels, doc_themes, agreement = run
    table = learning_curve_table(learning_curve_predictions(processed, labels, SETTINGS, SEED,
                                                            cross_validated=doc_themes), agreement, labels)
    lines = learning_curve_reading(table)
    assert len(lines) == 2 and lines[0].startswith("supervised: macro-F1")
    assert "learns from 4 of its training documents" in lines[0]
    assert "about 21 of the 32 coded documents: the run's cross-validated score" in lines[0]
    assert "scored on the same 32 coded documents" in lines[0]
    assert "From 16 to 21 training documents" in lines[0]


def test_a_capped_curve_says_its_smaller_sizes_were_scored_on_a_sample():
    table = pd.DataFrame({"model": "ensemble", "n_coded": [10, 800], "n_repeats": [5, 1], "n_scored": [2000, 10000],
                          "macro_f1": [0.4, 0.7], "macro_f1_low": [0.35, 0.68], "macro_f1_high": [0.45, 0.72],
                          "scoring": [SUBSAMPLES, WHOLE_TRAINING_PART]})
    line = learning_curve_reading(table)[0]
    assert "a seeded sample of 2000 of the 10000 coded documents" in line
    assert "beyond the interval of the point before (over its 5 repeats)" in line


def test_a_runs_learning_curve_ends_on_its_cross_validated_agreement(repo_root):
    """End to end on the bundled sample: the last point of each learning coder is the run's macro-F1 (the
    agreement of its scored predictions), every point scored on the same coded documents."""
    from hkasean.scripts.config import override
    from hkasean.scripts.study import run_study, study_config

    config = study_config(repo_root / "tests" / "fast_config.yaml")
    config = override(config, "models.models", ["nmf", "supervised", "ensemble"], "test")  # the coders read NMF's shares
    result = run_study(config=config, until="learning_curve")
    table, agreement = result.tables["learning_curve"], result.tables["agreement"]
    for model in ("supervised", "ensemble"):
        rows = table[table["model"] == model]
        macro = agreement[(agreement["model"] == model) & (agreement["theme"] == "macro")].iloc[0]
        assert list(rows["scoring"]) == [SUBSAMPLES] * (len(rows) - 1) + [WHOLE_TRAINING_PART]
        assert rows["macro_f1"].iloc[-1] == pytest.approx(macro["f1"], abs=1e-12)
        assert (rows["n_scored"] == macro["n"]).all()
        assert rows["n_coded"].iloc[-1] < macro["n"]  # each fold learned from its training part, not from all
