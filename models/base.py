"""The contract every model and coder of the zoo follows, and the shared topic-model machinery.

Every model declares ``coherence_topn`` (terms per topic scored) and ``coherence_max_units``
(coherence is counted on at most this many units, an evenly spaced sample; ``models.coherence``), and the allowed
values of each constructor parameter in ``_parameter_constraints``, checked at the start of ``fit``
(``models.parameters``).

Like a scikit-learn estimator: the constructor stores parameters, ``fit(processed, labels=None)``
learns and returns self, learned state ends in "_", randomness comes only from ``random_state``.
After ``fit`` every model answers the same questions with tidy tables, so evaluation never asks
which model it holds:

- ``doc_topics()``: doc_id, model, topic, score (one row per document and topic or theme);
- ``doc_themes()``: doc_id, model, theme, score, present (0/1 int; one row per document and theme);
- ``top_terms(n)``: model, topic, rank (1 = strongest), term (readable surface form), weight;
- ``topics()``: model, topic, top_terms ("; "-joined), coherence (c_npmi), coherence_terms (terms it scored), mapped_theme ("" if none);
- ``evidence()``: doc_id, model, topic_or_theme, terms (the up-to-5 terms that drove the decision).
"""
from __future__ import annotations

import io
import os
from abc import abstractmethod
from collections import Counter
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

from hkasean import contract
from hkasean.corpus.errors import InputError
from hkasean.corpus.locations import data_home
from hkasean.integrity import TAG_SIZE, IntegrityError, dump_signed, load_signed, read_key
from hkasean.models.coherence import scored_terms, topic_coherence
from hkasean.models.limits import AGGREGATIONS, MAX_SAMPLED_UNITS, MAX_TERMS, MAX_TOPICS
from hkasean.models.parameters import RANDOM_STATE, SHARE
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.theme_map import lexical_theme_map

EVIDENCE_TERMS = 5
MODEL_MAGIC = b"hkasean model v1\n"
MODEL_LABEL = b"zoo model"
DOC_TOPIC_COLUMNS = contract.DOC_TOPICS.column_list
DOC_THEME_COLUMNS = contract.MODEL_DOC_THEMES.column_list
TOP_TERM_COLUMNS = contract.TOP_TERMS.column_list
TOPIC_COLUMNS = contract.TOPICS.column_list
EVIDENCE_COLUMNS = contract.EVIDENCE.column_list


def long_frame(doc_ids: list[str], model: str, labels: list[str], scores: np.ndarray, label_column: str) -> pd.DataFrame:
    """An n_docs x n_labels score matrix as a long table: doc_id, model, <label_column>, score."""
    n_docs, n_labels = scores.shape
    return pd.DataFrame(
        {
            "doc_id": np.repeat(np.asarray(doc_ids, dtype=object), n_labels),
            "model": model,
            label_column: np.tile(np.asarray(labels, dtype=object), n_docs),
            "score": scores.reshape(-1).astype(float),
        }
    )


def rows_to_shares(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1; an all-zero row becomes uniform."""
    totals = matrix.sum(axis=1, keepdims=True)
    uniform = np.full_like(matrix, 1.0 / matrix.shape[1])
    return np.divide(matrix, totals, out=uniform, where=totals > 0)


class ZooModel(BaseEstimator):
    """Base of every model: tables shared by all, persistence, and the fit bookkeeping.

    Subclasses set, during ``fit``: ``doc_ids_``, ``topic_labels_`` (topic or theme ids),
    ``topic_themes_`` (mapped theme per topic, "" if none), ``surface_forms_`` and
    ``evidence_``, and implement ``_ranked_terms`` and ``doc_topics``/``doc_themes``.
    """

    name: str
    coherence_topn: int
    coherence_max_units: int

    _parameter_constraints: dict[str, list[Any]] = {
        "coherence_topn": [Interval(Integral, 1, MAX_TERMS, closed="both")],
        "coherence_max_units": [Interval(Integral, 1, MAX_SAMPLED_UNITS, closed="both")],
        "name": [str],
    }

    @abstractmethod
    def fit(self, processed: ProcessedCorpus, labels: pd.DataFrame | None = None) -> "ZooModel":
        """Learn from the processed corpus (and the labels, for supervised coders); return self."""

    @abstractmethod
    def doc_topics(self) -> pd.DataFrame:
        """doc_id, model, topic, score: one row per document and topic (or theme, for coders)."""

    @abstractmethod
    def doc_themes(self) -> pd.DataFrame:
        """doc_id, model, theme, score, present (0/1 int): one row per document and theme."""

    @abstractmethod
    def _ranked_terms(self, topic_index: int) -> list[tuple[str, float]]:
        """(token, weight) pairs of one topic, strongest first."""

    def top_terms(self, n: int = 10) -> pd.DataFrame:
        """model, topic, rank (1..n), term (readable surface form), weight: the n strongest terms per topic."""
        rows = [
            (self.name, label, rank, self.surface_forms_.get(token, token), float(weight))
            for k, label in enumerate(self.topic_labels_)
            for rank, (token, weight) in enumerate(self._ranked_terms(k)[:n], start=1)
        ]
        return pd.DataFrame(rows, columns=TOP_TERM_COLUMNS)

    def topics(self) -> pd.DataFrame:
        """model, topic, top_terms ("; "-joined, ``coherence_topn`` terms), coherence (c_npmi), coherence_terms (how
        many of those terms the coherence scored: ``models.coherence.scored_terms``), mapped_theme."""
        terms = getattr(self, "coherence_terms_", None)  # None: a model saved before the count was kept
        rows = [
            (
                self.name,
                label,
                "; ".join(self.surface_forms_.get(t, t) for t, _ in self._ranked_terms(k)[: self.coherence_topn]),
                float(self.coherence_[k]),
                int(terms[k]) if terms is not None else pd.NA,
                self.topic_themes_[k],
            )
            for k, label in enumerate(self.topic_labels_)
        ]
        return pd.DataFrame(rows, columns=TOPIC_COLUMNS)

    def evidence(self) -> pd.DataFrame:
        """doc_id, model, topic_or_theme, terms: up to 5 "; "-joined terms that drove each decision."""
        return self.evidence_.copy()

    def top_tokens(self, n: int) -> list[list[str]]:
        """The n strongest tokens (not surface forms) of every topic, for coherence and stability."""
        return [[t for t, _ in self._ranked_terms(k)[:n]] for k in range(len(self.topic_labels_))]

    def _finish_fit(self, processed: ProcessedCorpus) -> None:
        self.surface_forms_ = dict(processed.surface_forms)
        top = self.top_tokens(self.coherence_topn)
        self.coherence_ = topic_coherence(top, processed, "c_npmi", self.coherence_max_units)
        self.coherence_terms_ = scored_terms(top, processed)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the fitted model, signed with your key (``model_key_path()``), to a new file; return the path."""
        path = Path(path)
        secret = model_secret()  # before anything is written: an unusable key is an InputError naming it
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)  # never over an existing file
        with os.fdopen(fd, "w+b") as handle:
            dump_signed(self, handle, secret, MODEL_MAGIC, MODEL_LABEL)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, trusted: bool = False) -> "ZooModel":
        """Read a model written by ``save``; ``InputError`` if the file is missing or holds something else.

        A model file is a pickle, and a pickle can run code: ``load`` unpickles it only when it was
        signed with your own key (you saved it). ``trusted=True`` loads a file signed by someone else
        (a colleague's output folder): only do that for files you trust. An untrusted load with a key
        file that cannot be trusted (``check_model_key``) is an ``InputError`` naming the key file.
        """
        path = Path(path)
        if not path.is_file():
            raise InputError("model file not found", path=path)
        data = path.read_bytes()
        try:
            model = load_signed(data, model_secret(), MODEL_MAGIC, MODEL_LABEL)
        except (IntegrityError, InputError) as exc:
            if isinstance(exc, InputError) and not trusted:
                raise
            if not trusted or not data.startswith(MODEL_MAGIC):
                raise InputError(f"{exc}; not loaded (a model file is a pickle and can run code). If you trust the "
                                 f"file, load it with {cls.__name__}.load(path, trusted=True)", path=path) from None
            model = joblib.load(io.BytesIO(data[len(MODEL_MAGIC) + TAG_SIZE:]))  # the caller vouches for the file
        if not isinstance(model, cls):
            raise InputError(f"expected a saved {cls.__name__}, found {type(model).__name__}", path=path)
        return model


def model_key_path() -> Path:
    """The key file that signs saved models: ``<data home>/model-key`` (0600, created on first use)."""
    return data_home() / "model-key"


def model_secret() -> bytes:
    """The secret of ``model_key_path()`` (made on first use); ``InputError`` naming the key file and the
    fix (``chmod 600`` it, or delete it) when it cannot be trusted: a symbolic link, someone else's,
    readable by others, not a regular file, or not a key."""
    try:
        return read_key(model_key_path())
    except OSError as exc:  # UnsafeKeyError and a key that cannot be made name the key file
        raise InputError(f"cannot sign or check saved models: {exc}") from None


def check_model_key() -> Path:
    """``model_key_path()``, checked when it exists: ``InputError`` when models could not be saved with it.

    A run that saves models calls this before any work, so an unusable key stops it at once
    (exit status 2) instead of after every stage has run. A missing key is fine (it is made when the
    first model is saved), and nothing is created here: a run refused later for its inputs leaves no trace.
    """
    path = model_key_path()
    if path.exists() or path.is_symlink():
        model_secret()
    return path


LEXICAL_TOPIC_CONSTRAINTS: dict[str, list[Any]] = {
    "n_topics": [Interval(Integral, 2, MAX_TOPICS, closed="both")],
    "map_min_weight": [SHARE],
    "map_min_lift": [Interval(Real, 0, MAX_TOPICS, closed="both")],
}
"""Constraints of the parameters of the topic models whose K is searched and whose topics are mapped to themes by
their vocabulary (LDA, NMF): ``n_topics``, ``map_min_weight``, ``map_min_lift``."""


class TopicModel(ZooModel):
    """Shared machinery of topic models (LDA, NMF, seeded LDA).

    Subclasses implement ``_fit_units(processed) -> (unit_topics, components, vocabulary)``:
    n_units x K topic shares (rows sum to 1) and K x V term weights (rows sum to 1). This class
    aggregates units to documents, maps topics to themes, and computes coherence and evidence.
    Parameters every subclass declares (constraints here): ``theme_threshold`` (a document carries a
    theme when the summed share of the topics serving it is at least this), ``aggregation`` ("mean", "max" or "vote"
    over the units; "max" rows are renormalised to sum to 1), ``coherence_topn``, ``coherence_max_units``,
    ``random_state`` and ``name``; LDA and NMF also ``n_topics``, ``map_min_weight`` and ``map_min_lift`` (see
    ``models.theme_map``; constraints in ``LEXICAL_TOPIC_CONSTRAINTS``).
    """

    n_topics: int
    theme_threshold: float
    map_min_weight: float
    map_min_lift: float
    aggregation: str
    random_state: int

    _parameter_constraints: dict[str, list[Any]] = {
        **ZooModel._parameter_constraints,
        "theme_threshold": [SHARE],
        "aggregation": [StrOptions(set(AGGREGATIONS))],
        "random_state": RANDOM_STATE,
    }

    @abstractmethod
    def _fit_units(self, processed: ProcessedCorpus) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Fit on the unit token lists: (n_units x K shares, K x V term weights, vocabulary)."""

    def _map_themes(self, processed: ProcessedCorpus) -> list[str]:
        return lexical_theme_map(self.components_, self.vocabulary_, processed.theme_vocabulary(), self.map_min_weight, self.map_min_lift)

    def fit(self, processed: ProcessedCorpus, labels: pd.DataFrame | None = None) -> "TopicModel":
        """Fit the topic model on ``processed`` (``labels`` is ignored: unsupervised); return self."""
        self._validate_params()
        unit_topics, components, vocabulary = self._fit_units(processed)
        self.components_ = components
        self.vocabulary_ = vocabulary
        doc_topics = processed.aggregate_units(unit_topics, self.aggregation)
        self.doc_topic_ = doc_topics / doc_topics.sum(axis=1, keepdims=True)
        self.doc_ids_ = list(processed.doc_ids)
        self.theme_ids_ = list(processed.theme_ids)
        self.topic_labels_ = [f"{self.name}_{k}" for k in range(self.components_.shape[0])]
        self.topic_themes_ = self._map_themes(processed)
        self._finish_fit(processed)
        self.evidence_ = self._topic_evidence(processed)
        return self

    def _ranked_terms(self, topic_index: int) -> list[tuple[str, float]]:
        row = self.components_[topic_index]
        order = np.lexsort((np.arange(row.size), -row))[:50]
        return [(self.vocabulary_[i], float(row[i])) for i in order]

    def doc_topics(self) -> pd.DataFrame:
        """doc_id, model, topic, score: each document's topic shares (sum to 1 per document)."""
        return long_frame(self.doc_ids_, self.name, self.topic_labels_, self.doc_topic_, "topic")

    def theme_scores(self) -> np.ndarray:
        """n_docs x n_themes: summed share of the topics serving each theme (0 if no topic serves it)."""
        scores = np.zeros((len(self.doc_ids_), len(self.theme_ids_)))
        for k, theme in enumerate(self.topic_themes_):
            if theme:
                scores[:, self.theme_ids_.index(theme)] += self.doc_topic_[:, k]
        return scores

    def doc_themes(self) -> pd.DataFrame:
        """doc_id, model, theme, score (topic share serving the theme, 0..1), present (score >= theme_threshold)."""
        frame = long_frame(self.doc_ids_, self.name, self.theme_ids_, self.theme_scores(), "theme")
        frame["present"] = (frame["score"] >= self.theme_threshold).astype(int)
        return frame

    def _topic_evidence(self, processed: ProcessedCorpus) -> pd.DataFrame:
        """For each document and each topic holding at least ``theme_threshold`` of it (at least its top
        topic): the document's tokens ranked by count x topic weight."""
        index = {token: i for i, token in enumerate(self.vocabulary_)}
        rows = []
        for d, (doc_id, tokens) in enumerate(zip(self.doc_ids_, processed.document_tokens())):
            counts = Counter(t for t in tokens if t in index)
            shares = self.doc_topic_[d]
            topics = sorted(set(np.flatnonzero(shares >= self.theme_threshold)) | {int(np.argmax(shares))})
            for k in topics:
                ranked = sorted(counts, key=lambda t: (-counts[t] * self.components_[k, index[t]], t))[:EVIDENCE_TERMS]
                rows.append((doc_id, self.name, self.topic_labels_[k], "; ".join(self.surface_forms_.get(t, t) for t in ranked)))
        return pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
