"""The zoo on a larger synthetic corpus: runs end to end, sparse throughout, coherence on a bounded sample."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gensim import matutils
from scipy import sparse

from hkasean.models.codebook import load_codebook
from hkasean.models.text import process_documents
from hkasean.models.zoo import ModelSettings, fit_models
from synthetic_corpus import resampled_sample_documents

N_DOCUMENTS = 2000
SMALL = ModelSettings(k_grid=(4,), seeds=(0,), passes=2, iterations=20, nmf_max_iter=50, supervised_folds=3,
                      coherence_max_units=300, seeded_iterations=50, seeded_chains=1)


@pytest.fixture(scope="module")
def corpus():
    documents = resampled_sample_documents(N_DOCUMENTS, paragraphs_per_document=1, seed=3)
    codebook = load_codebook()
    return process_documents(documents, codebook), codebook


def _forbid_dense(monkeypatch, n_rows: int) -> None:
    """Make every sparse -> dense conversion with at least ``n_rows`` rows (or columns) fail."""
    def guard(original):
        def checked(matrix, *args, **kwargs):
            if max(matrix.shape) >= n_rows and min(matrix.shape) > 1:
                raise AssertionError(f"dense {matrix.shape} matrix formed from a sparse one")
            return original(matrix, *args, **kwargs)
        return checked

    for cls in (sparse.csr_matrix, sparse.csc_matrix, sparse.coo_matrix, sparse.csr_array, sparse.csc_array):
        monkeypatch.setattr(cls, "toarray", guard(cls.toarray))
        monkeypatch.setattr(cls, "todense", guard(cls.todense))
    monkeypatch.setattr(matutils, "corpus2dense", lambda *a, **k: (_ for _ in ()).throw(AssertionError("corpus2dense called")))


def test_guard_catches_a_dense_conversion(monkeypatch):
    _forbid_dense(monkeypatch, 100)
    with pytest.raises(AssertionError, match="dense"):
        sparse.csr_matrix(np.ones((200, 5))).toarray()


def test_whole_zoo_runs_sparse_on_thousands_of_documents(corpus, monkeypatch):
    processed, codebook = corpus
    _forbid_dense(monkeypatch, len(processed))
    rng = np.random.default_rng(0)
    labels = pd.DataFrame(rng.integers(0, 2, size=(300, len(codebook.theme_ids))), columns=codebook.theme_ids,
                          index=pd.Index(processed.doc_ids[:300], name="doc_id"))
    run = fit_models(processed, codebook, SMALL, labels=labels, progress=False)
    assert set(run.models) == {"lda", "nmf", "seeded_lda", "dictionary", "supervised", "ensemble"}
    counts = processed.bow_matrix()
    assert sparse.issparse(counts) and counts.shape == (N_DOCUMENTS, len(processed.dictionary()))
    assert counts.nnz < 0.2 * counts.shape[0] * counts.shape[1]
    themes = run.doc_themes[run.doc_themes["model"] == "lda"]
    assert len(themes) == N_DOCUMENTS * len(codebook.theme_ids)
    assert run.topics["coherence"].notna().any()


def test_coherence_sample_is_bounded_and_seeded(corpus):
    processed, _ = corpus
    sample = processed.coherence_texts(300)
    assert len(sample) == 300 and sample == processed.coherence_texts(300)
    everything = list(processed.tokens)
    assert processed.coherence_texts(N_DOCUMENTS) == everything
    remaining = iter(everything)
    assert all(any(tokens == unit for unit in remaining) for tokens in sample)  # a subsequence: corpus order
