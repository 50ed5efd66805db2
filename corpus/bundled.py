"""Paths of the sample corpus and manual coding shipped inside the package."""
from __future__ import annotations

from importlib import resources
from pathlib import Path


def sample_corpus_path() -> Path:
    """The bundled sample corpus (88 documents, 2019-2025), the default corpus of ``hkasean run``."""
    return Path(str(resources.files("hkasean.corpus") / "sample" / "corpus.jsonl"))


def sample_coding_path() -> Path:
    """The manual coding of the sample (coder_a, coder_b and the adjudicated gold)."""
    return Path(str(resources.files("hkasean.corpus") / "sample" / "coding.csv"))
