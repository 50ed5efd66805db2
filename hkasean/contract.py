"""Every table and figure a run produces: name, columns, one line of meaning. The one place they are declared.

``models``, ``analysis``, the run's stages, the report and the tests import their table names and
column lists from here, so a column is renamed in one place and a table the report expects
cannot drift from the one a stage writes. This module imports nothing of the suite.

A table's ``columns`` is the exact column order written to ``tables/<name>.csv``; ``required``
is the subset a reader of that shape needs (a model's own ``doc_themes`` has no ``fold``, the
scorers need only ``doc_id, model, theme, present``). Tables with ``written=False`` are shapes
passed between stages but not written.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TableSpec:
    """One tidy table: its name (``tables/<name>.csv``), columns in order, meaning and producing stage."""

    name: str
    columns: tuple[str, ...]
    meaning: str
    stage: str
    required: tuple[str, ...] = ()
    written: bool = True

    def __post_init__(self) -> None:
        if not self.required:
            object.__setattr__(self, "required", self.columns)
        unknown = [c for c in self.required if c not in self.columns]
        if unknown:
            raise ValueError(f"table {self.name}: required column(s) {unknown} are not among its columns")

    @property
    def column_list(self) -> list[str]:
        """The columns as a list (what pandas takes)."""
        return list(self.columns)


@dataclass(frozen=True)
class FigureSpec:
    """One figure: ``figures/<name>.png``, the caption the report prints under it, its stage."""

    name: str
    caption: str
    stage: str
    models: tuple[str, ...] = field(default=())


def _tables(*specs: TableSpec) -> dict[str, TableSpec]:
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate table names in the contract: {names}")
    return {spec.name: spec for spec in specs}


# ---------------------------------------------------------------- corpus
DOCUMENTS = TableSpec(
    "documents", ("doc_id", "date", "year", "title", "source", "doc_type", "speaker", "url", "n_words"),
    "one row per document: metadata and its length in words (title and text, as the coders read it)", "corpus")
CORPUS_OVERVIEW = TableSpec(
    "corpus_overview", ("year", "doc_type", "source", "n_docs"), "documents per year, document type and source", "corpus")

# ---------------------------------------------------------------- text (TF-IDF)
TFIDF_TERMS_BY_YEAR = TableSpec(
    "tfidf_terms_by_year", ("by", "group", "rank", "term", "score", "n_docs"),
    "the most distinctive terms of each year's documents (TF-IDF, rank 1 = strongest)", "tfidf")
TFIDF_TERMS_BY_DOC_TYPE = TableSpec(
    "tfidf_terms_by_doc_type", TFIDF_TERMS_BY_YEAR.columns,
    "the most distinctive terms of each document type (TF-IDF, rank 1 = strongest)", "tfidf")
INDICATOR_FREQUENCY = TableSpec(
    "indicator_frequency", ("year", "theme", "indicator", "n_docs_with", "n_docs", "share_docs", "occurrences"),
    "per year, how many documents contain each codebook indicator phrase", "tfidf")

# ---------------------------------------------------------------- models
TOPICS = TableSpec(
    "topics", ("model", "topic", "top_terms", "coherence", "coherence_terms", "mapped_theme"),
    "one row per topic: top terms ('; '-joined), c_npmi coherence, how many of the top terms it scored (those that "
    "are corpus tokens; a coder's word pairs and features are not; 0 when fewer than two, coherence empty), the "
    "theme it maps to ('' if none; for seeded_lda the theme the topic serves, as in seed_topic_map)", "fit")
DOC_THEMES = TableSpec(
    "doc_themes", ("doc_id", "model", "theme", "score", "present", "fold"),
    "one row per document, model and theme: score and presence (0/1); fold of a cross-validated "
    "prediction (-1: predicted by a model that saw the label, never scored; empty: no labels used)", "fit",
    required=("doc_id", "model", "theme", "present"))
MODEL_DOC_THEMES = TableSpec(
    "model_doc_themes", ("doc_id", "model", "theme", "score", "present"),
    "what one model's doc_themes() returns (the run adds fold)", "fit", written=False)
DOC_TOPICS = TableSpec(
    "doc_topics", ("doc_id", "model", "topic", "score"),
    "one row per document and topic (or theme, for coders): the document's share or score", "fit")
TOP_TERMS = TableSpec(
    "top_terms", ("model", "topic", "rank", "term", "weight"),
    "the strongest terms of each topic (rank 1 = strongest), in their most frequent surface form", "fit")
EVIDENCE = TableSpec(
    "evidence", ("doc_id", "model", "topic_or_theme", "terms"),
    "the terms that drove each model decision (fed to the disagreement table)", "fit", written=False)
K_SELECTION = TableSpec(
    "k_selection", ("model", "k", "seed", "c_npmi", "c_v", "stability", "diversity", "chosen", "reason"),
    "the K grid: coherence, stability across seeds and diversity per K and seed; the chosen K and why", "fit")
SUPERVISED_THRESHOLDS = TableSpec(
    "supervised_thresholds", ("model", "theme", "fold", "threshold", "inner_f1", "note"),
    "the decision threshold of every model that learns one from the coding (supervised, ensemble, seeded_lda) per "
    "theme and outer fold (-1: learned on all coded documents, decides only uncoded ones); inner_f1 is the F1 it "
    "reached on the training documents", "fit")
SEED_TOPIC_MAP = TableSpec(
    "seed_topic_map", ("model", "theme", "topic", "topic_index", "n_seed_words", "seed_words"),
    "the seeded LDA's fixed theme -> topic map: topic k serves the k-th theme of the codebook, free topics serve none "
    "(theme ''); the seed words whose word prior ties the topic to its theme", "fit")

# ---------------------------------------------------------------- evaluation against the manual coding
RELIABILITY = TableSpec(
    "reliability", ("theme", "coders", "n", "percent_agreement", "kappa", "alpha", "kappa_low", "kappa_high",
                    "alpha_low", "alpha_high", "positive_agreement", "kappa_method", "note"),
    "human-human reliability per theme and overall, with bootstrap intervals (the ceiling)", "evaluate")
AGREEMENT = TableSpec(
    "agreement", ("model", "theme", "precision", "recall", "f1", "kappa", "alpha", "f1_low", "f1_high",
                  "kappa_low", "kappa_high", "alpha_low", "alpha_high", "precision_low", "precision_high",
                  "recall_low", "recall_high", "n", "n_positive_gold", "n_positive_model", "note"),
    "agreement of every model (and each human coder) with the standard, per theme and macro, with intervals",
    "evaluate")
TOPIC_THEME_MAP = TableSpec(
    "topic_theme_map", ("model", "fold", "theme", "topic", "threshold", "train_f1"),
    "topic-to-theme maps learned on each training fold (the ones that score held-out documents)", "evaluate")
TOPIC_THEME_MAP_FULL = TableSpec(
    "topic_theme_map_full", TOPIC_THEME_MAP.columns + ("scope",),
    "the topic-to-theme map learned on all coded documents: for reading only, never for scoring", "evaluate")
PREVALENCE_AGREEMENT = TableSpec(
    "prevalence_agreement", ("model", "theme", "year", "model_share", "gold_share", "difference", "n_docs"),
    "per model, theme and year: the share of documents with the theme, model vs standard", "evaluate")
PREVALENCE_AGREEMENT_SUMMARY = TableSpec(
    "prevalence_agreement_summary", ("model", "theme", "n_years", "mean_abs_difference", "correlation"),
    "how closely each model's yearly theme shares follow the standard's", "evaluate")
CODE_NEXT = TableSpec(
    "code_next", ("rank", "doc_id", "date", "year", "title", "model", "uncertainty", "closest_theme", "score", "threshold"),
    "the uncoded documents whose coding would help the learning coders most (rank 1 first): uncertainty sampling "
    "across themes (1 = a theme's score sits on its threshold), taken year by year in turn; the model whose doubts "
    "chose them, the theme closest to flipping, its score and threshold. Empty when every document is coded",
    "evaluate")
LEARNING_CURVE = TableSpec(
    "learning_curve", ("model", "n_coded", "n_repeats", "n_scored", "macro_f1", "macro_f1_low", "macro_f1_high",
                       "scoring"),
    "macro-F1 of the supervised and ensemble coders against the number of documents they were trained on, every "
    "point in the run's cross-validation (the outer folds of doc_themes): in each fold trained on n_coded random "
    "documents of the fold's training part (nested subsamples, n_repeats seeded repeats) and scored on the fold's "
    "test documents, pooled over the folds (n_scored coded documents, each once per repeat; at most "
    "`models.learning_max_scored`, a seeded sample), mean and percentile interval over repeats; the last point "
    "trains on each fold's whole training part (n_coded: its mean over the themes' folds, rounded) and is the run's "
    "cross-validated score (agreement's macro row, bootstrap interval over documents)", "learning_curve")
DISAGREEMENTS = TableSpec(
    "disagreements", ("model", "theme", "doc_id", "date", "title", "gold", "model_value", "score", "kind",
                      "evidence_terms"),
    "every document where a model and the standard disagree on a theme, with the terms behind the decision",
    "evaluate")

# ---------------------------------------------------------------- time series
PREVALENCE = TableSpec(
    "prevalence", ("period", "theme", "source", "share", "low", "high", "n_docs", "flag", "period_start", "interval"),
    "share of documents carrying each theme per period and source (model or coding), with intervals (interval: "
    "wilson or bootstrap, how the row's bounds were computed)", "timeseries")
TRADE = TableSpec(
    "trade", ("series", "period", "partner", "flow", "value", "unit", "source_url", "confidence", "note",
              "value_num", "value_bound", "bound_value", "currency", "scale", "kind", "year", "inferred", "flag",
              "source_class"),
    "the trade figures used (the trade CSV plus the bundled official tabulations), parsed: value, unit, currency, "
    "bound, provenance, flags and source class", "timeseries",
    required=("series", "period", "partner", "flow", "value", "unit", "source_url", "confidence", "note"))
FETCHED_TRADE_PROVENANCE = ("source_name", "request_url", "request_params", "retrieved_at", "response_sha256")
"""Columns a trade CSV written by ``hkasean trade fetch`` adds after ``TRADE.required`` and ``source_class``:
the source, the request (URL and parameters, no key), when its raw body was retrieved (UTC) and its SHA-256."""
FETCHED_TRADE_COLUMNS = (*TRADE.required, "source_class", *FETCHED_TRADE_PROVENANCE)
"""Column order of the trade CSV that ``hkasean trade fetch`` writes (a trade CSV ``hkasean run --trade`` reads)."""
TRADE_SERIES = TableSpec(
    "trade_series", ("trade_series", "period", "value", "unit", "flag", "source_class"),
    "the trade series correlated with theme prevalence: annual (period YYYY) and monthly (YYYY-MM), each point "
    "from the best source class", "timeseries")
CORRELATION = TableSpec(
    "correlation", ("theme", "source", "trade_series", "transform", "lag", "method", "r", "p_value", "q_value",
                    "ci_low", "ci_high", "n", "warning"),
    "every theme-trade correlation: levels and differences, lags, Pearson and Spearman, permutation p, "
    "bootstrap interval, Benjamini-Hochberg q", "timeseries")
MONTHLY_CORRELATION = TableSpec(
    "monthly_correlation", ("theme", "source", "trade_series", "transform", "seasonal", "lag", "method", "r", "p_value",
                            "q_value", "ci_low", "ci_high", "n", "n_months", "block_length", "inference", "warning"),
    "with prevalence.freq month: every monthly theme-trade correlation (levels/differences, seasonal handling, lags in "
    "months), block-permutation p, moving-block bootstrap interval, Benjamini-Hochberg q, n and warnings",
    "timeseries")
TRADE_ASYMMETRY = TableSpec(
    "trade_asymmetry", ("year", "asean_share_of_hk_trade", "hk_share_of_asean_trade", "ratio", "flags"),
    "ASEAN's share of Hong Kong's trade beside Hong Kong's share of ASEAN's, per year", "timeseries")
MEMBER_ASYMMETRY = TableSpec(
    "member_asymmetry", ("partner", "year", "partner_share_of_hk_trade", "hk_side_source_class",
                         "hk_share_of_partner_trade", "partner_side_source_class", "ratio", "flags"),
    "per partner (ASEAN and each member) and year: its share of Hong Kong's trade (HK-recorded) beside Hong Kong's "
    "share of its trade (partner-recorded), with each side's source class", "timeseries")

# ---------------------------------------------------------------- claims audit
CLAIMS = TableSpec(
    "claims", ("doc_id", "date", "claim_type", "claim_text", "value", "unit", "year", "subject", "official_value",
               "official_unit", "official_source", "official_confidence", "verdict", "difference",
               "relative_difference", "note", "reference_independence", "reference_source_class", "independence_rule"),
    "numeric trade claims in the documents and their verdict against independent reference figures (agree, "
    "differs, self_consistent, no_independent_figure)", "claims")
POSTER_CLAIMS = TableSpec(
    "poster_claims", CLAIMS.columns, "the study poster's own figures checked against independent reference figures",
    "claims")

# ---------------------------------------------------------------- codebook suggestions
INDICATOR_SUGGESTIONS = TableSpec(
    "indicator_suggestions", ("theme", "term", "source", "score", "docs_with_theme", "docs_without_theme", "precision",
                              "recall_gain", "example", "rank", "folds_found", "n_folds", "in_definition",
                              "proper_noun", "recommended", "reason"),
    "candidate indicator terms per theme found in the corpus, for a human to judge: score is the weighted log-odds "
    "z-score (source log_odds) or the cosine similarity to the nearest indicator (word_vectors); coded documents with "
    "and without the theme containing the term; precision and recall gain out of fold; two example sentences; in how "
    "many training folds it came up again; 1 if the theme's own definition uses its words; 1 if it is written as a "
    "name; 1 if it passes every check of the recommendation rule, and the reason (the checks it fails, or its "
    "out-of-fold evidence)",
    "suggest")
INDICATOR_SOURCES = TableSpec(
    "indicator_sources", ("source", "status", "n_tokens", "min_tokens", "n_candidates", "note"),
    "each source of indicator suggestions: used or skipped (word vectors need min_tokens processed tokens), and why",
    "suggest")

TABLES: dict[str, TableSpec] = _tables(
    DOCUMENTS, CORPUS_OVERVIEW,
    TFIDF_TERMS_BY_YEAR, TFIDF_TERMS_BY_DOC_TYPE, INDICATOR_FREQUENCY,
    TOPICS, DOC_THEMES, MODEL_DOC_THEMES, DOC_TOPICS, TOP_TERMS, EVIDENCE, K_SELECTION, SUPERVISED_THRESHOLDS, SEED_TOPIC_MAP,
    RELIABILITY, AGREEMENT, TOPIC_THEME_MAP, TOPIC_THEME_MAP_FULL, PREVALENCE_AGREEMENT,
    PREVALENCE_AGREEMENT_SUMMARY, DISAGREEMENTS, CODE_NEXT, LEARNING_CURVE,
    PREVALENCE, TRADE, TRADE_SERIES, CORRELATION, MONTHLY_CORRELATION, TRADE_ASYMMETRY, MEMBER_ASYMMETRY,
    CLAIMS, POSTER_CLAIMS,
    INDICATOR_SUGGESTIONS, INDICATOR_SOURCES,
)
WRITTEN_TABLES: dict[str, TableSpec] = {name: spec for name, spec in TABLES.items() if spec.written}

CODING_TEMPLATE = "coding_template.csv"
"""A file (not a table: its theme columns are the codebook's) the evaluate stage writes at the top of the output
folder when some documents are uncoded: doc_id, coder, one empty column per theme, for the ``code_next`` documents."""

EXPLORER = "explore.html"
"""A file at the top of every output folder: the run's tables as one interactive page (topic map and term relevance,
the documents with their themes and evidence, prevalence beside trade, the claims audit) that works offline from
``file://``; report.html links to it (``analysis.explorer``)."""

# ---------------------------------------------------------------- figures
TOPIC_MODELS = ("lda", "nmf")
"""Unsupervised topic models: their topics are mapped to themes on training folds (``+cv_map`` rows)."""
TOP_TERM_FIGURE_MODELS = ("lda", "nmf", "seeded_lda")
"""Models whose top terms get a figure."""


CORPUS_DOCUMENTS_PER_YEAR = FigureSpec("corpus_documents_per_year", "Documents per year, by document type.", "corpus")
TOP_TERMS_FIGURES = {model: FigureSpec(f"topics_{model}", f"Top terms per topic: {model}."
                                        + (" Each seeded topic's title names the theme it serves." if model == "seeded_lda" else ""),
                                        "fit", (model,))
                     for model in TOP_TERM_FIGURE_MODELS}
THEMES_BY_YEAR = FigureSpec("themes_by_year", "Share of documents carrying each theme per year, by model, with the "
                            "manual standard for comparison.", "fit")
K_SELECTION_FIGURE = FigureSpec("k_selection", "Choosing K: coherence and stability across seeds per K.", "fit")
AGREEMENT_F1 = FigureSpec("agreement_f1", "F1 per theme and model, humans beside the models (95% intervals).", "evaluate")
LEARNING_CURVE_FIGURE = FigureSpec("learning_curve", "Macro-F1 against the documents each outer fold was trained on, "
                                   "scored on the folds' test documents (intervals over repeats; hollow: the whole "
                                   "training part, the run's cross-validated score).", "learning_curve")
RELIABILITY_FIGURE = FigureSpec("reliability", "Human-human reliability per theme: kappa and alpha with 95% intervals.",
                                "evaluate")
ALIGNMENT_FIGURES = {model: FigureSpec(f"topic_theme_alignment_{model}", f"Topic-theme alignment ({model.upper()}).",
                                       "evaluate", (model,)) for model in TOPIC_MODELS}
HEADLINE = FigureSpec("headline", "The question first: theme shares (coding standard, Wilson bands) beside the best "
                      "trade series at the finest frequency the data allow (filled markers: official tabulations), "
                      "and both sides of the asymmetry.", "timeseries")
THEME_SHARE_VS_TRADE = FigureSpec("theme_share_vs_trade", "Theme share per year (manual standard, 95% interval) beside "
                                  "HK-ASEAN trade.", "timeseries")
TRADE_HK_ASEAN = FigureSpec("trade_hk_asean", "Hong Kong's trade with ASEAN: value and share of HK's total trade.",
                            "timeseries")
TRADE_EXPORT_DEPENDENCE = FigureSpec("trade_export_dependence", "Export dependence on Hong Kong of ASEAN members.",
                                     "timeseries")
TRADE_MEMBER_ASYMMETRY = FigureSpec(
    "trade_member_asymmetry", "Each partner's share of Hong Kong's trade beside Hong Kong's share of the partner's "
    "trade (latest year with official HK-side figures).", "timeseries")
TRADE_IMPORT_DEPENDENCE = FigureSpec("trade_import_dependence", "Import dependence on Hong Kong of ASEAN members.",
                                     "timeseries")

FIGURES: dict[str, FigureSpec] = {spec.name: spec for spec in (
    HEADLINE, CORPUS_DOCUMENTS_PER_YEAR, *TOP_TERMS_FIGURES.values(), THEMES_BY_YEAR, K_SELECTION_FIGURE,
    AGREEMENT_F1, RELIABILITY_FIGURE, *ALIGNMENT_FIGURES.values(), LEARNING_CURVE_FIGURE,
    THEME_SHARE_VS_TRADE, TRADE_HK_ASEAN, TRADE_EXPORT_DEPENDENCE, TRADE_IMPORT_DEPENDENCE, TRADE_MEMBER_ASYMMETRY,
)}
"""Every figure, in the order the report shows them."""
