"""The ``log_odds`` source of the codebook suggestions: terms that distinguish the documents of a theme.

The weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008,
"Fightin' Words", eq. 16-22) and its z-score. Counts are document frequencies (a document
contributes a term once, so one long release repeating a word is not evidence from many); the
prior adds ``prior_weight`` times the coded documents' term counts, spread over the vocabulary in
proportion to each term's document frequency in the whole corpus, coded or not (no label enters
the prior): rare terms are shrunk towards "no difference". score = z = delta / sqrt(var), delta =
log-odds in the theme's documents minus log-odds in the others; z >= 1.645 is one-sided 5%.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse

from hkasean.models.processed_corpus import ProcessedCorpus


def document_presence(processed: ProcessedCorpus) -> sparse.csr_matrix:
    """n_docs x n_dictionary 0/1 matrix (int32): does the document (any of its units) contain the token.

    Rows follow ``processed.doc_ids``, columns ``processed.dictionary()`` ids; built from the
    corpus's cached unit counts with one sparse product.
    """
    row_of = {doc_id: i for i, doc_id in enumerate(processed.doc_ids)}
    rows = np.fromiter((row_of[d] for d in processed.unit_doc_ids), dtype=np.int64, count=len(processed.unit_doc_ids))
    units_to_docs = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, np.arange(len(rows)))),
                                      shape=(len(processed.doc_ids), len(rows)))
    presence = (units_to_docs @ processed.bow_matrix()).tocsr()
    presence.data = np.ones_like(presence.data)
    return presence


def informative_prior(presence: sparse.csr_matrix, coded: sparse.csr_matrix, prior_weight: float) -> np.ndarray:
    """The Dirichlet pseudo-counts per term: ``prior_weight`` times the ``coded`` documents' term counts, spread
    over the vocabulary in proportion to each term's document frequency in the whole corpus (``presence``)."""
    frequency = np.asarray(presence.sum(axis=0)).ravel().astype(float) + 1e-9
    return prior_weight * coded.sum() * frequency / frequency.sum()


def weighted_log_odds(with_theme: np.ndarray, without_theme: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """z-scores of the weighted log-odds ratio with an informative Dirichlet prior (Monroe et al. 2008).

    ``with_theme``, ``without_theme``: counts per term in the two groups; ``prior``: the Dirichlet
    pseudo-counts alpha_w per term (all > 0). Positive z: more typical of the first group.
    """
    alpha0 = prior.sum()
    n_with, n_without = with_theme.sum(), without_theme.sum()
    log_odds_with = np.log(with_theme + prior) - np.log(n_with + alpha0 - with_theme - prior)
    log_odds_without = np.log(without_theme + prior) - np.log(n_without + alpha0 - without_theme - prior)
    variance = 1.0 / (with_theme + prior) + 1.0 / (without_theme + prior)
    return (log_odds_with - log_odds_without) / np.sqrt(variance)


def top_scores(score: np.ndarray, eligible: np.ndarray, tokens: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` eligible terms with the highest score (ties: token order, for determinism)."""
    index = np.flatnonzero(eligible)
    return index[np.lexsort((tokens[index].astype(str), -score[index]))][:n]
