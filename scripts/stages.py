"""Compute and write functions of each pipeline stage: thin wiring around the library calls."""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from hkasean.analysis import agreement as agreement_lib
from hkasean.analysis import claims as claims_lib
from hkasean.analysis import correlation as correlation_lib
from hkasean.analysis import disagreements as disagreements_lib
from hkasean.analysis import mapping as mapping_lib
from hkasean.analysis import prevalence as prevalence_lib
from hkasean.analysis import reliability as reliability_lib
from hkasean.analysis import trade as trade_lib
from hkasean.analysis.figures import agreement as agreement_figures
from hkasean.analysis.figures import apply_style
from hkasean.analysis.figures import corpus as corpus_figures
from hkasean.analysis.figures import topics as topic_figures
from hkasean.analysis.figures import trade as trade_figures
from hkasean.analysis.report import ReportInput, write_report_files
from hkasean.models import tfidf as tfidf_lib
from hkasean.models.text import process_documents, remove_stale_cache
from hkasean.models.zoo import fit_models

if TYPE_CHECKING:
    from hkasean.scripts.output_folder import OutputFolder
    from hkasean.scripts.pipeline import RunContext

LOG = logging.getLogger(__name__)


def write_nothing(context: "RunContext", result: Any, folder: "OutputFolder") -> None:
    """For stages whose result only feeds later stages."""


# ---------------------------------------------------------------- corpus overview
def corpus_overview(doc_frame: pd.DataFrame) -> pd.DataFrame:
    """Documents per year, doc_type and source: ``year, doc_type, source, n_docs``."""
    return (
        doc_frame.groupby(["year", "doc_type", "source"], dropna=False)
        .size()
        .rename("n_docs")
        .reset_index()
        .sort_values(["year", "doc_type", "source"], kind="mergesort")
    )


def write_corpus(context: "RunContext", folder: "OutputFolder") -> None:
    """``tables/documents.csv``, ``tables/corpus_overview.csv`` and the documents-per-year figure."""
    apply_style()
    frame = context.inputs.doc_frame.copy()
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    folder.table(frame, "documents")
    folder.table(corpus_overview(context.inputs.doc_frame), "corpus_overview")
    corpus_figures.plot_documents_per_year(context.inputs.doc_frame, folder.figure_path("corpus_documents_per_year"))


# ---------------------------------------------------------------- process / tfidf
def compute_process(context: "RunContext") -> Any:
    """Tokens, stopwords and phrases of every document (``models.text``), streamed from the corpus.

    With a stage cache, the token file is kept in its ``processed/`` folder (the cached stage
    result points at it; older processed corpora there are removed); without, it is temporary.
    """
    folder = None if context.cache_dir is None else Path(context.cache_dir) / "processed"
    processed = process_documents(context.inputs.documents, context.inputs.codebook, context.config.text, cache_dir=folder)
    if folder is not None:
        remove_stale_cache(folder, keep=processed.fingerprint)
    return processed


def compute_tfidf(context: "RunContext") -> dict[str, pd.DataFrame]:
    """Distinctive terms per year and per doc_type, and yearly indicator-phrase frequencies."""
    processed = context.results["process"]
    frame = context.inputs.doc_frame
    return {
        "tfidf_terms_by_year": tfidf_lib.distinctive_terms(processed, frame, by="year"),
        "tfidf_terms_by_doc_type": tfidf_lib.distinctive_terms(processed, frame, by="doc_type"),
        "indicator_frequency": tfidf_lib.indicator_frequency(processed, frame, context.inputs.codebook),
    }


def write_tfidf(context: "RunContext", result: dict[str, pd.DataFrame], folder: "OutputFolder") -> None:
    for name, table in result.items():
        folder.table(table, name)


# ---------------------------------------------------------------- fit
def compute_fit(context: "RunContext") -> Any:
    """Every configured model fitted on the processed corpus (supervised coder on the standard coding)."""
    coding = context.inputs.coding
    labels = coding.standard() if coding is not None else None
    return fit_models(
        context.results["process"],
        context.inputs.codebook,
        context.config.models,
        labels=labels,
        random_state=context.config.seed,
        progress=context.progress,
    )


def _theme_sources(context: "RunContext") -> pd.DataFrame:
    """Model predictions plus the standard coding (source "gold" or "majority"), in the doc_themes shape."""
    frames = [context.results["fit"].doc_themes]
    coding = context.inputs.coding
    if coding is not None:
        frames.append(coding.as_doc_themes())  # the standard, labelled "gold" or "majority"
    return pd.concat(frames, ignore_index=True)


def write_fit(context: "RunContext", run: Any, folder: "OutputFolder") -> None:
    """Topic and theme tables, the fitted models (``models/<name>.joblib``, reload with ``<Model>.load``), figures."""
    for name, model in sorted(run.models.items()):
        model.save(folder.file("models") / f"{name}.joblib")
    folder.table(run.topics, "topics")
    folder.table(run.doc_themes, "doc_themes")
    folder.table(run.doc_topics, "doc_topics")
    folder.table(run.top_terms, "top_terms")
    folder.table(run.selection, "k_selection")
    if "supervised" in run.models:
        folder.table(run.models["supervised"].thresholds(), "supervised_thresholds")
    for model in sorted(run.top_terms["model"].unique()):
        if model in ("lda", "nmf", "seeded_lda"):
            topic_figures.plot_top_terms(run.top_terms, model, folder.figure_path(f"topics_{model}"))
    topic_figures.plot_theme_by_year(_theme_sources(context), context.inputs.doc_frame, folder.figure_path("themes_by_year"))
    if not run.selection.empty:
        topic_figures.plot_k_selection(run.selection, folder.figure_path("k_selection"))


# ---------------------------------------------------------------- evaluate
TOPIC_MODELS = ("lda", "nmf")
CV_MAP_SUFFIX = "+cv_map"


@dataclass
class EvaluationResult:
    """Reliability, cross-validated topic maps, agreement, prevalence agreement and disagreements."""

    reliability: pd.DataFrame
    agreement: pd.DataFrame
    topic_map: pd.DataFrame
    topic_map_full: pd.DataFrame
    prevalence_agreement: pd.DataFrame
    prevalence_agreement_summary: pd.DataFrame
    disagreements: pd.DataFrame
    standard: pd.DataFrame


def _as_cv_map(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its model names relabelled as their cross-validated-map variant (``lda`` -> ``lda+cv_map``)."""
    return frame.assign(model=frame["model"] + CV_MAP_SUFFIX)


def compute_evaluate(context: "RunContext") -> EvaluationResult:
    """Score every model against the standard coding, humans beside them.

    LDA and NMF appear twice: under their own name with the codebook-lexical topic map of the fit
    stage (no coding used at all), and as ``<model>+cv_map`` with a map and thresholds learned on
    training folds only. Supervised predictions are cross-validated (fold -1 rows are never scored).
    """
    coding = context.inputs.coding
    settings = context.config.validation
    seed = context.config.seed
    run = context.results["fit"]
    standard = coding.standard()
    boot = {"n_boot": settings.n_boot, "random_state": seed, "level": settings.level}
    coders = coding.independent_coders
    if len(coders) >= 2:
        reliability = reliability_lib.reliability_table(coding, **boot)
    else:
        LOG.warning("the coding has %s besides the standard: no human-human reliability (the ceiling) can be computed",
                    f"one coder ({coders[0]})" if coders else "no coder")
        reliability = pd.DataFrame(columns=reliability_lib.RELIABILITY_COLUMNS)
    topic_docs = run.doc_topics[run.doc_topics["model"].isin(TOPIC_MODELS)]
    predictions = [run.doc_themes]
    maps = full_map = pd.DataFrame()
    if not topic_docs.empty:
        mapped = mapping_lib.cross_validated_topic_map(
            topic_docs, standard, n_folds=settings.n_folds, random_state=seed,
            min_f1=settings.min_f1, thresholds=settings.thresholds,
        )
        predictions.append(_as_cv_map(mapped.predictions))
        maps, full_map = _as_cv_map(mapped.maps), _as_cv_map(mapped.full_map)
    predictions = pd.concat(predictions, ignore_index=True)
    tables = [agreement_lib.agreement_table(predictions, standard, **boot)]
    if coding.standard_name == "gold" and coders or len(coders) >= 2:  # else the "standard" is the lone coder itself
        tables.append(agreement_lib.human_agreement_rows(coding, **boot))
    agreement = pd.concat(tables, ignore_index=True)
    prevalence = agreement_lib.prevalence_agreement(predictions, standard, context.inputs.doc_frame)
    topic_evidence = run.evidence[run.evidence["model"].isin(TOPIC_MODELS)]
    evidence = pd.concat([run.evidence, _as_cv_map(topic_evidence)], ignore_index=True)
    disagreements = disagreements_lib.disagreement_table(
        predictions, standard, context.inputs.doc_frame, evidence=evidence, topic_maps=maps
    )
    return EvaluationResult(
        reliability=reliability,
        agreement=agreement,
        topic_map=maps,
        topic_map_full=full_map,
        prevalence_agreement=prevalence,
        prevalence_agreement_summary=agreement_lib.prevalence_agreement_summary(prevalence),
        disagreements=disagreements,
        standard=standard,
    )


def write_evaluate(context: "RunContext", result: EvaluationResult, folder: "OutputFolder") -> None:
    for name in ("reliability", "agreement", "disagreements", "prevalence_agreement", "prevalence_agreement_summary"):
        folder.table(getattr(result, name), name)
    folder.table(result.topic_map, "topic_theme_map")
    folder.table(result.topic_map_full, "topic_theme_map_full")
    agreement_figures.plot_f1_by_model(result.agreement, result.reliability, folder.figure_path("agreement_f1"))
    if not result.reliability.empty:
        agreement_figures.plot_reliability(result.reliability, folder.figure_path("reliability"))
    doc_topics = context.results["fit"].doc_topics
    for model in TOPIC_MODELS:
        if (doc_topics["model"] == model).any():
            agreement_figures.plot_topic_theme_alignment(
                doc_topics, result.standard, folder.figure_path(f"topic_theme_alignment_{model}"), model
            )


# ---------------------------------------------------------------- time series: prevalence, trade, correlation
@dataclass
class TimeSeriesResult:
    """Prevalence per period and source, the trade series, their correlations, and the dependence asymmetry."""

    prevalence: pd.DataFrame
    trade_series: pd.DataFrame
    correlation: pd.DataFrame
    asymmetry: pd.DataFrame


def compute_timeseries(context: "RunContext") -> TimeSeriesResult:
    """Theme prevalence by period for every source, the trade series, and the correlation family."""
    config = context.config
    prevalence = prevalence_lib.prevalence_table(
        _theme_sources(context), context.inputs.doc_frame, **_settings(config.prevalence), random_state=config.seed
    )
    trade_series = trade_lib.trade_series_for_correlation(context.inputs.trade, **_settings(config.trade))
    annual = prevalence[prevalence["period"].str.fullmatch(r"\d{4}")]
    if annual.empty:
        LOG.warning("prevalence is not annual (freq=%s): correlations with the annual trade series are not computed",
                    config.prevalence.freq)
    correlation = correlation_lib.correlation_table(
        annual, trade_series, **_settings(config.correlation), random_state=config.seed
    )
    return TimeSeriesResult(prevalence, trade_series, correlation, trade_lib.dependence_asymmetry(trade_series))


def write_timeseries(context: "RunContext", result: TimeSeriesResult, folder: "OutputFolder") -> None:
    folder.table(result.prevalence, "prevalence")
    folder.table(result.trade_series, "trade_series")
    folder.table(result.correlation, "correlation")
    folder.table(result.asymmetry, "trade_asymmetry")
    folder.table(context.inputs.trade, "trade")
    trade = context.inputs.trade
    hkd_per_usd = context.config.trade.hkd_per_usd
    trade_figures.plot_hk_asean_trade(trade, folder.figure_path("trade_hk_asean"), hkd_per_usd=hkd_per_usd)
    trade_figures.plot_export_dependence(trade, folder.figure_path("trade_export_dependence"))
    trade_figures.plot_import_dependence(trade, folder.figure_path("trade_import_dependence"))
    annual = result.prevalence[result.prevalence["period"].str.fullmatch(r"\d{4}")]
    coding = context.inputs.coding
    source = coding.standard_name if coding is not None else "dictionary"
    if not annual[annual["source"] == source].empty:
        trade_figures.plot_theme_share_vs_trade(annual, result.trade_series, folder.figure_path("theme_share_vs_trade"),
                                                source=source)


# ---------------------------------------------------------------- claims audit
def compute_claims(context: "RunContext") -> dict[str, pd.DataFrame]:
    """Numeric trade claims in the documents, and in the study poster, checked against the official figures."""
    settings = {**_settings(context.config.claims), "hkd_per_usd": context.config.trade.hkd_per_usd}
    claims = claims_lib.extract_claims(context.inputs.documents)
    return {
        "claims": claims_lib.audit_claims(claims, context.inputs.trade, **settings),
        "poster_claims": claims_lib.audit_poster_claims(context.inputs.trade, **settings),
    }


def write_claims(context: "RunContext", result: dict[str, pd.DataFrame], folder: "OutputFolder") -> None:
    for name, table in result.items():
        folder.table(table, name)


def _settings(settings: Any) -> dict[str, Any]:
    """A settings dataclass as keyword arguments (field names are the library functions' keywords)."""
    return dataclasses.asdict(settings)


# ---------------------------------------------------------------- report
def write_report(context: "RunContext", folder: "OutputFolder", manifest: dict[str, Any]) -> None:
    """report.html and report.md from the tables and figures just written (so they always agree)."""
    tables = {path.stem: pd.read_csv(path, keep_default_na=True) for path in sorted(folder.tables.glob("*.csv"))}
    figures = {path.stem: path for path in sorted(folder.figures.glob("*.png"))}
    write_report_files(
        ReportInput(manifest=manifest, tables=tables, figures=figures),
        folder.file("report.html"),
        folder.file("report.md"),
    )
