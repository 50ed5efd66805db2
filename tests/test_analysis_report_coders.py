"""The report describes the coders as the run's configuration fitted them."""
from __future__ import annotations

import pytest

from hkasean.analysis.report import build_sections
from hkasean.analysis.report_data import ReportInput


def coders_paragraph(manifest: dict) -> str:
    section = next(s for s in build_sections(ReportInput(manifest=manifest)) if s.title == "Topics and coders")
    return section.blocks[0].text


@pytest.mark.parametrize("coder_topics, named", [("nmf", "NMF model's topic shares"), ("lda", "LDA model's topic shares")])
def test_the_coders_paragraph_names_the_topic_shares_the_coders_read(coder_topics, named):
    assert named in coders_paragraph({"config": {"models": {"coder_topics": coder_topics}}})


def test_without_topic_shares_the_coders_paragraph_names_none():
    assert "topic shares" not in coders_paragraph({"config": {"models": {"coder_topics": "none"}}})
    assert "topic shares" not in coders_paragraph({})
