"""Supervised and ensemble coders: logistic regression per theme on word n-grams and dictionary hits,
reported by cross-validation only.

``SupervisedCoder`` reads TF-IDF word 1..n-grams of each document plus the dictionary coder's hits
(``models.dictionary_coder.feature_tokens``: indicators found as phrases and the sentence scores of
their stems); ``EnsembleCoder`` stacks it with the dictionary hits on the training folds. The
fold machinery (``outer_splits``, ``best_f1_threshold``, the ``fold``-carrying predictions) serves
every model that learns a decision from labels, the seeded LDA's threshold too.
"""
from __future__ import annotations

import itertools
import logging
import math
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from hkasean import contract
from hkasean.corpus.errors import InputError
from hkasean.models.base import EVIDENCE_COLUMNS, EVIDENCE_TERMS, ZooModel
from hkasean.models.dictionary_coder import EXACT_FEATURE, FEATURE_PREFIXES, STEM_FEATURE, feature_surface, feature_tokens
from hkasean.models.settings import COHERENCE_TOPN, DEFAULT_RANDOM_STATE, ModelSettings
from hkasean.models.processed_corpus import ProcessedCorpus

logger = logging.getLogger(__name__)

FINAL_MODEL_FOLD = -1
"""``fold`` of predictions made by the model fitted on all labelled documents (unlabelled docs only)."""

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


def outer_splits(y: np.ndarray, n_folds: int, random_state: int, who: str, theme: str) -> list[tuple[np.ndarray, np.ndarray]]:
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
    splitter = StratifiedKFold(n_splits=usable, shuffle=True, random_state=random_state)
    return list(splitter.split(np.zeros(len(y)), y))


def predictions_frame(rows: list[tuple], doc_ids: list[str], theme_ids: list[str]) -> pd.DataFrame:
    """Prediction rows (doc_id, theme, score, fold, threshold) as a frame in corpus and theme order."""
    predictions = pd.DataFrame(rows, columns=["doc_id", "theme", "score", "fold", "threshold"])
    order = {d: i for i, d in enumerate(doc_ids)}
    predictions["_doc"] = predictions["doc_id"].map(order)
    predictions["_theme"] = predictions["theme"].map(theme_ids.index)
    return predictions.sort_values(["_doc", "_theme"]).drop(columns=["_doc", "_theme"]).reset_index(drop=True)


def fold_doc_themes(predictions: pd.DataFrame, model: str) -> pd.DataFrame:
    """doc_id, model, theme, score, present (score >= the row's threshold), fold: a ``predictions_frame`` as doc_themes."""
    frame = predictions.copy()
    frame.insert(1, "model", model)
    frame["present"] = (frame["score"] >= frame["threshold"]).astype(int)
    return frame[["doc_id", "model", "theme", "score", "present", "fold"]]


class NgramAnalyzer:
    """A TF-IDF analyzer: a token list -> its word 1..``n``-grams (joined by a space); feature tokens left out."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __call__(self, tokens: list[str]) -> list[str]:
        words = [t for t in tokens if not t.startswith(FEATURE_PREFIXES)]
        return [" ".join(words[i:i + size]) for size in range(1, self.n + 1) for i in range(len(words) - size + 1)]


class HitCounts(TransformerMixin, BaseEstimator):
    """Token lists -> sparse n x m log(1 + count) of each feature token (``dict:...``) seen in ``fit`` (m may be 0).

    Unlike the n-grams they are not normalised with the document, so a dictionary hit weighs the same in a
    long release as in a short one.
    """

    def fit(self, documents: list[list[str]], y: np.ndarray | None = None) -> "HitCounts":
        """Learn the feature tokens present in ``documents``; return self."""
        self.names_ = sorted({t for tokens in documents for t in tokens if t.startswith(FEATURE_PREFIXES)})
        return self

    def transform(self, documents: list[list[str]]) -> sparse.csr_matrix:
        """n_documents x len(names_) log(1 + count) matrix."""
        column = {name: j for j, name in enumerate(self.names_)}
        rows, columns, values = [], [], []
        for i, tokens in enumerate(documents):
            for name, count in Counter(t for t in tokens if t in column).items():
                rows.append(i)
                columns.append(column[name])
                values.append(math.log1p(count))
        return sparse.csr_matrix((values, (rows, columns)), shape=(len(documents), len(self.names_)))

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The feature tokens, in column order."""
        return np.asarray(self.names_, dtype=object)


def _pipeline(C: float, ngrams: int, random_state: int) -> Pipeline:
    features = FeatureUnion([("tfidf", TfidfVectorizer(analyzer=NgramAnalyzer(ngrams), lowercase=False, sublinear_tf=True)),
                             ("hits", HitCounts())])
    return Pipeline(
        [
            ("features", features),
            ("logit", LogisticRegression(C=C, class_weight="balanced", solver="liblinear", random_state=random_state)),
        ]
    )


class SupervisedCoder(ZooModel):
    """One TF-IDF + ``LogisticRegression`` (balanced classes, liblinear) per theme.

    Features: TF-IDF (sublinear tf) of the document's word 1..``ngrams``-grams and of its dictionary
    feature tokens (``dict:<theme>`` per indicator found as the phrase, ``dict~stems:<theme>`` per
    point of its sentence score), so every theme's hits inform every theme's model.

    Labelled documents are scored only by cross-validation (``StratifiedKFold`` with ``n_folds``
    shuffled folds, TF-IDF refitted inside every fold), so every reported score comes from a
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
    ``cross_validate=False`` fits only the final model (the learning curve scores it on held-out
    documents itself): no fold >= 0 rows.
    """

    def __init__(self, C: float = ModelSettings.supervised_c, n_folds: int = ModelSettings.supervised_folds,
                 threshold: float | str = ModelSettings.supervised_threshold, ngrams: int = ModelSettings.supervised_ngrams,
                 cross_validate: bool = True, batch_size: int = PREDICT_BATCH,
                 coherence_topn: int = COHERENCE_TOPN, coherence_max_units: int = ModelSettings.coherence_max_units,
                 random_state: int = DEFAULT_RANDOM_STATE, name: str = "supervised") -> None:
        self.C = C
        self.n_folds = n_folds
        self.threshold = threshold
        self.ngrams = ngrams
        self.cross_validate = cross_validate
        self.batch_size = batch_size
        self.coherence_topn = coherence_topn
        self.coherence_max_units = coherence_max_units
        self.random_state = random_state
        self.name = name

    def fit(self, processed: ProcessedCorpus, labels: pd.DataFrame | None = None) -> "SupervisedCoder":
        """Cross-validate and fit per theme on the labelled documents of ``processed``; return self."""
        if labels is None:
            raise InputError("the supervised coder needs labels (a 0/1 column per theme, indexed by doc_id)", where="labels")
        self._check_threshold()
        self.theme_ids_ = self.topic_labels_ = list(processed.theme_ids)
        self.topic_themes_ = list(processed.theme_ids)
        labels = validate_labels(labels, self.theme_ids_)
        self.doc_ids_ = list(processed.doc_ids)
        self.surface_forms_ = dict(processed.surface_forms)
        labelled_ids = set(labels.index)
        features = feature_tokens(processed)
        tokens = {d: t + f for d, t, f in zip(self.doc_ids_, processed.document_tokens(), features) if d in labelled_ids}
        labelled = [d for d in self.doc_ids_ if d in labelled_ids]
        unlabelled = [d for d in self.doc_ids_ if d not in labelled_ids]

        def unlabelled_tokens() -> Iterator[list[str]]:
            """The unlabelled documents' tokens and features, streamed from the corpus (tokens never all in memory)."""
            return (t + f for d, t, f in zip(self.doc_ids_, processed.document_tokens(), features) if d not in labelled_ids)

        if not labelled:
            raise InputError("no document of the corpus has labels", where="labels index (doc_id)")
        self.training_ids_: dict[str, dict[int, frozenset[str]]] = {}
        self.final_models_: dict[str, Pipeline] = {}
        rows: list[tuple] = []
        evidence: list[tuple] = []
        choices: list[tuple] = []
        for theme in self.theme_ids_:
            y = labels.loc[labelled, theme].to_numpy()
            self.training_ids_[theme] = {}
            splits = outer_splits(y, self.n_folds, self.random_state, self.name, theme) if self.cross_validate else []
            for fold, (train, test) in enumerate(splits):
                train_ids = [labelled[i] for i in train]
                self.training_ids_[theme][fold] = frozenset(train_ids)
                model, choice = self._fit_with_threshold(theme, [tokens[d] for d in train_ids], y[train])
                choices.append((theme, fold, choice.threshold, choice.inner_f1, choice.note))
                test_ids = [labelled[i] for i in test]
                self._predict(model, theme, test_ids, [tokens[d] for d in test_ids], fold, choice.threshold, rows, evidence)
            if 0 < y.sum() < len(y):
                self.final_models_[theme], choice = self._fit_with_threshold(theme, [tokens[d] for d in labelled], y)
                choices.append((theme, FINAL_MODEL_FOLD, choice.threshold, choice.inner_f1, choice.note))
                self._predict(self.final_models_[theme], theme, unlabelled, unlabelled_tokens(), FINAL_MODEL_FOLD,
                              choice.threshold, rows, evidence)
        self.predictions_ = predictions_frame(rows, self.doc_ids_, self.theme_ids_)
        self.thresholds_ = pd.DataFrame(choices, columns=THRESHOLD_COLUMNS)
        self.evidence_ = pd.DataFrame(evidence, columns=EVIDENCE_COLUMNS)
        self._finish_fit(processed)
        readable = {term: self._surface(term) for k in range(len(self.theme_ids_)) for term, _ in self._ranked_terms(k)}
        self.surface_forms_.update(readable)  # word pairs and dictionary features of the top terms, readable
        return self

    def _check_threshold(self) -> None:
        valid = self.threshold == "cv" or (
            isinstance(self.threshold, (int, float)) and not isinstance(self.threshold, bool) and 0 <= self.threshold <= 1
        )
        if not valid:
            raise InputError(f"expected 'cv' or a probability between 0 and 1, got {self.threshold!r}",
                             where="supervised coder: threshold")

    def _fit_with_threshold(self, theme: str, documents: list[list[str]], y: np.ndarray) -> tuple[Pipeline | StackedModel, ThresholdChoice]:
        """A model of ``theme`` fitted on ``documents`` (token lists) and ``y`` (0/1), and its threshold chosen from them alone."""
        model = _pipeline(self.C, self.ngrams, self.random_state).fit(documents, y)
        if self.threshold != "cv":
            return model, ThresholdChoice(float(self.threshold), math.nan, "fixed threshold")
        inner = self._inner_scores(documents, y)
        if isinstance(inner, ThresholdChoice):
            return model, inner
        return self._decide(theme, model, documents, y, inner)

    def _decide(self, theme: str, model: Pipeline, documents: list[list[str]], y: np.ndarray,
                inner: np.ndarray) -> tuple[Pipeline | StackedModel, ThresholdChoice]:
        """The model and threshold that decide ``theme``, given the inner out-of-fold probabilities ``inner``
        of the training ``documents``: the pipeline at the F1-best threshold of ``inner``."""
        return model, _tuned(y, inner, f"inner {self._n_inner(y)}-fold CV on {len(y)} training docs ({int(y.sum())} positive)")

    def _n_inner(self, y: np.ndarray) -> int:
        return min(self.n_folds, int(y.sum()), int(len(y) - y.sum()))

    def _inner_scores(self, documents: list[list[str]], y: np.ndarray) -> np.ndarray | ThresholdChoice:
        """Inner out-of-fold probabilities of ``documents`` (the training fold only), or the kept 0.5 when
        there are too few positives or negatives for an inner CV."""
        n_inner = self._n_inner(y)
        if n_inner < 2:
            return ThresholdChoice(NEUTRAL_THRESHOLD, math.nan, f"{int(y.sum())} positive(s), {int(len(y) - y.sum())} "
                                   "negative(s) to tune on: too few for inner CV, kept 0.5")
        scores = np.empty(len(y))
        splitter = StratifiedKFold(n_splits=n_inner, shuffle=True, random_state=self.random_state)
        for train, test in splitter.split(np.zeros(len(y)), y):
            inner = _pipeline(self.C, self.ngrams, self.random_state).fit([documents[i] for i in train], y[train])
            scores[test] = inner.predict_proba([documents[i] for i in test])[:, 1]
        return scores

    def _predict(self, model: Pipeline | StackedModel, theme: str, doc_ids: list[str], documents: Iterable[list[str]], fold: int,
                 threshold: float, rows: list, evidence: list) -> None:
        """Score ``documents`` (token lists aligned with ``doc_ids``), ``batch_size`` at a time, into ``rows`` and ``evidence``."""
        documents = iter(documents)
        for start in range(0, len(doc_ids), self.batch_size):
            batch_ids = doc_ids[start:start + self.batch_size]
            batch = list(itertools.islice(documents, len(batch_ids)))
            self._predict_batch(model, theme, batch_ids, batch, fold, threshold, rows, evidence)

    def _predict_batch(self, model: Pipeline | StackedModel, theme: str, doc_ids: list[str], documents: list[list[str]],
                       fold: int, threshold: float, rows: list, evidence: list) -> None:
        features = model.named_steps["features"].transform(documents)
        scores = model.predict_proba(documents)[:, 1]
        coef = model.named_steps["logit"].coef_.ravel()
        vocabulary = model.named_steps["features"].get_feature_names_out()
        for i, doc_id in enumerate(doc_ids):
            rows.append((doc_id, theme, float(scores[i]), fold, threshold))
            row = features.getrow(i)
            contributions = row.data * coef[row.indices]
            positive = [(c, vocabulary[j]) for c, j in zip(contributions, row.indices) if c > 0]
            top = sorted(positive, key=lambda item: (-item[0], item[1]))[:EVIDENCE_TERMS]
            evidence.append((doc_id, self.name, theme, "; ".join(self._surface(str(t)) for _, t in top)))

    def _surface(self, term: str) -> str:
        """The readable form of an n-gram or feature token (a ``tfidf__`` / ``hits__`` prefix of the union dropped)."""
        term = term.split("__", 1)[-1]
        return feature_surface(term) or " ".join(self.surface_forms_.get(word, word) for word in term.split(" "))

    def _ranked_terms(self, topic_index: int) -> list[tuple[str, float]]:
        model = self.final_models_.get(self.theme_ids_[topic_index])
        if model is None:
            return []
        coef = model.named_steps["logit"].coef_.ravel()
        vocabulary = model.named_steps["features"].get_feature_names_out()
        order = [j for j in np.lexsort((vocabulary, -coef)) if coef[j] > 0][:50]
        return [(str(vocabulary[j]).split("__", 1)[-1], float(coef[j])) for j in order]

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


def _tuned(y: np.ndarray, scores: np.ndarray, note: str) -> ThresholdChoice:
    """The F1-best grid threshold of ``scores`` for labels ``y``, with ``note`` saying what the scores were."""
    threshold, f1 = best_f1_threshold(y, scores)
    if f1 == 0:
        note += "; F1 is 0 at every threshold, kept 0.5"
    return ThresholdChoice(threshold, f1, note)


class StackedModel:
    """A theme's ensemble: the supervised pipeline's probability and the theme's dictionary hits, combined by a
    logistic-regression stacker. ``predict_proba(documents)`` -> n x 2; ``named_steps`` are the pipeline's."""

    def __init__(self, base: Pipeline, stacker: LogisticRegression, theme: str) -> None:
        self.base = base
        self.stacker = stacker
        self.theme = theme

    @property
    def named_steps(self):  # noqa: ANN201 - the pipeline's Bunch of steps
        """The supervised pipeline's steps (``features``, ``logit``): evidence and top terms come from them."""
        return self.base.named_steps

    def predict_proba(self, documents: list[list[str]]) -> np.ndarray:
        """n_documents x 2: probability that the theme is absent, present."""
        return self.stacker.predict_proba(stack_features(self.base.predict_proba(documents)[:, 1], documents, self.theme))


def stack_features(probability: np.ndarray, documents: list[list[str]], theme: str) -> np.ndarray:
    """n x 3 stacker inputs: the supervised probability, log(1 + indicators of ``theme`` found as the phrase),
    log(1 + the theme's sentence score), the last two counted from each document's feature tokens."""
    exact, stems = EXACT_FEATURE + theme, STEM_FEATURE + theme
    counts = np.array([[tokens.count(exact), tokens.count(stems)] for tokens in documents], dtype=float).reshape(-1, 2)
    return np.column_stack([probability, np.log1p(counts)])


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
                 cross_validate: bool = True, batch_size: int = PREDICT_BATCH,
                 coherence_topn: int = COHERENCE_TOPN, coherence_max_units: int = ModelSettings.coherence_max_units,
                 random_state: int = DEFAULT_RANDOM_STATE, name: str = "ensemble") -> None:
        super().__init__(C=C, n_folds=n_folds, threshold=threshold, ngrams=ngrams, cross_validate=cross_validate,
                         batch_size=batch_size, coherence_topn=coherence_topn, coherence_max_units=coherence_max_units,
                         random_state=random_state, name=name)

    def _decide(self, theme: str, model: Pipeline, documents: list[list[str]], y: np.ndarray,
                inner: np.ndarray) -> tuple[Pipeline | StackedModel, ThresholdChoice]:
        """The stacker of ``theme`` learned on the inner out-of-fold probabilities and dictionary hits, at its
        F1-best threshold on the training documents."""
        features = stack_features(inner, documents, theme)
        stacker = LogisticRegression(class_weight="balanced", solver="liblinear", random_state=self.random_state).fit(features, y)
        stacked = _tuned(y, stacker.predict_proba(features)[:, 1],
                         f"stacker on inner {self._n_inner(y)}-fold out-of-fold probabilities and dictionary hits of "
                         f"{len(y)} training docs ({int(y.sum())} positive)")
        return StackedModel(model, stacker, theme), stacked
