"""Supervised and ensemble coders: logistic regression per theme on word n-grams and dictionary hits,
reported by cross-validation only.

``SupervisedCoder`` reads TF-IDF word 1..n-grams of each document plus the dictionary coder's hits
(``models.dictionary_coder.feature_tokens``: indicators found as phrases and the sentence scores of
their stems) and, when given, a topic model's document shares (``models.coder_features``), counted
once per fit; ``EnsembleCoder`` stacks it with the
dictionary hits on the training folds. The themes are learned in parallel (``n_jobs``; results
identical to serial). The
fold machinery (``outer_splits``, ``best_f1_threshold``, the ``fold``-carrying predictions) serves
every model that learns a decision from labels, the seeded LDA's threshold too.
"""
from __future__ import annotations

import itertools
import logging
import math
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import pandas as pd
from sklearn.utils.parallel import Parallel, delayed
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from hkasean import contract
from hkasean.constants import FINAL_MODEL_FOLD
from hkasean.corpus.errors import InputError
from hkasean.models.base import EVIDENCE_COLUMNS, EVIDENCE_TERMS, ZooModel
from hkasean.models.coder_features import DocumentFeatures, counted_feature_surface, theme_classifier, topic_feature_tokens
from hkasean.models.dictionary_coder import EXACT_FEATURE, STEM_FEATURE, feature_tokens
from hkasean.models.settings import COHERENCE_TOPN, ModelSettings
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.seeds import master_seed

logger = logging.getLogger(__name__)

NEUTRAL_THRESHOLD = 0.5
"""The threshold kept when it cannot be tuned, and the one preferred among equally good thresholds."""

THRESHOLD_GRID: tuple[float, ...] = tuple(round(0.1 + 0.05 * i, 2) for i in range(17))
"""Candidate probability thresholds of ``threshold="cv"``: 0.10, 0.15, ..., 0.90."""

THRESHOLD_COLUMNS = [c for c in contract.SUPERVISED_THRESHOLDS.columns if c != "model"]

PREDICT_BATCH = 5_000
"""Default ``batch_size``: documents scored per batch (the unlabelled ones are streamed from the corpus in batches)."""


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


def best_f1_threshold(y_true: np.ndarray, scores: np.ndarray, grid: tuple[float, ...] = THRESHOLD_GRID) -> tuple[float, float]:
    """(threshold, F1): the grid threshold whose predictions ``scores >= threshold`` have the best F1.

    ``y_true`` (0/1) and ``scores`` (probabilities) are length-n arrays. Ties go to the threshold
    closest to ``NEUTRAL_THRESHOLD`` (then the lower one), so a flat F1 (e.g. 0 everywhere) keeps 0.5.
    """
    y_true = np.asarray(y_true).astype(bool)
    candidates = sorted(grid, key=lambda t: (round(abs(t - NEUTRAL_THRESHOLD), 9), t))
    predicted = np.asarray(scores)[None, :] >= np.asarray(candidates)[:, None]
    true_pos = (predicted & y_true).sum(axis=1)
    wrong = (predicted != y_true).sum(axis=1)  # false positives + false negatives
    f1 = np.divide(2 * true_pos, 2 * true_pos + wrong, out=np.zeros(len(candidates)), where=(2 * true_pos + wrong) > 0)
    best = int(np.argmax(f1))  # first maximum = closest to 0.5
    return float(candidates[best]), float(f1[best])


@dataclass(frozen=True)
class ThresholdChoice:
    """A theme's decision threshold for one model: the value, the inner cross-validated F1 it reached
    (NaN when not tuned) and a note on how it was chosen."""

    threshold: float
    inner_f1: float
    note: str


def outer_splits(y: np.ndarray, n_folds: int, random_state: int | None, who: str, theme: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index arrays of the stratified outer folds of one theme's 0/1 labels ``y``.

    A theme with fewer positives (or negatives) than ``n_folds`` uses as many folds as it can
    (warning); below 2 it is not cross-validated (warning, no folds). ``who`` names the model in the warnings.
    """
    usable = min(n_folds, int(y.sum()), int(len(y) - y.sum()))
    if usable < 2:
        logger.warning("%s: theme %r has %d positive(s) of %d labelled docs: too few to cross-validate, not scored",
                       who, theme, int(y.sum()), len(y))
        return []
    if usable < n_folds:
        logger.warning("%s: theme %r has too few positives or negatives for %d folds; using %d", who, theme, n_folds, usable)
    splitter = StratifiedKFold(n_splits=usable, shuffle=True, random_state=master_seed(random_state))
    return list(splitter.split(np.zeros(len(y)), y))


def predictions_frame(rows: list[tuple], doc_ids: list[str], theme_ids: list[str]) -> pd.DataFrame:
    """Prediction rows (doc_id, theme, score, fold, threshold) as a frame in corpus and theme order."""
    return _in_corpus_order(pd.DataFrame(rows, columns=["doc_id", "theme", "score", "fold", "threshold"]), doc_ids, theme_ids,
                            "theme")


def fold_doc_themes(predictions: pd.DataFrame, model: str) -> pd.DataFrame:
    """doc_id, model, theme, score, present (score >= the row's threshold), fold: a ``predictions_frame`` as doc_themes."""
    frame = predictions.copy()
    frame.insert(1, "model", model)
    frame["present"] = (frame["score"] >= frame["threshold"]).astype(int)
    return frame[["doc_id", "model", "theme", "score", "present", "fold"]]


HitColumns = tuple[int | None, int | None]
"""The ``DocumentFeatures`` columns of a theme's dictionary hits: indicators found as the phrase, sentence score
(None: no counted document has that feature)."""


@dataclass
class ThemeResult:
    """What learning one theme produced: prediction and evidence rows of its held-out folds, the threshold
    choices, the training documents of each fold, and the final model fitted on every labelled document."""

    rows: list[tuple] = field(default_factory=list)
    evidence: list[tuple] = field(default_factory=list)
    choices: list[tuple] = field(default_factory=list)
    training_ids: dict[int, frozenset[str]] = field(default_factory=dict)
    final_model: "Pipeline | StackedModel | None" = None
    final_threshold: float = NEUTRAL_THRESHOLD


class SupervisedCoder(ZooModel):
    """One TF-IDF + ``LogisticRegression`` (balanced classes, liblinear) per theme.

    Features: TF-IDF (sublinear tf) of the document's word 1..``ngrams``-grams and log(1 + count) of its
    feature tokens (``dict:<theme>`` per indicator found as the phrase, ``dict~stems:<theme>`` per
    point of its sentence score, and with ``topic_shares`` given to ``fit`` ``topic:<topic>`` per tenth
    of its share of a topic), so every theme's hits inform every theme's model.

    Labelled documents are scored only by cross-validation (``StratifiedKFold`` with ``n_folds``
    shuffled folds, the idf learned inside every fold), so every reported score comes from a
    model that never saw the document; ``doc_themes()`` carries the ``fold`` (0..n_folds-1). A
    theme with fewer positives (or negatives) than folds uses as many folds as it can (>= 2), with
    a warning; below 2 it is not cross-validated (warning, no rows). A final model fitted on all
    labelled documents scores the unlabelled ones, with ``fold = -1``: never use those for scoring.

    ``threshold``: a probability (fixed decision threshold) or ``"cv"``: inside each outer training
    fold an inner stratified CV (same seed, min(n_folds, positives, negatives) folds) gives
    out-of-fold probabilities of the training documents only, and the ``THRESHOLD_GRID`` value with
    the best F1 on them (ties: closest to 0.5) decides the outer test fold; the final model's
    threshold is chosen the same way on all labelled documents. With fewer than 2 positives (or
    negatives) to tune on, 0.5 is kept. ``thresholds()`` records every choice. ``batch_size``:
    documents scored at a time (the unlabelled ones are streamed from the corpus in batches).
    ``n_jobs``: themes learned at once (joblib processes, as liblinear seeds one C random generator per
    process; -1: every core, 1: serial). ``fit_learning_coders`` fits the supervised and ensemble coders in one
    pass; the learning curve refits their outer folds on subsamples with ``fold_scores``.
    """

    def __init__(self, C: float = ModelSettings.supervised_c, n_folds: int = ModelSettings.supervised_folds,
                 threshold: float | str = ModelSettings.supervised_threshold, ngrams: int = ModelSettings.supervised_ngrams,
                 batch_size: int = PREDICT_BATCH, coherence_topn: int = COHERENCE_TOPN,
                 coherence_max_units: int = ModelSettings.coherence_max_units, n_jobs: int = ModelSettings.n_jobs,
                 random_state: int | None = None, name: str = "supervised") -> None:
        self.C = C
        self.n_folds = n_folds
        self.threshold = threshold
        self.ngrams = ngrams
        self.batch_size = batch_size
        self.coherence_topn = coherence_topn
        self.coherence_max_units = coherence_max_units
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.name = name

    def fit(self, processed: ProcessedCorpus, labels: pd.DataFrame | None = None,
            topic_shares: pd.DataFrame | None = None) -> "SupervisedCoder":
        """Cross-validate and fit per theme on the labelled documents of ``processed``; return self.

        ``topic_shares``: DataFrame[doc_id, topic, score], a topic model's ``doc_topics()`` learned without
        labels, read as features beside the words (``models.coder_features.topic_feature_tokens``)."""
        fit_learning_coders([self], processed, labels, topic_shares)
        return self

    def _start_fit(self, processed: ProcessedCorpus, labels: pd.DataFrame | None) -> pd.DataFrame:
        """Check the parameters and ``labels``, keep the corpus's ids and readable forms; the labels as 0/1 ints."""
        if labels is None:
            raise InputError("the supervised coder needs labels (a 0/1 column per theme, indexed by doc_id)", where="labels")
        self._check_threshold()
        self.theme_ids_ = self.topic_labels_ = list(processed.theme_ids)
        self.topic_themes_ = list(processed.theme_ids)
        self.doc_ids_ = list(processed.doc_ids)
        self.surface_forms_ = dict(processed.surface_forms)
        return validate_labels(labels, self.theme_ids_)

    def _finish(self, processed: ProcessedCorpus, results: dict[str, ThemeResult]) -> None:
        """Keep what learning produced (``results`` per theme, unlabelled documents' rows included)."""
        self.training_ids_ = {theme: result.training_ids for theme, result in results.items()}
        self.final_models_ = {theme: result.final_model for theme, result in results.items() if result.final_model is not None}
        self.predictions_ = predictions_frame([row for r in results.values() for row in r.rows], self.doc_ids_, self.theme_ids_)
        self.thresholds_ = pd.DataFrame([c for result in results.values() for c in result.choices], columns=THRESHOLD_COLUMNS)
        evidence = pd.DataFrame([row for r in results.values() for row in r.evidence], columns=EVIDENCE_COLUMNS)
        self.evidence_ = _in_corpus_order(evidence, self.doc_ids_, self.theme_ids_, "topic_or_theme")
        self._finish_fit(processed)
        readable = {term: self._surface(term) for k in range(len(self.theme_ids_)) for term, _ in self._ranked_terms(k)}
        self.surface_forms_.update(readable)  # word pairs and dictionary features of the top terms, readable

    def _learn_theme(self, theme: str, matrix: sparse.csr_matrix, ids: list[str], y: np.ndarray,
                     splits: list[tuple[np.ndarray, np.ndarray]], hit_columns: HitColumns,
                     coders: list["SupervisedCoder"]) -> list[ThemeResult]:
        """One theme, for each of ``coders`` (self among them; they differ only in ``_decide``): its outer folds
        ``splits``, each scored by a model of the other folds, and the final model. The logistic regressions and
        inner folds are fitted once and shared by the coders."""
        results = [ThemeResult() for _ in coders]
        for fold, (train, test) in enumerate(splits):
            training, test_ids = frozenset(ids[i] for i in train), [ids[i] for i in test]
            decisions = self._fit_decisions(theme, matrix[train], y[train], hit_columns, coders)
            for coder, result, (model, choice) in zip(coders, results, decisions):
                result.training_ids[fold] = training
                result.choices.append((theme, fold, choice.threshold, choice.inner_f1, choice.note))
                coder._score(model, theme, test_ids, matrix[test], fold, choice.threshold, result.rows, result.evidence)
        if 0 < y.sum() < len(y):
            for result, (model, choice) in zip(results, self._fit_decisions(theme, matrix, y, hit_columns, coders)):
                result.final_model, result.final_threshold = model, choice.threshold
                result.choices.append((theme, FINAL_MODEL_FOLD, choice.threshold, choice.inner_f1, choice.note))
        return results

    def _check_threshold(self) -> None:
        valid = self.threshold == "cv" or (
            isinstance(self.threshold, (int, float)) and not isinstance(self.threshold, bool) and 0 <= self.threshold <= 1
        )
        if not valid:
            raise InputError(f"expected 'cv' or a probability between 0 and 1, got {self.threshold!r}",
                             where="supervised coder: threshold")

    def _fit_decisions(self, theme: str, matrix: sparse.csr_matrix, y: np.ndarray, hit_columns: HitColumns,
                       coders: list["SupervisedCoder"]) -> list[tuple[Pipeline | StackedModel, ThresholdChoice]]:
        """Per coder, a model of ``theme`` fitted on ``matrix`` (feature rows) and ``y`` (0/1), and its threshold
        chosen from them alone; the logistic regression and its inner folds are shared."""
        model = theme_classifier(self.C, self.n_ngrams_, master_seed(self.random_state)).fit(matrix, y)
        if self.threshold != "cv":
            return [(model, ThresholdChoice(float(self.threshold), math.nan, "fixed threshold"))] * len(coders)
        inner = self._inner_scores(matrix, y)
        if isinstance(inner, ThresholdChoice):
            return [(model, inner)] * len(coders)
        return [coder._decide(theme, model, matrix, y, inner, hit_columns) for coder in coders]

    def _decide(self, theme: str, model: Pipeline, matrix: sparse.csr_matrix, y: np.ndarray, inner: np.ndarray,
                hit_columns: HitColumns) -> tuple[Pipeline | StackedModel, ThresholdChoice]:
        """The model and threshold that decide ``theme``, given the inner out-of-fold probabilities ``inner``
        of the training rows ``matrix``: the pipeline at the F1-best threshold of ``inner``."""
        return model, _tuned(y, inner, f"inner {self._n_inner(y)}-fold CV on {len(y)} training docs ({int(y.sum())} positive)")

    def _n_inner(self, y: np.ndarray) -> int:
        return min(self.n_folds, int(y.sum()), int(len(y) - y.sum()))

    def _inner_scores(self, matrix: sparse.csr_matrix, y: np.ndarray) -> np.ndarray | ThresholdChoice:
        """Inner out-of-fold probabilities of the training rows ``matrix``, or the kept 0.5 when
        there are too few positives or negatives for an inner CV."""
        n_inner = self._n_inner(y)
        if n_inner < 2:
            return ThresholdChoice(NEUTRAL_THRESHOLD, math.nan, f"{int(y.sum())} positive(s), {int(len(y) - y.sum())} "
                                   "negative(s) to tune on: too few for inner CV, kept 0.5")
        scores = np.empty(len(y))
        splitter = StratifiedKFold(n_splits=n_inner, shuffle=True, random_state=master_seed(self.random_state))
        for train, test in splitter.split(np.zeros(len(y)), y):
            inner = theme_classifier(self.C, self.n_ngrams_, master_seed(self.random_state)).fit(matrix[train], y[train])
            scores[test] = inner.predict_proba(matrix[test])[:, 1]
        return scores

    def _score(self, model: Pipeline | StackedModel, theme: str, doc_ids: list[str], matrix: sparse.csr_matrix, fold: int,
               threshold: float, rows: list, evidence: list) -> None:
        """Score the feature rows ``matrix`` (aligned with ``doc_ids``) into ``rows``, with each document's top
        positive contributions into ``evidence``."""
        weighted = model.named_steps["features"].transform(matrix).tocsr()
        scores = theme_scores(model, matrix, model.named_steps["logit"].predict_proba(weighted)[:, 1])
        coef = model.named_steps["logit"].coef_.ravel()
        for i, doc_id in enumerate(doc_ids):
            rows.append((doc_id, theme, float(scores[i]), fold, threshold))
            start, end = weighted.indptr[i], weighted.indptr[i + 1]
            indices = weighted.indices[start:end]
            contributions = weighted.data[start:end] * coef[indices]
            positive = [(c, self.feature_names_[j]) for c, j in zip(contributions, indices) if c > 0]
            top = sorted(positive, key=lambda item: (-item[0], item[1]))[:EVIDENCE_TERMS]
            evidence.append((doc_id, self.name, theme, "; ".join(self._surface(str(t)) for _, t in top)))

    def _surface(self, term: str) -> str:
        """The readable form of an n-gram or feature token."""
        return counted_feature_surface(term) or " ".join(self.surface_forms_.get(word, word) for word in term.split(" "))

    def _ranked_terms(self, topic_index: int) -> list[tuple[str, float]]:
        model = self.final_models_.get(self.theme_ids_[topic_index])
        if model is None:
            return []
        coef = model.named_steps["logit"].coef_.ravel()
        order = [j for j in np.lexsort((self.feature_names_, -coef)) if coef[j] > 0][:50]
        return [(str(self.feature_names_[j]), float(coef[j])) for j in order]

    def doc_topics(self) -> pd.DataFrame:
        """doc_id, model, topic (= theme id), score (predicted probability, cross-validated for labelled docs)."""
        frame = self.predictions_.rename(columns={"theme": "topic"})
        frame.insert(1, "model", self.name)
        return frame[["doc_id", "model", "topic", "score"]].copy()

    def doc_themes(self) -> pd.DataFrame:
        """doc_id, model, theme, score (probability 0..1), present (score >= the fold's threshold), fold.

        fold >= 0: cross-validated prediction (the model never saw the doc); fold = -1: the final
        model's prediction for an unlabelled document (not to be used for scoring). The threshold
        of each theme and fold is in ``thresholds()``.
        """
        return fold_doc_themes(self.predictions_, self.name)

    def thresholds(self) -> pd.DataFrame:
        """model, theme, fold, threshold (probability 0..1), inner_f1 (0..1; NaN if not tuned), note.

        One row per theme and outer fold (0..n_folds-1) plus fold -1 for the final model; the
        threshold of fold f was chosen on the training documents of fold f only.
        """
        frame = self.thresholds_.copy()
        frame.insert(0, "model", self.name)
        return frame


def _documents(processed: ProcessedCorpus, hits: list[list[str]]) -> Iterator[list[str]]:
    """Each document's tokens followed by its dictionary feature tokens ``hits`` (``doc_ids`` order), streamed."""
    return (tokens + features for tokens, features in zip(processed.document_tokens(), hits))


def learning_feature_tokens(processed: ProcessedCorpus, topic_shares: pd.DataFrame | None = None) -> list[list[str]]:
    """Per document of ``processed`` (``doc_ids`` order), the feature tokens a learning coder reads besides its words:
    the dictionary hits (``feature_tokens``), then the topic tokens of ``topic_shares`` when given."""
    hits = feature_tokens(processed)
    if topic_shares is None:
        return hits
    return [dictionary + topics for dictionary, topics in zip(hits, topic_feature_tokens(topic_shares, list(processed.doc_ids)))]


def coder_features(processed: ProcessedCorpus, doc_ids: list[str], ngrams: int,
                   hits: list[list[str]] | None = None) -> DocumentFeatures:
    """The counted features (``models.coder_features``) of the documents ``doc_ids`` of ``processed``, in that
    order; ``hits``: every document's ``learning_feature_tokens`` (default: the dictionary hits alone)."""
    wanted = set(doc_ids)
    documents = _documents(processed, hits if hits is not None else learning_feature_tokens(processed))
    tokens = {doc_id: t for doc_id, t in zip(processed.doc_ids, documents) if doc_id in wanted}
    return DocumentFeatures.count(list(doc_ids), [tokens[d] for d in doc_ids], ngrams)


LEARNED_TOGETHER = ("C", "n_folds", "threshold", "ngrams", "batch_size", "n_jobs", "random_state")
"""Parameters coders must share to be learned in one pass (``fit_learning_coders``)."""


def _check_together(coders: list[SupervisedCoder]) -> None:
    for coder in coders[1:]:
        differing = [p for p in LEARNED_TOGETHER if getattr(coder, p) != getattr(coders[0], p)]
        if differing:
            raise ValueError(f"coders {coders[0].name!r} and {coder.name!r} differ in {', '.join(differing)}: fit them one by one")


def fit_learning_coders(coders: list[SupervisedCoder], processed: ProcessedCorpus, labels: pd.DataFrame | None,
                        topic_shares: pd.DataFrame | None = None) -> None:
    """Fit the supervised and ensemble coders ``coders`` on ``processed`` and ``labels`` in one pass (``topic_shares``:
    as in ``SupervisedCoder.fit``).

    They differ only in how a theme is decided (``_decide``), so every fold's logistic regression and
    inner folds are fitted once and shared: each coder ends exactly as ``coder.fit(processed, labels)``
    would leave it (tested), at the cost of one. ``ValueError`` when they differ in ``LEARNED_TOGETHER``.
    """
    _check_together(coders)
    lead = coders[0]
    for coder in coders:
        checked = coder._start_fit(processed, labels)
    labels = checked  # the same 0/1 table for every coder
    labelled_ids = set(labels.index)
    labelled = [d for d in lead.doc_ids_ if d in labelled_ids]
    if not labelled:
        raise InputError("no document of the corpus has labels", where="labels index (doc_id)")
    hits = learning_feature_tokens(processed, topic_shares)
    counted = coder_features(processed, labelled, lead.ngrams, hits)
    results = _learn_themes(coders, counted, labels.loc[labelled], cross_validate=True)
    unlabelled = [d for d in lead.doc_ids_ if d not in labelled_ids]
    documents = (tokens for doc_id, tokens in zip(lead.doc_ids_, _documents(processed, hits)) if doc_id not in labelled_ids)
    for start in range(0, len(unlabelled), lead.batch_size):  # unlabelled documents streamed, a batch at a time
        batch_ids = unlabelled[start:start + lead.batch_size]
        matrix = counted.transform(itertools.islice(documents, len(batch_ids)))
        for k, coder in enumerate(coders):
            for theme, theme_results in results.items():
                result = theme_results[k]
                if result.final_model is not None:
                    coder._score(result.final_model, theme, batch_ids, matrix, FINAL_MODEL_FOLD, result.final_threshold,
                                 result.rows, result.evidence)
    for k, coder in enumerate(coders):
        coder._finish(processed, {theme: theme_results[k] for theme, theme_results in results.items()})


def fold_scores(coders: list[SupervisedCoder], theme: str, matrix: sparse.csr_matrix, y: np.ndarray, train: np.ndarray,
                test: np.ndarray, n_ngrams: int, hit_columns: HitColumns) -> list[tuple[np.ndarray, float]] | None:
    """Per coder, the probabilities of the rows ``test`` of ``matrix`` (``DocumentFeatures`` rows with ``n_ngrams``
    n-gram columns and the theme's ``hit_columns``) given by the model of ``theme`` that ``fit_learning_coders``
    learns in an outer fold whose training rows are ``train`` (``y``: the theme's 0/1 labels of every row; threshold
    tuned in inner folds of the training rows, fits shared by the coders), and that model's threshold. With
    ``train`` a fold's whole training part, the scores are the run's cross-validated ones for that fold (tested);
    the learning curve passes subsamples of it. None when ``y[train]`` lacks a positive or a negative (no model)."""
    _check_together(coders)
    y_train = y[train]
    if not 0 < y_train.sum() < len(y_train):
        return None
    for coder in coders:
        coder._check_threshold()
        coder.n_ngrams_ = n_ngrams
    decisions = coders[0]._fit_decisions(theme, matrix[train], y_train, hit_columns, coders)
    rows = matrix[test]
    base: dict[int, np.ndarray] = {}  # id of a shared regression -> its probabilities
    scored = []
    for model, choice in decisions:
        regression = model.base if isinstance(model, StackedModel) else model
        if id(regression) not in base:
            base[id(regression)] = regression.predict_proba(rows)[:, 1]
        scored.append((theme_scores(model, rows, base[id(regression)]), choice.threshold))
    return scored


def _learn_themes(coders: list[SupervisedCoder], features: DocumentFeatures, labels: pd.DataFrame,
                  cross_validate: bool) -> dict[str, list[ThemeResult]]:
    """Each theme's ``ThemeResult`` per coder from the labelled rows of ``features`` (``labels``: their 0/1
    columns), the themes learned in parallel (``n_jobs``)."""
    lead = coders[0]
    for coder in coders:
        coder.feature_names_, coder.n_ngrams_ = features.names, features.n_ngrams
    matrix = features.rows(labels.index)
    ids = list(labels.index)
    ys = {theme: labels[theme].to_numpy() for theme in labels.columns}
    splits = {theme: outer_splits(y, lead.n_folds, lead.random_state, "/".join(c.name for c in coders), theme)
              if cross_validate else [] for theme, y in ys.items()}  # here, so that their warnings reach this process's log
    jobs = (delayed(lead._learn_theme)(theme, matrix, ids, ys[theme], splits[theme], hit_columns(features, theme), coders)
            for theme in labels.columns)
    return dict(zip(labels.columns, Parallel(n_jobs=lead.n_jobs)(jobs)))


def hit_columns(features: DocumentFeatures, theme: str) -> HitColumns:
    """The ``DocumentFeatures`` columns of ``theme``'s dictionary hits (``HitColumns``)."""
    return features.column(EXACT_FEATURE + theme), features.column(STEM_FEATURE + theme)


def _in_corpus_order(frame: pd.DataFrame, doc_ids: list[str], theme_ids: list[str], theme_column: str) -> pd.DataFrame:
    """``frame`` (a doc_id column and the theme column ``theme_column``) sorted by corpus, then theme, order."""
    order = (frame["doc_id"].map({d: i for i, d in enumerate(doc_ids)}) * len(theme_ids)
             + frame[theme_column].map(theme_ids.index))
    return frame.iloc[np.argsort(order.to_numpy(), kind="stable")].reset_index(drop=True)


def _tuned(y: np.ndarray, scores: np.ndarray, note: str) -> ThresholdChoice:
    """The F1-best grid threshold of ``scores`` for labels ``y``, with ``note`` saying what the scores were."""
    threshold, f1 = best_f1_threshold(y, scores)
    if f1 == 0:
        note += "; F1 is 0 at every threshold, kept 0.5"
    return ThresholdChoice(threshold, f1, note)


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


class EnsembleCoder(SupervisedCoder):
    """The supervised coder and the dictionary hits, stacked per theme on the training folds only.

    In each outer training fold an inner CV gives out-of-fold supervised probabilities of the training
    documents; a logistic-regression stacker (balanced classes) learns from them and the theme's
    dictionary hits (``stack_features``); its threshold is the F1-best on those same training
    documents. The supervised pipeline refitted on the whole training fold and the stacker then
    score the held-out fold, so no document is scored by anything that saw its label. Without
    enough positives for an inner CV (or with a fixed ``threshold``) the stacker is skipped and
    the supervised model decides alone (``thresholds()`` notes then do not mention a stacker).
    """

    def __init__(self, C: float = ModelSettings.supervised_c, n_folds: int = ModelSettings.supervised_folds,
                 threshold: float | str = ModelSettings.supervised_threshold, ngrams: int = ModelSettings.supervised_ngrams,
                 batch_size: int = PREDICT_BATCH, coherence_topn: int = COHERENCE_TOPN,
                 coherence_max_units: int = ModelSettings.coherence_max_units, n_jobs: int = ModelSettings.n_jobs,
                 random_state: int | None = None, name: str = "ensemble") -> None:
        super().__init__(C=C, n_folds=n_folds, threshold=threshold, ngrams=ngrams, batch_size=batch_size,
                         coherence_topn=coherence_topn, coherence_max_units=coherence_max_units, n_jobs=n_jobs,
                         random_state=random_state, name=name)

    def _decide(self, theme: str, model: Pipeline, matrix: sparse.csr_matrix, y: np.ndarray, inner: np.ndarray,
                hit_columns: HitColumns) -> tuple[Pipeline | StackedModel, ThresholdChoice]:
        """The stacker of ``theme`` learned on the inner out-of-fold probabilities and dictionary hits, at its
        F1-best threshold on the training documents."""
        features = stack_features(inner, matrix, hit_columns)
        stacker = LogisticRegression(class_weight="balanced", solver="liblinear", random_state=master_seed(self.random_state)).fit(features, y)
        stacked = _tuned(y, stacker.predict_proba(features)[:, 1],
                         f"stacker on inner {self._n_inner(y)}-fold out-of-fold probabilities and dictionary hits of "
                         f"{len(y)} training docs ({int(y.sum())} positive)")
        return StackedModel(model, stacker, hit_columns), stacked
