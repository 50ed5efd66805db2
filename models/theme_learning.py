"""One pass of the learning coders over a labelled corpus: per theme, cross-validated logistic regressions shared by
every coder of the pass.

The coders differ only in how a theme is decided from a fold's regression (their ``decide``: the supervised coder
tunes a threshold on the regression's inner out-of-fold probabilities, the ensemble stacks those with the
dictionary hits). So each outer fold's regression, its inner folds and the scoring of its held-out documents are
done once, and every coder's decisions come from them (``learn_together``): the ensemble learns its base
supervised coder at the cost of one. ``fold_scores`` refits one outer fold on a subsample, for the learning curve.
Coders learned together must agree on ``SHARED_PARAMETERS`` (``LearningPlan.shared_by``).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, fields
from typing import Protocol, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.pipeline import Pipeline
from sklearn.utils.parallel import Parallel, delayed

from hkasean.constants import FINAL_MODEL_FOLD
from hkasean.corpus.errors import InputError
from hkasean.models.base import EVIDENCE_COLUMNS, EVIDENCE_TERMS
from hkasean.models.coder_features import (CoderCorpus, DocumentFeatures, HitColumns, coder_features, documents_with_features,
                                           hit_columns, learning_feature_tokens, readable_term, theme_classifier)
from hkasean.models.decision_folds import (NEUTRAL_THRESHOLD, THRESHOLD_COLUMNS, ThresholdChoice, in_corpus_order, outer_splits,
                                           predictions_frame, stratified_splits, usable_folds, validate_labels)
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.stacking import StackedModel, regression_of, theme_scores
from hkasean.seeds import master_seed

Decision = tuple[Pipeline | StackedModel, ThresholdChoice]
"""A coder's model of one theme (fitted on some training documents) and its threshold, chosen from them alone."""

EVIDENCE_TERM_COLUMNS = [c for c in EVIDENCE_COLUMNS if c != "model"]
"""The evidence rows of a pass: shared by its coders, each adds its name as ``model``."""


class LearningCoder(Protocol):
    """What a pass reads of a coder: its name, the ``SHARED_PARAMETERS`` and how it decides a theme."""

    name: str

    def decide(self, model: Pipeline, matrix: sparse.csr_matrix, y: np.ndarray, inner: np.ndarray,
               hit_columns: HitColumns) -> Decision:
        """The decision of a theme from its regression ``model`` fitted on the feature rows ``matrix`` and labels
        ``y``, given the inner out-of-fold probabilities ``inner`` of those rows."""


@dataclass(frozen=True)
class LearningPlan:
    """The parameters every fit of a pass reads (as the coders name them): C, outer folds, threshold (a probability
    or "cv"), word n-grams, documents scored per batch, themes learned at once, seed."""

    C: float
    n_folds: int
    threshold: float | str
    ngrams: int
    batch_size: int
    n_jobs: int
    random_state: int | None

    @classmethod
    def shared_by(cls, coders: Sequence[LearningCoder]) -> LearningPlan:
        """The plan of ``coders`` (a coder's ``fit`` checks its values against its ``_parameter_constraints``):
        ``ValueError`` naming the parameters in which two of them differ (they cannot share a pass)."""
        for coder in coders[1:]:
            differing = [p for p in SHARED_PARAMETERS if getattr(coder, p) != getattr(coders[0], p)]
            if differing:
                raise ValueError(f"coders {coders[0].name!r} and {coder.name!r} differ in {', '.join(differing)}: "
                                 "they cannot share a pass")
        return cls(**{p: getattr(coders[0], p) for p in SHARED_PARAMETERS})


SHARED_PARAMETERS = tuple(f.name for f in fields(LearningPlan))
"""Parameters coders must share to be learned in one pass."""


@dataclass
class LearnedThemes:
    """What one coder learned in a pass: the feature names of the counted matrix, per theme the training documents
    of each outer fold and the final model (themes with one), its predictions (``predictions_frame``, held-out and
    unlabelled documents), threshold choices (``THRESHOLD_COLUMNS``) and evidence (``EVIDENCE_TERM_COLUMNS``)."""

    feature_names: np.ndarray
    training_ids: dict[str, dict[int, frozenset[str]]]
    final_models: dict[str, Pipeline | StackedModel]
    predictions: pd.DataFrame
    thresholds: pd.DataFrame
    evidence: pd.DataFrame


@dataclass
class ThemeResult:
    """What a pass produced for one theme: per coder its prediction rows and threshold choices; shared by the coders,
    the training documents of each outer fold, the evidence rows and the final decisions (None: too few labels)."""

    rows: list[list[tuple]]
    choices: list[list[tuple]]
    training_ids: dict[int, frozenset[str]] = field(default_factory=dict)
    evidence: list[tuple] = field(default_factory=list)
    final: list[Decision] | None = None


@dataclass(frozen=True)
class EvidenceReader:
    """The names of the counted features and the readable forms of the words, to write a document's evidence."""

    feature_names: np.ndarray
    surface_forms: dict[str, str]

    def terms(self, weighted: sparse.csr_matrix, row: int, coef: np.ndarray) -> str:
        """The up-to-``EVIDENCE_TERMS`` features that raise the regression's score of ``row`` of the weighted
        feature rows most, readable and "; "-joined."""
        start, end = weighted.indptr[row], weighted.indptr[row + 1]
        indices = weighted.indices[start:end]
        contributions = weighted.data[start:end] * coef[indices]
        positive = [(c, self.feature_names[j]) for c, j in zip(contributions, indices) if c > 0]
        top = sorted(positive, key=lambda item: (-item[0], item[1]))[:EVIDENCE_TERMS]
        return "; ".join(readable_term(str(t), self.surface_forms) for _, t in top)


def learn_together(coders: Sequence[LearningCoder], data: ProcessedCorpus | CoderCorpus,
                   labels: pd.DataFrame | None) -> list[LearnedThemes]:
    """What each of ``coders`` learns from the labelled documents of ``data`` (a processed corpus, or a
    ``CoderCorpus`` with the topic shares the coders read) and ``labels`` (index doc_id, one 0/1 column per theme),
    in one pass: each coder ends as it would fitted alone (tested), at the cost of one. Every fold's fits are shared
    (module docstring); the unlabelled documents are scored by the final models, streamed ``batch_size`` at a time.
    ``InputError`` for missing or bad labels, ``ValueError`` for coders that cannot share a pass."""
    data = CoderCorpus.of(data)
    corpus = data.corpus
    if labels is None:
        raise InputError("the supervised coder needs labels (a 0/1 column per theme, indexed by doc_id)", where="labels")
    plan = LearningPlan.shared_by(coders)
    doc_ids, theme_ids = list(corpus.doc_ids), list(corpus.theme_ids)
    labels = validate_labels(labels, theme_ids)
    labelled_ids = set(labels.index)
    labelled = [d for d in doc_ids if d in labelled_ids]
    if not labelled:
        raise InputError("no document of the corpus has labels", where="labels index (doc_id)")
    hits = learning_feature_tokens(corpus, data.topic_shares)
    counted = coder_features(corpus, labelled, plan.ngrams, hits)
    reader = EvidenceReader(counted.names, dict(corpus.surface_forms))
    results = _learn_themes(plan, coders, counted, labels.loc[labelled], reader)
    unlabelled = [d for d in doc_ids if d not in labelled_ids]
    documents = (tokens for doc_id, tokens in zip(doc_ids, documents_with_features(corpus, hits)) if doc_id not in labelled_ids)
    for start in range(0, len(unlabelled), plan.batch_size):  # unlabelled documents streamed, a batch at a time
        batch_ids = unlabelled[start:start + plan.batch_size]
        matrix = counted.transform(itertools.islice(documents, len(batch_ids)))
        for theme, result in results.items():
            if result.final is not None:
                _score(result, theme, batch_ids, matrix, FINAL_MODEL_FOLD, result.final, reader)
    evidence = in_corpus_order(pd.DataFrame([row for r in results.values() for row in r.evidence], columns=EVIDENCE_TERM_COLUMNS),
                               doc_ids, theme_ids, "topic_or_theme")
    return [LearnedThemes(
        feature_names=counted.names,
        training_ids={theme: result.training_ids for theme, result in results.items()},
        final_models={theme: result.final[k][0] for theme, result in results.items() if result.final is not None},
        predictions=predictions_frame([row for r in results.values() for row in r.rows[k]], doc_ids, theme_ids),
        thresholds=pd.DataFrame([c for r in results.values() for c in r.choices[k]], columns=THRESHOLD_COLUMNS),
        evidence=evidence,
    ) for k in range(len(coders))]


def fold_scores(coders: Sequence[LearningCoder], theme: str, matrix: sparse.csr_matrix, y: np.ndarray, train: np.ndarray,
                test: np.ndarray, n_ngrams: int, hit_columns: HitColumns) -> list[tuple[np.ndarray, float]] | None:
    """Per coder, the probabilities of the rows ``test`` of ``matrix`` (``DocumentFeatures`` rows with ``n_ngrams``
    n-gram columns and the theme's ``hit_columns``) given by the model of ``theme`` that ``learn_together``
    learns in an outer fold whose training rows are ``train`` (``y``: the theme's 0/1 labels of every row; threshold
    tuned in inner folds of the training rows, fits shared by the coders), and that model's threshold. With
    ``train`` a fold's whole training part, the scores are the run's cross-validated ones for that fold (tested);
    the learning curve passes subsamples of it. None when ``y[train]`` lacks a positive or a negative (no model)."""
    plan = LearningPlan.shared_by(coders)
    y_train = y[train]
    if not 0 < y_train.sum() < len(y_train):
        return None
    decisions = _fit_decisions(plan, n_ngrams, matrix[train], y_train, hit_columns, coders)
    rows = matrix[test]
    probability = regression_of(decisions[0][0]).predict_proba(rows)[:, 1]  # one regression, shared by the coders
    return [(theme_scores(model, rows, probability), choice.threshold) for model, choice in decisions]


def _learn_themes(plan: LearningPlan, coders: Sequence[LearningCoder], features: DocumentFeatures, labels: pd.DataFrame,
                  reader: EvidenceReader) -> dict[str, ThemeResult]:
    """Each theme's ``ThemeResult`` from the labelled rows of ``features`` (``labels``: their 0/1 columns), the
    themes learned in parallel (``n_jobs``; joblib processes, as liblinear seeds one C random generator per process)."""
    matrix = features.rows(labels.index)
    ids = list(labels.index)
    ys = {theme: labels[theme].to_numpy() for theme in labels.columns}
    who = "/".join(coder.name for coder in coders)
    splits = {theme: outer_splits(y, plan.n_folds, plan.random_state, who, theme)
              for theme, y in ys.items()}  # here, so that their warnings reach this process's log
    jobs = (delayed(_learn_theme)(plan, features.n_ngrams, theme, matrix, ids, ys[theme], splits[theme],
                                  hit_columns(features, theme), coders, reader) for theme in labels.columns)
    return dict(zip(labels.columns, Parallel(n_jobs=plan.n_jobs)(jobs)))


def _learn_theme(plan: LearningPlan, n_ngrams: int, theme: str, matrix: sparse.csr_matrix, ids: list[str], y: np.ndarray,
                 splits: list[tuple[np.ndarray, np.ndarray]], hit_columns: HitColumns, coders: Sequence[LearningCoder],
                 reader: EvidenceReader) -> ThemeResult:
    """One theme: its outer folds ``splits``, each scored by a model of the other folds, and the final decisions."""
    result = ThemeResult(rows=[[] for _ in coders], choices=[[] for _ in coders])
    for fold, (train, test) in enumerate(splits):
        result.training_ids[fold] = frozenset(ids[i] for i in train)
        decisions = _fit_decisions(plan, n_ngrams, matrix[train], y[train], hit_columns, coders)
        for choices, (_, choice) in zip(result.choices, decisions):
            choices.append((theme, fold, choice.threshold, choice.inner_f1, choice.note))
        _score(result, theme, [ids[i] for i in test], matrix[test], fold, decisions, reader)
    if 0 < y.sum() < len(y):
        result.final = _fit_decisions(plan, n_ngrams, matrix, y, hit_columns, coders)
        for choices, (_, choice) in zip(result.choices, result.final):
            choices.append((theme, FINAL_MODEL_FOLD, choice.threshold, choice.inner_f1, choice.note))
    return result


def _fit_decisions(plan: LearningPlan, n_ngrams: int, matrix: sparse.csr_matrix, y: np.ndarray, hit_columns: HitColumns,
                   coders: Sequence[LearningCoder]) -> list[Decision]:
    """Per coder, a model of the theme fitted on ``matrix`` (feature rows) and ``y`` (0/1), and its threshold
    chosen from them alone; the logistic regression and its inner folds are shared."""
    model = theme_classifier(plan.C, n_ngrams, master_seed(plan.random_state)).fit(matrix, y)
    if plan.threshold != "cv":
        return [(model, ThresholdChoice(float(plan.threshold), math.nan, "fixed threshold"))] * len(coders)
    inner = _inner_scores(plan, n_ngrams, matrix, y)
    if isinstance(inner, ThresholdChoice):
        return [(model, inner)] * len(coders)
    return [coder.decide(model, matrix, y, inner, hit_columns) for coder in coders]


def _inner_scores(plan: LearningPlan, n_ngrams: int, matrix: sparse.csr_matrix, y: np.ndarray) -> np.ndarray | ThresholdChoice:
    """Inner out-of-fold probabilities of the training rows ``matrix``, or the kept 0.5 when
    there are too few positives or negatives for an inner CV."""
    n_inner = usable_folds(y, plan.n_folds)
    if n_inner < 2:
        return ThresholdChoice(NEUTRAL_THRESHOLD, math.nan, f"{int(y.sum())} positive(s), {int(len(y) - y.sum())} "
                               "negative(s) to tune on: too few for inner CV, kept 0.5")
    scores = np.empty(len(y))
    for train, test in stratified_splits(y, n_inner, plan.random_state):
        inner = theme_classifier(plan.C, n_ngrams, master_seed(plan.random_state)).fit(matrix[train], y[train])
        scores[test] = inner.predict_proba(matrix[test])[:, 1]
    return scores


def _score(result: ThemeResult, theme: str, doc_ids: list[str], matrix: sparse.csr_matrix, fold: int,
           decisions: list[Decision], reader: EvidenceReader) -> None:
    """Score the feature rows ``matrix`` (aligned with ``doc_ids``) with each coder's ``decisions`` into its rows of
    ``result``, and each document's top positive contributions to the shared regression into its evidence."""
    steps = decisions[0][0].named_steps  # the regression every coder's model shares
    weighted = steps["features"].transform(matrix).tocsr()
    probability = steps["logit"].predict_proba(weighted)[:, 1]
    for rows, (model, choice) in zip(result.rows, decisions):
        scores = theme_scores(model, matrix, probability)
        rows.extend((doc_id, theme, float(scores[i]), fold, choice.threshold) for i, doc_id in enumerate(doc_ids))
    coef = steps["logit"].coef_.ravel()
    result.evidence.extend((doc_id, theme, reader.terms(weighted, i, coef)) for i, doc_id in enumerate(doc_ids))
