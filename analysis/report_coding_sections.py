"""The report's sections on the manual coding: agreement with it, how much to code next, and codebook suggestions."""
from __future__ import annotations

from hkasean import contract
from hkasean.analysis.agreement import best_model_per_theme
from hkasean.analysis.report_data import (
    SUGGESTIONS_SHOWN, ReportInput, figure_blocks, macro_agreement, table_blocks, top_suggestions,
)
from hkasean.analysis.report_readings import agreement_reading, learning_curve_reading, theme_reading
from hkasean.analysis.report_render import Paragraph, Section, Table


def agreement_section(report: ReportInput) -> Section:
    """How well each model agrees with the manual coding, beside the human ceiling (or why it cannot be said)."""
    agreement = report.tables.get(contract.AGREEMENT.name)
    section = Section("Agreement with the manual coding", "agreement")
    if agreement is None or agreement.empty:
        section.blocks.append(Paragraph("No manual coding was given, so the models could not be compared with it.", kind="warning"))
        return section
    reliability = report.tables.get(contract.RELIABILITY.name)
    best = best_model_per_theme(agreement, reliability)
    for line in theme_reading(best):
        section.blocks.append(Paragraph(line))
    section.blocks.append(Table(best, "Best model per theme beside the human ceiling (ranked = no other model's "
                                "interval reaches its lower bound)", csv_name=contract.AGREEMENT.name))
    for line in agreement_reading(agreement, reliability):
        section.blocks.append(Paragraph(line))
    section.blocks.append(Paragraph(
        "How to read this: precision is the share of the model's theme assignments that the standard confirms; recall "
        "the share of the standard's assignments the model finds; F1 their harmonic mean. Kappa and alpha correct "
        "agreement for chance (0 = chance, 1 = perfect). Intervals are 95% percentile bootstraps over documents. "
        "Topic-to-theme maps for LDA and NMF, and the seeded LDA's share thresholds, were learned on training folds "
        "only; supervised and ensemble predictions are cross-validated (the ensemble's stacker learned on the "
        "training folds' out-of-fold predictions); no document is scored by a model fitted on its label.", kind="note"))
    section.blocks += figure_blocks(report, contract.AGREEMENT_F1)
    section.blocks.append(Table(macro_agreement(agreement), "Macro-averaged agreement with the standard",
                                csv_name=contract.AGREEMENT.name))
    section.blocks += table_blocks(report, contract.RELIABILITY.name, "Human-human reliability (the ceiling)",
                                   ["theme", "coders", "n", "percent_agreement", "kappa", "alpha"])
    section.blocks += figure_blocks(report, contract.RELIABILITY_FIGURE)
    section.blocks += table_blocks(report, contract.AGREEMENT.name, "Agreement per model and theme",
                                   ["model", "theme", "precision", "recall", "f1", "f1_low", "f1_high", "kappa", "alpha", "n"],
                                   max_rows=60)
    for model in contract.TOPIC_MODELS:
        section.blocks += figure_blocks(report, contract.ALIGNMENT_FIGURES[model])
    section.blocks += table_blocks(report, contract.PREVALENCE_AGREEMENT_SUMMARY.name, "Yearly theme shares: model vs standard")
    section.blocks += table_blocks(report, contract.DISAGREEMENTS.name, "Where models and the standard disagree (first rows)",
                                   ["model", "theme", "doc_id", "kind", "evidence_terms", "title"], max_rows=25)
    return section


def coding_section(report: ReportInput) -> Section:
    """How much to code (the learning curve) and what to code next (uncertainty sampling)."""
    section = Section("How much to code, and what to code next", "coding")
    curve = report.tables.get(contract.LEARNING_CURVE.name)
    if curve is None or curve.empty:
        section.blocks.append(Paragraph("No learning curve: it needs a coding and the supervised or ensemble coder.",
                                        kind="note"))
    else:
        for line in learning_curve_reading(curve):
            section.blocks.append(Paragraph(line))
        section.blocks += figure_blocks(report, contract.LEARNING_CURVE_FIGURE)
        section.blocks.append(Table(curve, "Macro-F1 against the documents each fold was trained on",
                                    csv_name=contract.LEARNING_CURVE.name))
    proposals = report.tables.get(contract.CODE_NEXT.name)
    if proposals is None or proposals.empty:
        section.blocks.append(Paragraph("Every document of the corpus is coded: nothing to propose.", kind="note"))
    else:
        section.blocks.append(Paragraph(
            f"Code these {len(proposals)} documents next: the ones the {proposals['model'].iloc[0]} coder is least sure "
            f"about, taken year by year in turn. {contract.CODING_TEMPLATE} in the output folder lists them ready to fill "
            "in (your name in coder, 0 or 1 per theme); add its rows to your coding file and run again."))
        section.blocks.append(Table(proposals, "Documents to code next", csv_name=contract.CODE_NEXT.name, max_rows=40))
    return section


def suggestions_section(report: ReportInput) -> Section:
    """"Terms your codebook may be missing": the best candidate indicators per theme, with the caveat
    (for a run with a coding, which has the ``indicator_suggestions`` table)."""
    section = Section("Terms your codebook may be missing", "suggestions")
    table = report.tables[contract.INDICATOR_SUGGESTIONS.name]
    section.blocks.append(Paragraph(
        "Candidate indicator terms found in the corpus itself, per theme: terms that distinguish the coded documents "
        "carrying the theme from the other coded documents (source log_odds; score = z-score of the weighted log-odds "
        "ratio with an informative Dirichlet prior, Monroe, Colaresi & Quinn 2008) and near neighbours of the theme's "
        "indicators in word vectors trained on the corpus (source word_vectors; score = cosine similarity). "
        "docs_with_theme and docs_without_theme count the coded documents containing the term. precision and "
        "recall_gain are out of fold: the term is looked for on the other folds and counted on the held-out one; "
        "recall_gain is the share of the theme's documents it would newly catch that no current indicator catches. "
        "in_definition = 1 when the theme's own definition uses the term's words; proper_noun = 1 when it is written "
        "as a name. recommended = 1 when it passes every check a careful reader would make (not a name, in the "
        "definition, in at least 3 coded documents with the theme, precise enough out of fold to raise the "
        "dictionary's F1); the CSV's reason column says which checks a term fails."))
    section.blocks.append(Paragraph(
        "These are suggestions for a human to judge, never added to the codebook automatically. Many are companions "
        "of the theme (places, events, officials) rather than ways of expressing it. To adopt a term, add it to the "
        "theme's indicators in your codebook and rerun; agreement on this same coding is then optimistic, because "
        "the term was chosen by looking at these labels. On a small coding, even recommended terms need not help on "
        "new documents: on the sample (11 documents with untapped_market) adding them lowered that theme's "
        "out-of-fold F1 on average.", kind="warning"))
    sources = report.tables.get(contract.INDICATOR_SOURCES.name)
    if sources is not None:
        for _, row in sources[sources["status"] != "used"].iterrows():
            section.blocks.append(Paragraph(f"Source {row['source']}: {row['note']}.", kind="note"))
    if table.empty:
        section.blocks.append(Paragraph("No term passed the thresholds for any theme.", kind="note"))
        return section
    section.blocks.append(Table(
        top_suggestions(table), f"Top {SUGGESTIONS_SHOWN} suggestions per theme and source (example sentences in the CSV)",
        csv_name=contract.INDICATOR_SUGGESTIONS.name, max_rows=10 * SUGGESTIONS_SHOWN))
    return section
