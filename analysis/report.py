"""The run's story as sections of text, tables and figures, written as report.html and report.md."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from hkasean import contract
from hkasean.contract import FigureSpec
from hkasean.analysis.agreement import best_model_per_theme
from hkasean.analysis.headline import headline, headline_source
from hkasean.analysis.learning_curve import still_rising
from hkasean.analysis.report_render import Figure, Link, Paragraph, Section, Table, render_html, render_markdown

TITLE = "Hong Kong government narratives about ASEAN: themes, agreement and trade"


@dataclass
class ReportInput:
    """The run's tables (contract name -> DataFrame, in memory) and figure paths (contract name -> PNG);
    a missing table leaves its section out or says why."""

    manifest: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Path] = field(default_factory=dict)


def _fmt(value: float, digits: int = 2) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _figure(report: ReportInput, spec: FigureSpec) -> list[Figure]:
    path = report.figures.get(spec.name)
    return [Figure(path, spec.caption)] if path is not None and Path(path).is_file() else []


def _table(report: ReportInput, name: str, caption: str, columns: list[str] | None = None, max_rows: int = 40,
           sort: list[str] | None = None) -> list[Table]:
    frame = report.tables.get(name)
    if frame is None or frame.empty:
        return []
    if columns:
        frame = frame[[c for c in columns if c in frame.columns]]
    if sort:
        frame = frame.sort_values(sort, kind="mergesort")
    return [Table(frame, caption, csv_name=name, max_rows=max_rows)]


def agreement_reading(agreement: pd.DataFrame, reliability: pd.DataFrame | None) -> list[str]:
    """Plain-language sentences on the macro agreement rows: best model, its interval, the human ceiling."""
    macro = agreement[agreement["theme"] == "macro"]
    models = macro[~macro["model"].astype(str).str.startswith("human:")].sort_values("f1", ascending=False)
    humans = macro[macro["model"].astype(str).str.startswith("human:")]
    lines: list[str] = []
    if not models.empty:
        best = models.iloc[0]
        lines.append(
            f"Best model by macro-averaged F1: {best['model']} (F1 {_fmt(best['f1'])}, 95% bootstrap interval "
            f"{_fmt(best['f1_low'])} to {_fmt(best['f1_high'])}; kappa {_fmt(best['kappa'])}; n = {int(best['n'])} documents)."
        )
        overlapping = models[(models["f1_high"] >= best["f1_low"]) & (models["model"] != best["model"])]
        if not overlapping.empty:
            lines.append(
                "Its interval overlaps those of " + ", ".join(overlapping["model"].astype(str))
                + ": on this many documents the data cannot rank these models reliably."
            )
    if not humans.empty:
        lines.append(
            "Human coders against the standard reach macro F1 "
            + ", ".join(f"{r['model'].removeprefix('human:')} {_fmt(r['f1'])}" for _, r in humans.iterrows())
            + " (an upper reference: the gold standard was adjudicated from these same coders)."
        )
    if reliability is not None and not reliability.empty:
        overall = reliability[reliability["theme"] == "overall"]
        if not overall.empty:
            row = overall.iloc[0]
            lines.append(
                f"Human-human reliability over all theme decisions: percent agreement {_fmt(row['percent_agreement'])}, "
                f"Cohen's kappa {_fmt(row['kappa'])}, Krippendorff's alpha {_fmt(row['alpha'])}. "
                "A model whose kappa approaches this value codes about as consistently as a second human would."
            )
    return lines


def theme_reading(best: pd.DataFrame) -> list[str]:
    """Sentences on ``best_model_per_theme``: the best model of each theme against the human ceiling, and
    the themes whose best model the data cannot yet single out."""
    themes = best[best["theme"] != "macro"]
    if themes.empty:
        return []
    lines = ["Best model per theme against the human ceiling (F1 of the two coders against each other): " + "; ".join(
        f"{r.theme}: {r.best_model} {_fmt(r.f1)} [{_fmt(r.f1_low)}, {_fmt(r.f1_high)}]"
        + (f" vs humans {_fmt(r.human_ceiling)}" if not pd.isna(r.human_ceiling) else "")
        for r in themes.itertuples()) + "."]
    open_themes = themes[~themes["ranked"]]
    if not open_themes.empty:
        lines.append(
            "The data cannot yet rank the models on " + ", ".join(
                f"{r.theme} ({'' if pd.isna(r.n_positive_gold) else f'{int(r.n_positive_gold)} coded documents carry it; '}"
                f"{r.runner_up} is within the interval)"
                for r in open_themes.itertuples())
            + ": more coded documents with these themes are needed before choosing a model for them.")
    return lines


def learning_curve_reading(curve: pd.DataFrame) -> list[str]:
    """Sentences on the learning curve: each coder's macro-F1 from the fewest training documents to each fold's whole
    training part (the run's cross-validated score), how many documents each point was trained and scored on, and
    whether the last step still helped (``still_rising``: both points scored on the same documents, same folds)."""
    lines = []
    for model in pd.unique(curve["model"]):
        rows = curve[curve["model"] == model].sort_values("n_coded")
        first, last = rows.iloc[0], rows.iloc[-1]
        scored = sorted({int(round(n)) for n in rows["n_scored"]})
        on = (f"every point is scored on the same {scored[0]} coded documents, each by a fold that never saw it"
              if len(scored) == 1 else
              f"the smaller sizes are scored on a seeded sample of {int(round(first['n_scored']))} of the "
              f"{int(round(last['n_scored']))} coded documents the folds hold out, the last point on all of them")
        rising = still_rising(curve, model)
        verdict = ""
        if rising is not None:
            before = rows.iloc[-2]
            gain = last["macro_f1"] - before["macro_f1"]
            step = (f"From {int(round(before['n_coded']))} to {int(round(last['n_coded']))} training documents it moved by "
                    f"{gain:+.2f}")
            repeats = f" (over its {int(before['n_repeats'])} repeats)" if before["n_repeats"] > 1 else ""
            verdict = (f" {step}, beyond the interval of the point before{repeats}: coding more should still help." if rising
                       else f" {step}, within the interval of the point before{repeats}"
                       + (": still rising on average; coding more is likely to help, by how much the data cannot yet say."
                          if gain > 0 else ": no gain measurable; coding more may help less than improving the codebook."))
        if len(rows) == 1:
            lines.append(f"{model}: macro-F1 {_fmt(last['macro_f1'])} trained on about {int(round(last['n_coded']))} "
                         f"documents per fold (the run's cross-validated score); {on}.")
            continue
        lines.append(f"{model}: macro-F1 {_fmt(first['macro_f1'])} when each outer fold learns from "
                     f"{int(round(first['n_coded']))} of its training documents, {_fmt(last['macro_f1'])} when it learns "
                     f"from all of them (about {int(round(last['n_coded']))} of the {int(round(last['n_scored']))} coded "
                     f"documents: the run's cross-validated score); {on}.{verdict}")
    return lines


def correlation_reading(correlation: pd.DataFrame, family: str = "yearly") -> list[str]:
    """Sentences on one correlation family (``yearly`` or ``monthly``): tests, survivors of FDR, the small-n caveat."""
    if correlation.empty:
        return [f"No {family} correlation could be computed (no overlapping periods of theme prevalence and trade)."]
    computed = correlation.dropna(subset=["r"])
    significant = computed[computed["q_value"] < 0.05]
    inference = ("block-permutation p-values (autocorrelation kept), moving-block bootstrap intervals"
                 if family == "monthly" else "permutation p-values, bootstrap intervals")
    lines = [
        f"{len(computed)} {family} correlations were computed (themes x sources x trade series x levels/differences x lags x "
        f"Pearson/Spearman; {inference}); after Benjamini-Hochberg correction across the whole {family} family, "
        f"{len(significant)} have q < 0.05."
    ]
    if len(computed):
        lines[0] += f" They rest on {int(computed['n'].min())} to {int(computed['n'].max())} pairs."
    small = int(computed["warning"].astype(str).str.contains("exploratory").sum())
    if small:
        lines.append(
            f"{small} of them rest on too few {'months' if family == 'monthly' else 'years'} and are marked exploratory: "
            "read the p-values and the wide intervals, not the r alone."
        )
    return lines


def trade_reading(asymmetry: pd.DataFrame) -> list[str]:
    """Sentences on the study's thesis: ASEAN's weight for HK beside HK's weight for ASEAN."""
    if asymmetry is None or asymmetry.empty:
        return ["No year has both ASEAN's share of Hong Kong's trade and Hong Kong's share of ASEAN's trade, so the "
                "asymmetry cannot be computed from the trade table."]
    lines = []
    for _, row in asymmetry.iterrows():
        flags = f" (caveats: {row['flags']})" if isinstance(row.get("flags"), str) and row["flags"].strip() else ""
        lines.append(
            f"{int(row['year'])}: ASEAN accounted for {row['asean_share_of_hk_trade']:.1f}% of Hong Kong's merchandise trade "
            f"(HK-recorded), while Hong Kong accounted for {row['hk_share_of_asean_trade']:.1f}% of ASEAN's (ASEAN-recorded): "
            f"a ratio of {row['ratio']:.1f} to 1{flags}."
        )
    return lines


def member_reading(members: pd.DataFrame | None) -> list[str]:
    """One sentence per member with both shares in some year (the latest such year): who matters more to whom."""
    if members is None or members.empty:
        return []
    both = members[(members["partner"] != "ASEAN") & members["ratio"].notna()]
    lines = []
    for partner, rows in both.groupby("partner", sort=True):
        row = rows.sort_values("year").iloc[-1]
        lines.append(
            f"{partner} ({int(row['year'])}): {row['partner_share_of_hk_trade']:.1f}% of Hong Kong's merchandise trade "
            f"(HK-recorded) against Hong Kong's {row['hk_share_of_partner_trade']:.1f}% of {partner}'s (recorded by "
            f"{partner}): a ratio of {row['ratio']:.2f} to 1, so {'the member matters more to Hong Kong' if row['ratio'] > 1 else 'Hong Kong matters more to the member'}.")
    return lines


def claims_reading(claims: pd.DataFrame) -> str:
    """The claims audit in one paragraph: independent checks only, self-consistent claims apart, differing ones first."""
    counts = claims["verdict"].value_counts()
    agree, differs = int(counts.get("agree", 0)), int(counts.get("differs", 0))
    text = (f"{len(claims)} numeric trade claims found in the documents: {agree + differs} could be checked against an "
            f"independent figure ({agree} agree, {differs} differ)")
    differing = claims[claims["verdict"] == "differs"]
    if len(differing):
        text += " — differing: " + "; ".join(
            f"{row['doc_id']} \"{row['claim_text']}\" ({int(row['year'])}) vs {row['official_value']:.4g} "
            f"({row['relative_difference']:+.1%})" for _, row in differing.iterrows())
    return (text + f"; {int(counts.get('self_consistent', 0))} match only their own source or a report of the same "
            f"statement (self-consistent, not counted as confirmation); {int(counts.get('no_independent_figure', 0))} "
            "have no independent figure.")


SUGGESTIONS_SHOWN = 5
"""Suggestions per theme and source shown in the report (all of them are in the CSV)."""


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
    shown = table[table["rank"] <= SUGGESTIONS_SHOWN]
    section.blocks.append(Table(
        shown[["theme", "term", "source", "score", "docs_with_theme", "docs_without_theme", "precision", "recall_gain",
               "folds_found", "in_definition", "proper_noun", "recommended"]],
        f"Top {SUGGESTIONS_SHOWN} suggestions per theme and source (example sentences in the CSV)",
        csv_name=contract.INDICATOR_SUGGESTIONS.name, max_rows=10 * SUGGESTIONS_SHOWN))
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
        section.blocks += _figure(report, contract.LEARNING_CURVE_FIGURE)
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
    section.blocks += _figure(report, contract.HEADLINE)
    return section


def build_sections(report: ReportInput) -> list[Section]:
    """The report's sections in reading order."""
    manifest = report.manifest
    corpus = manifest.get("corpus", {})
    sections: list[Section] = []

    sections.append(headline_section(report))
    summary = Section("Key findings", "summary")
    agreement_table = report.tables.get(contract.AGREEMENT.name)
    if agreement_table is not None and not agreement_table.empty:
        reliability_table = report.tables.get(contract.RELIABILITY.name)
        summary.blocks += [Paragraph(line) for line in agreement_reading(agreement_table, reliability_table)[:3]]
        summary.blocks += [Paragraph(line) for line in theme_reading(best_model_per_theme(agreement_table, reliability_table))]
    curve_table = report.tables.get(contract.LEARNING_CURVE.name)
    if curve_table is not None and not curve_table.empty:
        summary.blocks += [Paragraph(line) for line in learning_curve_reading(curve_table)]
    summary.blocks += [Paragraph(line) for line in trade_reading(report.tables.get(contract.TRADE_ASYMMETRY.name))]
    summary.blocks += [Paragraph(line) for line in member_reading(report.tables.get(contract.MEMBER_ASYMMETRY.name))]
    if report.tables.get(contract.CORRELATION.name) is not None:
        summary.blocks += [Paragraph(line) for line in correlation_reading(report.tables[contract.CORRELATION.name])]
    monthly_table = report.tables.get(contract.MONTHLY_CORRELATION.name)
    if monthly_table is not None and not monthly_table.empty:
        summary.blocks += [Paragraph(line) for line in correlation_reading(monthly_table, family="monthly")]
    if report.tables.get(contract.CLAIMS.name) is not None:
        summary.blocks.append(Paragraph(claims_reading(report.tables[contract.CLAIMS.name])))
    sections.append(summary)

    overview = Section("Corpus overview", "corpus")
    overview.blocks.append(Paragraph(
        f"{corpus.get('n_documents', '?')} documents from {corpus.get('source', '?')}, issued "
        f"{' to '.join(corpus.get('date_range', []))}. Corpus SHA-256 {str(corpus.get('sha256', ''))[:16]}..."
    ))
    overview.blocks += _figure(report, contract.CORPUS_DOCUMENTS_PER_YEAR)
    frame = report.tables.get(contract.DOCUMENTS.name)
    if frame is not None:
        for column, label in (("doc_type", "document type"), ("source", "source")):
            counts = frame.groupby(column).size().rename("n_docs").reset_index().sort_values("n_docs", ascending=False)
            overview.blocks.append(Table(counts, f"Documents per {label}"))
    sections.append(overview)

    terms = Section("Distinctive terms by year (TF-IDF)", "tfidf")
    terms.blocks.append(Paragraph("Terms with the highest TF-IDF weight in each year's documents relative to the whole corpus."))
    by_year = report.tables.get(contract.TFIDF_TERMS_BY_YEAR.name)
    if by_year is not None and not by_year.empty:
        wide = (by_year[by_year["rank"] <= 10].sort_values(["group", "rank"])
                .groupby("group")["term"].apply(lambda t: ", ".join(t.astype(str))).reset_index()
                .rename(columns={"group": "year", "term": "top terms"}))
        terms.blocks.append(Table(wide, "Top 10 distinctive terms per year", csv_name="tfidf_terms_by_year"))
    indicators = report.tables.get(contract.INDICATOR_FREQUENCY.name)
    if indicators is not None and not indicators.empty:
        used = indicators[indicators["n_docs_with"] > 0]
        wide = used.pivot_table(index=["theme", "indicator"], columns="year", values="n_docs_with", fill_value=0, aggfunc="sum")
        wide.columns = [str(c) for c in wide.columns]
        terms.blocks.append(Table(wide.reset_index(), "Documents containing each codebook indicator phrase, per year "
                                  "(indicators never found are left out)", csv_name="indicator_frequency", max_rows=60))
    sections.append(terms)

    topics = Section("Topics and coders", "topics")
    coder_topics = manifest.get("config", {}).get("models", {}).get("coder_topics", "none")
    topic_features = "" if coder_topics == "none" else f", and the {coder_topics.upper()} model's topic shares of each document"
    topics.blocks.append(Paragraph(
        "Six approaches: LDA (tomotopy or gensim) and scikit-learn NMF (unsupervised; K chosen over a grid by c_npmi coherence and "
        "stability across seeds), a keyword-assisted LDA (tomotopy word priors from the codebook's indicator phrases "
        "and their stems, one topic per theme plus free topics, fitted on sentences), a dictionary coder (indicator "
        f"phrases present), a supervised coder (logistic regression on word pairs and dictionary hits{topic_features}; "
        "cross-validated predictions only) and an ensemble stacking the supervised coder with the dictionary hits on training folds."
    ))
    selection = report.tables.get(contract.K_SELECTION.name)
    if selection is not None and "reason" in selection:
        for reason in selection.loc[selection["chosen"].astype(bool), "reason"].dropna().unique():
            topics.blocks.append(Paragraph(f"Chosen K, {reason}", kind="note"))
    topics.blocks += _table(report, contract.TOPICS.name, "Topics: top terms, c_npmi coherence and the theme each maps to",
                            ["model", "topic", "top_terms", "coherence", "coherence_terms", "mapped_theme"], max_rows=60)
    topics.blocks += _table(report, contract.SEED_TOPIC_MAP.name, "Seeded LDA: which topic serves which theme (fixed), and "
                            "its seed words", ["theme", "topic", "n_seed_words", "seed_words"])
    topics.blocks += _figure(report, contract.K_SELECTION_FIGURE)
    for model in ("lda", "nmf", "seeded_lda"):
        topics.blocks += _figure(report, contract.TOP_TERMS_FIGURES[model])
    topics.blocks += _figure(report, contract.THEMES_BY_YEAR)
    sections.append(topics)

    agreement = report.tables.get(contract.AGREEMENT.name)
    validation = Section("Agreement with the manual coding", "agreement")
    if agreement is None or agreement.empty:
        validation.blocks.append(Paragraph("No manual coding was given, so the models could not be compared with it.", kind="warning"))
    else:
        reliability = report.tables.get(contract.RELIABILITY.name)
        best = best_model_per_theme(agreement, reliability)
        for line in theme_reading(best):
            validation.blocks.append(Paragraph(line))
        validation.blocks.append(Table(best, "Best model per theme beside the human ceiling (ranked = no other model's "
                                       "interval reaches its lower bound)", csv_name=contract.AGREEMENT.name))
        for line in agreement_reading(agreement, reliability):
            validation.blocks.append(Paragraph(line))
        validation.blocks.append(Paragraph(
            "How to read this: precision is the share of the model's theme assignments that the standard confirms; recall "
            "the share of the standard's assignments the model finds; F1 their harmonic mean. Kappa and alpha correct "
            "agreement for chance (0 = chance, 1 = perfect). Intervals are 95% percentile bootstraps over documents. "
            "Topic-to-theme maps for LDA and NMF, and the seeded LDA's share thresholds, were learned on training folds "
            "only; supervised and ensemble predictions are cross-validated (the ensemble's stacker learned on the "
            "training folds' out-of-fold predictions); no document is scored by a model fitted on its label.", kind="note"))
        validation.blocks += _figure(report, contract.AGREEMENT_F1)
        macro = agreement[agreement["theme"] == "macro"]
        validation.blocks.append(Table(
            macro[[c for c in ["model", "precision", "recall", "f1", "f1_low", "f1_high", "kappa", "alpha", "n"] if c in macro]],
            "Macro-averaged agreement with the standard", csv_name="agreement"))
        validation.blocks += _table(report, contract.RELIABILITY.name, "Human-human reliability (the ceiling)",
                                    ["theme", "coders", "n", "percent_agreement", "kappa", "alpha"])
        validation.blocks += _figure(report, contract.RELIABILITY_FIGURE)
        validation.blocks += _table(report, contract.AGREEMENT.name, "Agreement per model and theme",
                                    ["model", "theme", "precision", "recall", "f1", "f1_low", "f1_high", "kappa", "alpha", "n"],
                                    max_rows=60)
        validation.blocks += _figure(report, contract.ALIGNMENT_FIGURES["lda"])
        validation.blocks += _figure(report, contract.ALIGNMENT_FIGURES["nmf"])
        validation.blocks += _table(report, contract.PREVALENCE_AGREEMENT_SUMMARY.name, "Yearly theme shares: model vs standard")
        validation.blocks += _table(report, contract.DISAGREEMENTS.name, "Where models and the standard disagree (first rows)",
                                    ["model", "theme", "doc_id", "kind", "evidence_terms", "title"], max_rows=25)
    sections.append(validation)
    sections.append(coding_section(report))
    if contract.INDICATOR_SUGGESTIONS.name in report.tables:
        sections.append(suggestions_section(report))

    trends = Section("Theme prevalence over time and trade", "prevalence")
    trends.blocks += _figure(report, contract.THEME_SHARE_VS_TRADE)
    trends.blocks += _table(report, contract.PREVALENCE.name, "Theme prevalence per period (flagged periods have few documents)",
                            ["period", "theme", "source", "share", "low", "high", "n_docs", "flag"], max_rows=40)
    sections.append(trends)

    correlation = report.tables.get(contract.CORRELATION.name)
    corr = Section("Correlation of themes with trade", "correlation")
    if correlation is not None:
        for line in correlation_reading(correlation):
            corr.blocks.append(Paragraph(line, kind="warning" if "exploratory" in line else "text"))
        shown = correlation.dropna(subset=["r"]).sort_values(["q_value", "p_value"], kind="mergesort")
        corr.blocks.append(Table(shown, "Correlations, smallest q first", csv_name="correlation", max_rows=25))
    monthly = report.tables.get(contract.MONTHLY_CORRELATION.name)
    if monthly is not None and not monthly.empty:
        for line in correlation_reading(monthly, family="monthly"):
            corr.blocks.append(Paragraph(line, kind="warning" if "exploratory" in line else "text"))
        shown = monthly.dropna(subset=["r"]).sort_values(["q_value", "p_value"], kind="mergesort")
        corr.blocks.append(Table(shown, "Monthly correlations (prevalence.freq: month), smallest q first",
                                 csv_name=contract.MONTHLY_CORRELATION.name, max_rows=25))
    sections.append(corr)

    claims = report.tables.get(contract.CLAIMS.name)
    audit = Section("Claims audit: numbers in the releases vs independent figures", "claims")
    if claims is not None:
        counts = claims.groupby("verdict").size().rename("n_claims").reset_index()
        rate = manifest.get("config", {}).get("trade", {}).get("hkd_per_usd")
        audit.blocks.append(Paragraph(claims_reading(claims)))
        audit.blocks.append(Paragraph(
            "Numeric trade claims (values, shares, ranks, growth) extracted from the documents and matched to reference "
            f"figures by year, subject and unit (US$ and HK$ compared at HK${rate} per US$, the config's trade.hkd_per_usd). "
            "A claim agrees or differs only against an independent figure (an official statistical tabulation, or another "
            "publisher reporting a statistics agency's data); a match with its own document or a report of the same "
            "statement is only self-consistent; reference_independence and independence_rule say which rule applied.",
            kind="note"))
        audit.blocks.append(Table(counts, "Verdicts"))
        order = {"differs": 0, "agree": 1, "self_consistent": 2, "no_independent_figure": 3}
        ordered = claims.assign(_order=claims["verdict"].map(order)).sort_values("_order", kind="mergesort")
        audit.blocks.append(Table(
            ordered[["doc_id", "date", "claim_type", "claim_text", "year", "official_value", "verdict",
                     "reference_independence", "relative_difference", "note"]],
            "Claims and their verdicts, differing ones first", csv_name=contract.CLAIMS.name, max_rows=40))
    audit.blocks += _table(report, contract.POSTER_CLAIMS.name, "The study poster's own figures checked against independent figures")
    sections.append(audit)

    trade = Section("Trade: the poster's three figures", "trade")
    trade.blocks += _table(report, contract.TRADE_ASYMMETRY.name, "ASEAN's weight for Hong Kong beside Hong Kong's weight for ASEAN")
    trade.blocks += _figure(report, contract.TRADE_HK_ASEAN)
    trade.blocks += _figure(report, contract.TRADE_EXPORT_DEPENDENCE)
    trade.blocks += _figure(report, contract.TRADE_IMPORT_DEPENDENCE)
    trade.blocks += _figure(report, contract.TRADE_MEMBER_ASYMMETRY)
    members = report.tables.get(contract.MEMBER_ASYMMETRY.name)
    if members is not None and not members.empty:
        both = members[members["ratio"].notna()]
        trade.blocks.append(Table(both, "Partners and years with both shares (all rows in the CSV)",
                                  csv_name=contract.MEMBER_ASYMMETRY.name, max_rows=30))
    trade.blocks.append(Paragraph(
        "Each point shows the best source of its year (official statistical tabulation > official quote > secondary report "
        "> inferred): filled markers and solid bars are official tabulations, hollow markers and light bars quoted, "
        "reported or inferred values; gaps are years with no figure (never interpolated unless the config asks, and then "
        "labelled). HK$, US$ and S$ are never mixed: US$ is converted at the peg and flagged, S$ never.", kind="note"))
    sections.append(trade)

    repro = Section("Reproducibility", "manifest")
    repro.blocks.append(Paragraph(
        "Same inputs, config and seed give identical tables. The manifest below (also manifest.json) records the command, "
        "package versions, corpus hash, seeds and stage timings."))
    stages = pd.DataFrame(manifest.get("stages", []))
    if not stages.empty:
        repro.blocks.append(Table(stages[["name", "seconds", "cached"]], "Stage timings (seconds)"))
    packages = pd.DataFrame(sorted(manifest.get("packages", {}).items()), columns=["package", "version"])
    repro.blocks.append(Table(packages, "Package versions"))
    for message in manifest.get("warnings", []):
        repro.blocks.append(Paragraph(message, kind="warning"))
    repro.blocks.append(Paragraph("Config: " + json.dumps(manifest.get("config", {}), sort_keys=True)))
    sections.append(repro)
    return sections


def write_report_files(report: ReportInput, html_path: Path, markdown_path: Path) -> None:
    """Write report.html (self-contained) and report.md (figures linked relative to it); both link to explore.html
    when the run wrote it next to them."""
    corpus = report.manifest.get("corpus", {})
    subtitle = f"hkasean run on {corpus.get('source', 'a corpus')}, {corpus.get('n_documents', '?')} documents"
    sections = build_sections(report)
    links = explorer_links(html_path.parent)
    html_path.write_text(render_html(TITLE, subtitle, sections, links), encoding="utf-8")
    markdown_path.write_text(render_markdown(TITLE, subtitle, sections, markdown_path.parent, links), encoding="utf-8")


def explorer_links(folder: Path) -> tuple[Link, ...]:
    """The link to ``explore.html`` when the run wrote it next to the report (none otherwise)."""
    if not (Path(folder) / contract.EXPLORER).is_file():
        return ()
    return (Link(contract.EXPLORER, "Explore the results interactively (explore.html)",
                 "topics and their terms, every document with its themes and the evidence behind them, prevalence "
                 "beside trade, the claims audit; one file that works offline"),)
