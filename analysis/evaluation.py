"""Scoring the models against the manual coding: which coders are scored how, in one place.

Policy (what ``evaluate_models`` does):

- every coder's own ``doc_themes`` is scored as it is (for LDA and NMF that uses the codebook-lexical
  topic map of the fit, no coding at all);
- LDA and NMF are scored a second time as ``<model>+cv_map``, with a topic-to-theme map and
  thresholds learned on training folds only;
- predictions made by a model that saw the document's label (``fold == -1``) are never scored
  (``scored_predictions``);
- human coders are scored beside the models only when they are independent of the standard:
  against an adjudicated gold standard every coder is, against a majority standard only when
  there are two or more coders (a lone coder *is* the standard);
- human-human reliability (the ceiling) needs two or more independent coders;
- uncoded documents are never scored; the learning coders' doubts about them propose the next batch
  to code (``analysis.code_next``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from hkasean import contract
from hkasean.analysis import agreement as agreement_lib
from hkasean.analysis import code_next as code_next_lib
from hkasean.analysis import disagreements as disagreements_lib
from hkasean.analysis import mapping as mapping_lib
from hkasean.analysis import reliability as reliability_lib
from hkasean.analysis.coding import GOLD, Coding
from hkasean.analysis.validation_settings import ValidationSettings

LOG = logging.getLogger(__name__)

CV_MAP_SUFFIX = "+cv_map"


@dataclass
class EvaluationResult:
    """Reliability, cross-validated topic maps, agreement, prevalence agreement, disagreements and what to code next.

    Every frame has the columns of the contract table of the same name; ``standard`` is the
    standard coding (index doc_id, one 0/1 column per theme).
    """

    reliability: pd.DataFrame
    agreement: pd.DataFrame
    topic_theme_map: pd.DataFrame
    topic_theme_map_full: pd.DataFrame
    prevalence_agreement: pd.DataFrame
    prevalence_agreement_summary: pd.DataFrame
    disagreements: pd.DataFrame
    code_next: pd.DataFrame
    standard: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result's tables by contract name."""
        return {
            contract.RELIABILITY.name: self.reliability,
            contract.AGREEMENT.name: self.agreement,
            contract.DISAGREEMENTS.name: self.disagreements,
            contract.PREVALENCE_AGREEMENT.name: self.prevalence_agreement,
            contract.PREVALENCE_AGREEMENT_SUMMARY.name: self.prevalence_agreement_summary,
            contract.TOPIC_THEME_MAP.name: self.topic_theme_map,
            contract.TOPIC_THEME_MAP_FULL.name: self.topic_theme_map_full,
            contract.CODE_NEXT.name: self.code_next,
        }


def as_cv_map(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its model names relabelled as their cross-validated-map variant (``lda`` -> ``lda+cv_map``)."""
    return frame.assign(model=frame["model"] + CV_MAP_SUFFIX)


def humans_scorable(coding: Coding) -> bool:
    """True when the coders can be scored against the standard without scoring a coder against itself."""
    coders = coding.independent_coders
    return (coding.standard_name == GOLD and len(coders) >= 1) or len(coders) >= 2


def theme_sources(doc_themes: pd.DataFrame, coding: Coding | None) -> pd.DataFrame:
    """Model predictions plus the standard coding (source "gold" or "majority"), in the doc_themes shape."""
    frames = [doc_themes]
    if coding is not None:
        frames.append(coding.as_doc_themes())
    return pd.concat(frames, ignore_index=True)


def evaluate_models(
    doc_themes: pd.DataFrame,
    doc_topics: pd.DataFrame,
    evidence: pd.DataFrame,
    coding: Coding,
    doc_frame: pd.DataFrame,
    settings: ValidationSettings,
    random_state: int,
    thresholds: pd.DataFrame | None = None,
) -> EvaluationResult:
    """Score every model of a fit against ``coding``'s standard, humans beside them (module docstring).

    ``doc_themes``, ``doc_topics``, ``evidence``: the fit's tables (contract shapes); ``thresholds``:
    the fit's ``supervised_thresholds`` (for ``code_next``; without it nothing is proposed);
    ``doc_frame``: the documents table (for years and titles). Intervals are percentile bootstraps
    with ``settings.n_boot`` resamples at ``settings.level``, seeded by ``random_state``.
    """
    standard = coding.standard()
    boot = {"n_boot": settings.n_boot, "random_state": random_state, "level": settings.level}
    reliability = _reliability(coding, boot)
    topic_docs = doc_topics[doc_topics["model"].isin(contract.TOPIC_MODELS)]
    predictions = [doc_themes]
    maps = pd.DataFrame(columns=contract.TOPIC_THEME_MAP.column_list)
    full_map = pd.DataFrame(columns=contract.TOPIC_THEME_MAP_FULL.column_list)
    if not topic_docs.empty:
        mapped = mapping_lib.cross_validated_topic_map(
            topic_docs, standard, n_folds=settings.n_folds, random_state=random_state,
            min_f1=settings.min_f1, thresholds=settings.thresholds,
        )
        predictions.append(as_cv_map(mapped.predictions))
        maps, full_map = as_cv_map(mapped.maps), as_cv_map(mapped.full_map)
    scored = pd.concat(predictions, ignore_index=True)
    agreement_tables = [agreement_lib.agreement_table(scored, standard, **boot)]
    if humans_scorable(coding):
        agreement_tables.append(agreement_lib.human_agreement_rows(coding, **boot))
    prevalence = agreement_lib.prevalence_agreement(scored, standard, doc_frame)
    topic_evidence = evidence[evidence["model"].isin(contract.TOPIC_MODELS)]
    all_evidence = pd.concat([evidence, as_cv_map(topic_evidence)], ignore_index=True)
    return EvaluationResult(
        reliability=reliability,
        agreement=pd.concat(agreement_tables, ignore_index=True),
        topic_theme_map=maps,
        topic_theme_map_full=full_map,
        prevalence_agreement=prevalence,
        prevalence_agreement_summary=agreement_lib.prevalence_agreement_summary(prevalence),
        disagreements=disagreements_lib.disagreement_table(scored, standard, doc_frame, evidence=all_evidence,
                                                           topic_maps=maps),
        code_next=code_next_lib.code_next_table(doc_themes, thresholds, doc_frame, settings.code_next_size)
        if thresholds is not None else pd.DataFrame(columns=contract.CODE_NEXT.column_list),
        standard=standard,
    )


def _reliability(coding: Coding, boot: dict) -> pd.DataFrame:
    coders = coding.independent_coders
    if len(coders) >= 2:
        return reliability_lib.reliability_table(coding, **boot)
    LOG.warning("the coding has %s besides the standard: no human-human reliability (the ceiling) can be computed",
                f"one coder ({coders[0]})" if coders else "no coder")
    return pd.DataFrame(columns=contract.RELIABILITY.column_list)
