"""The processed tokens are exactly those of the processing before it was made faster (issue #12).

The digests below were recorded with the code of commit 3f2cd57, before the processing was
optimised: every unit's tokens, the surface forms, indicator hits, word counts and theme terms of
the bundled sample (default settings; paragraph units with numbers kept and no normaliser) and
of a resampled multi-paragraph corpus. Any change of the token stream changes a digest.
"""
from __future__ import annotations

import hashlib
import json

import pytest

from hkasean.corpus.bundled import sample_corpus_path
from hkasean.corpus.jsonl import read_documents
from hkasean.models.codebook import load_codebook
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models import text
from hkasean.models.text import TextSettings, process_documents
from synthetic_corpus import resampled_sample_documents

RECORDED = {
    "sample-default": "3fa4a39ae17b0513c9d56bf6b0aa976ec98d1a69ddaef8203d71c95c5d4aa546",
    "sample-paragraph-numbers-unnormalised": "f320046cd36a2ae77c9ab58c0368698ca225271230e01274494d92cf68b9ddcc",
    "resampled-paragraph": "e33c87c06e20c42fd2369efbb8430c05b7818d3258d9476113c48aa2e2190cfe",
}
"""Digest of ``token_digest`` per case, recorded before the processing was optimised."""

_METADATA = ("doc_ids", "unit_doc_ids", "surface_forms", "indicator_tokens", "indicator_hits", "n_words", "theme_terms")


def token_digest(processed: ProcessedCorpus) -> str:
    """SHA-256 of every unit's tokens (in order) and the corpus metadata the models read."""
    digest = hashlib.sha256()
    for tokens in processed:
        digest.update((" ".join(tokens) + "\n").encode("utf-8"))
    digest.update(json.dumps({name: getattr(processed, name) for name in _METADATA}, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def _case(name: str) -> ProcessedCorpus:
    codebook = load_codebook()
    if name == "sample-default":
        return process_documents(read_documents(sample_corpus_path()), codebook)
    if name == "sample-paragraph-numbers-unnormalised":
        settings = TextSettings(unit="paragraph", keep_numbers=True, normalizer="none")
        return process_documents(read_documents(sample_corpus_path()), codebook, settings)
    return process_documents(resampled_sample_documents(150), codebook, TextSettings(unit="paragraph", min_df=3))


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_tokens_are_those_recorded_before_the_speed_up(name):
    assert token_digest(_case(name)) == RECORDED[name]


def test_parallel_processing_gives_the_same_tokens(monkeypatch):
    monkeypatch.setattr(text, "CHUNK_DOCUMENTS", 40)  # several parts of each pass, in worker processes
    monkeypatch.setattr(text, "CHUNK_UNITS", 70)
    documents = resampled_sample_documents(150)
    settings = TextSettings(unit="paragraph", min_df=3)
    serial = process_documents(documents, load_codebook(), settings)
    parallel = process_documents(documents, load_codebook(), settings, n_jobs=2)
    assert token_digest(serial) == token_digest(parallel) == RECORDED["resampled-paragraph"]
    assert list(serial.surface_forms) == list(parallel.surface_forms)
