"""The features of the learning coders, counted once per fit: word n-grams and dictionary hits of each document.

A coder cross-validates many logistic regressions per theme (outer folds, inner folds for the
threshold, the final model; the learning curve's subsamples). Counting the n-grams of every
training document again for each of them made the supervised coder the slowest stage on a coded
archive. ``DocumentFeatures`` counts them once, for a fixed set of documents; every model then
fits on rows of that matrix. ``TrainingTfidf`` weighs a term by the documents a model is trained
on and gives the terms those documents lack a weight of 0, so a model fitted on some rows decides
exactly as one whose vocabulary was learned from those rows alone: the other documents' terms
reach neither its idf nor the length normalisation of the documents it scores.

Besides words, a document carries *feature tokens* that the n-grams leave out and the matrix counts
as log(1 + count): the dictionary coder's hits (``dict:``, ``dict~stems:``) and, when a run gives a
topic model's document shares, ``topic:<topic>`` once per tenth of the document's share of that
topic (``topic_feature_tokens``). Topics are learned without labels, so they carry no label of a
held-out document; they do carry the words of every document of the corpus, as the topic models of
any run do. They summarise a document in a few dense dimensions that recur across paraphrases,
which the sparse n-grams of 88 coded documents cannot (``benchmarks/coder_topic_features.py``). The shares travel
with the corpus the coders are fitted on (``CoderCorpus``), so a coder's ``fit`` takes the corpus and the labels only.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from hkasean.models.dictionary_coder import EXACT_FEATURE, FEATURE_PREFIXES, STEM_FEATURE, feature_surface, feature_tokens
from hkasean.models.processed_corpus import ProcessedCorpus

TOPIC_FEATURE = "topic:"
COUNTED_PREFIXES = FEATURE_PREFIXES + (TOPIC_FEATURE,)
"""Prefixes of the feature tokens: counted as log(1 + count), never part of an n-gram (no processed token holds a colon)."""
TOPIC_RESOLUTION = 10
"""A document's share of a topic becomes this many feature tokens at most (one per tenth, rounded)."""


def topic_feature_tokens(doc_topics: pd.DataFrame, doc_ids: list[str], resolution: int = TOPIC_RESOLUTION) -> list[list[str]]:
    """Per document of ``doc_ids``: ``topic:<topic>`` repeated round(share x ``resolution``) times for each topic.

    ``doc_topics``: DataFrame[doc_id, topic, score] (a topic model's ``doc_topics()``); each document's
    scores are normalised to shares summing to 1. A document without rows gets no token.
    """
    shares = doc_topics.pivot_table(index="doc_id", columns="topic", values="score", aggfunc="sum", sort=True)
    totals = shares.sum(axis=1).to_numpy()
    counts = np.rint(shares.to_numpy() / np.where(totals > 0, totals, 1.0)[:, None] * resolution).astype(int)
    names = [TOPIC_FEATURE + str(topic) for topic in shares.columns]
    per_doc = {doc_id: [name for name, count in zip(names, row) for _ in range(count)]
               for doc_id, row in zip(shares.index, counts)}
    return [per_doc.get(doc_id, []) for doc_id in doc_ids]


HitColumns = tuple[int | None, int | None]
"""The ``DocumentFeatures`` columns of a theme's dictionary hits: indicators found as the phrase, sentence score
(None: no counted document has that feature)."""


@dataclass(frozen=True, eq=False)
class CoderCorpus:
    """A processed corpus as the learning coders read it: ``corpus``, and ``topic_shares`` (DataFrame[doc_id, topic,
    score]: a topic model's ``doc_topics()``, learned without labels) when the coders also read a topic model's
    document shares (``topic_feature_tokens``); None: words and dictionary hits only."""

    corpus: ProcessedCorpus
    topic_shares: pd.DataFrame | None = None

    @classmethod
    def of(cls, data: ProcessedCorpus | CoderCorpus) -> CoderCorpus:
        """``data`` itself, or the processed corpus ``data`` without topic shares."""
        return data if isinstance(data, cls) else cls(data)


def counted_feature_surface(token: str) -> str | None:
    """The readable form of a feature token (``[topic nmf_3]``, ``[indicators: made_in_hk]``), or None for a word."""
    if token.startswith(TOPIC_FEATURE):
        return f"[topic {token[len(TOPIC_FEATURE):]}]"
    return feature_surface(token)


def readable_term(term: str, surface_forms: dict[str, str]) -> str:
    """The readable form of an n-gram (each word's ``surface_forms`` entry) or of a feature token."""
    return counted_feature_surface(term) or " ".join(surface_forms.get(word, word) for word in term.split(" "))


def learning_feature_tokens(processed: ProcessedCorpus, topic_shares: pd.DataFrame | None = None) -> list[list[str]]:
    """Per document of ``processed`` (``doc_ids`` order), the feature tokens a learning coder reads besides its words:
    the dictionary hits (``feature_tokens``), then the topic tokens of ``topic_shares`` when given."""
    hits = feature_tokens(processed)
    if topic_shares is None:
        return hits
    return [dictionary + topics for dictionary, topics in zip(hits, topic_feature_tokens(topic_shares, list(processed.doc_ids)))]


def documents_with_features(processed: ProcessedCorpus, hits: list[list[str]]) -> Iterator[list[str]]:
    """Each document's tokens followed by its feature tokens ``hits`` (``doc_ids`` order), streamed."""
    return (tokens + features for tokens, features in zip(processed.document_tokens(), hits))


def coder_features(processed: ProcessedCorpus, doc_ids: list[str], ngrams: int,
                   hits: list[list[str]] | None = None) -> DocumentFeatures:
    """The counted features of the documents ``doc_ids`` of ``processed``, in that order; ``hits``: every
    document's ``learning_feature_tokens`` (default: the dictionary hits alone)."""
    wanted = set(doc_ids)
    documents = documents_with_features(processed, hits if hits is not None else learning_feature_tokens(processed))
    tokens = {doc_id: t for doc_id, t in zip(processed.doc_ids, documents) if doc_id in wanted}
    return DocumentFeatures.count(list(doc_ids), [tokens[d] for d in doc_ids], ngrams)


def hit_columns(features: DocumentFeatures, theme: str) -> HitColumns:
    """The ``DocumentFeatures`` columns of ``theme``'s dictionary hits (``HitColumns``)."""
    return features.column(EXACT_FEATURE + theme), features.column(STEM_FEATURE + theme)


class NgramAnalyzer:
    """A vectorizer analyzer: a token list -> its word 1..``n``-grams (joined by a space); feature tokens left out."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __call__(self, tokens: list[str]) -> list[str]:
        words = [t for t in tokens if not t.startswith(COUNTED_PREFIXES)]
        return [" ".join(words[i:i + size]) for size in range(1, self.n + 1) for i in range(len(words) - size + 1)]


class TrainingTfidf(TfidfTransformer):
    """scikit-learn's ``TfidfTransformer`` with an idf of 0 for the terms no training document holds.

    Such a term weighs nothing in the documents it scores, as if the vocabulary had been learned
    from the training documents alone (module docstring).
    """

    def fit(self, X: sparse.spmatrix, y: np.ndarray | None = None) -> "TrainingTfidf":
        """Learn the idf of the count matrix ``X`` (training documents x terms); return self."""
        super().fit(X)
        if self.use_idf:
            seen = np.bincount(sparse.csr_matrix(X).indices, minlength=X.shape[1]) > 0
            self.idf_ = np.where(seen, self.idf_, 0.0)
        return self


def theme_classifier(C: float, n_ngrams: int, random_state: int) -> Pipeline:
    """An unfitted per-theme model on ``DocumentFeatures`` rows: TF-IDF (sublinear tf, training idf) of the first
    ``n_ngrams`` columns, the dictionary-hit columns as they are, logistic regression (balanced, liblinear).

    liblinear solves the dual problem: with more features than documents, as in text, it reached the same
    probabilities (to 4 decimals) 15x faster than the primal on 1,200 synthetic documents.
    """
    features = ColumnTransformer([("tfidf", TrainingTfidf(sublinear_tf=True), slice(0, n_ngrams))],
                                 remainder="passthrough", sparse_threshold=1.0)  # the rest: the hit columns
    return Pipeline([("features", features),
                     ("logit", LogisticRegression(C=C, class_weight="balanced", solver="liblinear", dual=True, max_iter=1000,
                                                  random_state=random_state))])


@dataclass
class DocumentFeatures:
    """Counted features of the documents ``doc_ids``: ``matrix`` (documents x ``names``) holds the word
    1..n-gram counts in its first ``n_ngrams`` columns, then log(1 + count) of each feature token
    (``dict:...``, ``topic:...``; not normalised with the document, so a hit weighs the same in a long release as in a short one).

    ``transform`` counts other documents into the same columns (terms outside ``names`` dropped).
    """

    doc_ids: list[str]
    matrix: sparse.csr_matrix
    names: np.ndarray
    n_ngrams: int
    vectorizer: CountVectorizer

    @classmethod
    def count(cls, doc_ids: list[str], documents: list[list[str]], ngrams: int) -> "DocumentFeatures":
        """Count the n-grams (up to ``ngrams`` words) and feature tokens of ``documents`` (token lists aligned with ``doc_ids``)."""
        vectorizer = CountVectorizer(analyzer=NgramAnalyzer(ngrams), lowercase=False, dtype=np.float64)
        counts = vectorizer.fit_transform(documents)
        hit_names = sorted({t for tokens in documents for t in tokens if t.startswith(COUNTED_PREFIXES)})
        names = np.concatenate([vectorizer.get_feature_names_out().astype(object), np.asarray(hit_names, dtype=object)])
        features = cls(list(doc_ids), sparse.csr_matrix((len(doc_ids), 0)), names, counts.shape[1], vectorizer)
        features.matrix = sparse.hstack([counts, features._hits(documents)], format="csr")
        return features

    def transform(self, documents: Iterable[list[str]]) -> sparse.csr_matrix:
        """Other documents (token lists) counted into this matrix's columns."""
        documents = list(documents)
        return sparse.hstack([self.vectorizer.transform(documents), self._hits(documents)], format="csr")

    def rows(self, doc_ids: Iterable[str]) -> sparse.csr_matrix:
        """The rows of ``doc_ids`` (each one of ``self.doc_ids``), in that order."""
        position = self._positions()
        return self.matrix[[position[d] for d in doc_ids]]

    def column(self, name: str) -> int | None:
        """The column of feature ``name``, or None when no counted document has it."""
        found = np.flatnonzero(self.names == name)
        return int(found[0]) if len(found) else None

    def _positions(self) -> dict[str, int]:
        return {doc_id: i for i, doc_id in enumerate(self.doc_ids)}

    def _hits(self, documents: list[list[str]]) -> sparse.csr_matrix:
        """n_documents x hit columns: log(1 + count) of each feature token."""
        column = {name: j for j, name in enumerate(self.names[self.n_ngrams:])}
        rows, columns, values = [], [], []
        for i, tokens in enumerate(documents):
            for name, count in Counter(t for t in tokens if t in column).items():
                rows.append(i)
                columns.append(column[name])
                values.append(math.log1p(count))
        return sparse.csr_matrix((values, (rows, columns)), shape=(len(documents), len(column)))
