"""The run's story as sections of text, tables and figures, written as report.html and report.md.

The sections are built in ``report_sections`` and ``report_coding_sections`` from the data of
``report_data`` and the sentences of ``report_readings``; ``report_render`` writes them out.
"""
from __future__ import annotations

from pathlib import Path

from hkasean import contract
from hkasean.analysis.report_coding_sections import agreement_section, coding_section, suggestions_section
from hkasean.analysis.report_data import ReportInput
from hkasean.analysis.report_render import Link, Section, render_html, render_markdown
from hkasean.analysis.report_sections import (
    claims_section, correlation_section, corpus_section, headline_section, prevalence_section, reproducibility_section,
    summary_section, tfidf_section, topics_section, trade_section,
)

TITLE = "Hong Kong government narratives about ASEAN: themes, agreement and trade"


def build_sections(report: ReportInput) -> list[Section]:
    """The report's sections in reading order (the codebook suggestions only for a run that made them)."""
    sections = [headline_section(report), summary_section(report), corpus_section(report), tfidf_section(report),
                topics_section(report), agreement_section(report), coding_section(report)]
    if contract.INDICATOR_SUGGESTIONS.name in report.tables:
        sections.append(suggestions_section(report))
    return sections + [prevalence_section(report), correlation_section(report), claims_section(report),
                       trade_section(report), reproducibility_section(report)]


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
