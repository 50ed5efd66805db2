"""The run's recipe: each stage names the library call it makes and the tables and figures it outputs.

Stages only wire: what is computed and how it is judged lives in ``models`` and ``analysis``;
every table and figure name comes from ``hkasean.contract``.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from hkasean import contract
from hkasean.analysis import claim_extraction
from hkasean.analysis import claims as claims_lib
from hkasean.analysis import code_next as code_next_lib
from hkasean.analysis import corpus_summary
from hkasean.analysis import indicator_evidence
from hkasean.analysis.evaluation import EvaluationResult, evaluate_models, theme_sources
from hkasean.analysis.explorer import write_explorer
from hkasean.analysis.explorer_payload import ExplorerInput
from hkasean.analysis.explorer_topics import TopicTerms
from hkasean.analysis.figures import agreement as agreement_figures
from hkasean.analysis.figures import corpus as corpus_figures
from hkasean.analysis.figures import topics as topic_figures
from hkasean.analysis import headline as headline_lib
from hkasean.analysis.figures import headline as headline_figures
from hkasean.analysis.figures import trade as trade_figures
from hkasean.analysis.learning_curve import learning_curve_table
from hkasean.analysis.timeseries import TimeSeriesResult, analysis_trade_table, annual_rows, theme_trade_series
from hkasean.models import indicator_candidates
from hkasean.corpus.frame import CONTENT_HASH
from hkasean.models import tfidf as tfidf_lib
from hkasean.models.learning_curve import learning_curve_predictions
from hkasean.models.processed_corpus import ProcessedCorpus, remove_stale_cache
from hkasean.models.text import process_documents
from hkasean.models.text_settings import TextSettings
from hkasean.models.zoo import ModelRun, fit_models
from hkasean.scripts.run_context import RunContext, Stage, StageOutputs


# ---------------------------------------------------------------- corpus (always, never cached)
def corpus_outputs(context: RunContext) -> StageOutputs:
    """The documents table, documents per year / type / source, and the documents-per-year figure."""
    doc_frame = context.inputs.doc_frame
    return StageOutputs(
        tables={
            contract.DOCUMENTS.name: corpus_summary.documents_table(doc_frame),
            contract.CORPUS_OVERVIEW.name: corpus_summary.corpus_overview(doc_frame),
        },
        figures={contract.CORPUS_DOCUMENTS_PER_YEAR.name: lambda path: corpus_figures.plot_documents_per_year(doc_frame, path)},
    )


# ---------------------------------------------------------------- process / tfidf
def compute_process(context: RunContext) -> ProcessedCorpus:
    """Tokens, stopwords and phrases of every document (``models.text``), streamed from the corpus.

    With a stage cache, the token file is kept in its ``processed/`` folder (the cached stage
    result points at it; older processed corpora there are removed); without, it is temporary.
    """
    return _processed(context, context.config.text, "processed")


def compute_units(context: RunContext) -> ProcessedCorpus:
    """The same processing in ``models.coder_unit`` units (sentences) for the seeded LDA and the coders
    (the ``process`` result itself when the run's text unit is already that); cached in ``processed-units/``."""
    if context.config.text.unit == context.config.models.coder_unit:
        return context.results["process"]
    return _processed(context, dataclasses.replace(context.config.text, unit=context.config.models.coder_unit),
                      "processed-units")


def _processed(context: RunContext, settings: TextSettings, folder_name: str) -> ProcessedCorpus:
    folder = None if context.cache_dir is None else Path(context.cache_dir) / folder_name
    hashes = list(context.inputs.doc_frame[CONTENT_HASH])  # hashed once, when the inputs were loaded
    processed = process_documents(context.inputs.documents, context.inputs.codebook, settings,
                                  cache_dir=folder, content_hashes=hashes, n_jobs=context.config.models.n_jobs,
                                  progress=context.progress)
    if folder is not None:
        remove_stale_cache(folder, keep=processed.fingerprint)
    return processed


def no_outputs(context: RunContext, result: Any) -> StageOutputs:
    """For stages whose result only feeds later stages."""
    return StageOutputs()


def compute_tfidf(context: RunContext) -> dict[str, pd.DataFrame]:
    """Distinctive terms per year and per doc_type, and yearly indicator-phrase frequencies."""
    processed, frame = context.results["process"], context.inputs.doc_frame
    return {
        contract.TFIDF_TERMS_BY_YEAR.name: tfidf_lib.distinctive_terms(processed, frame, by="year"),
        contract.TFIDF_TERMS_BY_DOC_TYPE.name: tfidf_lib.distinctive_terms(processed, frame, by="doc_type"),
        contract.INDICATOR_FREQUENCY.name: tfidf_lib.indicator_frequency(processed, frame, context.inputs.codebook),
    }


def tables_only(context: RunContext, tables: dict[str, pd.DataFrame]) -> StageOutputs:
    """For stages whose result is already a dict of contract tables."""
    return StageOutputs(tables=dict(tables))


# ---------------------------------------------------------------- fit
def compute_fit(context: RunContext) -> ModelRun:
    """Every configured model fitted on the processed corpus (the seeded LDA and the coders on its units; the
    learning coders and the seeded LDA's threshold on the standard coding)."""
    coding = context.inputs.coding
    return fit_models(
        context.results["process"],
        context.inputs.codebook,
        context.config.models,
        labels=coding.standard() if coding is not None else None,
        random_state=context.config.seed,
        progress=context.progress,
        units=context.results["units"],
    )


def learned_thresholds(run: ModelRun) -> pd.DataFrame:
    """The decision thresholds of every fitted model that learns one from the coding (contract ``supervised_thresholds``)."""
    frames = [model.thresholds() for _, model in sorted(run.models.items()) if hasattr(model, "thresholds")]
    frames = [frame for frame in frames if not frame.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=contract.SUPERVISED_THRESHOLDS.column_list)


def fit_outputs(context: RunContext, run: ModelRun) -> StageOutputs:
    """Topic and theme tables, the fitted models (``models/<name>.joblib``, reload with ``<Model>.load``), figures."""
    outputs = StageOutputs(
        tables={
            contract.TOPICS.name: run.topics,
            contract.DOC_THEMES.name: run.doc_themes,
            contract.DOC_TOPICS.name: run.doc_topics,
            contract.TOP_TERMS.name: run.top_terms,
            contract.K_SELECTION.name: run.selection,
        },
        files={f"models/{name}.joblib": model.save for name, model in sorted(run.models.items())},
    )
    thresholds = learned_thresholds(run)
    if not thresholds.empty:
        outputs.tables[contract.SUPERVISED_THRESHOLDS.name] = thresholds
    served: dict[str, dict[str, str]] = {}
    if "seeded_lda" in run.models:
        seed_map = run.models["seeded_lda"].seed_topic_map()
        outputs.tables[contract.SEED_TOPIC_MAP.name] = seed_map
        served["seeded_lda"] = dict(zip(seed_map["topic"], seed_map["theme"].fillna("")))  # its panels name the theme
    for model in sorted(set(run.top_terms["model"]) & set(contract.TOP_TERMS_FIGURES)):
        outputs.figures[contract.TOP_TERMS_FIGURES[model].name] = lambda path, model=model: topic_figures.plot_top_terms(
            run.top_terms, model, path, served.get(model))
    sources = theme_sources(run.doc_themes, context.inputs.coding)
    outputs.figures[contract.THEMES_BY_YEAR.name] = lambda path: topic_figures.plot_theme_by_year(sources, context.inputs.doc_frame, path)
    if not run.selection.empty:
        outputs.figures[contract.K_SELECTION_FIGURE.name] = lambda path: topic_figures.plot_k_selection(run.selection, path)
    return outputs


# ---------------------------------------------------------------- evaluate
def compute_evaluate(context: RunContext) -> EvaluationResult:
    """Every model scored against the standard coding, humans beside them (``analysis.evaluation``)."""
    run = context.results["fit"]
    return evaluate_models(run.doc_themes, run.doc_topics, run.evidence, context.inputs.coding,
                           context.inputs.doc_frame, context.config.validation, context.config.seed,
                           thresholds=learned_thresholds(run))


def evaluate_outputs(context: RunContext, result: EvaluationResult) -> StageOutputs:
    """Reliability, agreement, maps, prevalence agreement, disagreements, what to code next (and its
    ``coding_template.csv`` when documents are uncoded) and their figures."""
    outputs = StageOutputs(tables=result.tables())
    if not result.code_next.empty:
        template = code_next_lib.coding_template(result.code_next, context.inputs.codebook.theme_ids)
        outputs.files[contract.CODING_TEMPLATE] = lambda path: code_next_lib.write_coding_template(template, path)
    outputs.figures[contract.AGREEMENT_F1.name] = lambda path: agreement_figures.plot_f1_by_model(result.agreement, result.reliability, path)
    if not result.reliability.empty:
        outputs.figures[contract.RELIABILITY_FIGURE.name] = lambda path: agreement_figures.plot_reliability(result.reliability, path)
    doc_topics = context.results["fit"].doc_topics
    for model in contract.TOPIC_MODELS:
        if (doc_topics["model"] == model).any():
            outputs.figures[contract.ALIGNMENT_FIGURES[model].name] = (
                lambda path, model=model: agreement_figures.plot_topic_theme_alignment(doc_topics, result.standard, path, model)
            )
    return outputs


# ---------------------------------------------------------------- learning curve
def compute_learning_curve(context: RunContext) -> pd.DataFrame:
    """Macro-F1 of the learning coders against the number of documents they were trained on, in the run's outer
    folds; the last point is the run's cross-validated predictions (``doc_themes``)."""
    standard = context.inputs.coding.standard()
    fit = context.results["fit"]
    curve = learning_curve_predictions(context.results["units"], standard, context.config.models, context.config.seed,
                                       fit.coder_topic_shares, cross_validated=fit.doc_themes)
    return learning_curve_table(curve, context.results["evaluate"].agreement, standard, context.config.validation.level)


def learning_curve_outputs(context: RunContext, table: pd.DataFrame) -> StageOutputs:
    """The learning-curve table and figure (none when no learning coder ran)."""
    outputs = StageOutputs(tables={contract.LEARNING_CURVE.name: table})
    if not table.empty:
        outputs.figures[contract.LEARNING_CURVE_FIGURE.name] = lambda path: agreement_figures.plot_learning_curve(table, path)
    return outputs


# ---------------------------------------------------------------- codebook suggestions
def compute_suggestions(context: RunContext) -> dict[str, pd.DataFrame]:
    """Candidate indicator terms found in the corpus (``models.indicator_candidates``), judged out of fold
    against the standard coding (``analysis.indicator_evidence``), and which candidate sources ran."""
    standard = context.inputs.coding.standard()
    found = indicator_candidates.find_candidates(context.results["process"], context.inputs.documents,
                                                 context.inputs.codebook, standard, context.config.suggestions,
                                                 random_state=context.config.seed)
    return {
        contract.INDICATOR_SUGGESTIONS.name: indicator_evidence.indicator_suggestions(
            found.candidates, found.folds, found.matches, found.caught, found.examples, standard),
        contract.INDICATOR_SOURCES.name: found.sources,
    }


# ---------------------------------------------------------------- time series: prevalence, trade, correlation
def compute_timeseries(context: RunContext) -> TimeSeriesResult:
    """Theme prevalence by period for every source, the trade series, and the correlation family."""
    config = context.config
    return theme_trade_series(
        theme_sources(context.results["fit"].doc_themes, context.inputs.coding), context.inputs.doc_frame,
        context.inputs.trade, config.prevalence, config.trade, config.correlation, config.seed,
    )


def timeseries_outputs(context: RunContext, result: TimeSeriesResult) -> StageOutputs:
    """Prevalence, trade, correlation and asymmetry tables; the poster's trade figures and theme share beside trade."""
    trade = result.trade
    hkd_per_usd = context.config.trade.hkd_per_usd
    outputs = StageOutputs(tables=result.tables())
    outputs.figures.update({
        contract.TRADE_HK_ASEAN.name: lambda path: trade_figures.plot_hk_asean_trade(trade, path, hkd_per_usd=hkd_per_usd),
        contract.TRADE_EXPORT_DEPENDENCE.name: lambda path: trade_figures.plot_export_dependence(trade, path),
        contract.TRADE_IMPORT_DEPENDENCE.name: lambda path: trade_figures.plot_import_dependence(trade, path),
    })
    if not result.member_asymmetry.empty:
        outputs.figures[contract.TRADE_MEMBER_ASYMMETRY.name] = lambda path: trade_figures.plot_member_asymmetry(
            result.member_asymmetry, path)
    story = headline_lib.headline(
        result.prevalence, result.tables()[contract.TRADE_SERIES.name], result.trade_asymmetry,
        {"yearly": result.correlation, "monthly": result.monthly_correlation},
        headline_lib.headline_source(set(result.prevalence["source"])))
    if not story.shares.empty:
        outputs.figures[contract.HEADLINE.name] = lambda path: headline_figures.plot_headline(story, path)
    annual = annual_rows(result.prevalence)
    coding = context.inputs.coding
    source = coding.standard_name if coding is not None else "dictionary"
    if not annual[annual["source"] == source].empty:
        outputs.figures[contract.THEME_SHARE_VS_TRADE.name] = lambda path: trade_figures.plot_theme_share_vs_trade(
            annual, result.trade_series, path, source=source)
    return outputs


# ---------------------------------------------------------------- claims audit
def compute_claims(context: RunContext) -> dict[str, pd.DataFrame]:
    """Numeric trade claims in the documents, and in the study poster, checked against independent figures
    (the trade CSV plus, with ``trade.official``, the bundled official tabulations)."""
    settings = {**dataclasses.asdict(context.config.claims), "hkd_per_usd": context.config.trade.hkd_per_usd}
    claims = claim_extraction.extract_claims(context.inputs.documents)
    trade = analysis_trade_table(context.inputs.trade, context.config.trade)
    return {
        contract.CLAIMS.name: claims_lib.audit_claims(claims, trade, **settings),
        contract.POSTER_CLAIMS.name: claims_lib.audit_poster_claims(trade, **settings),
    }


# ---------------------------------------------------------------- the explorer (explore.html)
EXPLORER_TITLE = "Explore: Hong Kong government narratives about ASEAN"


def topic_terms(run: ModelRun | None) -> list[TopicTerms]:
    """The topic-term distributions of every fitted topic model (LDA, NMF, seeded LDA), as the fit left them:
    ``components_`` (K x V, rows p(term | topic)), its vocabulary in readable surface forms, topic ids as in ``topics``."""
    if run is None:
        return []
    found = []
    for name, model in run.models.items():
        weights = getattr(model, "components_", None)
        if weights is None or not hasattr(model, "vocabulary_") or not hasattr(model, "topic_labels_"):
            continue
        forms = getattr(model, "surface_forms_", {})
        found.append(TopicTerms(model=name, topics=list(model.topic_labels_),
                                terms=[forms.get(token, token) for token in model.vocabulary_], weights=weights))
    order = list(contract.TOP_TERM_FIGURE_MODELS)
    return sorted(found, key=lambda t: (order.index(t.model) if t.model in order else len(order), t.model))


def explorer_input(context: RunContext, tables: dict[str, pd.DataFrame]) -> ExplorerInput:
    """What ``explore.html`` is built from: the run's tables, the documents' texts (streamed), the codebook's
    indicator phrases, the standard coding, the topic models' term weights and the evidence of every decision."""
    inputs = context.inputs
    fit = context.results.get("fit")
    coding = inputs.coding
    themes = [{"id": t.id, "label": t.label, "definition": t.definition, "indicators": list(t.indicators)}
              for t in inputs.codebook.themes]
    return ExplorerInput(
        tables=tables,
        texts=((document.id, document.text) for document in inputs.documents),
        themes=themes,
        gold=coding.standard() if coding is not None else None,
        gold_name=coding.standard_name if coding is not None else "gold",
        topic_terms=topic_terms(fit),
        evidence=fit.evidence if fit is not None else None,
        title=EXPLORER_TITLE,
        subtitle=f"hkasean run on {inputs.corpus_label}, {len(inputs.doc_frame)} documents, seed {context.config.seed}",
        report_link="report.html" if STAGES[-1].name in context.results else None,  # a whole run: the report follows
    )


def write_explorer_file(context: RunContext, tables: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write ``explore.html`` (contract ``EXPLORER``) at ``path`` from the run's tables and results."""
    return write_explorer(explorer_input(context, tables), path)


STAGES: tuple[Stage, ...] = (
    Stage("process", ("text",), (), compute_process, no_outputs,
          description="tokenise, stopwords, phrases"),
    Stage("units", ("text", "models"), ("process",), compute_units, no_outputs,
          description="the same processing in sentence units, for the seeded LDA and the coders"),
    Stage("tfidf", ("text",), ("process",), compute_tfidf, tables_only,
          description="distinctive terms and indicator frequencies"),
    Stage("fit", ("models", "seed"), ("process", "units"), compute_fit, fit_outputs,
          description="topic models and coders"),
    Stage("evaluate", ("validation", "seed"), ("fit",), compute_evaluate, evaluate_outputs,
          needs_coding=True, description="agreement with the manual coding, what to code next"),
    Stage("learning_curve", ("models", "validation", "seed"), ("units", "evaluate"), compute_learning_curve,
          learning_curve_outputs, needs_coding=True, description="how much coding the coders need"),
    Stage("suggest", ("suggestions", "seed"), ("process",), compute_suggestions, tables_only,
          needs_coding=True, description="indicator terms the codebook may be missing"),
    Stage("timeseries", ("prevalence", "trade", "correlation", "seed"), ("fit",), compute_timeseries,
          timeseries_outputs, description="theme prevalence, trade and correlation"),
    Stage("claims", ("claims", "trade"), (), compute_claims, tables_only,
          description="audit of numeric trade claims"),
)
STAGE_NAMES = tuple(stage.name for stage in STAGES)
