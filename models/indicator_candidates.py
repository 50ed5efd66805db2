"""Candidate indicator terms for the codebook, found in the corpus itself.

Two sources, both over the processed tokens and learned phrases of ``models.text``:

- ``log_odds``: terms that distinguish the coded documents carrying a theme from the other coded
  documents: the weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &
  Quinn 2008) and its z-score, over document frequencies (``models.log_odds``).
- ``word_vectors``: near neighbours of the theme's current indicator tokens in Word2Vec vectors
  trained on the corpus (``models.vector_neighbours``). Only when the corpus holds at least
  ``min_vector_tokens`` processed tokens: below that the vectors are noise, the source is skipped,
  a message is logged and ``sources`` says so.

Candidates are surface forms a human can paste into the codebook (``models.candidate_terms``).
``in_definition`` marks a candidate whose words the theme's own label, definition or include notes
use (``models.candidate_vocabulary``): a hint of what a reader of the codebook would accept, never a
filter. ``proper_noun`` marks a name (``models.proper_nouns``), which ``analysis.indicator_evidence``
shows but does not recommend.

Everything is fitted once on all coded documents (``fold = -1``: the candidates a user reads)
and once per cross-validation fold (``models.candidate_folds``) on the other folds only, so that
``analysis.indicator_evidence`` can judge each candidate on documents its discovery never saw. The
coded documents containing each candidate are found in their raw title + text with the dictionary
coder's own matching (``models.candidate_examples``), so the counts say what adding the term would
do. This module never scores anything against the labels it is given.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd
from scipy import sparse

from hkasean import contract
from hkasean.constants import ALL_CODED_FOLD
from hkasean.corpus.document import Document
from hkasean.corpus.errors import InputError
from hkasean.models.candidate_examples import match_documents
from hkasean.models.candidate_folds import theme_folds
from hkasean.models.candidate_terms import candidate_term, readable_forms
from hkasean.models.candidate_vocabulary import CandidateVocabulary
from hkasean.models.codebook import Codebook
from hkasean.models.log_odds import document_presence, informative_prior, top_scores, weighted_log_odds
from hkasean.models.phrases import PHRASE_DELIMITER
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.proper_nouns import proper_nouns
from hkasean.models.suggestion_settings import SuggestionSettings
from hkasean.models.tokenize import make_normalizer
from hkasean.models.vector_neighbours import vector_neighbours

logger = logging.getLogger(__name__)

LOG_ODDS = "log_odds"
WORD_VECTORS = "word_vectors"
CANDIDATE_COLUMNS = ["fold", "theme", "token", "term", "source", "score", "train_with", "train_without", "in_definition",
                     "proper_noun"]
_FOUND_COLUMNS = [c for c in CANDIDATE_COLUMNS if c not in ("term", "proper_noun")]
"""The columns of the rows ``_candidate_rows`` finds (the surface form and the name flag come later)."""


@dataclass
class IndicatorCandidates:
    """What the candidate search found; plain tables that ``analysis.indicator_evidence`` judges.

    ``candidates``: DataFrame[fold, theme, token, term, source, score, train_with, train_without,
    in_definition, proper_noun]: per fold (``-1``: all coded documents) the terms found on its
    training documents, with how many training documents with / without the theme contain the
    token, whether the theme's label, definition or include notes use every content word of the
    term, and whether the term is a name (module docstring).
    ``folds``: DataFrame[theme, doc_id, fold] of the coded documents (stratified per theme). ``matches``: DataFrame[theme, term,
    doc_id]: coded documents whose raw title + text contains the term (dictionary-coder matching).
    ``caught``: index doc_id (coded), columns theme ids, 1 where a current indicator of the theme
    occurs. ``examples``: DataFrame[theme, term, example], ``doc_id: sentence`` joined by `` | ``,
    documents with the theme first. ``sources``: DataFrame[source, status, n_tokens, min_tokens,
    n_candidates, note], one row per source (``status``: used or skipped).
    """

    candidates: pd.DataFrame
    folds: pd.DataFrame
    matches: pd.DataFrame
    caught: pd.DataFrame
    examples: pd.DataFrame
    sources: pd.DataFrame


def _candidate_rows(presence: sparse.csr_matrix, coded_rows: np.ndarray, labels: pd.DataFrame, folds: pd.DataFrame,
                    vocabulary: CandidateVocabulary, neighbours: dict[str, dict[int, float]],
                    settings: SuggestionSettings) -> list[tuple]:
    """Per theme and fold (all coded documents, then each fold's training documents): the log-odds
    candidates and the word-vector neighbours, each with its training document counts.
    ``coded_rows``: the rows of ``presence`` of ``labels``' documents, in their order."""
    coded = presence[coded_rows]
    prior = informative_prior(presence, coded, settings.prior_weight)
    rows = []
    for theme in labels.columns:
        positive = labels[theme].to_numpy().astype(bool)
        fold_of = folds[folds["theme"] == theme].set_index("doc_id")["fold"].reindex(labels.index).to_numpy()
        for fold in [ALL_CODED_FOLD, *range(settings.n_folds)]:
            train = fold_of != fold
            with_theme = np.asarray(coded[train & positive].sum(axis=0)).ravel().astype(float)
            without_theme = np.asarray(coded[train & ~positive].sum(axis=0)).ravel().astype(float)
            if not with_theme.any():
                continue
            z = weighted_log_odds(with_theme, without_theme, prior)
            eligible = ((with_theme >= settings.min_theme_docs) & (z >= settings.min_z)
                        & vocabulary.has_letter & ~vocabulary.own_indicators[theme])
            found = [(i, LOG_ODDS, float(z[i])) for i in top_scores(z, eligible, vocabulary.tokens, settings.n_candidates)]
            found += [(i, WORD_VECTORS, similarity) for i, similarity in neighbours.get(theme, {}).items()]
            rows += [(fold, theme, vocabulary.tokens[i], source, score, int(with_theme[i]), int(without_theme[i]),
                      bool(vocabulary.in_definition[theme][i])) for i, source, score in found]
    return rows


def _word_vector_source(processed: ProcessedCorpus, n_tokens: int, vocabulary: CandidateVocabulary, theme_ids: list[str],
                        settings: SuggestionSettings, random_state: int | None) -> tuple[dict[str, dict[int, float]], tuple]:
    """The word-vector neighbours of each theme (none when the corpus's ``n_tokens`` processed tokens are too
    few for vectors) and the source's row of ``sources`` without its candidate count: (source, status,
    n_tokens, min_tokens, note)."""
    if n_tokens >= settings.min_vector_tokens:
        neighbours, epochs = vector_neighbours(processed, vocabulary, theme_ids, settings, random_state)
        return neighbours, (WORD_VECTORS, "used", n_tokens, settings.min_vector_tokens,
                            f"Word2Vec skip-gram, seeded, one worker, {epochs} epochs")
    note = (f"skipped: the corpus has {n_tokens:,} processed tokens, fewer than the {settings.min_vector_tokens:,} "
            "word vectors need to place words reliably")
    logger.info("indicator suggestions: word vectors %s", note)
    return {}, (WORD_VECTORS, "skipped", n_tokens, settings.min_vector_tokens, note)


def _caught(processed: ProcessedCorpus, labels: pd.DataFrame) -> pd.DataFrame:
    """Coded documents x themes: 1 where at least one current indicator of the theme occurs."""
    caught = pd.DataFrame(0, index=labels.index, columns=labels.columns)
    for doc_id in labels.index:
        for theme, _, _ in processed.indicator_hits.get(doc_id, ()):
            if theme in caught.columns:
                caught.at[doc_id, theme] = 1
    return caught


def _check_labels(processed: ProcessedCorpus, labels: pd.DataFrame) -> None:
    """``InputError`` unless every label column is a theme id and every labelled document is in ``processed``."""
    unknown = [t for t in labels.columns if t not in processed.theme_ids]
    if unknown:
        raise InputError(f"label column(s) {', '.join(unknown)} are not theme ids of the processed corpus",
                         where="indicator suggestions")
    missing = sorted(set(labels.index) - set(processed.doc_ids))
    if missing:
        raise InputError(f"{len(missing)} labelled document(s) not in the processed corpus, e.g. {missing[0]}",
                         where="indicator suggestions")


def find_candidates(
    processed: ProcessedCorpus,
    documents: Iterable[Document],
    codebook: Codebook,
    labels: pd.DataFrame,
    settings: SuggestionSettings | None = None,
    random_state: int | None = None,
) -> IndicatorCandidates:
    """Candidate indicator terms per theme, on all coded documents and on each fold's training documents.

    ``processed``: the processed corpus of all documents (the uncoded ones shape the prior and the
    word vectors); ``documents``: the same documents, read once (the coded ones are kept for the
    raw-text matches and example sentences: their number is bounded by the manual coding);
    ``codebook``: the codebook ``processed`` was made with (its definitions mark ``in_definition``);
    ``labels``: index doc_id, one 0/1 column per theme id, e.g. ``Coding.standard()``.
    Deterministic for a given ``random_state`` (fold split, word vectors). See ``IndicatorCandidates``.
    """
    settings = settings or SuggestionSettings()
    _check_labels(processed, labels)
    labels = labels.sort_index()
    folds = theme_folds(labels, settings.n_folds, random_state)
    presence = document_presence(processed)
    vocabulary = CandidateVocabulary.of(processed, codebook)
    n_tokens = int(processed.bow_matrix().sum())
    neighbours, vector_source = _word_vector_source(processed, n_tokens, vocabulary, list(labels.columns), settings,
                                                  random_state)
    sources = [(LOG_ODDS, "used", n_tokens, 0, f"{len(labels)} coded documents, {settings.n_folds} folds"), vector_source]

    row_of = {doc_id: i for i, doc_id in enumerate(processed.doc_ids)}
    coded_rows = np.array([row_of[d] for d in labels.index], dtype=np.int64)
    rows = _candidate_rows(presence, coded_rows, labels, folds, vocabulary, neighbours, settings)
    candidates = pd.DataFrame(rows, columns=_FOUND_COLUMNS)
    coded_documents = [d for d in documents if d.id in labels.index]
    stems = {t for t in candidates["token"] if PHRASE_DELIMITER not in t}
    readable = readable_forms(coded_documents, stems, make_normalizer(processed.settings.normalizer))
    candidates.insert(3, "term", [readable.get(t) or candidate_term(processed, t) for t in candidates["token"]])
    candidates = candidates.drop_duplicates(["fold", "theme", "source", "term"]).reset_index(drop=True)

    reported = candidates[candidates["fold"] == ALL_CODED_FOLD]
    terms = {theme: sorted(set(candidates.loc[candidates["theme"] == theme, "term"])) for theme in labels.columns}
    matches, examples = match_documents(coded_documents, labels, terms, set(zip(reported["theme"], reported["term"])),
                                        settings.n_examples)
    candidates["proper_noun"] = candidates["term"].isin(proper_nouns(coded_documents, matches))
    source_table = pd.DataFrame([(s, status, n, minimum, int((reported["source"] == s).sum()), note)
                                 for s, status, n, minimum, note in sources],
                                columns=contract.INDICATOR_SOURCES.column_list)
    return IndicatorCandidates(candidates=candidates, folds=folds, matches=matches, caught=_caught(processed, labels),
                               examples=examples, sources=source_table)
