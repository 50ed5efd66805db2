"""The time-series stage's library call: official years, the monthly proxy, both correlation families, asymmetries."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hkasean import contract
from hkasean.analysis.correlation import CorrelationSettings
from hkasean.analysis.prevalence import PrevalenceSettings
from hkasean.analysis.timeseries import theme_trade_series
from hkasean.analysis.trade import load_trade_table
from hkasean.analysis.trade_settings import TradeSettings


def synthetic_documents(months: int = 30):
    rng = np.random.default_rng(0)
    dates = [f"{2019 + m // 12}-{m % 12 + 1:02d}-{day:02d}" for m in range(months) for day in (3, 17)]
    doc_frame = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(dates))], "date": dates})
    themes = pd.DataFrame({"doc_id": doc_frame["doc_id"], "model": "gold", "theme": "hub", "score": 1.0,
                           "present": rng.integers(0, 2, size=len(dates))})
    return themes, doc_frame


def run(freq: str, official: bool = True):
    themes, doc_frame = synthetic_documents()
    return theme_trade_series(themes, doc_frame, load_trade_table(), PrevalenceSettings(freq=freq, n_boot=20),
                              TradeSettings(official=official), CorrelationSettings(n_perm=50, n_boot=20, monthly_n_perm=99,
                                                                                    monthly_n_boot=49), random_state=3)


def test_monthly_run_correlates_with_the_singapore_proxy_and_keeps_the_yearly_analysis():
    result = run("month")
    tables = result.tables()
    assert set(tables) >= {contract.MONTHLY_CORRELATION.name, contract.MEMBER_ASYMMETRY.name}
    monthly = tables[contract.MONTHLY_CORRELATION.name]
    assert list(monthly.columns) == contract.MONTHLY_CORRELATION.column_list
    assert set(monthly["trade_series"]) == {"sg_hk_total_trade_sgd"}
    assert len(monthly) == 2 * 7 * 2 and (monthly["n"] >= 20).all()  # transforms x lags x methods
    assert monthly["inference"].str.contains("block").all() and set(monthly["seasonal"]) == {"month_of_year"}
    assert not tables[contract.CORRELATION.name].empty  # yearly prevalence computed for the yearly family
    series = tables[contract.TRADE_SERIES.name]
    proxy = series[series["trade_series"] == "sg_hk_total_trade_sgd"]
    assert proxy["period"].iloc[0] == "2015-01" and proxy["period"].iloc[-1] == "2025-01" and proxy["value"].notna().all()
    total = series[series["trade_series"] == "hk_asean_total_trade_hkd"].set_index("period")
    assert total.loc["2017", "value"] == pytest.approx(936.756, abs=0.001)
    assert list(tables[contract.TRADE.name].columns) == contract.TRADE.column_list


def test_yearly_run_has_no_monthly_family_and_official_data_can_be_left_out():
    assert run("year").monthly_correlation.empty
    without = run("month", official=False)
    assert without.monthly_correlation.empty  # no monthly series in the bundled facts table
    assert (without.trade["source_class"] != "official_tabulation").all()
