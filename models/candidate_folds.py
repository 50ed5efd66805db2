"""The cross-validation folds of the codebook suggestions: the coded documents split per theme, seeded."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold

from hkasean.corpus.errors import InputError
from hkasean.seeds import master_seed


def theme_folds(labels: pd.DataFrame, n_folds: int, random_state: int | None) -> pd.DataFrame:
    """Seeded folds of the coded documents, per theme: DataFrame[theme, doc_id, fold].

    ``labels``: index doc_id, one 0/1 column per theme. Stratified on the theme (``StratifiedKFold``)
    when both classes hold at least ``n_folds`` documents, plain shuffled folds otherwise.
    """
    if len(labels) < n_folds:
        raise InputError(f"{len(labels)} coded document(s) cannot be split into {n_folds} folds", where="indicator suggestions")
    ordered = labels.sort_index()
    frames = []
    for theme in ordered.columns:
        y = ordered[theme].to_numpy().astype(int)
        stratify = min(int(y.sum()), int(len(y) - y.sum())) >= n_folds
        splitter = (StratifiedKFold if stratify else KFold)(n_splits=n_folds, shuffle=True, random_state=master_seed(random_state))
        fold = np.empty(len(y), dtype=int)
        for number, (_, test) in enumerate(splitter.split(np.zeros(len(y)), y)):
            fold[test] = number
        frames.append(pd.DataFrame({"theme": theme, "doc_id": ordered.index, "fold": fold}))
    return pd.concat(frames, ignore_index=True)
