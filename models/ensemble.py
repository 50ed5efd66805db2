"""The ensemble coder: the supervised coder's probability stacked with the dictionary hits, per theme, on the
training folds only; it learns its base supervised coder in the same pass (``EnsembleCoder.supervised_``)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from hkasean.models.coder_features import CoderCorpus, HitColumns
from hkasean.models.decision_folds import tuned_choice, usable_folds
from hkasean.models.limits import COHERENCE_MAX_UNITS, COHERENCE_TOPN
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.stacking import StackedModel, stack_features
from hkasean.models.supervised import PREDICT_BATCH, SupervisedCoder
from hkasean.models.theme_learning import Decision, learn_together
from hkasean.seeds import master_seed


class EnsembleCoder(SupervisedCoder):
    """The supervised coder and the dictionary hits, stacked per theme on the training folds only.

    In each outer training fold an inner CV gives out-of-fold supervised probabilities of the training
    documents; a logistic-regression stacker (balanced classes) learns from them and the theme's
    dictionary hits (``stack_features``); its threshold is the F1-best on those same training
    documents. The supervised pipeline refitted on the whole training fold and the stacker then
    score the held-out fold, so no document is scored by anything that saw its label. Without
    enough positives for an inner CV (or with a fixed ``threshold``) the stacker is skipped and
    the supervised model decides alone (``thresholds()`` notes then do not mention a stacker).

    ``fit`` also learns, from the same regressions, the supervised coder of these parameters (named "supervised"):
    ``supervised_``, exactly what ``SupervisedCoder(...).fit`` would give (tested), so a run that wants both coders
    fits the ensemble alone. Its parameters, their defaults and their ``_parameter_constraints`` are the supervised
    coder's (but its ``name``).
    """

    def __init__(self, C: float = 1.0, n_folds: int = 5, threshold: float | str = "cv", ngrams: int = 2,
                 batch_size: int = PREDICT_BATCH, coherence_topn: int = COHERENCE_TOPN,
                 coherence_max_units: int = COHERENCE_MAX_UNITS, n_jobs: int = -1, random_state: int | None = None,
                 name: str = "ensemble") -> None:
        super().__init__(C=C, n_folds=n_folds, threshold=threshold, ngrams=ngrams, batch_size=batch_size,
                         coherence_topn=coherence_topn, coherence_max_units=coherence_max_units, n_jobs=n_jobs,
                         random_state=random_state, name=name)

    def fit(self, processed: ProcessedCorpus | CoderCorpus, labels: pd.DataFrame | None = None) -> EnsembleCoder:
        """Cross-validate and fit per theme on the labelled documents of ``processed`` (as ``SupervisedCoder.fit``),
        the base supervised coder (``supervised_``) in the same pass; return self."""
        self._validate_params()
        base = SupervisedCoder(**{name: value for name, value in self.get_params().items() if name != "name"})
        learned_base, learned = learn_together([base, self], processed, labels)
        corpus = CoderCorpus.of(processed).corpus
        self.supervised_ = base._keep(learned_base, corpus)
        return self._keep(learned, corpus)

    def decide(self, model: Pipeline, matrix: sparse.csr_matrix, y: np.ndarray, inner: np.ndarray,
               hit_columns: HitColumns) -> Decision:
        """The stacker of the theme learned on the inner out-of-fold probabilities ``inner`` and the dictionary hits
        of the feature rows ``matrix`` (labels ``y``) over the regression ``model``, at its F1-best threshold on
        those training documents."""
        features = stack_features(inner, matrix, hit_columns)
        stacker = LogisticRegression(class_weight="balanced", solver="liblinear",
                                     random_state=master_seed(self.random_state)).fit(features, y)
        stacked = tuned_choice(y, stacker.predict_proba(features)[:, 1],
                               f"stacker on inner {usable_folds(y, self.n_folds)}-fold out-of-fold probabilities and "
                               f"dictionary hits of {len(y)} training docs ({int(y.sum())} positive)")
        return StackedModel(model, stacker, hit_columns), stacked
