"""Supervised coder: TF-IDF + logistic regression per theme, reported by cross-validation only."""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from corpus.errors import InputError
from models.base import EVIDENCE_COLUMNS, EVIDENCE_TERMS, ZooModel
from models.text import ProcessedCorpus
from models.tfidf import tfidf_vectorizer

logger = logging.getLogger(__name__)

FINAL_MODEL_FOLD = -1
"""``fold`` of predictions made by the model fitted on all labelled documents (unlabelled docs only)."""


def validate_labels(labels: pd.DataFrame, theme_ids: list[str]) -> pd.DataFrame:
    """Check a label table (index doc_id, one 0/1 column per theme) and return it as ints.

    Raises ``InputError`` naming the column (and row) at fault.
    """
    for theme in theme_ids:
        if theme not in labels.columns:
            raise InputError(f"missing column {theme!r}; expected one 0/1 column per theme", where="labels")
        values = pd.to_numeric(labels[theme], errors="coerce")
        bad = ~values.isin([0, 1])
        if bad.any():
            row = labels.index[np.flatnonzero(bad.to_numpy())[0]]
            raise InputError(f"expected 0 or 1, got {labels[theme][row]!r}", where=f"labels row {row!r}, column {theme!r}")
    if labels.index.has_duplicates:
        raise InputError(f"duplicate doc_id {labels.index[labels.index.duplicated()][0]!r}", where="labels index")
    return labels[theme_ids].apply(pd.to_numeric).astype(int)


def _pipeline(C: float, random_state: int) -> Pipeline:
    return Pipeline(
        [
            ("tfidf", tfidf_vectorizer()),
            ("logit", LogisticRegression(C=C, class_weight="balanced", solver="liblinear", random_state=random_state)),
        ]
    )


class SupervisedCoder(ZooModel):
    """One TF-IDF + ``LogisticRegression`` (balanced classes, liblinear) per theme.

    Labelled documents are scored only by cross-validation (``StratifiedKFold`` with ``n_folds``
    shuffled folds, TF-IDF refitted inside every fold), so every reported score comes from a
    model that never saw the document; ``doc_themes()`` carries the ``fold`` (0..n_folds-1). A
    theme with fewer positives (or negatives) than folds uses as many folds as it can (>= 2), with
    a warning; below 2 it is not cross-validated (warning, no rows). A final model fitted on all
    labelled documents scores the unlabelled ones, with ``fold = -1``: never use those for scoring.
    """

    def __init__(self, C: float = 1.0, n_folds: int = 5, threshold: float = 0.5, coherence_topn: int = 10,
                 coherence_max_units: int = 20_000, random_state: int = 0, name: str = "supervised") -> None:
        self.C = C
        self.n_folds = n_folds
        self.threshold = threshold
        self.coherence_topn = coherence_topn
        self.coherence_max_units = coherence_max_units
        self.random_state = random_state
        self.name = name

    def fit(self, processed: ProcessedCorpus, labels: pd.DataFrame | None = None) -> "SupervisedCoder":
        """Cross-validate and fit per theme on the labelled documents of ``processed``; return self."""
        if labels is None:
            raise InputError("the supervised coder needs labels (a 0/1 column per theme, indexed by doc_id)", where="labels")
        self.theme_ids_ = self.topic_labels_ = list(processed.theme_ids)
        self.topic_themes_ = list(processed.theme_ids)
        labels = validate_labels(labels, self.theme_ids_)
        self.doc_ids_ = list(processed.doc_ids)
        self.surface_forms_ = dict(processed.surface_forms)
        tokens = dict(zip(self.doc_ids_, processed.document_tokens()))
        labelled = [d for d in self.doc_ids_ if d in labels.index]
        unlabelled = [d for d in self.doc_ids_ if d not in labels.index]
        if not labelled:
            raise InputError("no document of the corpus has labels", where="labels index (doc_id)")
        self.training_ids_: dict[str, dict[int, frozenset[str]]] = {}
        self.final_models_: dict[str, Pipeline] = {}
        rows, evidence = [], []
        for theme in self.theme_ids_:
            y = labels.loc[labelled, theme].to_numpy()
            self.training_ids_[theme] = {}
            n_folds = min(self.n_folds, int(y.sum()), int(len(y) - y.sum()))
            if n_folds < 2:
                logger.warning("supervised: theme %r has %d positive(s) of %d labelled docs: too few to cross-validate, not scored",
                               theme, int(y.sum()), len(y))
            else:
                if n_folds < self.n_folds:
                    logger.warning("supervised: theme %r has too few positives or negatives for %d folds; using %d",
                                   theme, self.n_folds, n_folds)
                splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=self.random_state)
                for fold, (train, test) in enumerate(splitter.split(np.zeros(len(y)), y)):
                    train_ids = [labelled[i] for i in train]
                    self.training_ids_[theme][fold] = frozenset(train_ids)
                    model = _pipeline(self.C, self.random_state).fit([tokens[d] for d in train_ids], y[train])
                    self._predict(model, theme, [labelled[i] for i in test], tokens, fold, rows, evidence)
            if 0 < y.sum() < len(y):
                self.final_models_[theme] = _pipeline(self.C, self.random_state).fit([tokens[d] for d in labelled], y)
                self._predict(self.final_models_[theme], theme, unlabelled, tokens, FINAL_MODEL_FOLD, rows, evidence)
        predictions = pd.DataFrame(rows, columns=["doc_id", "theme", "score", "fold"])
        order = {d: i for i, d in enumerate(self.doc_ids_)}
        predictions["_doc"] = predictions["doc_id"].map(order)
        predictions["_theme"] = predictions["theme"].map(self.theme_ids_.index)
        self.predictions_ = predictions.sort_values(["_doc", "_theme"]).drop(columns=["_doc", "_theme"]).reset_index(drop=True)
        self.evidence_ = pd.DataFrame(evidence, columns=EVIDENCE_COLUMNS)
        self._finish_fit(processed)
        return self

    def _predict(self, model: Pipeline, theme: str, doc_ids: list[str], tokens: dict[str, list[str]], fold: int,
                 rows: list, evidence: list) -> None:
        if not doc_ids:
            return
        features = model.named_steps["tfidf"].transform([tokens[d] for d in doc_ids])
        scores = model.named_steps["logit"].predict_proba(features)[:, 1]
        coef = model.named_steps["logit"].coef_.ravel()
        vocabulary = model.named_steps["tfidf"].get_feature_names_out()
        for i, doc_id in enumerate(doc_ids):
            rows.append((doc_id, theme, float(scores[i]), fold))
            row = features.getrow(i)
            contributions = row.data * coef[row.indices]
            positive = [(c, vocabulary[j]) for c, j in zip(contributions, row.indices) if c > 0]
            top = sorted(positive, key=lambda item: (-item[0], item[1]))[:EVIDENCE_TERMS]
            evidence.append((doc_id, self.name, theme, "; ".join(self.surface_forms_.get(str(t), str(t)) for _, t in top)))

    def _ranked_terms(self, topic_index: int) -> list[tuple[str, float]]:
        model = self.final_models_.get(self.theme_ids_[topic_index])
        if model is None:
            return []
        coef = model.named_steps["logit"].coef_.ravel()
        vocabulary = model.named_steps["tfidf"].get_feature_names_out()
        order = [j for j in np.lexsort((vocabulary, -coef)) if coef[j] > 0][:50]
        return [(str(vocabulary[j]), float(coef[j])) for j in order]

    def doc_topics(self) -> pd.DataFrame:
        """doc_id, model, topic (= theme id), score (predicted probability, cross-validated for labelled docs)."""
        frame = self.predictions_.rename(columns={"theme": "topic"})
        frame.insert(1, "model", self.name)
        return frame[["doc_id", "model", "topic", "score"]].copy()

    def doc_themes(self) -> pd.DataFrame:
        """doc_id, model, theme, score (probability 0..1), present (score >= threshold), fold.

        fold >= 0: cross-validated prediction (the model never saw the doc); fold = -1: the final
        model's prediction for an unlabelled document (not to be used for scoring).
        """
        frame = self.predictions_.copy()
        frame.insert(1, "model", self.name)
        frame["present"] = (frame["score"] >= self.threshold).astype(int)
        return frame[["doc_id", "model", "theme", "score", "present", "fold"]]
