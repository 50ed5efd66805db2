"""Settings of the codebook suggestions (the ``suggestions:`` config section), each with its allowed values."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass
class SuggestionSettings:
    """Tunable parameters of the candidate search (defaults suit a few hundred to a few thousand coded documents)."""

    n_folds: int = field(default=5, metadata={"help": "cross-validation folds over the coded documents (candidates are found on the others)", "at_least": 2, "at_most": 100})
    n_candidates: int = field(default=15, metadata={"help": "candidates kept per theme, source and fold", "at_least": 1, "at_most": 1000})
    min_z: float = field(default=1.645, metadata={"help": "log_odds: minimum z-score (one-sided 5%)", "at_least": 0, "at_most": 100})
    min_theme_docs: int = field(default=2, metadata={"help": "log_odds: minimum coded documents with the theme that contain the term", "at_least": 1, "at_most": 1_000_000})
    prior_weight: float = field(default=0.1, metadata={"help": "log_odds: weight of the informative Dirichlet prior, as a share of the coded documents' term counts", "above": 0, "at_most": 1000})
    min_vector_tokens: int = field(default=200_000, metadata={"help": "word_vectors: minimum processed tokens in the corpus; below it the source is skipped", "at_least": 0, "at_most": 10**12})
    max_vector_units: int = field(default=20_000, metadata={"help": "word_vectors: train on at most this many units (evenly spaced over a larger corpus)", "at_least": 1, "at_most": 10_000_000})
    vector_size: int = field(default=100, metadata={"help": "word_vectors: dimensions", "at_least": 1, "at_most": 1000})
    vector_window: int = field(default=5, metadata={"help": "word_vectors: context window", "at_least": 1, "at_most": 100})
    vector_min_count: int = field(default=5, metadata={"help": "word_vectors: minimum occurrences of a token", "at_least": 1, "at_most": 1_000_000})
    vector_epochs: Literal["auto"] | int = field(default="auto", metadata={"help": "word_vectors: training epochs; auto by the training sample's size: about 5 million token updates, clamp(ceil(5e6 / tokens), 2, 10)", "choices": ("auto",), "at_least": 1, "at_most": 1000})
    min_similarity: float = field(default=0.5, metadata={"help": "word_vectors: minimum cosine similarity to an indicator", "at_least": -1, "at_most": 1})
    n_examples: int = field(default=2, metadata={"help": "example sentences per candidate", "at_least": 0, "at_most": 100})
