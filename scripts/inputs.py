"""The run's inputs: located, loaded and validated together before any stage starts."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hkasean.analysis.coding import Coding, load_coding
from hkasean.analysis.trade import bundled_trade_path, load_trade_table
from hkasean.analysis.trade_official import official_folder
from hkasean.corpus.bundled import sample_coding_path, sample_corpus_path
from hkasean.corpus.collection import DocumentCollection, JsonlDocuments, StoredDocuments
from hkasean.corpus.errors import InputError
from hkasean.corpus.frame import corpus_hash, documents_frame
from hkasean.models.codebook import Codebook, default_codebook_path, load_codebook
from hkasean.scripts.stage_cache import file_fingerprint

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunInputs:
    """Where the inputs are; None means the bundled default (for coding: none unless the corpus is the sample)."""

    corpus: Path | None = None
    db: Path | None = None
    coding: Path | None = None
    codebook: Path | None = None
    trade: Path | None = None
    no_coding: bool = False


@dataclass
class LoadedInputs:
    """The validated inputs and their fingerprints.

    ``documents`` is re-iterable and streamed from its file or store on each pass (never held
    whole in memory); ``doc_frame`` holds their metadata (no text).
    """

    documents: DocumentCollection
    doc_frame: pd.DataFrame
    codebook: Codebook
    coding: Coding | None
    trade: pd.DataFrame
    corpus_label: str
    corpus_hash: str
    files: dict[str, str | None]
    fingerprint: str


def _load_documents(run_inputs: RunInputs) -> tuple[DocumentCollection, str]:
    if run_inputs.corpus is not None and run_inputs.db is not None:
        raise InputError("give either --corpus or --db, not both")
    if run_inputs.db is not None:
        return StoredDocuments(run_inputs.db), f"store {run_inputs.db}"
    path = Path(run_inputs.corpus) if run_inputs.corpus is not None else sample_corpus_path()
    label = "bundled sample" if run_inputs.corpus is None else str(path)
    return JsonlDocuments(path), label


def load_inputs(run_inputs: RunInputs) -> LoadedInputs:
    """Load and cross-check corpus, codebook, coding and trade table; raise ``InputError`` on the first problem."""
    documents, label = _load_documents(run_inputs)
    doc_frame = documents_frame(documents)
    codebook = load_codebook(run_inputs.codebook)
    coding_path = run_inputs.coding
    if coding_path is None and run_inputs.corpus is None and run_inputs.db is None and not run_inputs.no_coding:
        coding_path = sample_coding_path()
    coding = None
    if coding_path is not None and not run_inputs.no_coding:
        coding = load_coding(coding_path, codebook.theme_ids, doc_ids=set(doc_frame["doc_id"]))
    elif not run_inputs.no_coding:
        LOG.warning("no --coding file given for this corpus: the agreement stage is skipped")
    trade = load_trade_table(run_inputs.trade)
    files = {
        "codebook": str(run_inputs.codebook or default_codebook_path()),
        "coding": None if coding is None else str(coding_path),
        "trade": str(run_inputs.trade) if run_inputs.trade else "bundled",
    }
    digest = corpus_hash(doc_frame)
    parts = [
        digest,
        file_fingerprint(files["codebook"]),
        file_fingerprint(coding_path) if coding is not None else "no-coding",
        file_fingerprint(run_inputs.trade or bundled_trade_path()),
        *(file_fingerprint(path) for path in sorted(official_folder().glob("*.csv"))),  # added unless trade.official is off
    ]
    fingerprint = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:20]
    return LoadedInputs(
        documents=documents,
        doc_frame=doc_frame,
        codebook=codebook,
        coding=coding,
        trade=trade,
        corpus_label=label,
        corpus_hash=digest,
        files=files,
        fingerprint=fingerprint,
    )
