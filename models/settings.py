"""Every default of a model parameter, in one place.

``ModelSettings`` is the ``models`` section of the run configuration; the constructors of the
models and coders (``LdaTopicModel``, ``NmfTopicModel``, ``SeededLdaTopicModel``,
``DictionaryCoder``, ``SupervisedCoder``) and the functions of the K search take their defaults
from its fields (``passes: int = ModelSettings.passes``), so a default is changed here and
nowhere else. The constants below are the defaults of parameters that are not settings of a run
and the values some settings allow.
This module imports nothing of the suite, so every model module can import it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

MODEL_NAMES = ("lda", "nmf", "seeded_lda", "dictionary", "supervised")
"""The models of the zoo, in the order they are fitted."""

DEFAULT_N_TOPICS = 6
"""K of a topic model built outside a run (a run chooses K over ``ModelSettings.k_grid``)."""

DEFAULT_RANDOM_STATE = 0
"""Seed of a model built outside a run (a run passes its master ``seed``)."""

LDA_ALPHAS = ("symmetric", "asymmetric", "auto")
"""The document-topic priors of LDA and seeded LDA."""

AGGREGATIONS = ("mean", "max")
"""How paragraph units' topic shares become a document's."""

DICTIONARY_SCORES = ("count", "per_100_words")
"""The scores of the dictionary coder."""

SEED_RANGE = {"at_least": 0, "at_most": 2**32 - 1}
"""The seeds numpy, scikit-learn and gensim accept (allowed values of a seed setting, see ``corpus.settings``)."""

COHERENCE_TOPN = 10
"""Terms per topic whose coherence is scored, and whose overlap across seeds measures stability."""


@dataclass
class ModelSettings:
    """Tunable parameters of the model zoo (config keys = field names)."""

    models: tuple[str, ...] = field(default=MODEL_NAMES, metadata={"help": "models to fit: any of lda, nmf, seeded_lda, dictionary, supervised", "choices": MODEL_NAMES, "min_items": 1})
    k_grid: tuple[int, ...] = field(default=(4, 5, 6, 8, 10), metadata={"help": "numbers of topics tried for LDA and NMF", "at_least": 2, "min_items": 1})
    seeds: tuple[int, ...] = field(default=(0, 1, 2), metadata={"help": "random seeds of the K grid (stability = agreement across them)", **SEED_RANGE, "min_items": 1})
    min_stability: float = field(default=0.35, metadata={"help": "a K is eligible when its mean top-10 Jaccard stability across seeds is at least this", "at_least": 0, "at_most": 1})
    passes: int = field(default=50, metadata={"help": "LDA / seeded LDA passes over the corpus (short releases: many passes until topics stop moving)", "at_least": 1})
    iterations: int = field(default=400, metadata={"help": "LDA / seeded LDA variational iterations per unit", "at_least": 1})
    lda_alpha: str = field(default="symmetric", metadata={"help": "LDA / seeded LDA document-topic prior: 'symmetric', 'asymmetric' or 'auto' (learned, deterministic)", "choices": LDA_ALPHAS})
    nmf_max_iter: int = field(default=500, metadata={"help": "maximum NMF iterations", "at_least": 1})
    theme_threshold: float = field(default=0.25, metadata={"help": "topic models: a doc carries a theme when the topics serving it hold at least this share", "at_least": 0, "at_most": 1})
    map_min_weight: float = field(default=0.01, metadata={"help": "LDA/NMF: minimum share of a topic's term weight on a theme's vocabulary (indicator tokens and their content stems) to map it to the theme", "at_least": 0, "at_most": 1})
    map_min_lift: float = field(default=1.5, metadata={"help": "LDA/NMF: minimum lift (topic's share on the theme's vocabulary / mean share over topics) to map it to the theme; 1.5 = clearly above the average topic", "at_least": 0})
    aggregation: str = field(default="mean", metadata={"help": "paragraph units -> document: 'mean' or 'max' of topic shares", "choices": AGGREGATIONS})
    n_free_topics: int = field(default=1, metadata={"help": "seeded LDA: topics besides one per theme (one absorbs the non-framing talk; more let seeded topics go generic)", "at_least": 0})
    seed_boost: float = field(default=20.0, metadata={"help": "seeded LDA: prior (eta pseudo-count) on a theme's indicator tokens in its topic; rare phrases need tens, not a few", "above": 0})
    seed_stem_share: float = field(default=0.25, metadata={"help": "seeded LDA: prior on the content-word stems of a theme's indicator phrases, as a share of seed_boost", "at_least": 0})
    seed_background: float = field(default=0.01, metadata={"help": "seeded LDA: prior on every other word in a seeded topic (small: keeps seeded topics sparse and on their theme)", "above": 0})
    dictionary_threshold: int = field(default=1, metadata={"help": "dictionary coder: distinct indicator phrases needed for a theme", "at_least": 1})
    dictionary_score: str = field(default="count", metadata={"help": "dictionary coder score: 'count' of distinct indicators or 'per_100_words'", "choices": DICTIONARY_SCORES})
    supervised_c: float = field(default=1.0, metadata={"help": "supervised coder: inverse regularisation strength C", "above": 0})
    supervised_folds: int = field(default=5, metadata={"help": "supervised coder: cross-validation folds", "at_least": 2})
    supervised_threshold: Literal["cv"] | float = field(default=0.5, metadata={"help": "supervised coder: probability at which a theme is present, or 'cv': the F1-best threshold of an inner CV on each training fold (on the sample 'cv' raised recall but lowered precision and kappa, so 0.5 is the default)", "at_least": 0, "at_most": 1})
    coherence_max_units: int = field(default=20_000, metadata={"help": "coherence (c_npmi, c_v) is counted on at most this many units, a seeded sample on larger corpora", "at_least": 1})
    top_n: int = field(default=10, metadata={"help": "top terms reported per topic", "at_least": 1})
    n_jobs: int = field(default=1, metadata={"help": "parallel jobs of the K grid search (results identical to serial; -1: every core)", "excluded": (0,)})
