"""How much coding do the learning coders need? Their cross-validated predictions after learning from nested
subsamples of each outer fold's training part.

Every point of the curve follows the protocol of the run's scored predictions. The outer folds are the run's
(``models.decision_folds.outer_splits``: per theme, stratified on that theme's labels, with the run's seed, the coded
documents in corpus order as ``models.theme_learning.learn_together`` takes them). For each theme, outer fold and each of
``learning_repeats`` seeded repeats, the fold's training documents are put in a random order (seed: the run's
seed, the repeat, the theme's position and the fold); a size n of ``ModelSettings.learning_sizes`` learns from the
first n of them (so a repeat's subsamples are nested) exactly as the run learns a fold (``fold_scores``:
threshold tuned in inner folds of those n, the ensemble's stacker on them) and scores the fold's test documents.
Pooled over the folds, every coded document is scored once per repeat and size (at most ``learning_max_scored``
of them, a seeded sample, the same for every size and repeat). A size is tried when it is smaller than every
fold's training part. The last point is each fold's whole training part: the run's own cross-validated
predictions (``doc_themes`` rows with fold >= 0) when given, else fitted here by the same path (the same
predictions: tested). Nothing here looks at a held-out document's label.

Cost: sizes x repeats x folds fits per theme (with their inner folds), each on at most the largest size; the
n-grams of the coded documents are counted once and every fit uses rows of that matrix.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils.parallel import Parallel, delayed

from hkasean.constants import WHOLE_TRAINING_PART_SIZE
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.settings import ModelSettings
from hkasean.models.coder_features import coder_features, hit_columns, learning_feature_tokens
from hkasean.models.decision_folds import outer_splits, validate_labels
from hkasean.models.theme_learning import fold_scores
from hkasean.models.zoo import LABEL_MODELS, build_model
from hkasean.seeds import random_generator

CURVE_COLUMNS = ["model", "size", "n_train", "repeat", "fold", "doc_id", "theme", "score", "present"]
"""``size``: the subsample size of the point (``WHOLE_TRAINING_PART_SIZE`` for each fold's whole training part); ``n_train``: the documents
the fit that scored the row learned from; ``fold``: the theme's outer fold, as in ``doc_themes``."""



def learning_sizes(sizes: tuple[int, ...], smallest_training_part: int) -> list[int]:
    """The sizes of ``sizes`` smaller than ``smallest_training_part`` (the fewest training documents of any outer
    fold of any theme), sorted: every fold can draw them, and the whole training part is the curve's last point."""
    return sorted(size for size in set(sizes) if size < smallest_training_part)


def learning_curve_predictions(units: ProcessedCorpus, labels: pd.DataFrame, settings: ModelSettings,
                               random_state: int | None, topic_shares: pd.DataFrame | None = None,
                               cross_validated: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cross-validated predictions of each learning coder of ``settings.models`` trained on nested subsamples of each
    outer fold's training part, and on the whole of it (module docstring).

    ``units``: the corpus the coders read (``ModelSettings.coder_unit`` units); ``labels``: index doc_id, one 0/1
    column per theme; ``topic_shares``: the topic shares the run's coders read
    (``models.zoo.ModelRun.coder_topic_shares``); ``random_state``: the run's seed (its coders' folds).
    ``cross_validated``: the run's ``doc_themes``, whose cross-validated rows of these coders give the last point
    (None: fit it here). Returns DataFrame[``CURVE_COLUMNS``]: one row per scored coded document, theme, size and
    repeat (the last point: repeat 0 only); a theme whose subsample has no positive or no negative has no model
    there (present 0, score NaN); a theme too rare for the run's folds has no rows at all (absent, as in the run).
    """
    names = [m for m in settings.models if m in LABEL_MODELS]
    coded_ids = set(labels.index) & set(units.doc_ids)
    coded = [d for d in units.doc_ids if d in coded_ids]  # corpus order, as the run's coders take them
    if not names or not coded:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    theme_ids = list(units.theme_ids)
    table = validate_labels(labels.loc[coded], theme_ids)
    coders = [build_model(name, settings, random_state) for name in names]
    ys = {theme: table[theme].to_numpy() for theme in theme_ids}
    splits = {theme: outer_splits(ys[theme], settings.supervised_folds, random_state,
                                  "/".join(names) + " learning curve", theme) for theme in theme_ids}
    parts = [len(train) for folds in splits.values() for train, _ in folds]
    if not parts:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    sizes = learning_sizes(settings.learning_sizes, min(parts))
    scored = np.ones(len(coded), dtype=bool)
    if len(coded) > settings.learning_max_scored:  # one seeded sample, scored at every size and repeat
        scored[:] = False
        scored[random_generator(random_state, len(coded)).choice(len(coded), settings.learning_max_scored,
                                                                         replace=False)] = True
    features = coder_features(units, coded, settings.supervised_ngrams, learning_feature_tokens(units, topic_shares))
    matrix = features.matrix  # rows: the coded documents, in that order
    fit_whole = cross_validated is None
    tasks = [(position, theme, fold, train, test) for position, theme in enumerate(theme_ids)
             for fold, (train, test) in enumerate(splits[theme])]
    hits = {theme: hit_columns(features, theme) for theme in theme_ids}
    jobs = (delayed(_fold_curve)(coders, matrix, features.n_ngrams, hits[theme], theme, position, fold, ys[theme], train,
                                 test, sizes, settings.learning_repeats, random_state, scored, fit_whole)
            for position, theme, fold, train, test in tasks)  # one job per theme and fold: the cores stay busy
    frames = []
    for (_, theme, *_), fits in zip(tasks, Parallel(n_jobs=settings.n_jobs)(jobs)):
        for size, n_train, repeat, fold, test, scores in fits:
            ids = [coded[i] for i in test]
            for name, coder_scores in zip(names, scores):
                if coder_scores is None:
                    score, present = np.full(len(test), np.nan), np.zeros(len(test), dtype=int)
                else:
                    score, present = coder_scores[0], (coder_scores[0] >= coder_scores[1]).astype(int)
                frames.append(pd.DataFrame({"model": name, "size": size, "n_train": n_train, "repeat": repeat,
                                            "fold": fold, "doc_id": ids, "theme": theme, "score": score,
                                            "present": present}))
    if not fit_whole:
        frames.append(cross_validated_rows(cross_validated, coded, names, splits))
    frame = pd.concat(frames, ignore_index=True)[CURVE_COLUMNS] if frames else pd.DataFrame(columns=CURVE_COLUMNS)
    order = frame["model"].map(names.index)  # one model after the other, as the table lists them
    return frame.iloc[np.argsort(order.to_numpy(), kind="stable")].reset_index(drop=True)


def _fold_curve(coders, matrix, n_ngrams: int, hits: tuple, theme: str, position: int, fold: int, y: np.ndarray,
                train: np.ndarray, test: np.ndarray, sizes: list[int], repeats: int, random_state: int | None,
                scored: np.ndarray, fit_whole: bool) -> list[tuple]:
    """One outer fold's fits of one theme: (size, n_train, repeat, fold, test rows scored, per coder (scores,
    threshold) or None)."""
    fits = []
    sampled = test[scored[test]]
    for repeat in range(repeats if len(sampled) else 0):
        order = random_generator(random_state, repeat, position, fold).permutation(train)
        for size in sizes:
            chosen = np.sort(order[:size])  # in row order, as the run's fold takes its training rows
            scores = _scores(coders, theme, matrix, y, chosen, sampled, n_ngrams, hits)
            fits.append((size, size, repeat, fold, sampled, scores))
    if fit_whole:  # the run's fold itself, scored on all its test documents as the run scores them
        fits.append((WHOLE_TRAINING_PART_SIZE, len(train), 0, fold, test, _scores(coders, theme, matrix, y, train, test, n_ngrams, hits)))
    return fits


def _scores(coders, theme, matrix, y, train, test, n_ngrams, hits) -> list:
    scored = fold_scores(coders, theme, matrix, y, train, test, n_ngrams, hits)
    return [None] * len(coders) if scored is None else scored


def cross_validated_rows(doc_themes: pd.DataFrame, coded: list[str], names: list[str],
                         splits: dict[str, list[tuple[np.ndarray, np.ndarray]]]) -> pd.DataFrame:
    """The last point from the run's ``doc_themes``: the cross-validated rows (fold >= 0) of the coders ``names`` on
    the ``coded`` documents (corpus order), as ``CURVE_COLUMNS`` (size ``WHOLE_TRAINING_PART_SIZE``, repeat 0, n_train: the fold's
    training part). ``splits``: the outer folds per theme (rows of ``coded``); ``ValueError`` when the run's folds
    are not these (the curve would not compare like with like)."""
    rows = doc_themes[doc_themes["model"].isin(names) & (doc_themes["fold"] >= 0) & doc_themes["doc_id"].isin(coded)]
    rows = rows.assign(fold=rows["fold"].astype(int))
    expected = {(theme, fold, coded[i]) for theme, folds in splits.items() for fold, (_, test) in enumerate(folds)
                for i in test}
    for name, own in rows.groupby("model", sort=False):
        if set(zip(own["theme"], own["fold"], own["doc_id"])) != expected:
            raise ValueError(f"the run's outer folds of {name!r} are not the learning curve's: the curve cannot end "
                             "on the run's cross-validated predictions")
    part = {(theme, fold): len(train) for theme, folds in splits.items() for fold, (train, _) in enumerate(folds)}
    n_train = [part[(theme, fold)] for theme, fold in zip(rows["theme"], rows["fold"])]
    return rows.assign(size=WHOLE_TRAINING_PART_SIZE, n_train=n_train, repeat=0, present=rows["present"].astype(int))[CURVE_COLUMNS]
