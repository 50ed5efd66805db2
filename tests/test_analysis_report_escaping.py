"""Text that comes from documents or the codebook is escaped in report.md as it is in report.html."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from hkasean.analysis.report import write_report_files
from hkasean.analysis.report_data import ReportInput
from hkasean.analysis.report_render import Figure, Paragraph, Section, Table, render_markdown

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
LINK = "[click](javascript:alert(3))"


def test_markdown_escapes_html_in_paragraphs_tables_and_captions(tmp_path):
    figure = tmp_path / "figures" / "f.png"
    figure.parent.mkdir()
    figure.write_bytes(b"png")
    frame = pd.DataFrame({"title": [SCRIPT, LINK], "label " + IMG: ["a|b", "line\nbreak"]})
    sections = [Section("Findings", "s", [
        Paragraph(f"Title: {SCRIPT}"),
        Paragraph(IMG, kind="warning"),
        Table(frame, f"Caption {IMG}"),
        Figure(figure, f"Figure {SCRIPT} ]({LINK}"),
    ])]
    markdown = render_markdown("T", f"sub {IMG}", sections, tmp_path)
    assert "<script" not in markdown and "<img" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown and "&lt;img src=x onerror=" in markdown
    assert not re.search(r"(?<!\\)\]\(javascript:", markdown) and "\\[click\\](javascript:" in markdown
    assert "a\\|b" in markdown and "line break" in markdown
    assert "](figures/f.png)" in markdown
    assert '<a id="s"></a>' in markdown  # the report's own markup stays markup


def test_report_md_escapes_document_titles_and_codebook_labels(tmp_path):
    disagreements = pd.DataFrame({
        "model": ["lda"], "theme": [IMG], "doc_id": ["d1"], "kind": ["missed"], "evidence_terms": ["x"], "title": [SCRIPT],
    })
    agreement = pd.DataFrame({
        "model": ["lda"], "theme": ["macro"], "precision": [0.5], "recall": [0.5], "f1": [0.5], "f1_low": [0.4],
        "f1_high": [0.6], "kappa": [0.3], "alpha": [0.3], "n": [10],
    })
    topics = pd.DataFrame({"model": ["lda"], "topic": [0], "top_terms": [SCRIPT], "coherence": [0.1], "mapped_theme": [IMG]})
    report = ReportInput(manifest={"corpus": {"source": SCRIPT, "n_documents": 1}, "warnings": [f"bad title {IMG}"]},
                         tables={"disagreements": disagreements, "agreement": agreement, "topics": topics})
    write_report_files(report, tmp_path / "report.html", tmp_path / "report.md")
    for name in ("report.html", "report.md"):
        text = (tmp_path / name).read_text()
        assert "<script" not in text and "<img" not in text, name
    assert "&lt;script&gt;" in Path(tmp_path / "report.md").read_text()
