"""What kind of source a trade figure comes from, and which of several figures for one period is best.

Every row of a trade table has a ``source_class`` (``SOURCE_CLASSES``): from the optional column of that
name in the trade CSV or, when absent, ``derive_source_class``. Series take the best figure per period:
``rank_figures`` orders candidates by ``SOURCE_PRIORITY``, then confidence (``CONFIDENCE_RANK``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}
STUDY_POSTER = "study poster"
OFFICIAL_TABULATION = "official_tabulation"
OFFICIAL_QUOTE = "official_quote"
SECONDARY_REPORT = "secondary_report"
INFERRED = "inferred"
POSTER = "poster"
SOURCE_CLASSES = (OFFICIAL_TABULATION, OFFICIAL_QUOTE, SECONDARY_REPORT, INFERRED, POSTER)
SOURCE_PRIORITY = {OFFICIAL_TABULATION: 0, OFFICIAL_QUOTE: 1, SECONDARY_REPORT: 2, INFERRED: 3, POSTER: 3}
"""The declared priority when a period has figures from several sources: an official statistical
tabulation beats an official quote, which beats a secondary report, which beats an inferred value or
the study poster's figure. Within a class, confidence high > medium > low decides, then a figure in its
own currency over a converted one, then file order."""


def derive_source_class(source_url: str, confidence: str, note: str) -> str:
    """The source class of a figure whose file gives none.

    ``poster`` when ``source_url`` is "study poster"; ``inferred`` when the note starts with INFERRED;
    ``official_quote`` for confidence ``high`` (a government or statistics office page quoting the figure);
    ``secondary_report`` otherwise (news reports, mirrors, research summaries). Only an explicit
    ``source_class`` cell makes a figure an ``official_tabulation``.
    """
    if source_url == STUDY_POSTER:
        return POSTER
    if note.upper().startswith("INFERRED"):
        return INFERRED
    return OFFICIAL_QUOTE if confidence == "high" else SECONDARY_REPORT


def rank_figures(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (with a boolean ``converted`` column) best first: a number over a bound, then
    ``SOURCE_PRIORITY``, then confidence high > medium > low, then own currency over converted, then file order."""
    return rows.assign(
        _is_bound=rows["value_num"].isna(),
        _priority=rows["source_class"].map(SOURCE_PRIORITY),
        _confidence=rows["confidence"].map(CONFIDENCE_RANK),
        _order=np.arange(len(rows)),
    ).sort_values(["_is_bound", "_priority", "_confidence", "converted", "_order"])
