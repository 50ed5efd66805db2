"""The model zoo: fit the chosen models on one processed corpus and stack their tables."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
from tqdm import tqdm

from hkasean.corpus.errors import InputError
from hkasean.models.base import DOC_THEME_COLUMNS, DOC_TOPIC_COLUMNS, EVIDENCE_COLUMNS, TOP_TERM_COLUMNS, TOPIC_COLUMNS, ZooModel
from hkasean.models.codebook import Codebook
from hkasean.models.dictionary_coder import DictionaryCoder
from hkasean.models.lda import LdaTopicModel
from hkasean.models.nmf import NmfTopicModel
from hkasean.models.seeded_lda import SeededLdaTopicModel
from hkasean.models.selection import SELECTION_COLUMNS, select_n_topics
from hkasean.models.supervised import SupervisedCoder
from hkasean.models.text import ProcessedCorpus

logger = logging.getLogger(__name__)

MODEL_NAMES = ("lda", "nmf", "seeded_lda", "dictionary", "supervised")


@dataclass
class ModelSettings:
    """Tunable parameters of the model zoo (config keys = field names)."""

    models: tuple[str, ...] = field(default=MODEL_NAMES, metadata={"help": "models to fit: any of lda, nmf, seeded_lda, dictionary, supervised"})
    k_grid: tuple[int, ...] = field(default=(4, 5, 6, 8, 10), metadata={"help": "numbers of topics tried for LDA and NMF"})
    seeds: tuple[int, ...] = field(default=(0, 1, 2), metadata={"help": "random seeds of the K grid (stability = agreement across them)"})
    min_stability: float = field(default=0.35, metadata={"help": "a K is eligible when its mean top-10 Jaccard stability across seeds is at least this"})
    passes: int = field(default=50, metadata={"help": "LDA / seeded LDA passes over the corpus (short releases: many passes until topics stop moving)"})
    iterations: int = field(default=400, metadata={"help": "LDA / seeded LDA variational iterations per unit"})
    lda_alpha: str = field(default="symmetric", metadata={"help": "LDA / seeded LDA document-topic prior: 'symmetric', 'asymmetric' or 'auto' (learned, deterministic)"})
    nmf_max_iter: int = field(default=500, metadata={"help": "maximum NMF iterations"})
    theme_threshold: float = field(default=0.25, metadata={"help": "topic models: a doc carries a theme when the topics serving it hold at least this share"})
    map_min_weight: float = field(default=0.01, metadata={"help": "LDA/NMF: minimum share of a topic's term weight on a theme's vocabulary (indicator tokens and their content stems) to map it to the theme"})
    map_min_lift: float = field(default=1.5, metadata={"help": "LDA/NMF: minimum lift (topic's share on the theme's vocabulary / mean share over topics) to map it to the theme; 1.5 = clearly above the average topic"})
    aggregation: str = field(default="mean", metadata={"help": "paragraph units -> document: 'mean' or 'max' of topic shares"})
    n_free_topics: int = field(default=1, metadata={"help": "seeded LDA: topics besides one per theme (one absorbs the non-framing talk; more let seeded topics go generic)"})
    seed_boost: float = field(default=20.0, metadata={"help": "seeded LDA: prior (eta pseudo-count) on a theme's indicator tokens in its topic; rare phrases need tens, not a few"})
    seed_stem_share: float = field(default=0.25, metadata={"help": "seeded LDA: prior on the content-word stems of a theme's indicator phrases, as a share of seed_boost"})
    seed_background: float = field(default=0.01, metadata={"help": "seeded LDA: prior on every other word in a seeded topic (small: keeps seeded topics sparse and on their theme)"})
    dictionary_threshold: int = field(default=1, metadata={"help": "dictionary coder: distinct indicator phrases needed for a theme"})
    dictionary_score: str = field(default="count", metadata={"help": "dictionary coder score: 'count' of distinct indicators or 'per_100_words'"})
    supervised_c: float = field(default=1.0, metadata={"help": "supervised coder: inverse regularisation strength C"})
    supervised_folds: int = field(default=5, metadata={"help": "supervised coder: cross-validation folds"})
    supervised_threshold: Literal["cv"] | float = field(default=0.5, metadata={"help": "supervised coder: probability at which a theme is present, or 'cv': the F1-best threshold of an inner CV on each training fold (on the sample 'cv' raised recall but lowered precision and kappa, so 0.5 is the default)"})
    coherence_max_units: int = field(default=20_000, metadata={"help": "coherence (c_npmi, c_v) is counted on at most this many units, a seeded sample on larger corpora"})
    top_n: int = field(default=10, metadata={"help": "top terms reported per topic"})
    n_jobs: int = field(default=1, metadata={"help": "parallel jobs of the K grid search (results identical to serial)"})


@dataclass
class ModelRun:
    """The fitted models and their stacked tables (columns as in ``models.base``).

    ``selection``: the K grid (``models.selection.SELECTION_COLUMNS`` plus ``reason``, the
    chosen-K explanation, repeated on every row of the model).
    """

    topics: pd.DataFrame
    doc_themes: pd.DataFrame
    doc_topics: pd.DataFrame
    top_terms: pd.DataFrame
    evidence: pd.DataFrame
    selection: pd.DataFrame
    models: dict[str, ZooModel]


def _check_models(names: tuple[str, ...]) -> None:
    for name in names:
        if name not in MODEL_NAMES:
            raise InputError(f"unknown model {name!r}; expected any of {', '.join(MODEL_NAMES)}", where="model settings: models")


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def feasible_k_grid(k_grid: tuple[int, ...], processed: ProcessedCorpus) -> list[int]:
    """The K of ``k_grid`` a corpus this small can support: 2 <= K < units and K <= vocabulary.

    K values beyond that are dropped with a warning; ``InputError`` when none is left (too few
    documents or terms for any topic model: shrink ``models.k_grid`` or leave lda/nmf out of ``models.models``).
    """
    n_units, n_terms = len(processed), len(processed.dictionary())
    feasible = [k for k in k_grid if 2 <= k < n_units and k <= n_terms]
    if not feasible:
        raise InputError(
            f"the corpus is too small for topic models with K in {list(k_grid)}: {n_units} units and {n_terms} "
            "distinct terms after processing; use a larger corpus, smaller models.k_grid values, or leave lda and "
            "nmf out of models.models",
            where="models.k_grid",
        )
    if len(feasible) < len(k_grid):
        logger.warning("K %s dropped from the grid: this corpus has %d units and %d terms",
                       sorted(set(k_grid) - set(feasible)), n_units, n_terms)
    return feasible


def fit_models(
    processed: ProcessedCorpus,
    codebook: Codebook,
    settings: ModelSettings | None = None,
    labels: pd.DataFrame | None = None,
    random_state: int = 0,
    progress: bool = True,
) -> ModelRun:
    """Fit every model of ``settings.models`` (LDA and NMF with K chosen over the grid).

    ``labels``: index doc_id, one 0/1 column per theme (e.g. the gold coding); without it the
    supervised coder is skipped with a warning. The corpus must have been processed with this
    codebook (``InputError`` otherwise).
    """
    settings = settings or ModelSettings()
    _check_models(settings.models)
    if list(processed.theme_ids) != codebook.theme_ids or any(
        set(processed.indicator_tokens[t.id]) != set(t.indicators) for t in codebook.themes
    ):
        raise InputError("the processed corpus was built with a different codebook; process it again", path=codebook.source)
    names = [n for n in settings.models if not (n == "supervised" and labels is None)]
    if len(names) < len(settings.models):
        logger.warning("no labels given: the supervised coder is skipped")
    map_args = dict(map_min_weight=settings.map_min_weight, map_min_lift=settings.map_min_lift)
    topic_args = dict(theme_threshold=settings.theme_threshold, aggregation=settings.aggregation,
                      coherence_max_units=settings.coherence_max_units, random_state=random_state)
    selections = []
    fitted: dict[str, ZooModel] = {}
    for name in tqdm(names, desc="models", disable=not progress):
        if name in ("lda", "nmf"):
            prototype = (
                LdaTopicModel(passes=settings.passes, iterations=settings.iterations, alpha=settings.lda_alpha, **map_args, **topic_args)
                if name == "lda"
                else NmfTopicModel(max_iter=settings.nmf_max_iter, **map_args, **topic_args)
            )
            selection = select_n_topics(prototype, processed, feasible_k_grid(settings.k_grid, processed),
                                        list(settings.seeds), settings.min_stability, settings.n_jobs)
            logger.info("%s", selection.reason)
            selections.append(selection.table.assign(reason=selection.reason))
            model: ZooModel = prototype.set_params(n_topics=selection.chosen_k)
        elif name == "seeded_lda":
            model = SeededLdaTopicModel(n_free_topics=settings.n_free_topics, seed_boost=settings.seed_boost,
                                        stem_share=settings.seed_stem_share, seed_background=settings.seed_background,
                                        passes=settings.passes, iterations=settings.iterations, alpha=settings.lda_alpha, **topic_args)
        elif name == "dictionary":
            model = DictionaryCoder(threshold=settings.dictionary_threshold, score=settings.dictionary_score,
                                    coherence_max_units=settings.coherence_max_units)
        else:
            model = SupervisedCoder(C=settings.supervised_c, n_folds=settings.supervised_folds, threshold=settings.supervised_threshold,
                                    coherence_max_units=settings.coherence_max_units, random_state=random_state)
        fitted[name] = model.fit(processed, labels)
    models = list(fitted.values())
    return ModelRun(
        topics=_concat([m.topics() for m in models], TOPIC_COLUMNS),
        doc_themes=_concat([m.doc_themes() for m in models], DOC_THEME_COLUMNS),
        doc_topics=_concat([m.doc_topics() for m in models], DOC_TOPIC_COLUMNS),
        top_terms=_concat([m.top_terms(settings.top_n) for m in models], TOP_TERM_COLUMNS),
        evidence=_concat([m.evidence() for m in models], EVIDENCE_COLUMNS),
        selection=_concat(selections, SELECTION_COLUMNS + ["reason"]),
        models=fitted,
    )
