"""The ``models`` section of the run configuration: one field per setting, and which estimator parameters it sets.

A setting that sets a parameter of the models and coders (``LdaTopicModel``, ``NmfTopicModel``,
``SeededLdaTopicModel``, ``DictionaryCoder``, ``SupervisedCoder``, ``EnsembleCoder``) is declared by
``model_setting(help, (model, parameter), ...)``: it names every (model, parameter) it sets, and takes its default
from the estimator's signature and its allowed values from the estimator's ``_parameter_constraints``
(``models.parameters``), so neither is restated here; ``zoo.build_model`` passes it to exactly those parameters.
The other settings (the K grid, the learning curve, which models run ...) declare their own default and range.
The constructor parameters that are no setting of a run are listed in ``UNSET_PARAMETERS``.

The config file names such a setting by the parameter it sets: ``models.seeded_lda.alpha`` is
``SeededLdaTopicModel(alpha=...)`` (``parameter_key``; ``PARAMETER_SETTINGS`` maps each (model, parameter) back to
its field). The fields keep their flat names (``seeded_alpha``): the code reads them, the stage cache keys hold them
and the config file still accepts them as the older spelling (``scripts.model_keys``).
"""
from __future__ import annotations

from dataclasses import Field, dataclass, field, fields
from typing import Any, Literal

from hkasean.models.base import ZooModel
from hkasean.models.dictionary_coder import DictionaryCoder
from hkasean.models.ensemble import EnsembleCoder
from hkasean.models.lda import LdaTopicModel
from hkasean.models.limits import MAX_COUNT, MAX_TERMS, MAX_TOPICS, SEED_RANGE
from hkasean.models.nmf import NmfTopicModel
from hkasean.models.parameters import constraint_metadata, parameter_default
from hkasean.models.seeded_lda import SeededLdaTopicModel
from hkasean.models.supervised import SupervisedCoder

ESTIMATORS: dict[str, type[ZooModel]] = {
    "lda": LdaTopicModel,
    "nmf": NmfTopicModel,
    "seeded_lda": SeededLdaTopicModel,
    "dictionary": DictionaryCoder,
    "supervised": SupervisedCoder,
    "ensemble": EnsembleCoder,
}
"""The estimator of each model of the zoo, in the order they are fitted."""

MODEL_NAMES = tuple(ESTIMATORS)
"""The models of the zoo, in the order they are fitted."""

UNSET_PARAMETERS = {
    "name": "the model's name in the tables: fixed by the zoo",
    "n_topics": "K of LDA and NMF: chosen over models.k_grid by the K search",
    "random_state": "derived from the run's master seed",
    "batch_size": "documents the learning coders score at a time: memory, not results",
    "coherence_topn": "terms per topic whose coherence and stability are scored: fixed (models.limits.COHERENCE_TOPN)",
}
"""Constructor parameters that no setting sets, and why."""

CODER_UNITS = ("sentence", "paragraph")
"""Units the seeded LDA is fitted on and the dictionary coder scores (text processing's ``unit`` for them)."""

CODER_TOPIC_SOURCES = ("nmf", "lda", "none")
"""Topic models whose document shares the supervised and ensemble coders may read (``none``: words and hits only)."""


def model_setting(help_text: str, *targets: tuple[str, str]) -> Any:
    """A ``ModelSettings`` field that sets the parameter of each (model, parameter) of ``targets``: metadata ``help``,
    ``sets`` (the targets) and the allowed values of the first target's ``_parameter_constraints``
    (``constraint_metadata``); default the first target's default (a test checks that all targets agree)."""
    model, parameter = targets[0]
    estimator = ESTIMATORS[model]
    metadata = {"help": help_text, "sets": targets, **constraint_metadata(estimator._parameter_constraints[parameter])}
    return field(default=parameter_default(estimator, parameter), metadata=metadata)


def estimator_arguments(model: str, settings: ModelSettings) -> dict[str, Any]:
    """The constructor arguments of ``model`` that ``settings`` sets: parameter -> the value of the setting that
    declares it sets it."""
    return {parameter: getattr(settings, name)
            for (target, parameter), name in PARAMETER_SETTINGS.items() if target == model}


def parameter_key(spec: Field) -> tuple[str, str] | None:
    """The (model, parameter) under which the config file writes the setting ``spec``: ``models.<model>.<parameter>``
    (its first target); None for a general key of ``models``: a setting of no parameter, or one that sets the
    parameter of its own name in several models (``theme_threshold``, ``n_jobs``)."""
    targets = spec.metadata.get("sets", ())
    if not targets or (len(targets) > 1 and all(parameter == spec.name for _, parameter in targets)):
        return None
    return targets[0]


@dataclass
class ModelSettings:
    """Tunable parameters of the model zoo (the config file's keys: module docstring)."""

    models: tuple[str, ...] = field(default=MODEL_NAMES, metadata={"help": "models to fit: any of lda, nmf, seeded_lda, dictionary, supervised, ensemble", "choices": MODEL_NAMES, "min_items": 1, "max_items": len(MODEL_NAMES)})
    coder_unit: str = field(default="sentence", metadata={"help": "units the seeded LDA is fitted on and the dictionary, supervised and ensemble coders read: 'sentence' or 'paragraph' (a unit short enough to carry one frame). Fixed a priori: seeded LDA classifies sentences in Watanabe & Baturo (2023), and a frame is a claim a sentence makes. Measured comparisons on documents that did not choose them: benchmarks/RESULTS.md", "choices": CODER_UNITS})
    k_grid: tuple[int, ...] = field(default=(4, 5, 6, 8, 10), metadata={"help": "numbers of topics tried for LDA and NMF", "at_least": 2, "min_items": 1, "at_most": MAX_TOPICS, "max_items": 50})
    seeds: Literal["auto"] | tuple[int, ...] = field(default="auto", metadata={"help": "random seeds of the K grid (stability = agreement across them; the reported model is the chosen K's fit with the first seed); auto: 3 seeds from the master seed: seed, seed+1, seed+2", "choices": ("auto",), **SEED_RANGE, "min_items": 1, "max_items": 100})
    min_stability: float = field(default=0.35, metadata={"help": "a K is eligible when its mean top-10 Jaccard stability across seeds is at least this", "at_least": 0, "at_most": 1})
    passes: Literal["auto"] | int = model_setting("LDA passes over the corpus (tomotopy: Gibbs sweeps); auto by corpus size: tomotopy clamp(ceil(1e8 / tokens), 200, 1000), gensim clamp(ceil(50000 / units), 5, 50)", ("lda", "passes"))
    iterations: Literal["auto"] | int = model_setting("LDA variational iterations per unit (gensim backend only); auto by corpus size: clamp(ceil(400000 / units), 50, 400)", ("lda", "iterations"))
    lda_backend: str = model_setting("LDA engine: 'tomotopy' (collapsed Gibbs sampling in C++, one worker per fit) or 'gensim' (online variational Bayes)", ("lda", "backend"))
    lda_alpha: str = model_setting("LDA document-topic prior: 'symmetric', 'asymmetric' or 'auto' (learned, deterministic)", ("lda", "alpha"))
    nmf_max_iter: int = model_setting("maximum NMF iterations", ("nmf", "max_iter"))
    theme_threshold: float = model_setting("topic models: a doc carries a theme when the topics serving it hold at least this share", ("lda", "theme_threshold"), ("nmf", "theme_threshold"), ("seeded_lda", "theme_threshold"))
    map_min_weight: float = model_setting("LDA/NMF: minimum share of a topic's term weight on a theme's vocabulary (indicator tokens and their content stems) to map it to the theme", ("lda", "map_min_weight"), ("nmf", "map_min_weight"))
    map_min_lift: float = model_setting("LDA/NMF: minimum lift (topic's share on the theme's vocabulary / mean share over topics) to map it to the theme; 1.5 = clearly above the average topic", ("lda", "map_min_lift"), ("nmf", "map_min_lift"))
    aggregation: str = model_setting("units -> document: 'mean' or 'max' of the units' topic shares, or 'vote': the share of a document's units whose most likely topic it is (seeded sequential LDA classifies sentences so, Watanabe & Baturo 2023)", ("lda", "aggregation"), ("nmf", "aggregation"), ("seeded_lda", "aggregation"))
    n_free_topics: int = model_setting("seeded LDA: topics besides one per theme, absorbing the subjects that frame nothing (trade statistics, travel, ceremonies); the more there are, the fewer such words the seeded topics take in. Each topic adds to the Gibbs sampler's time. Fixed a priori, not tuned on coded labels: as many as the largest number of subjects the label-free K grid of LDA and NMF allows a corpus (k_grid's default maximum, 10). Measured comparisons on documents that did not choose them: benchmarks/RESULTS.md", ("seeded_lda", "n_free_topics"))
    seed_boost: float = model_setting("seeded LDA: word prior of a theme's indicator tokens in the theme's own topic (tomotopy set_word_prior; the topic-word prior of other words is eta). Fixed a priori: one pseudo-count per seed word, 100 times eta", ("seeded_lda", "seed_boost"))
    seed_stem_share: float = model_setting("seeded LDA: word prior of the content-word stems of a theme's indicator phrases, as a share of seed_boost. Fixed a priori: half a seed, as a stem alone is weaker evidence than the phrase", ("seeded_lda", "stem_share"))
    seed_background: float = model_setting("seeded LDA: word prior of a theme's seed words in every other topic (small: the seed words stay with their theme). Fixed a priori: eta's value", ("seeded_lda", "seed_background"))
    seeded_alpha: float = model_setting("seeded LDA: symmetric document-topic prior (small: a sentence carries few topics). Fixed a priori: tomotopy's LDA default", ("seeded_lda", "alpha"))
    seeded_eta: float = model_setting("seeded LDA: topic-word prior of the words that are not seeds. Fixed a priori: tomotopy's LDA default", ("seeded_lda", "eta"))
    seeded_iterations: Literal["auto"] | int = model_setting("seeded LDA: Gibbs sweeps per chain; auto by corpus size: clamp(ceil(1e8 / tokens), 200, 300)", ("seeded_lda", "iterations"))
    seeded_chains: Literal["auto"] | int = model_setting("seeded LDA: Gibbs chains (seeds) whose topic shares are averaged, run in parallel (n_jobs, as far as memory_mb allows); one chain on a small corpus is noisy; auto by corpus size: clamp(floor(5e8 / (tokens x sweeps)), 2, 5)", ("seeded_lda", "n_chains"))
    seeded_memory_mb: int = model_setting("seeded LDA: memory (MB) its chains running at once may take together, by an estimate from the units, tokens and topics (models.scaling.seeded_chain_memory_mb, about 2 GB a chain at 100,000 documents); chains beyond it wait, so a large corpus runs them one after another. The topic shares do not depend on it", ("seeded_lda", "memory_mb"))
    dictionary_threshold: int = model_setting("dictionary coder: distinct indicator phrases needed for a theme", ("dictionary", "min_indicators"))
    dictionary_score: str = model_setting("dictionary coder score: 'count' of distinct indicators or 'per_100_words'", ("dictionary", "score"))
    dictionary_match: str = model_setting("dictionary coder: an indicator is found as the 'exact' phrase (with inflections), or with 'stems' also when all content stems of the phrase occur in one unit (fixed a priori: the phrases as the codebook writes them, which is what its coders look for; measured comparison: benchmarks/RESULTS.md); either way the unit-level stem scores feed the supervised and ensemble coders", ("dictionary", "match"))
    supervised_c: float = model_setting("supervised coder: inverse regularisation strength C", ("supervised", "C"), ("ensemble", "C"))
    supervised_folds: int = model_setting("supervised and ensemble coders, and the seeded LDA's learned threshold: cross-validation folds", ("supervised", "n_folds"), ("ensemble", "n_folds"), ("seeded_lda", "n_folds"))
    supervised_threshold: Literal["cv"] | float = model_setting("supervised and ensemble coders: probability at which a theme is present, or 'cv': the F1-best threshold of an inner CV on each training fold", ("supervised", "threshold"), ("ensemble", "threshold"))
    supervised_ngrams: int = model_setting("supervised and ensemble coders: word n-grams up to this length (2: words and word pairs), besides the dictionary hits. Fixed a priori: unigrams and bigrams, the standard baseline of text classification (Wang & Manning 2012)", ("supervised", "ngrams"), ("ensemble", "ngrams"))
    coder_topics: str = field(default="nmf", metadata={"help": "supervised and ensemble coders: the topic model (fitted in the same run, without labels) whose document shares they read beside words and dictionary hits, or 'none'. Fixed a priori: a document's topic proportions are classic classifier features (Blei, Ng & Jordan 2003, sec. 7.2), and NMF's (nndsvd start) do not move with the seed, so the coders' features depend on the corpus alone. It was first picked on the sample's labels; benchmarks/coder_topic_features.py measures the choice on documents that did not make it (benchmarks/RESULTS.md)", "choices": CODER_TOPIC_SOURCES})
    learning_sizes: tuple[int, ...] = field(default=(10, 20, 40, 80, 160, 320, 640), metadata={"help": "learning curve: numbers of documents the supervised and ensemble coders are trained on in each outer fold of the run (nested random subsamples of the fold's training part, scored on the fold's test documents; a size is tried when it is smaller than every fold's training part; the whole training part, the run's cross-validated score, is always the last point)", "at_least": 4, "min_items": 1, "at_most": MAX_COUNT, "max_items": 50})
    learning_repeats: int = field(default=5, metadata={"help": "learning curve: seeded repeats, each a random order of every outer fold's training part whose first n documents train size n (the interval is taken over them)", "at_least": 1, "at_most": 1000})
    learning_max_scored: int = field(default=2000, metadata={"help": "learning curve: each size and repeat is scored on at most this many coded documents (each in its outer fold's test part), one seeded random sample for every size and repeat (all when fewer; the table's n_scored says how many; the last point is the run's cross-validated score on all), so the cost of scoring stops growing with the coding", "at_least": 1, "at_most": MAX_COUNT})
    coherence_max_units: int = model_setting("coherence (c_npmi, c_v) is counted on at most this many units, evenly spaced over a larger corpus", ("lda", "coherence_max_units"), ("nmf", "coherence_max_units"), ("seeded_lda", "coherence_max_units"), ("dictionary", "coherence_max_units"), ("supervised", "coherence_max_units"), ("ensemble", "coherence_max_units"))
    top_n: int = field(default=10, metadata={"help": "top terms reported per topic", "at_least": 1, "at_most": MAX_TERMS})
    n_jobs: int = model_setting("parallel jobs of text processing, the K grid search, the seeded LDA's chains and the learning coders' themes (results identical to serial; -1: every core, 1: serial)", ("seeded_lda", "n_jobs"), ("supervised", "n_jobs"), ("ensemble", "n_jobs"))


PARAMETER_SETTINGS: dict[tuple[str, str], str] = {
    target: spec.name for spec in fields(ModelSettings) for target in spec.metadata.get("sets", ())}
"""(model, parameter) -> the ``ModelSettings`` field that sets it, from the declarations (a test checks that each
pair has one setting)."""
