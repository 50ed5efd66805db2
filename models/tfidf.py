"""TF-IDF on processed tokens: distinctive terms per group, and yearly indicator frequencies."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from hkasean import contract
from hkasean.corpus.errors import InputError
from hkasean.models.codebook import Codebook
from hkasean.models.processed_corpus import ProcessedCorpus


def tokens_as_is(tokens: list[str]) -> list[str]:
    """The analyzer of ``TfidfVectorizer`` on already-processed token lists (identity; picklable)."""
    return tokens


def tfidf_vectorizer() -> TfidfVectorizer:
    """A ``TfidfVectorizer`` reading token lists (smooth idf, l2-normalised rows, sparse output)."""
    return TfidfVectorizer(analyzer=tokens_as_is, lowercase=False)


def distinctive_terms(processed: ProcessedCorpus, doc_frame: pd.DataFrame, by: str = "year", n: int = 15) -> pd.DataFrame:
    """The n most distinctive terms of each group of documents (e.g. each year or doc_type).

    Scoring: each document is a TF-IDF vector (l2-normalised, idf over the whole corpus); a
    term's score in a group is its mean TF-IDF over the group's documents minus its mean over
    the whole corpus, so terms common everywhere score ~0 and the group's own vocabulary rises.
    Returns columns ``by, group, rank, term, score, n_docs`` (term = readable surface form,
    n_docs = documents of the group containing the term), ``n`` rows per group at most, groups sorted.
    """
    groups = _document_column(processed, doc_frame, by, caller="distinctive_terms", argument="by")
    vectorizer = tfidf_vectorizer()
    matrix = sparse.csr_matrix(vectorizer.fit_transform(processed.document_tokens()))
    vocabulary = vectorizer.get_feature_names_out()
    overall = np.asarray(matrix.mean(axis=0)).ravel()
    labels = np.array(groups, dtype=object)
    rows = []
    for group in sorted(set(labels)):
        mask = labels == group
        block = matrix[np.flatnonzero(mask)]
        score = np.asarray(block.mean(axis=0)).ravel() - overall
        n_docs = np.asarray((block > 0).sum(axis=0)).ravel()
        order = np.lexsort((vocabulary, -score))[:n]
        for rank, j in enumerate(order, start=1):
            rows.append((by, group, rank, processed.surface(vocabulary[j]), float(score[j]), int(n_docs[j])))
    return pd.DataFrame(rows, columns=contract.TFIDF_TERMS_BY_YEAR.column_list)


def indicator_frequency(processed: ProcessedCorpus, doc_frame: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Yearly frequency of each codebook indicator phrase in the raw title + text.

    Counts come from the indicator hits found while processing (``ProcessedCorpus.indicator_hits``:
    case-insensitive, whole-phrase, tolerant to regular inflection, rules in ``models.indicators``),
    years from ``doc_frame``. Columns: ``year, theme, indicator, n_docs_with`` (documents of the
    year containing it), ``n_docs`` (documents of the year), ``share_docs`` (0..1),
    ``occurrences`` (total matches). One row per year x indicator, zeros included.
    """
    years = _document_column(processed, doc_frame, "year", caller="indicator_frequency", argument="doc_frame.year")
    doc_count: dict[int, int] = {}
    with_count: dict[tuple[int, str, str], int] = {}
    occurrences: dict[tuple[int, str, str], int] = {}
    for doc_id, year in zip(processed.doc_ids, years):
        doc_count[year] = doc_count.get(year, 0) + 1
        for theme, indicator, n in processed.indicator_hits[doc_id]:
            key = (year, theme, indicator)
            with_count[key] = with_count.get(key, 0) + 1
            occurrences[key] = occurrences.get(key, 0) + n
    rows = [
        (year, theme.id, indicator, with_count.get((year, theme.id, indicator), 0), n_docs,
         with_count.get((year, theme.id, indicator), 0) / n_docs, occurrences.get((year, theme.id, indicator), 0))
        for year, n_docs in sorted(doc_count.items())
        for theme in codebook.themes
        for indicator in theme.indicators
    ]
    return pd.DataFrame(rows, columns=contract.INDICATOR_FREQUENCY.column_list)


def _document_column(processed: ProcessedCorpus, doc_frame: pd.DataFrame, column: str, caller: str, argument: str) -> list:
    """``doc_frame[column]`` of each of ``processed.doc_ids``, in order.

    ``InputError`` if the column is missing (at ``caller: argument``) or a document is not in the
    table (at ``caller: doc_frame.doc_id``).
    """
    if column not in doc_frame.columns:
        raise InputError(f"no column {column!r} in the document table; expected one of {', '.join(doc_frame.columns)}",
                         where=f"{caller}: {argument}")
    values = dict(zip(doc_frame["doc_id"], doc_frame[column]))
    missing = [d for d in processed.doc_ids if d not in values]
    if missing:
        raise InputError(f"document {missing[0]!r} is not in the document table", where=f"{caller}: doc_frame.doc_id")
    return [values[d] for d in processed.doc_ids]
