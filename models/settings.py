"""Every default of a model parameter, in one place.

``ModelSettings`` is the ``models`` section of the run configuration; the constructors of the
models and coders (``LdaTopicModel``, ``NmfTopicModel``, ``SeededLdaTopicModel``,
``DictionaryCoder``, ``SupervisedCoder``, ``EnsembleCoder``) and the functions of the K search take their defaults
from its fields (``passes: int = ModelSettings.passes``), so a default is changed here and
nowhere else. The constants below are the defaults of parameters that are not settings of a run
and the values some settings allow.
This module imports nothing of the suite, so every model module can import it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

MODEL_NAMES = ("lda", "nmf", "seeded_lda", "dictionary", "supervised", "ensemble")
"""The models of the zoo, in the order they are fitted."""

DEFAULT_N_TOPICS = 6
"""K of a topic model built outside a run (a run chooses K over ``ModelSettings.k_grid``)."""

DEFAULT_RANDOM_STATE = 0
"""Seed of a model built outside a run (a run passes its master ``seed``)."""

LDA_ALPHAS = ("symmetric", "asymmetric", "auto")
"""The document-topic priors of LDA and seeded LDA."""

LDA_BACKENDS = ("tomotopy", "gensim")
"""The engines that fit LDA (``models.lda``)."""

AGGREGATIONS = ("mean", "max")
"""How paragraph units' topic shares become a document's."""

DICTIONARY_SCORES = ("count", "per_100_words")
"""The scores of the dictionary coder."""

DICTIONARY_MATCHES = ("exact", "stems")
"""How the dictionary coder finds an indicator: the phrase itself, or also all its content stems in one unit."""

CODER_UNITS = ("sentence", "paragraph")
"""Units the seeded LDA is fitted on and the dictionary coder scores (text processing's ``unit`` for them)."""

CODER_TOPIC_SOURCES = ("nmf", "lda", "none")
"""Topic models whose document shares the supervised and ensemble coders may read (``none``: words and hits only)."""

SEED_RANGE = {"at_least": 0, "at_most": 2**32 - 1}
"""The seeds numpy, scikit-learn and gensim accept (allowed values of a seed setting, see ``corpus.settings``)."""

COHERENCE_TOPN = 10
"""Terms per topic whose coherence is scored, and whose overlap across seeds measures stability."""


@dataclass
class ModelSettings:
    """Tunable parameters of the model zoo (config keys = field names)."""

    models: tuple[str, ...] = field(default=MODEL_NAMES, metadata={"help": "models to fit: any of lda, nmf, seeded_lda, dictionary, supervised, ensemble", "choices": MODEL_NAMES, "min_items": 1})
    coder_unit: str = field(default="sentence", metadata={"help": "units the seeded LDA is fitted on and the dictionary, supervised and ensemble coders read: 'sentence' or 'paragraph' (a unit short enough to carry one frame). On the sample, whose digests are one paragraph each, over 10 seeds: seeded LDA 0.39 with sentences, 0.42 with paragraphs (seed spread 0.05-0.06); ensemble 0.63 with sentences, 0.61 with paragraphs", "choices": CODER_UNITS})
    k_grid: tuple[int, ...] = field(default=(4, 5, 6, 8, 10), metadata={"help": "numbers of topics tried for LDA and NMF", "at_least": 2, "min_items": 1})
    seeds: Literal["auto"] | tuple[int, ...] = field(default="auto", metadata={"help": "random seeds of the K grid (stability = agreement across them; the reported model is the chosen K's fit with the first seed); auto: 3 seeds from the master seed: seed, seed+1, seed+2", "choices": ("auto",), **SEED_RANGE, "min_items": 1})
    min_stability: float = field(default=0.35, metadata={"help": "a K is eligible when its mean top-10 Jaccard stability across seeds is at least this", "at_least": 0, "at_most": 1})
    passes: Literal["auto"] | int = field(default="auto", metadata={"help": "LDA passes over the corpus (tomotopy: Gibbs sweeps); auto by corpus size: tomotopy clamp(ceil(1e8 / tokens), 200, 1000), gensim clamp(ceil(50000 / units), 5, 50)", "choices": ("auto",), "at_least": 1})
    iterations: Literal["auto"] | int = field(default="auto", metadata={"help": "LDA variational iterations per unit (gensim backend only); auto by corpus size: clamp(ceil(400000 / units), 50, 400)", "choices": ("auto",), "at_least": 1})
    lda_backend: str = field(default="tomotopy", metadata={"help": "LDA engine: 'tomotopy' (collapsed Gibbs sampling in C++, one worker per fit) or 'gensim' (online variational Bayes)", "choices": LDA_BACKENDS})
    lda_alpha: str = field(default="symmetric", metadata={"help": "LDA / seeded LDA document-topic prior: 'symmetric', 'asymmetric' or 'auto' (learned, deterministic)", "choices": LDA_ALPHAS})
    nmf_max_iter: int = field(default=500, metadata={"help": "maximum NMF iterations", "at_least": 1})
    theme_threshold: float = field(default=0.25, metadata={"help": "topic models: a doc carries a theme when the topics serving it hold at least this share", "at_least": 0, "at_most": 1})
    map_min_weight: float = field(default=0.01, metadata={"help": "LDA/NMF: minimum share of a topic's term weight on a theme's vocabulary (indicator tokens and their content stems) to map it to the theme", "at_least": 0, "at_most": 1})
    map_min_lift: float = field(default=1.5, metadata={"help": "LDA/NMF: minimum lift (topic's share on the theme's vocabulary / mean share over topics) to map it to the theme; 1.5 = clearly above the average topic", "at_least": 0})
    aggregation: str = field(default="mean", metadata={"help": "paragraph units -> document: 'mean' or 'max' of topic shares", "choices": AGGREGATIONS})
    n_free_topics: int = field(default=15, metadata={"help": "seeded LDA: topics besides one per theme, absorbing the subjects that frame nothing (trade statistics, travel, ceremonies); the more there are, the fewer such words the seeded topics take in. On the sample, mean macro-F1 over 20 seeds: 2 free topics 0.34, 5 0.40, 8 0.41, 10 0.44, 15 0.46, 20 0.44 (benchmarks/seeded_lda_settings.py); each topic adds to the Gibbs sampler's time", "at_least": 0})
    seed_boost: float = field(default=1.0, metadata={"help": "seeded LDA: word prior of a theme's indicator tokens in the theme's own topic (tomotopy set_word_prior; the topic-word prior of other words is seeded_eta)", "above": 0})
    seed_stem_share: float = field(default=0.5, metadata={"help": "seeded LDA: word prior of the content-word stems of a theme's indicator phrases, as a share of seed_boost", "at_least": 0})
    seed_background: float = field(default=0.01, metadata={"help": "seeded LDA: word prior of a theme's seed words in every other topic (small: the seed words stay with their theme)", "above": 0})
    seeded_alpha: float = field(default=0.1, metadata={"help": "seeded LDA: symmetric document-topic prior (small: a sentence carries few topics)", "above": 0})
    seeded_eta: float = field(default=0.01, metadata={"help": "seeded LDA: topic-word prior of the words that are not seeds", "above": 0})
    seeded_iterations: Literal["auto"] | int = field(default="auto", metadata={"help": "seeded LDA: Gibbs sweeps per chain; auto by corpus size: clamp(ceil(1e8 / tokens), 200, 300)", "choices": ("auto",), "at_least": 1})
    seeded_chains: Literal["auto"] | int = field(default="auto", metadata={"help": "seeded LDA: Gibbs chains (seeds) whose topic shares are averaged, run in parallel (n_jobs, as far as seeded_memory_mb allows); one chain on a small corpus is noisy; auto by corpus size: clamp(floor(5e8 / (tokens x sweeps)), 2, 5)", "choices": ("auto",), "at_least": 1})
    seeded_memory_mb: int = field(default=3000, metadata={"help": "seeded LDA: memory (MB) its chains running at once may take together, by an estimate from the units, tokens and topics (models.scaling.seeded_chain_memory_mb, about 2 GB a chain at 100,000 documents); chains beyond it wait, so a large corpus runs them one after another. The topic shares do not depend on it", "at_least": 1})
    dictionary_threshold: int = field(default=1, metadata={"help": "dictionary coder: distinct indicator phrases needed for a theme", "at_least": 1})
    dictionary_score: str = field(default="count", metadata={"help": "dictionary coder score: 'count' of distinct indicators or 'per_100_words'", "choices": DICTIONARY_SCORES})
    dictionary_match: str = field(default="exact", metadata={"help": "dictionary coder: an indicator is found as the 'exact' phrase (with inflections), or with 'stems' also when all content stems of the phrase occur in one unit (on the sample stems raised recall but lowered macro-F1: .54 vs .60); either way the unit-level stem scores feed the supervised and ensemble coders", "choices": DICTIONARY_MATCHES})
    supervised_c: float = field(default=1.0, metadata={"help": "supervised coder: inverse regularisation strength C", "above": 0})
    supervised_folds: int = field(default=5, metadata={"help": "supervised coder: cross-validation folds", "at_least": 2})
    supervised_threshold: Literal["cv"] | float = field(default="cv", metadata={"help": "supervised and ensemble coders: probability at which a theme is present, or 'cv': the F1-best threshold of an inner CV on each training fold", "at_least": 0, "at_most": 1})
    supervised_ngrams: int = field(default=2, metadata={"help": "supervised and ensemble coders: word n-grams up to this length (2: words and word pairs), besides the dictionary hits", "at_least": 1, "at_most": 3})
    coder_topics: str = field(default="nmf", metadata={"help": "supervised and ensemble coders: the topic model (fitted in the same run, without labels) whose document shares they read beside words and dictionary hits, or 'none'. On the sample, mean held-out macro-F1 over 20 seeds: ensemble 0.636 without topic shares, 0.653 with NMF's (better on 13 of 20 seeds), 0.643 with LDA's; supervised 0.560, 0.554, 0.484 (benchmarks/coder_topic_features.py)", "choices": CODER_TOPIC_SOURCES})
    learning_sizes: tuple[int, ...] = field(default=(10, 20, 40, 80, 160, 320, 640), metadata={"help": "learning curve: numbers of coded documents the supervised and ensemble coders are trained on (a size is tried when it leaves a quarter of the coded documents to score; all of them, cross-validated, is always the last point)", "at_least": 4, "min_items": 1})
    learning_repeats: int = field(default=5, metadata={"help": "learning curve: seeded random subsamples per size (the interval is taken over them)", "at_least": 1})
    learning_max_scored: int = field(default=2000, metadata={"help": "learning curve: each fit is scored on at most this many of the coded documents left out, a seeded random sample of them (all when fewer; the table's n_scored says how many), so the curve's cost stops growing with the coding", "at_least": 1})
    coherence_max_units: int = field(default=20_000, metadata={"help": "coherence (c_npmi, c_v) is counted on at most this many units, a seeded sample on larger corpora", "at_least": 1})
    top_n: int = field(default=10, metadata={"help": "top terms reported per topic", "at_least": 1})
    n_jobs: int = field(default=-1, metadata={"help": "parallel jobs of text processing, the K grid search, the seeded LDA's chains and the learning coders' themes (results identical to serial; -1: every core, 1: serial)", "excluded": (0,)})
