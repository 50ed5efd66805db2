"""The ensemble's per-theme model: the supervised regression's probability stacked with the theme's dictionary hits.

``StackedModel`` combines a theme's fitted supervised pipeline and a logistic-regression stacker on
``stack_features``; ``theme_scores`` gives any coder's probabilities from its regression's, so that coders sharing
one regression transform the feature rows once.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from hkasean.models.coder_features import HitColumns


class StackedModel:
    """A theme's ensemble: the supervised pipeline's probability and the theme's dictionary hits, combined by a
    logistic-regression stacker. ``predict_proba(matrix)`` -> n x 2; ``named_steps`` are the pipeline's."""

    def __init__(self, base: Pipeline, stacker: LogisticRegression, hit_columns: HitColumns) -> None:
        self.base = base
        self.stacker = stacker
        self.hit_columns = hit_columns

    @property
    def named_steps(self):  # noqa: ANN201 - the pipeline's Bunch of steps
        """The supervised pipeline's steps (``features``, ``logit``): evidence and top terms come from them."""
        return self.base.named_steps

    def predict_proba(self, matrix: sparse.csr_matrix) -> np.ndarray:
        """n_documents x 2: probability that the theme is absent, present."""
        return self.stacked(self.base.predict_proba(matrix)[:, 1], matrix)

    def stacked(self, base_probability: np.ndarray, matrix: sparse.csr_matrix) -> np.ndarray:
        """n_documents x 2 from the base pipeline's probabilities ``base_probability`` of the feature rows ``matrix``."""
        return self.stacker.predict_proba(stack_features(base_probability, matrix, self.hit_columns))


def regression_of(model: Pipeline | StackedModel) -> Pipeline:
    """The supervised pipeline (the logistic regression on the feature rows) of a theme's model."""
    return model.base if isinstance(model, StackedModel) else model


def theme_scores(model: Pipeline | StackedModel, matrix: sparse.csr_matrix, base_probability: np.ndarray) -> np.ndarray:
    """``model``'s probabilities that the theme is present in the feature rows ``matrix``, given the probabilities
    ``base_probability`` of its logistic regression (the pipeline's own, or the stacked model's base): the
    regression's features are transformed once, for the scores, the evidence and every coder sharing them."""
    if isinstance(model, StackedModel):
        return model.stacked(base_probability, matrix)[:, 1]
    return base_probability


def stack_features(probability: np.ndarray, matrix: sparse.csr_matrix, hit_columns: HitColumns) -> np.ndarray:
    """n x 3 stacker inputs: the supervised probability, log(1 + indicators of the theme found as the phrase),
    log(1 + the theme's sentence score), the last two read from the feature rows ``matrix`` (0 where a column is None)."""
    hits = [matrix[:, j].toarray().ravel() if j is not None else np.zeros(matrix.shape[0]) for j in hit_columns]
    return np.column_stack([probability, *hits])
