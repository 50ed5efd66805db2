"""The learning-curve table: a point per size (mean and interval over repeats) and the cross-validated end."""
from __future__ import annotations

import pandas as pd

from hkasean.analysis.learning_curve import CROSS_VALIDATED, HELD_OUT, learning_curve_table, still_rising
from hkasean.models.learning_curve import learning_curve_predictions
from hkasean.models.text import TextSettings, process_documents
from synthetic_corpus import tiny_codebook, two_topic_documents
from test_models_learning_curve import SETTINGS, labels_for


def test_table_has_one_point_per_size_and_the_cross_validated_end():
    processed = process_documents(two_topic_documents(), tiny_codebook(), TextSettings(max_df=1.0, learn_phrases=False))
    labels = labels_for(processed.doc_ids)
    curve = learning_curve_predictions(processed, labels, SETTINGS, random_state=3)
    agreement = pd.DataFrame({"model": ["supervised", "ensemble"], "theme": "macro", "f1": [0.9, 0.95], "f1_low": 0.8,
                              "f1_high": 1.0, "n": 24})
    table = learning_curve_table(curve, agreement, labels)
    supervised = table[table["model"] == "supervised"]
    assert list(supervised["n_coded"]) == [4, 8, 16, 24]
    assert list(supervised["scoring"]) == [HELD_OUT] * 3 + [CROSS_VALIDATED]
    assert (supervised["n_repeats"].iloc[:3] == 3).all() and list(supervised["n_scored"].iloc[:3]) == [20, 16, 8]
    assert (table["macro_f1_low"] <= table["macro_f1"] + 1e-9).all() and (table["macro_f1"] <= table["macro_f1_high"] + 1e-9).all()
    assert still_rising(table, "supervised") in (True, False) and still_rising(table, "nothing") is None
