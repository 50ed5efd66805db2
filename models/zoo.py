"""The model zoo: fit the chosen models on one processed corpus and stack their tables."""
from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from joblib import effective_n_jobs
from tqdm import tqdm

from hkasean import contract
from hkasean.corpus.errors import InputError
from hkasean.models.base import DOC_THEME_COLUMNS, DOC_TOPIC_COLUMNS, EVIDENCE_COLUMNS, TOP_TERM_COLUMNS, TOPIC_COLUMNS, ZooModel
from hkasean.models.codebook import Codebook
from hkasean.models.coder_features import CoderCorpus
from hkasean.models.scaling import grid_seeds
from hkasean.models.selection import select_n_topics
from hkasean.models.settings import ESTIMATORS, MODEL_NAMES, ModelSettings, estimator_arguments
from hkasean.models.processed_corpus import ProcessedCorpus

logger = logging.getLogger(__name__)

K_SEARCH_MODELS = ("lda", "nmf")
"""Models whose number of topics is chosen over ``ModelSettings.k_grid``."""
UNIT_MODELS = ("seeded_lda", "dictionary", "supervised", "ensemble")
"""Models fitted on the corpus processed in ``ModelSettings.coder_unit`` units (sentences), when the run gives one."""
LABEL_MODELS = ("supervised", "ensemble")
"""Models that cannot be fitted without labels."""


@dataclass
class ModelRun:
    """The fitted models and their stacked tables (columns as in ``models.base``).

    ``selection``: the K grid (contract ``k_selection``: ``models.selection.SELECTION_COLUMNS`` plus ``reason``, the
    chosen-K explanation, repeated on every row of the model). ``resolved``: the values the run used
    for settings chosen by rule (``models.scaling``): the K grid's seeds, the parallel jobs, and per
    model its ``passes``, ``iterations``, ``chains`` and ``chains_at_once`` (for the manifest). ``coder_topic_shares``: the topic shares
    the learning coders read (``models.coder_topics``; None when they read none), for the learning curve.
    """

    topics: pd.DataFrame
    doc_themes: pd.DataFrame
    doc_topics: pd.DataFrame
    top_terms: pd.DataFrame
    evidence: pd.DataFrame
    selection: pd.DataFrame
    models: dict[str, ZooModel]
    resolved: dict[str, Any] = field(default_factory=dict)
    coder_topic_shares: pd.DataFrame | None = None


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


def build_model(name: str, settings: ModelSettings, random_state: int | None = None) -> ZooModel:
    """The unfitted model ``name`` (one of ``MODEL_NAMES``) with its parameters from ``settings``.

    Every setting that declares it sets a parameter of the model (``models.settings.model_setting``) is passed to it,
    and ``random_state`` when the model takes one; LDA and NMF keep their default ``n_topics`` until the K search sets
    it. With ``ModelSettings()`` every parameter equals the constructor's default (the settings read them).
    """
    _check_models((name,))
    estimator = ESTIMATORS[name]
    arguments = estimator_arguments(name, settings)
    if "random_state" in inspect.signature(estimator).parameters:
        arguments["random_state"] = random_state
    return estimator(**arguments)


def fit_models(
    processed: ProcessedCorpus,
    codebook: Codebook,
    settings: ModelSettings | None = None,
    labels: pd.DataFrame | None = None,
    random_state: int | None = None,
    progress: bool = True,
    units: ProcessedCorpus | None = None,
) -> ModelRun:
    """Fit every model of ``settings.models`` (LDA and NMF with K chosen over the grid).

    ``labels``: index doc_id, one 0/1 column per theme (e.g. the gold coding); without it the
    supervised and ensemble coders are skipped with a warning, and the seeded LDA keeps its fixed
    threshold. ``units``: the same documents processed in ``settings.coder_unit`` units, for the
    ``UNIT_MODELS`` (default: ``processed``). The corpora must have been processed with this
    codebook (``InputError`` otherwise).
    """
    settings = settings or ModelSettings()
    _check_models(settings.models)
    units = units if units is not None else processed
    if any(list(corpus.theme_ids) != codebook.theme_ids or any(
        set(corpus.indicator_tokens[t.id]) != set(t.indicators) for t in codebook.themes
    ) for corpus in (processed, units)):
        raise InputError("the processed corpus was built with a different codebook; process it again", path=codebook.source)
    names = sorted((n for n in settings.models if not (n in LABEL_MODELS and labels is None)),
                   key=lambda n: n in LABEL_MODELS)  # the learning coders last: they read a topic model's shares
    if len(names) < len(settings.models):
        logger.warning("no labels given: the supervised and ensemble coders are skipped")
    selections = []
    fitted: dict[str, ZooModel] = {}
    seeds = grid_seeds(settings.seeds, random_state)
    topic_shares = None
    for name in tqdm(names, desc="models", disable=not progress):
        if name in fitted:  # a label model fitted together with the one before it
            continue
        if name in LABEL_MODELS:
            topic_shares = _coder_topic_shares(fitted, settings)
            fitted.update(_fit_label_models([n for n in names if n in LABEL_MODELS], settings, units, labels, random_state,
                                            topic_shares))
            continue
        model = build_model(name, settings, random_state)
        if name in K_SEARCH_MODELS:
            selection = select_n_topics(model, processed, feasible_k_grid(settings.k_grid, processed),
                                        list(seeds), settings.min_stability, settings.n_jobs, progress)
            logger.info("%s", selection.reason)
            selections.append(selection.table.assign(reason=selection.reason))
            fitted[name] = selection.model  # the grid's own fit: chosen K, first seed
            continue
        fitted[name] = model.fit(units if name in UNIT_MODELS else processed, labels)
    models = list(fitted.values())
    return ModelRun(
        topics=_concat([m.topics() for m in models], TOPIC_COLUMNS),
        doc_themes=_concat([m.doc_themes() for m in models], DOC_THEME_COLUMNS),
        doc_topics=_concat([m.doc_topics() for m in models], DOC_TOPIC_COLUMNS),
        top_terms=_concat([m.top_terms(settings.top_n) for m in models], TOP_TERM_COLUMNS),
        evidence=_concat([m.evidence() for m in models], EVIDENCE_COLUMNS),
        selection=_concat(selections, contract.K_SELECTION.column_list),
        models=fitted,
        resolved=_resolved_settings(fitted, seeds, settings.n_jobs),
        coder_topic_shares=topic_shares,
    )


def _coder_topic_shares(fitted: dict[str, ZooModel], settings: ModelSettings) -> pd.DataFrame | None:
    """The document shares (``doc_topics()``) of the topic model ``settings.coder_topics`` among the ``fitted`` models,
    which the learning coders read; None for ``none`` or (with a warning) when that model was not fitted."""
    source = settings.coder_topics
    if source == "none":
        return None
    if source not in fitted:
        logger.warning("models.coder_topics is %r but %s is not among the fitted models (models.models): the supervised "
                       "and ensemble coders read words and dictionary hits only", source, source)
        return None
    return fitted[source].doc_topics()


def _fit_label_models(names: list[str], settings: ModelSettings, units: ProcessedCorpus, labels: pd.DataFrame,
                      random_state: int, topic_shares: pd.DataFrame | None) -> dict[str, ZooModel]:
    """The learning coders ``names`` (supervised, ensemble), fitted through ``fit`` on ``units`` carrying the
    ``topic_shares`` they read. The ensemble learns its base supervised coder in the same pass, sharing every fold's
    fits: with both coders wanted, that base (built with the parameters ``build_model`` gives the supervised coder)
    is the run's supervised coder."""
    data = CoderCorpus(units, topic_shares)
    if "ensemble" not in names:
        return {name: build_model(name, settings, random_state).fit(data, labels) for name in names}
    ensemble = build_model("ensemble", settings, random_state).fit(data, labels)
    fitted = {"ensemble": ensemble, "supervised": ensemble.supervised_}
    return {name: fitted[name] for name in names}


def _resolved_settings(fitted: dict[str, ZooModel], seeds: tuple[int, ...], n_jobs: int) -> dict[str, Any]:
    """What the settings chosen by rule came to: K grid seeds and the seeds of the seeded LDA's chains (every seed
    derived from the master seed), parallel jobs, each model's passes, iterations, chains and chains run at once."""
    schedules = {name: {attribute.rstrip("_"): getattr(model, attribute)
                        for attribute in ("passes_", "iterations_", "chains_", "chains_at_once_")
                        if getattr(model, attribute, None) is not None} for name, model in fitted.items()}
    derived = {"k_grid_seeds": list(seeds)}
    derived.update({f"{name}_chain_seeds": list(model.chain_seeds_) for name, model in fitted.items()
                    if getattr(model, "chain_seeds_", None) is not None})
    return {"derived_seeds": derived, "n_jobs": effective_n_jobs(n_jobs),
            "models": {name: schedule for name, schedule in schedules.items() if schedule}}
