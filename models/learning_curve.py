"""How much coding do the learning coders need? Their predictions after learning from subsamples of the coding.

For each size n of ``ModelSettings.learning_sizes`` that leaves a quarter of the coded documents out, and each of
``learning_repeats`` seeded repeats, n coded documents are drawn at random (seed: the run's seed, n
and the repeat), the supervised and ensemble coders learn from them alone (thresholds tuned in
inner folds of those n), and predict the coded documents left out (at most ``learning_max_scored`` of them, a
sample drawn by the same generator). ``analysis.learning_curve``
scores those predictions against the coding; the point "all coded documents" is the run's own
cross-validated agreement. Nothing here looks at a held-out document's label.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.settings import ModelSettings
from hkasean.models.supervised import coder_features, held_out_predictions, learning_feature_tokens
from hkasean.models.zoo import LABEL_MODELS, build_model

CURVE_COLUMNS = ["model", "n_coded", "repeat", "doc_id", "theme", "score", "present"]


MIN_HELD_OUT_SHARE = 0.25
"""A size is tried only when at least this share of the coded documents is left to score it on."""


def learning_sizes(sizes: tuple[int, ...], n_coded: int) -> list[int]:
    """The sizes of ``sizes`` that leave at least ``MIN_HELD_OUT_SHARE`` of the ``n_coded`` documents to score, sorted."""
    return sorted(size for size in set(sizes) if size <= (1 - MIN_HELD_OUT_SHARE) * n_coded)


def learning_curve_predictions(units: ProcessedCorpus, labels: pd.DataFrame, settings: ModelSettings,
                               random_state: int, topic_shares: pd.DataFrame | None = None) -> pd.DataFrame:
    """Held-out predictions of each learning coder of ``settings.models`` trained on subsamples of ``labels``.

    ``units``: the corpus the coders read (``ModelSettings.coder_unit`` units); ``labels``: index doc_id,
    one 0/1 column per theme; ``topic_shares``: the topic shares the run's coders read
    (``models.zoo.ModelRun.coder_topic_shares``). Returns DataFrame[model, n_coded, repeat, doc_id, theme, score, present]:
    one row per held-out coded document and theme (a theme with no positive or no negative among the n
    has no model: its rows say absent, score NaN).
    """
    coded_ids = set(labels.index) & set(units.doc_ids)
    coded = sorted(coded_ids)
    names = [m for m in settings.models if m in LABEL_MODELS]
    if not names:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    features = coder_features(units, [d for d in units.doc_ids if d in coded_ids], settings.supervised_ngrams,
                              learning_feature_tokens(units, topic_shares))
    frames = []
    for size in learning_sizes(settings.learning_sizes, len(coded)):
        for repeat in range(settings.learning_repeats):
            rng = np.random.default_rng([random_state, size, repeat])
            chosen = sorted(rng.choice(coded, size=size, replace=False).tolist())
            left_out = sorted(set(coded) - set(chosen))
            if len(left_out) > settings.learning_max_scored:
                left_out = sorted(rng.choice(left_out, size=settings.learning_max_scored, replace=False).tolist())
            coders = [build_model(name, settings, random_state) for name in names]
            held_out = pd.MultiIndex.from_product([left_out, list(units.theme_ids)], names=["doc_id", "theme"])
            predictions = held_out_predictions(coders, features, labels.loc[chosen], list(units.theme_ids), left_out)
            for name, predicted in zip(names, predictions):
                rows = predicted.set_index(["doc_id", "theme"]).reindex(held_out)[["score", "present"]]
                rows = rows.fillna({"present": 0}).reset_index()
                frames.append(rows.assign(model=name, n_coded=size, repeat=repeat, present=rows["present"].astype(int)))
    frame = pd.concat(frames, ignore_index=True)[CURVE_COLUMNS]
    order = frame["model"].map(names.index)  # one model after the other, as the table lists them
    return frame.iloc[np.argsort(order.to_numpy(), kind="stable")].reset_index(drop=True)
