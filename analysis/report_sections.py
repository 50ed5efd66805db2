"""The report's sections on the corpus, the models and trade: text, tables and figures, one builder per section.

The sections on the manual coding are in ``report_coding_sections``; ``report.build_sections`` puts all of
them in reading order.
"""
from __future__ import annotations

import json

import pandas as pd

from hkasean import contract
from hkasean.analysis.agreement import best_model_per_theme
from hkasean.analysis.headline import headline, headline_source
from hkasean.analysis.report_data import (
    TOP_TERMS_SHOWN, ReportInput, chosen_k_reasons, claims_by_verdict, computed_correlations, documents_per,
    figure_blocks, indicator_documents_per_year, package_table, partners_with_both_shares, stage_timings,
    table_blocks, top_terms_per_year, verdict_counts,
)
from hkasean.analysis.report_readings import (
    agreement_reading, claims_reading, correlation_reading, learning_curve_reading, member_reading, theme_reading,
    trade_reading,
)
from hkasean.analysis.report_render import Paragraph, Section, Table

FINDINGS_AGREEMENT_LINES = 3
"""Sentences of the agreement reading repeated among the key findings (best model, overlap, humans)."""


def headline_section(report: ReportInput) -> Section:
    """The question answered first: the headline sentences and figure (``analysis.headline``)."""
    section = Section("The question first: do the themes follow trade, and who matters more to whom?", "headline")
    prevalence = report.tables.get(contract.PREVALENCE.name)
    series = report.tables.get(contract.TRADE_SERIES.name)
    if prevalence is None or prevalence.empty or series is None:
        section.blocks.append(Paragraph("The time-series stage did not run, so the question cannot be answered here."))
        return section
    empty = pd.DataFrame(columns=contract.CORRELATION.column_list)
    story = headline(prevalence, series, report.tables.get(contract.TRADE_ASYMMETRY.name),
                     {"yearly": report.tables.get(contract.CORRELATION.name, empty),
                      "monthly": report.tables.get(contract.MONTHLY_CORRELATION.name, empty)},
                     headline_source(set(prevalence["source"])))
    section.blocks += [Paragraph(sentence) for sentence in story.sentences]
    section.blocks += figure_blocks(report, contract.HEADLINE)
    return section


def summary_section(report: ReportInput) -> Section:
    """"Key findings": the readings of agreement, learning curve, asymmetries, correlations and claims."""
    lines: list[str] = []
    agreement = report.tables.get(contract.AGREEMENT.name)
    if agreement is not None and not agreement.empty:
        reliability = report.tables.get(contract.RELIABILITY.name)
        lines += agreement_reading(agreement, reliability)[:FINDINGS_AGREEMENT_LINES]
        lines += theme_reading(best_model_per_theme(agreement, reliability))
    curve = report.tables.get(contract.LEARNING_CURVE.name)
    if curve is not None and not curve.empty:
        lines += learning_curve_reading(curve)
    lines += trade_reading(report.tables.get(contract.TRADE_ASYMMETRY.name))
    lines += member_reading(report.tables.get(contract.MEMBER_ASYMMETRY.name))
    if report.tables.get(contract.CORRELATION.name) is not None:
        lines += correlation_reading(report.tables[contract.CORRELATION.name])
    monthly = report.tables.get(contract.MONTHLY_CORRELATION.name)
    if monthly is not None and not monthly.empty:
        lines += correlation_reading(monthly, family="monthly")
    if report.tables.get(contract.CLAIMS.name) is not None:
        lines.append(claims_reading(report.tables[contract.CLAIMS.name]))
    return Section("Key findings", "summary", [Paragraph(line) for line in lines])


def corpus_section(report: ReportInput) -> Section:
    """The corpus: how many documents from where and when, per year, type and source."""
    corpus = report.manifest.get("corpus", {})
    section = Section("Corpus overview", "corpus")
    section.blocks.append(Paragraph(
        f"{corpus.get('n_documents', '?')} documents from {corpus.get('source', '?')}, issued "
        f"{' to '.join(corpus.get('date_range', []))}. Corpus SHA-256 {str(corpus.get('sha256', ''))[:16]}..."
    ))
    section.blocks += figure_blocks(report, contract.CORPUS_DOCUMENTS_PER_YEAR)
    documents = report.tables.get(contract.DOCUMENTS.name)
    if documents is not None:
        for column, label in (("doc_type", "document type"), ("source", "source")):
            section.blocks.append(Table(documents_per(documents, column), f"Documents per {label}"))
    return section


def tfidf_section(report: ReportInput) -> Section:
    """Distinctive terms per year and the codebook's indicator phrases found per year."""
    section = Section("Distinctive terms by year (TF-IDF)", "tfidf")
    section.blocks.append(Paragraph("Terms with the highest TF-IDF weight in each year's documents relative to the whole corpus."))
    by_year = report.tables.get(contract.TFIDF_TERMS_BY_YEAR.name)
    if by_year is not None and not by_year.empty:
        section.blocks.append(Table(top_terms_per_year(by_year), f"Top {TOP_TERMS_SHOWN} distinctive terms per year",
                                    csv_name=contract.TFIDF_TERMS_BY_YEAR.name))
    indicators = report.tables.get(contract.INDICATOR_FREQUENCY.name)
    if indicators is not None and not indicators.empty:
        section.blocks.append(Table(indicator_documents_per_year(indicators), "Documents containing each codebook "
                                    "indicator phrase, per year (indicators never found are left out)",
                                    csv_name=contract.INDICATOR_FREQUENCY.name, max_rows=60))
    return section


def topics_section(report: ReportInput) -> Section:
    """The six approaches, the chosen K and why, the topics and their figures."""
    section = Section("Topics and coders", "topics")
    coder_topics = report.manifest.get("config", {}).get("models", {}).get("coder_topics", "none")
    topic_features = "" if coder_topics == "none" else f", and the {coder_topics.upper()} model's topic shares of each document"
    section.blocks.append(Paragraph(
        "Six approaches: LDA (tomotopy or gensim) and scikit-learn NMF (unsupervised; K chosen over a grid by c_npmi coherence and "
        "stability across seeds), a keyword-assisted LDA (tomotopy word priors from the codebook's indicator phrases "
        "and their stems, one topic per theme plus free topics, fitted on sentences), a dictionary coder (indicator "
        f"phrases present), a supervised coder (logistic regression on word pairs and dictionary hits{topic_features}; "
        "cross-validated predictions only) and an ensemble stacking the supervised coder with the dictionary hits on training folds."
    ))
    for reason in chosen_k_reasons(report.tables.get(contract.K_SELECTION.name)):
        section.blocks.append(Paragraph(f"Chosen K, {reason}", kind="note"))
    section.blocks += table_blocks(report, contract.TOPICS.name, "Topics: top terms, c_npmi coherence and the theme each "
                                   "maps to", contract.TOPICS.column_list, max_rows=60)
    section.blocks += table_blocks(report, contract.SEED_TOPIC_MAP.name, "Seeded LDA: which topic serves which theme "
                                   "(fixed), and its seed words", ["theme", "topic", "n_seed_words", "seed_words"])
    section.blocks += figure_blocks(report, contract.K_SELECTION_FIGURE)
    for model in contract.TOP_TERM_FIGURE_MODELS:
        section.blocks += figure_blocks(report, contract.TOP_TERMS_FIGURES[model])
    section.blocks += figure_blocks(report, contract.THEMES_BY_YEAR)
    return section


def prevalence_section(report: ReportInput) -> Section:
    """Theme prevalence per period beside trade."""
    section = Section("Theme prevalence over time and trade", "prevalence")
    section.blocks += figure_blocks(report, contract.THEME_SHARE_VS_TRADE)
    section.blocks += table_blocks(report, contract.PREVALENCE.name, "Theme prevalence per period (flagged periods have "
                                   "few documents)", ["period", "theme", "source", "share", "low", "high", "n_docs", "flag"],
                                   max_rows=40)
    return section


def correlation_section(report: ReportInput) -> Section:
    """The yearly and monthly correlation families: their readings and the correlations, smallest q first."""
    section = Section("Correlation of themes with trade", "correlation")
    correlation = report.tables.get(contract.CORRELATION.name)
    if correlation is not None:
        section.blocks += _reading_paragraphs(correlation_reading(correlation))
        section.blocks.append(Table(computed_correlations(correlation), "Correlations, smallest q first",
                                    csv_name=contract.CORRELATION.name, max_rows=25))
    monthly = report.tables.get(contract.MONTHLY_CORRELATION.name)
    if monthly is not None and not monthly.empty:
        section.blocks += _reading_paragraphs(correlation_reading(monthly, family="monthly"))
        section.blocks.append(Table(computed_correlations(monthly), "Monthly correlations (prevalence.freq: month), "
                                    "smallest q first", csv_name=contract.MONTHLY_CORRELATION.name, max_rows=25))
    return section


def _reading_paragraphs(lines: list[str]) -> list[Paragraph]:
    """A correlation reading as paragraphs, a warning where it calls correlations exploratory."""
    return [Paragraph(line, kind="warning" if "exploratory" in line else "text") for line in lines]


def claims_section(report: ReportInput) -> Section:
    """The claims audit: verdict counts, how claims are judged, the claims differing first, the poster's figures."""
    section = Section("Claims audit: numbers in the releases vs independent figures", "claims")
    claims = report.tables.get(contract.CLAIMS.name)
    if claims is not None:
        rate = report.manifest.get("config", {}).get("trade", {}).get("hkd_per_usd")
        section.blocks.append(Paragraph(claims_reading(claims)))
        section.blocks.append(Paragraph(
            "Numeric trade claims (values, shares, ranks, growth) extracted from the documents and matched to reference "
            f"figures by year, subject and unit (US$ and HK$ compared at HK${rate} per US$, the config's trade.hkd_per_usd). "
            "A claim agrees or differs only against an independent figure (an official statistical tabulation, or another "
            "publisher reporting a statistics agency's data); a match with its own document or a report of the same "
            "statement is only self-consistent; reference_independence and independence_rule say which rule applied.",
            kind="note"))
        section.blocks.append(Table(verdict_counts(claims), "Verdicts"))
        section.blocks.append(Table(claims_by_verdict(claims), "Claims and their verdicts, differing ones first",
                                    csv_name=contract.CLAIMS.name, max_rows=40))
    section.blocks += table_blocks(report, contract.POSTER_CLAIMS.name,
                                   "The study poster's own figures checked against independent figures")
    return section


def trade_section(report: ReportInput) -> Section:
    """Both sides of the asymmetry, for ASEAN and per member, with the trade figures."""
    section = Section("Trade: the poster's three figures", "trade")
    section.blocks += table_blocks(report, contract.TRADE_ASYMMETRY.name,
                                   "ASEAN's weight for Hong Kong beside Hong Kong's weight for ASEAN")
    for figure in (contract.TRADE_HK_ASEAN, contract.TRADE_EXPORT_DEPENDENCE, contract.TRADE_IMPORT_DEPENDENCE,
                   contract.TRADE_MEMBER_ASYMMETRY):
        section.blocks += figure_blocks(report, figure)
    members = report.tables.get(contract.MEMBER_ASYMMETRY.name)
    if members is not None and not members.empty:
        section.blocks.append(Table(partners_with_both_shares(members), "Partners and years with both shares (all rows "
                                    "in the CSV)", csv_name=contract.MEMBER_ASYMMETRY.name, max_rows=30))
    section.blocks.append(Paragraph(
        "Each point shows the best source of its year (official statistical tabulation > official quote > secondary report "
        "> inferred): filled markers and solid bars are official tabulations, hollow markers and light bars quoted, "
        "reported or inferred values; gaps are years with no figure (never interpolated unless the config asks, and then "
        "labelled). HK$, US$ and S$ are never mixed: US$ is converted at the peg and flagged, S$ never.", kind="note"))
    return section


def reproducibility_section(report: ReportInput) -> Section:
    """What the manifest records: stage timings, package versions, warnings and the config."""
    manifest = report.manifest
    section = Section("Reproducibility", "manifest")
    section.blocks.append(Paragraph(
        "Same inputs, config and seed give identical tables. The manifest below (also manifest.json) records the command, "
        "package versions, corpus hash, seeds and stage timings."))
    stages = stage_timings(manifest)
    if not stages.empty:
        section.blocks.append(Table(stages, "Stage timings (seconds)"))
    section.blocks.append(Table(package_table(manifest), "Package versions"))
    for message in manifest.get("warnings", []):
        section.blocks.append(Paragraph(message, kind="warning"))
    section.blocks.append(Paragraph("Config: " + json.dumps(manifest.get("config", {}), sort_keys=True)))
    return section
