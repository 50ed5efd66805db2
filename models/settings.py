"""Every default of a model parameter, in one place.

``ModelSettings`` is the ``models`` section of the run configuration; the constructors of the
models and coders (``LdaTopicModel``, ``NmfTopicModel``, ``SeededLdaTopicModel``,
``DictionaryCoder``, ``SupervisedCoder``, ``EnsembleCoder``) and the functions of the K search take their defaults
from its fields (``passes: int = ModelSettings.passes``), so a default is changed here and
nowhere else. The constants below are the defaults of parameters that are not settings of a run
and the values some settings allow.
This module imports nothing of the suite but ``hkasean.seeds``, so every model module can import it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hkasean.seeds import SEED_MODULUS

MODEL_NAMES = ("lda", "nmf", "seeded_lda", "dictionary", "supervised", "ensemble")
"""The models of the zoo, in the order they are fitted."""

DEFAULT_N_TOPICS = 6
"""K of a topic model built outside a run (a run chooses K over ``ModelSettings.k_grid``)."""

LDA_ALPHAS = ("symmetric", "asymmetric", "auto")
"""The document-topic priors of LDA and seeded LDA."""

LDA_BACKENDS = ("tomotopy", "gensim")
"""The engines that fit LDA (``models.lda``)."""

AGGREGATIONS = ("mean", "max", "vote")
"""How units' topic shares become a document's: their mean, their max, or the share of units whose most likely topic
each topic is."""

DICTIONARY_SCORES = ("count", "per_100_words")
"""The scores of the dictionary coder."""

DICTIONARY_MATCHES = ("exact", "stems")
"""How the dictionary coder finds an indicator: the phrase itself, or also all its content stems in one unit."""

CODER_UNITS = ("sentence", "paragraph")
"""Units the seeded LDA is fitted on and the dictionary coder scores (text processing's ``unit`` for them)."""

CODER_TOPIC_SOURCES = ("nmf", "lda", "none")
"""Topic models whose document shares the supervised and ensemble coders may read (``none``: words and hits only)."""

SEED_RANGE = {"at_least": 0, "at_most": SEED_MODULUS - 1}
"""The seeds numpy, scikit-learn and gensim accept (allowed values of a seed setting, see ``corpus.settings``)."""

MAX_TOPICS = 1000
"""Most topics of a model (a K of the grid, the seeded LDA's free topics): tomotopy aborts the process
far above it (``n_free_topics: 1000000``) and a corpus of press releases has nowhere near 1000 subjects;
also the largest lift a topic can have (lift <= number of topics)."""

MAX_SWEEPS = 100_000
"""Most passes, iterations or Gibbs sweeps of one fit: the automatic rules stay below 1000."""

MAX_PRIOR = 100
"""Largest Dirichlet prior or seed word prior of the seeded LDA: a prior of 100 already outweighs the
counts of any word in a sentence unit, and the defaults are 0.01 to 1."""

MAX_FOLDS = 100
"""Most cross-validation folds (a fold of 1% of the coded documents; every fold is a fit)."""

MAX_COUNT = 1_000_000
"""Largest count of documents or units a size setting may name (the scale tests stop at 100,000
documents; a count beyond every corpus only hides a typo)."""

MAX_JOBS = 1024
"""Most parallel workers (``n_jobs``; joblib starts one process each), and the most negative value
(-1: every core, -2: all but one ...)."""

COHERENCE_TOPN = 10
"""Terms per topic whose coherence is scored, and whose overlap across seeds measures stability."""


@dataclass
class ModelSettings:
    """Tunable parameters of the model zoo (config keys = field names)."""

    models: tuple[str, ...] = field(default=MODEL_NAMES, metadata={"help": "models to fit: any of lda, nmf, seeded_lda, dictionary, supervised, ensemble", "choices": MODEL_NAMES, "min_items": 1, "max_items": len(MODEL_NAMES)})
    coder_unit: str = field(default="sentence", metadata={"help": "units the seeded LDA is fitted on and the dictionary, supervised and ensemble coders read: 'sentence' or 'paragraph' (a unit short enough to carry one frame). Fixed a priori: seeded LDA classifies sentences in Watanabe & Baturo (2023), and a frame is a claim a sentence makes. Measured comparisons on documents that did not choose them: benchmarks/RESULTS.md", "choices": CODER_UNITS})
    k_grid: tuple[int, ...] = field(default=(4, 5, 6, 8, 10), metadata={"help": "numbers of topics tried for LDA and NMF", "at_least": 2, "min_items": 1, "at_most": MAX_TOPICS, "max_items": 50})
    seeds: Literal["auto"] | tuple[int, ...] = field(default="auto", metadata={"help": "random seeds of the K grid (stability = agreement across them; the reported model is the chosen K's fit with the first seed); auto: 3 seeds from the master seed: seed, seed+1, seed+2", "choices": ("auto",), **SEED_RANGE, "min_items": 1, "max_items": 100})
    min_stability: float = field(default=0.35, metadata={"help": "a K is eligible when its mean top-10 Jaccard stability across seeds is at least this", "at_least": 0, "at_most": 1})
    passes: Literal["auto"] | int = field(default="auto", metadata={"help": "LDA passes over the corpus (tomotopy: Gibbs sweeps); auto by corpus size: tomotopy clamp(ceil(1e8 / tokens), 200, 1000), gensim clamp(ceil(50000 / units), 5, 50)", "choices": ("auto",), "at_least": 1, "at_most": MAX_SWEEPS})
    iterations: Literal["auto"] | int = field(default="auto", metadata={"help": "LDA variational iterations per unit (gensim backend only); auto by corpus size: clamp(ceil(400000 / units), 50, 400)", "choices": ("auto",), "at_least": 1, "at_most": MAX_SWEEPS})
    lda_backend: str = field(default="tomotopy", metadata={"help": "LDA engine: 'tomotopy' (collapsed Gibbs sampling in C++, one worker per fit) or 'gensim' (online variational Bayes)", "choices": LDA_BACKENDS})
    lda_alpha: str = field(default="symmetric", metadata={"help": "LDA / seeded LDA document-topic prior: 'symmetric', 'asymmetric' or 'auto' (learned, deterministic)", "choices": LDA_ALPHAS})
    nmf_max_iter: int = field(default=500, metadata={"help": "maximum NMF iterations", "at_least": 1, "at_most": MAX_SWEEPS})
    theme_threshold: float = field(default=0.25, metadata={"help": "topic models: a doc carries a theme when the topics serving it hold at least this share", "at_least": 0, "at_most": 1})
    map_min_weight: float = field(default=0.01, metadata={"help": "LDA/NMF: minimum share of a topic's term weight on a theme's vocabulary (indicator tokens and their content stems) to map it to the theme", "at_least": 0, "at_most": 1})
    map_min_lift: float = field(default=1.5, metadata={"help": "LDA/NMF: minimum lift (topic's share on the theme's vocabulary / mean share over topics) to map it to the theme; 1.5 = clearly above the average topic", "at_least": 0, "at_most": MAX_TOPICS})
    aggregation: str = field(default="mean", metadata={"help": "units -> document: 'mean' or 'max' of the units' topic shares, or 'vote': the share of a document's units whose most likely topic it is (seeded sequential LDA classifies sentences so, Watanabe & Baturo 2023)", "choices": AGGREGATIONS})
    n_free_topics: int = field(default=10, metadata={"help": "seeded LDA: topics besides one per theme, absorbing the subjects that frame nothing (trade statistics, travel, ceremonies); the more there are, the fewer such words the seeded topics take in. Each topic adds to the Gibbs sampler's time. Fixed a priori, not tuned on coded labels: as many as the largest number of subjects the label-free K grid of LDA and NMF allows a corpus (k_grid's default maximum, 10). Measured comparisons on documents that did not choose them: benchmarks/RESULTS.md", "at_least": 0, "at_most": MAX_TOPICS})
    seed_boost: float = field(default=1.0, metadata={"help": "seeded LDA: word prior of a theme's indicator tokens in the theme's own topic (tomotopy set_word_prior; the topic-word prior of other words is seeded_eta). Fixed a priori: one pseudo-count per seed word, 100 times seeded_eta", "above": 0, "at_most": MAX_PRIOR})
    seed_stem_share: float = field(default=0.5, metadata={"help": "seeded LDA: word prior of the content-word stems of a theme's indicator phrases, as a share of seed_boost. Fixed a priori: half a seed, as a stem alone is weaker evidence than the phrase", "at_least": 0, "at_most": 1})
    seed_background: float = field(default=0.01, metadata={"help": "seeded LDA: word prior of a theme's seed words in every other topic (small: the seed words stay with their theme). Fixed a priori: seeded_eta's value", "above": 0, "at_most": MAX_PRIOR})
    seeded_alpha: float = field(default=0.1, metadata={"help": "seeded LDA: symmetric document-topic prior (small: a sentence carries few topics). Fixed a priori: tomotopy's LDA default", "above": 0, "at_most": MAX_PRIOR})
    seeded_eta: float = field(default=0.01, metadata={"help": "seeded LDA: topic-word prior of the words that are not seeds. Fixed a priori: tomotopy's LDA default", "above": 0, "at_most": MAX_PRIOR})
    seeded_iterations: Literal["auto"] | int = field(default="auto", metadata={"help": "seeded LDA: Gibbs sweeps per chain; auto by corpus size: clamp(ceil(1e8 / tokens), 200, 300)", "choices": ("auto",), "at_least": 1, "at_most": MAX_SWEEPS})
    seeded_chains: Literal["auto"] | int = field(default="auto", metadata={"help": "seeded LDA: Gibbs chains (seeds) whose topic shares are averaged, run in parallel (n_jobs, as far as seeded_memory_mb allows); one chain on a small corpus is noisy; auto by corpus size: clamp(floor(5e8 / (tokens x sweeps)), 2, 5)", "choices": ("auto",), "at_least": 1, "at_most": 100})
    seeded_memory_mb: int = field(default=3000, metadata={"help": "seeded LDA: memory (MB) its chains running at once may take together, by an estimate from the units, tokens and topics (models.scaling.seeded_chain_memory_mb, about 2 GB a chain at 100,000 documents); chains beyond it wait, so a large corpus runs them one after another. The topic shares do not depend on it", "at_least": 1, "at_most": 1_048_576})
    dictionary_threshold: int = field(default=1, metadata={"help": "dictionary coder: distinct indicator phrases needed for a theme", "at_least": 1, "at_most": 1000})
    dictionary_score: str = field(default="count", metadata={"help": "dictionary coder score: 'count' of distinct indicators or 'per_100_words'", "choices": DICTIONARY_SCORES})
    dictionary_match: str = field(default="exact", metadata={"help": "dictionary coder: an indicator is found as the 'exact' phrase (with inflections), or with 'stems' also when all content stems of the phrase occur in one unit (fixed a priori: the phrases as the codebook writes them, which is what its coders look for; measured comparison: benchmarks/RESULTS.md); either way the unit-level stem scores feed the supervised and ensemble coders", "choices": DICTIONARY_MATCHES})
    supervised_c: float = field(default=1.0, metadata={"help": "supervised coder: inverse regularisation strength C", "above": 0, "at_most": 1_000_000})
    supervised_folds: int = field(default=5, metadata={"help": "supervised coder: cross-validation folds", "at_least": 2, "at_most": MAX_FOLDS})
    supervised_threshold: Literal["cv"] | float = field(default="cv", metadata={"help": "supervised and ensemble coders: probability at which a theme is present, or 'cv': the F1-best threshold of an inner CV on each training fold", "at_least": 0, "at_most": 1})
    supervised_ngrams: int = field(default=2, metadata={"help": "supervised and ensemble coders: word n-grams up to this length (2: words and word pairs), besides the dictionary hits. Fixed a priori: unigrams and bigrams, the standard baseline of text classification (Wang & Manning 2012)", "at_least": 1, "at_most": 3})
    coder_topics: str = field(default="nmf", metadata={"help": "supervised and ensemble coders: the topic model (fitted in the same run, without labels) whose document shares they read beside words and dictionary hits, or 'none'. Fixed a priori: a document's topic proportions are classic classifier features (Blei, Ng & Jordan 2003, sec. 7.2), and NMF's (nndsvd start) do not move with the seed, so the coders' features depend on the corpus alone. It was first picked on the sample's labels; benchmarks/coder_topic_features.py measures the choice on documents that did not make it (benchmarks/RESULTS.md)", "choices": CODER_TOPIC_SOURCES})
    learning_sizes: tuple[int, ...] = field(default=(10, 20, 40, 80, 160, 320, 640), metadata={"help": "learning curve: numbers of documents the supervised and ensemble coders are trained on in each outer fold of the run (nested random subsamples of the fold's training part, scored on the fold's test documents; a size is tried when it is smaller than every fold's training part; the whole training part, the run's cross-validated score, is always the last point)", "at_least": 4, "min_items": 1, "at_most": MAX_COUNT, "max_items": 50})
    learning_repeats: int = field(default=5, metadata={"help": "learning curve: seeded repeats, each a random order of every outer fold's training part whose first n documents train size n (the interval is taken over them)", "at_least": 1, "at_most": 1000})
    learning_max_scored: int = field(default=2000, metadata={"help": "learning curve: each size and repeat is scored on at most this many coded documents (each in its outer fold's test part), one seeded random sample for every size and repeat (all when fewer; the table's n_scored says how many; the last point is the run's cross-validated score on all), so the cost of scoring stops growing with the coding", "at_least": 1, "at_most": MAX_COUNT})
    coherence_max_units: int = field(default=20_000, metadata={"help": "coherence (c_npmi, c_v) is counted on at most this many units, evenly spaced over a larger corpus", "at_least": 1, "at_most": 10 * MAX_COUNT})
    top_n: int = field(default=10, metadata={"help": "top terms reported per topic", "at_least": 1, "at_most": 1000})
    n_jobs: int = field(default=-1, metadata={"help": "parallel jobs of text processing, the K grid search, the seeded LDA's chains and the learning coders' themes (results identical to serial; -1: every core, 1: serial)", "at_least": -MAX_JOBS, "at_most": MAX_JOBS, "excluded": (0,)})
