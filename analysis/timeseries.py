"""Theme prevalence over time beside the trade series: prevalence, trade series, correlations, asymmetry."""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import pandas as pd

from hkasean import contract
from hkasean.analysis import correlation as correlation_lib
from hkasean.analysis import member_asymmetry as member_asymmetry_lib
from hkasean.analysis import monthly_correlation as monthly_lib
from hkasean.analysis import prevalence as prevalence_lib
from hkasean.analysis import trade_derived, trade_official
from hkasean.analysis import trade_series as trade_series_lib
from hkasean.analysis.correlation import CorrelationSettings
from hkasean.analysis.prevalence import PrevalenceSettings
from hkasean.analysis.trade_asymmetry import dependence_asymmetry
from hkasean.analysis.trade_settings import TradeSettings
from hkasean.analysis.trade_source_classes import OFFICIAL_TABULATION

LOG = logging.getLogger(__name__)

ANNUAL_PERIOD = r"\d{4}"
"""Periods of an annual prevalence table ("2019")."""
MONTHLY_PERIOD = r"\d{4}-\d{2}"
"""Periods of a monthly prevalence table ("2019-03")."""
HK_ASEAN_MONTHLY = ("hk_asean_trade", "total_trade", "ASEAN")
"""(series, flow, partner) of Hong Kong-recorded monthly trade with ASEAN: the main monthly series when present."""


@dataclass
class TimeSeriesResult:
    """Prevalence per period and source, the trade table and series, their correlations and the asymmetries.

    ``trade`` is the trade table used (the trade CSV plus the official tabulations); ``trade_series`` the
    annual series (int years), ``monthly_trade_series`` the monthly ones ("YYYY-MM"). The other frames
    have the columns of the contract table of the same name.
    """

    prevalence: pd.DataFrame
    trade: pd.DataFrame
    trade_series: pd.DataFrame
    monthly_trade_series: pd.DataFrame
    correlation: pd.DataFrame
    monthly_correlation: pd.DataFrame
    trade_asymmetry: pd.DataFrame
    member_asymmetry: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result's tables by contract name (the annual and monthly series stacked in ``trade_series``)."""
        series = pd.concat([self.trade_series.assign(period=self.trade_series["period"].astype(str)),
                            self.monthly_trade_series], ignore_index=True)
        return {
            contract.PREVALENCE.name: self.prevalence,
            contract.TRADE.name: self.trade,
            contract.TRADE_SERIES.name: series[contract.TRADE_SERIES.column_list],
            contract.CORRELATION.name: self.correlation,
            contract.MONTHLY_CORRELATION.name: self.monthly_correlation,
            contract.TRADE_ASYMMETRY.name: self.trade_asymmetry,
            contract.MEMBER_ASYMMETRY.name: self.member_asymmetry,
        }


def annual_rows(prevalence: pd.DataFrame) -> pd.DataFrame:
    """The rows of a prevalence table whose period is a year."""
    return prevalence[prevalence["period"].astype(str).str.fullmatch(ANNUAL_PERIOD)]


def monthly_rows(prevalence: pd.DataFrame) -> pd.DataFrame:
    """The rows of a prevalence table whose period is a month."""
    return prevalence[prevalence["period"].astype(str).str.fullmatch(MONTHLY_PERIOD)]


def analysis_trade_table(trade: pd.DataFrame, settings: TradeSettings) -> pd.DataFrame:
    """The trade CSV's figures plus, with ``trade.official`` (the default), the bundled official tabulations,
    then the rows computed from the official levels of both (``trade_derived``: sums, totals, shares)."""
    return trade_derived.with_derived_rows(trade_official.with_official_data(trade) if settings.official else trade)


def monthly_keys(table: pd.DataFrame, trade: pd.DataFrame, settings: TradeSettings) -> list[tuple[str, str, str]]:
    """The monthly series to correlate: the main one, then the trade CSV's own (not official) monthly series.

    The main one is Hong Kong-recorded monthly trade with ASEAN (``HK_ASEAN_MONTHLY``) when the table has
    at least ``trade_series.MIN_MONTHS`` of it (e.g. fetched from C&SD), else, with ``trade.official``, the
    labelled Singapore proxy. Official monthly series beyond the main one (members, flows) stay in the
    trade table but are not correlated, so the family of tests does not grow with a fetch.
    """
    available = trade_series_lib.monthly_series_keys(table)
    main = ([HK_ASEAN_MONTHLY] if HK_ASEAN_MONTHLY in available
            else [trade_official.SG_PROXY] if settings.official else [])
    own = trade_series_lib.monthly_series_keys(trade[trade["source_class"] != OFFICIAL_TABULATION])
    return main + [key for key in own if key not in main]


def theme_trade_series(
    theme_sources: pd.DataFrame,
    doc_frame: pd.DataFrame,
    trade: pd.DataFrame,
    prevalence: PrevalenceSettings,
    trade_settings: TradeSettings,
    correlation: CorrelationSettings,
    random_state: int,
) -> TimeSeriesResult:
    """Theme prevalence by period for every source, the trade series, both correlation families, the asymmetries.

    ``theme_sources``: doc_themes rows of the models and of the coding standard; ``doc_frame``: the
    documents table; ``trade``: the parsed trade CSV. The yearly correlation always runs (on annual
    prevalence, computed for it when ``prevalence.freq`` is not ``year``); the monthly one runs when
    ``prevalence.freq`` is ``month``, against the series ``monthly_keys`` chooses.
    """
    table = analysis_trade_table(trade, trade_settings)
    prevalence_settings = dataclasses.asdict(prevalence)
    shares = prevalence_lib.prevalence_table(theme_sources, doc_frame, **prevalence_settings, random_state=random_state)
    annual = annual_rows(shares)
    if annual.empty:
        annual = prevalence_lib.prevalence_table(theme_sources, doc_frame, **(prevalence_settings | {"freq": "year"}),
                                                 random_state=random_state)
    classes = trade_settings.source_classes
    series = trade_series_lib.trade_series_for_correlation(
        table, interpolate=trade_settings.interpolate, hkd_per_usd=trade_settings.hkd_per_usd, source_classes=classes)
    correlations = correlation_lib.correlation_table(annual, series, **correlation.annual(), random_state=random_state)
    keys = monthly_keys(table, trade, trade_settings)
    monthly_series = trade_series_lib.monthly_trade_series(table, keys, source_classes=classes)
    monthly = monthly_rows(shares)
    if prevalence.freq == "month" and not monthly_series.empty:
        monthly_correlations = monthly_lib.monthly_correlation_table(
            monthly, monthly_series, **correlation.monthly(), min_docs=prevalence.min_docs, random_state=random_state)
    else:
        if prevalence.freq == "month":
            LOG.warning("prevalence.freq is month but no monthly trade series is available: no monthly correlation")
        monthly_correlations = pd.DataFrame(columns=contract.MONTHLY_CORRELATION.column_list)
    return TimeSeriesResult(
        prevalence=shares, trade=table, trade_series=series, monthly_trade_series=monthly_series,
        correlation=correlations, monthly_correlation=monthly_correlations,
        trade_asymmetry=dependence_asymmetry(series),
        member_asymmetry=member_asymmetry_lib.member_asymmetry(table, source_classes=classes),
    )
