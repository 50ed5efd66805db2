"""Small synthetic corpora with known structure, shared by the model tests."""
from __future__ import annotations

import random

from hkasean.corpus.document import Document
from hkasean.models.codebook import Codebook, Theme

SHIPPING = ["vessel", "harbour", "cargo", "container", "port", "freight", "crane", "dock", "berth", "tanker"]
FARMING = ["wheat", "harvest", "tractor", "barley", "orchard", "cattle", "dairy", "irrigation", "seed", "farmer"]


def two_topic_documents(n_per_topic: int = 12, words: int = 40, seed: int = 0) -> list[Document]:
    """Documents drawn from one of two disjoint vocabularies: ship-* ids use SHIPPING, farm-* ids FARMING."""
    rng = random.Random(seed)
    documents = []
    for prefix, vocabulary in (("ship", SHIPPING), ("farm", FARMING)):
        for i in range(n_per_topic):
            text = " ".join(rng.choice(vocabulary) for _ in range(words))
            documents.append(Document(id=f"{prefix}-{i}", date=f"{2019 + i % 3}-01-0{1 + i % 9}", title=f"{prefix} news", text=text))
    return documents


def tiny_codebook() -> Codebook:
    """Two themes whose indicators are the SHIPPING and FARMING words plus one phrase each."""
    return Codebook(themes=(
        Theme(id="shipping", label="Shipping", definition="", indicators=("belt and road", "vessel", "cargo", "port")),
        Theme(id="farming", label="Farming", definition="", indicators=("rules of origin", "wheat", "harvest", "tractor")),
    ))


def resampled_sample_documents(n_documents: int, paragraphs_per_document: int = 3, seed: int = 0) -> list[Document]:
    """``n_documents`` documents made of paragraphs drawn (with replacement, seeded) from the bundled sample.

    Real vocabulary and phrase statistics at any corpus size; ids ``syn-0`` ... in order.
    """
    from hkasean.corpus.bundled import sample_corpus_path
    from hkasean.corpus.jsonl import read_documents

    sample = read_documents(sample_corpus_path())
    paragraphs = [(d.title, p) for d in sample for p in d.paragraphs]
    rng = random.Random(seed)
    documents = []
    for i in range(n_documents):
        drawn = [rng.choice(paragraphs) for _ in range(paragraphs_per_document)]
        documents.append(Document(id=f"syn-{i}", date=f"{2019 + i % 6}-0{1 + i % 9}-15", title=drawn[0][0],
                                  text="\n\n".join(p for _, p in drawn), speaker=sample[i % len(sample)].speaker))
    return documents
