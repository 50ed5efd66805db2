"""Theme prevalence over time: the share of documents carrying each theme per period, with intervals.

Input is the tidy ``doc_themes`` shape shared by every model and by the manual coding:
DataFrame[doc_id, model, theme, score, present (0/1)], optionally with a ``fold`` column; the gold coding
uses ``model = "gold"``. Each value of ``model`` becomes one ``source`` of the table.

Which predictions are used: every row. Prevalence is descriptive, so in-sample predictions
(``fold == -1``) count as much as out-of-fold ones. If a document has more than one row for the same
(model, theme) -- e.g. an out-of-fold prediction and an in-sample refit -- the out-of-fold one
(``fold >= 0``) is kept.

Intervals (``interval``, named in the table's ``interval`` column): the Wilson score interval by default.
A period holds a few to a few dozen documents, where the percentile bootstrap under-covers: with 3 of 20
documents carrying a theme, about 5% of resamples carry none, so its lower bound is often 0 under a share
above 0 (Brown, Cai & DasGupta 2001 on intervals for a binomial proportion). ``interval="bootstrap"``
keeps the percentile bootstrap over the period's documents (``n_boot`` resamples) for periods of at
least ``min_docs`` documents whose share is neither 0 nor 1; the others get the Wilson interval.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from hkasean import contract
from hkasean.analysis.resampling import bootstrap_indices, percentile_interval
from hkasean.corpus.document import PLAUSIBLE_YEARS
from hkasean.seeds import random_generator

PREVALENCE_COLUMNS = contract.PREVALENCE.column_list
DOC_THEME_COLUMNS = list(contract.DOC_THEMES.required)
_FREQ_CODES = {"year": "Y", "quarter": "Q", "month": "M"}
WILSON = "wilson"
BOOTSTRAP = "bootstrap"
INTERVAL_METHODS = (WILSON, BOOTSTRAP)


@dataclass(frozen=True)
class PrevalenceSettings:
    """Tunable parameters of the prevalence table (config keys = field names)."""

    freq: str = field(default="year", metadata={"help": "period length: year, quarter or month", "choices": tuple(_FREQ_CODES)})
    interval: str = field(default=WILSON, metadata={
        "help": "interval of a period's share: wilson (Wilson score; covers at small n) or bootstrap (percentile "
                "bootstrap over the period's documents, Wilson where it is degenerate; under-covers at small n)",
        "choices": INTERVAL_METHODS})
    n_boot: int = field(default=1000, metadata={"help": "bootstrap resamples of each period's documents (interval bootstrap)", "at_least": 1, "at_most": 100_000})
    min_docs: int = field(default=5, metadata={"help": "periods with fewer documents are flagged (and get a Wilson interval)", "at_least": 1, "at_most": 1_000_000})
    level: float = field(default=0.95, metadata={"help": "coverage of the interval", "above": 0, "below": 1})


def prevalence_table(
    doc_themes: pd.DataFrame,
    doc_frame: pd.DataFrame,
    freq: str = PrevalenceSettings.freq,
    n_boot: int = PrevalenceSettings.n_boot,
    random_state: int | None = None,
    min_docs: int = PrevalenceSettings.min_docs,
    level: float = PrevalenceSettings.level,
    interval: str = PrevalenceSettings.interval,
) -> pd.DataFrame:
    """Share of documents carrying each theme, per period and source, with an interval.

    ``doc_frame`` is ``corpus.frame.documents_frame(docs)`` (needs ``doc_id`` and ``date``); its date
    range sets the periods (see ``table_periods``), so periods with no documents appear (n_docs 0,
    share NaN, flag "no documents"). Periods with fewer than ``min_docs`` documents are kept and flagged
    "few documents (n=3)".

    Returns DataFrame[period (str: "2019", "2019Q1" or "2019-01"), theme, source, share (0-1), low, high
    (interval bounds, 0-1), n_docs (int), flag (str, "" if nothing to say), period_start (datetime64),
    interval ("wilson" or "bootstrap": how that row's bounds were computed; "" without documents)],
    one row per (source, theme, period), sorted in that order.
    """
    if freq not in _FREQ_CODES:
        raise ValueError(f"freq must be one of {sorted(_FREQ_CODES)}, got {freq!r}")
    if interval not in INTERVAL_METHODS:
        raise ValueError(f"interval must be one of {list(INTERVAL_METHODS)}, got {interval!r}")
    missing = [c for c in DOC_THEME_COLUMNS if c not in doc_themes.columns]
    if missing:
        raise ValueError(f"doc_themes lacks column(s) {missing}; expected {DOC_THEME_COLUMNS} (+ optional fold)")
    coded = _one_prediction_per_document(doc_themes)
    unknown = sorted(set(coded["doc_id"]) - set(doc_frame["doc_id"]))
    if unknown:
        raise ValueError(f"{len(unknown)} doc_id(s) of doc_themes are not in doc_frame, e.g. {unknown[:3]}")

    code = _FREQ_CODES[freq]
    dates = pd.to_datetime(doc_frame["date"])
    doc_period = pd.Series(dates.dt.to_period(code).to_numpy(), index=doc_frame["doc_id"].to_numpy())
    all_periods = table_periods(dates, code)
    coded = coded.assign(period=coded["doc_id"].map(doc_period))

    rows = []
    for (source, theme), group in coded.groupby(["model", "theme"], sort=True):
        by_period = {p: g["present"].to_numpy(dtype=float) for p, g in group.groupby("period")}
        for period in all_periods:
            present = by_period.get(period, np.empty(0))
            rng = random_generator(random_state, source, theme, str(period))
            share, low, high, method, flag = _share_with_interval(present, interval, n_boot, rng, min_docs, level)
            rows.append({
                "period": str(period), "theme": theme, "source": source, "share": share, "low": low,
                "high": high, "n_docs": len(present), "flag": flag, "period_start": period.start_time,
                "interval": method,
            })
    return pd.DataFrame(rows, columns=PREVALENCE_COLUMNS).astype({"n_docs": int})


def table_periods(dates: pd.Series, code: str) -> pd.PeriodIndex:
    """The periods (pandas frequency ``code``) a table lists for documents issued on ``dates``.

    Every period from the first to the last document dated within ``PLAUSIBLE_YEARS`` (empty ones
    included), plus the periods of documents dated outside those years, without the empty periods
    between them: a document mis-dated 0001-01-01 adds one period, not two thousand.
    """
    periods = dates.dt.to_period(code)
    years = dates.dt.year
    plausible = periods[(years >= PLAUSIBLE_YEARS[0]) & (years <= PLAUSIBLE_YEARS[1])]
    span = pd.period_range(plausible.min(), plausible.max(), freq=code) if len(plausible) else pd.PeriodIndex([], freq=code)
    return span.union(pd.PeriodIndex(periods.unique(), freq=code)).sort_values()


def _one_prediction_per_document(doc_themes: pd.DataFrame) -> pd.DataFrame:
    if "fold" in doc_themes.columns:
        doc_themes = doc_themes.assign(_in_sample=doc_themes["fold"] == -1).sort_values("_in_sample", kind="stable")
    deduplicated = doc_themes.drop_duplicates(["model", "theme", "doc_id"], keep="first")
    return deduplicated[DOC_THEME_COLUMNS]


def _share_with_interval(
    present: np.ndarray, interval: str, n_boot: int, rng: np.random.Generator, min_docs: int, level: float
) -> tuple[float, float, float, str, str]:
    """(share, low, high, interval method, flag) of one period's 0/1 presence values."""
    n = len(present)
    if n == 0:
        return np.nan, np.nan, np.nan, "", "no documents"
    share = float(present.mean())
    flag = f"few documents (n={n})" if n < min_docs else ""
    if interval == BOOTSTRAP and n >= min_docs and share not in (0.0, 1.0):
        draws = bootstrap_indices(n, n_boot, rng)
        low, high = percentile_interval(present[draws].mean(axis=1), level)
        return share, low, high, BOOTSTRAP, flag
    low, high = wilson_interval(int(present.sum()), n, level)
    return share, low, high, WILSON, flag


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / n`` (bounds in 0-1; NaN if n == 0)."""
    if n == 0:
        return (np.nan, np.nan)
    z = stats.norm.ppf(1.0 - (1.0 - level) / 2.0)
    p = successes / n
    denominator = 1.0 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))
