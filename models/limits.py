"""The values a model parameter may take, and the few defaults that helper functions share with the models.

The estimators build their ``_parameter_constraints`` from these bounds and choices, and the settings that
set no estimator parameter (``models.k_grid``, ``text.min_df`` ...) declare their ranges with them, so the
config and the models refuse the same values. This module imports nothing of the suite but
``hkasean.seeds``, so every model module and the config can import it.
"""
from __future__ import annotations

from hkasean.seeds import SEED_MODULUS

DEFAULT_N_TOPICS = 6
"""K of a topic model built outside a run (a run chooses K over ``ModelSettings.k_grid``)."""

COHERENCE_TOPN = 10
"""Terms per topic whose coherence is scored, and whose overlap across seeds measures stability."""

COHERENCE_MAX_UNITS = 20_000
"""Coherence is counted on at most this many units (an evenly spaced sample of a larger corpus): the default of
every model's ``coherence_max_units`` and of ``models.coherence.topic_coherence``."""

MAP_MIN_LIFT = 1.5
"""Default least lift of a topic on a theme's vocabulary to map it to the theme (LDA, NMF and
``models.theme_map.lexical_theme_map``): clearly above the average topic."""

LDA_ALPHAS = ("symmetric", "asymmetric", "auto")
"""The document-topic priors of LDA."""

LDA_BACKENDS = ("tomotopy", "gensim")
"""The engines that fit LDA (``models.lda``)."""

AGGREGATIONS = ("mean", "max", "vote")
"""How units' topic shares become a document's: their mean, their max, or the share of units whose most likely topic
each topic is."""

DICTIONARY_SCORES = ("count", "per_100_words")
"""The scores of the dictionary coder."""

DICTIONARY_MATCHES = ("exact", "stems")
"""How the dictionary coder finds an indicator: the phrase itself, or also all its content stems in one unit."""

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

MAX_CHAINS = 100
"""Most Gibbs chains of the seeded LDA (each is a whole fit; the automatic rule picks 2 to 5)."""

MAX_MEMORY_MB = 1_048_576
"""Largest memory budget (MB, 1 TB) of the seeded LDA's chains running at once."""

MAX_FOLDS = 100
"""Most cross-validation folds (a fold of 1% of the coded documents; every fold is a fit)."""

MAX_INVERSE_REGULARISATION = 1_000_000
"""Largest C of the learning coders' logistic regressions (beyond it the fit is unregularised in all but name)."""

MAX_NGRAMS = 3
"""Longest word n-grams the learning coders read (longer ones are too rare in a press release to generalise)."""

MAX_TERMS = 1000
"""Most terms a count of terms may name: top terms reported or scored per topic, distinct indicator phrases a theme
needs in the dictionary coder."""

MAX_COUNT = 1_000_000
"""Largest count of documents or units a size setting may name (the scale tests stop at 100,000
documents; a count beyond every corpus only hides a typo)."""

MAX_SAMPLED_UNITS = 10 * MAX_COUNT
"""Most units coherence may be counted on (``coherence_max_units``)."""

MAX_JOBS = 1024
"""Most parallel workers (``n_jobs``; joblib starts one process each), and the most negative value
(-1: every core, -2: all but one ...)."""
