"""The report's data: the run's tables and figures (``ReportInput``) and what a section shows of them.

Each function here reshapes one table into the frame a report section prints (counts, wide tables, the
rows worth showing, in the order worth reading) or into the blocks of a table or figure; the sections
(``report_sections``, ``report_coding_sections``) arrange them with their text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from hkasean.analysis.agreement import MACRO
from hkasean.analysis.claims import AGREE, DIFFERS, NO_INDEPENDENT_FIGURE, SELF_CONSISTENT
from hkasean.analysis.report_render import Figure, Table
from hkasean.contract import FigureSpec


@dataclass
class ReportInput:
    """The run's tables (contract name -> DataFrame, in memory) and figure paths (contract name -> PNG);
    a missing table leaves its section out or says why."""

    manifest: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Path] = field(default_factory=dict)


SUGGESTIONS_SHOWN = 5
"""Suggestions per theme and source shown in the report (all of them are in the CSV)."""
TOP_TERMS_SHOWN = 10
"""Distinctive TF-IDF terms shown per year."""
VERDICT_ORDER = (DIFFERS, AGREE, SELF_CONSISTENT, NO_INDEPENDENT_FIGURE)
"""Claim verdicts in the order the report lists the claims: differing ones first."""


def figure_blocks(report: ReportInput, spec: FigureSpec) -> list[Figure]:
    """The figure ``spec`` with its caption, or nothing when the run did not draw it."""
    path = report.figures.get(spec.name)
    return [Figure(path, spec.caption)] if path is not None and Path(path).is_file() else []


def table_blocks(report: ReportInput, name: str, caption: str, columns: list[str] | None = None, max_rows: int = 40,
                 sort: list[str] | None = None) -> list[Table]:
    """The run's table ``name`` (only ``columns`` of it, when given, sorted by ``sort``), linked to its CSV;
    nothing when the table is missing or empty."""
    frame = report.tables.get(name)
    if frame is None or frame.empty:
        return []
    if columns:
        frame = frame[[c for c in columns if c in frame.columns]]
    if sort:
        frame = frame.sort_values(sort, kind="mergesort")
    return [Table(frame, caption, csv_name=name, max_rows=max_rows)]


def documents_per(documents: pd.DataFrame, column: str) -> pd.DataFrame:
    """Documents per value of ``column`` of the documents table (n_docs), most first."""
    return documents.groupby(column).size().rename("n_docs").reset_index().sort_values("n_docs", ascending=False)


def top_terms_per_year(by_year: pd.DataFrame) -> pd.DataFrame:
    """The ``TOP_TERMS_SHOWN`` strongest terms of each year (``tfidf_terms_by_year``), comma-joined: year, top terms."""
    return (by_year[by_year["rank"] <= TOP_TERMS_SHOWN].sort_values(["group", "rank"])
            .groupby("group")["term"].apply(lambda t: ", ".join(t.astype(str))).reset_index()
            .rename(columns={"group": "year", "term": "top terms"}))


def indicator_documents_per_year(indicators: pd.DataFrame) -> pd.DataFrame:
    """Documents containing each codebook indicator phrase found at all (``indicator_frequency``), one column
    per year: theme, indicator, <year>..."""
    used = indicators[indicators["n_docs_with"] > 0]
    wide = used.pivot_table(index=["theme", "indicator"], columns="year", values="n_docs_with", fill_value=0, aggfunc="sum")
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()


def chosen_k_reasons(selection: pd.DataFrame | None) -> list[str]:
    """Why each chosen K was chosen (``k_selection``'s reasons of the chosen rows, once each)."""
    if selection is None or "reason" not in selection:
        return []
    return list(selection.loc[selection["chosen"].astype(bool), "reason"].dropna().unique())


def macro_agreement(agreement: pd.DataFrame) -> pd.DataFrame:
    """The macro-averaged rows of the agreement table: model, precision, recall, F1 and its interval, kappa, alpha, n."""
    macro = agreement[agreement["theme"] == MACRO]
    shown = ["model", "precision", "recall", "f1", "f1_low", "f1_high", "kappa", "alpha", "n"]
    return macro[[c for c in shown if c in macro]]


def computed_correlations(correlation: pd.DataFrame) -> pd.DataFrame:
    """The correlations that could be computed (r not NaN), smallest q first, then smallest p."""
    return correlation.dropna(subset=["r"]).sort_values(["q_value", "p_value"], kind="mergesort")


def verdict_counts(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims per verdict: verdict, n_claims."""
    return claims.groupby("verdict").size().rename("n_claims").reset_index()


def claims_by_verdict(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims in ``VERDICT_ORDER`` (differing ones first), with the columns a reader needs to judge them."""
    order = {verdict: rank for rank, verdict in enumerate(VERDICT_ORDER)}
    ordered = claims.assign(_order=claims["verdict"].map(order)).sort_values("_order", kind="mergesort")
    return ordered[["doc_id", "date", "claim_type", "claim_text", "year", "official_value", "verdict",
                    "reference_independence", "relative_difference", "note"]]


def partners_with_both_shares(members: pd.DataFrame) -> pd.DataFrame:
    """The ``member_asymmetry`` rows with both shares (a ratio)."""
    return members[members["ratio"].notna()]


def top_suggestions(suggestions: pd.DataFrame) -> pd.DataFrame:
    """The ``SUGGESTIONS_SHOWN`` best indicator suggestions per theme and source, without the example sentences."""
    shown = suggestions[suggestions["rank"] <= SUGGESTIONS_SHOWN]
    return shown[["theme", "term", "source", "score", "docs_with_theme", "docs_without_theme", "precision", "recall_gain",
                  "folds_found", "in_definition", "proper_noun", "recommended"]]


def stage_timings(manifest: dict[str, Any]) -> pd.DataFrame:
    """The manifest's stage timings (name, seconds, cached); empty when it records none."""
    stages = pd.DataFrame(manifest.get("stages", []))
    return stages if stages.empty else stages[["name", "seconds", "cached"]]


def package_table(manifest: dict[str, Any]) -> pd.DataFrame:
    """The manifest's package versions, by package name."""
    return pd.DataFrame(sorted(manifest.get("packages", {}).items()), columns=["package", "version"])
