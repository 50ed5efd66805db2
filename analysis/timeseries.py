"""Theme prevalence over time beside the trade series: prevalence, trade series, correlations, asymmetry."""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import pandas as pd

from hkasean import contract
from hkasean.analysis import correlation as correlation_lib
from hkasean.analysis import prevalence as prevalence_lib
from hkasean.analysis import trade as trade_lib
from hkasean.analysis.correlation import CorrelationSettings
from hkasean.analysis.prevalence import PrevalenceSettings
from hkasean.analysis.trade import TradeSettings

LOG = logging.getLogger(__name__)

ANNUAL_PERIOD = r"\d{4}"
"""Periods of an annual prevalence table ("2019"); the trade series are annual."""


@dataclass
class TimeSeriesResult:
    """Prevalence per period and source, the trade series, their correlations, and the dependence asymmetry.

    Each frame has the columns of the contract table of the same name.
    """

    prevalence: pd.DataFrame
    trade_series: pd.DataFrame
    correlation: pd.DataFrame
    trade_asymmetry: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result's tables by contract name."""
        return {
            contract.PREVALENCE.name: self.prevalence,
            contract.TRADE_SERIES.name: self.trade_series,
            contract.CORRELATION.name: self.correlation,
            contract.TRADE_ASYMMETRY.name: self.trade_asymmetry,
        }


def annual_rows(prevalence: pd.DataFrame) -> pd.DataFrame:
    """The rows of a prevalence table whose period is a year."""
    return prevalence[prevalence["period"].astype(str).str.fullmatch(ANNUAL_PERIOD)]


def theme_trade_series(
    theme_sources: pd.DataFrame,
    doc_frame: pd.DataFrame,
    trade: pd.DataFrame,
    prevalence: PrevalenceSettings,
    trade_settings: TradeSettings,
    correlation: CorrelationSettings,
    random_state: int,
) -> TimeSeriesResult:
    """Theme prevalence by period for every source, the annual trade series, and the correlation family.

    ``theme_sources``: doc_themes rows of the models and of the coding standard; ``doc_frame``: the
    documents table; ``trade``: the parsed trade table. Correlations need annual prevalence; with
    another ``prevalence.freq`` the correlation table is empty and a warning says why.
    """
    shares = prevalence_lib.prevalence_table(theme_sources, doc_frame, **dataclasses.asdict(prevalence),
                                             random_state=random_state)
    series = trade_lib.trade_series_for_correlation(trade, **dataclasses.asdict(trade_settings))
    annual = annual_rows(shares)
    if annual.empty:
        LOG.warning("prevalence is not annual (freq=%s): correlations with the annual trade series are not computed",
                    prevalence.freq)
    correlations = correlation_lib.correlation_table(annual, series, **dataclasses.asdict(correlation),
                                                     random_state=random_state)
    return TimeSeriesResult(shares, series, correlations, trade_lib.dependence_asymmetry(series))
