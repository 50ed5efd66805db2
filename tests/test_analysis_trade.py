"""Trade table loading, units, gaps and the API parsers."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from hkasean.analysis.trade import TRADE_COLUMNS, load_trade_table, parse_unit
from hkasean.analysis.trade_currency import to_currency
from hkasean.analysis.trade_series import (
    annual_series, monthly_series_keys, monthly_trade_series, trade_series_for_correlation,
)
from hkasean.analysis.trade_official import SG_PROXY, official_trade_table, with_official_data
from hkasean.corpus.errors import InputError

HEADER = ",".join(TRADE_COLUMNS)


def write_table(tmp_path, *rows: str):
    path = tmp_path / "trade.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def row(period="2019", value="100", unit="HK$ billion", confidence="high", note="", flow="total_trade",
        series="hk_asean_trade", partner="ASEAN", source="https://example.org"):
    return f"{series},{period},{partner},{flow},{value},{unit},{source},{confidence},{note}"


def test_bundled_table_loads_with_bounds_kept_as_text():
    table = load_trade_table()
    assert len(table) > 150
    bounds = table[table["value_bound"] != ""]
    assert set(bounds["value"]) == {"<5", "nearly 13"}
    assert bounds["value_num"].isna().all()
    assert set(bounds["bound_value"]) == {5.0, 13.0}
    assert set(table["confidence"]) == {"high", "medium", "low"}


def test_parse_unit():
    assert parse_unit("US$ trillion") == ("US$", 1e12, "value")
    assert parse_unit("% of ASEAN total trade") == ("", 1.0, "share")
    assert parse_unit("% yoy (value, HK$)") == ("", 1.0, "change")
    assert parse_unit("rank among HK trading partners") == ("", 1.0, "rank")
    with pytest.raises(ValueError):
        parse_unit("tonnes")


def test_inferred_and_low_confidence_are_flagged(tmp_path):
    table = load_trade_table(write_table(tmp_path, row(confidence="low", note="INFERRED: 1 + 1")))
    assert bool(table["inferred"].iloc[0])
    assert table["flag"].iloc[0] == "low confidence; inferred"


def test_peg_conversion_both_ways_and_flagged(tmp_path):
    table = load_trade_table(write_table(
        tmp_path, row(period="2018", value="136", unit="US$ billion"), row(period="2019", value="1.56", unit="HK$ trillion"),
        row(period="2019", value="61.3", unit="S$ billion", partner="Singapore"),
    ))
    hkd = to_currency(table, "HK$")
    assert list(hkd["value_num"]) == pytest.approx([136 * 7.80, 1560.0])
    assert list(hkd["converted"]) == [True, False]
    assert "converted at 7.80" in hkd["flag"].iloc[0] and "converted" not in hkd["flag"].iloc[1]
    assert set(hkd["unit"]) == {"HK$ billion"}  # the S$ row is left out, not mixed in
    usd = to_currency(table, "US$")
    assert usd["value_num"].iloc[1] == pytest.approx(1560 / 7.80)


def test_annual_series_keeps_gaps_and_prefers_high_confidence(tmp_path):
    table = load_trade_table(write_table(
        tmp_path,
        row(period="2016", value="833"),
        row(period="2018", value="1070", confidence="medium"),
        row(period="2018", value="136", unit="US$ billion", confidence="high"),
        row(period="2019", value="1017.9"),
    ))
    series = annual_series(table, "hk_asean_trade", "total_trade", "ASEAN", "HK$ billion")
    assert list(series["period"]) == [2016, 2017, 2018, 2019]
    assert np.isnan(series["value"].iloc[1]) and series["flags"].iloc[1] == "gap: no figure"
    assert series["value"].iloc[2] == pytest.approx(136 * 7.8)  # high beats medium
    assert series["confidence"].iloc[2] == "high"
    assert "1 other figure" in series["flags"].iloc[2]


def test_interpolation_is_labelled(tmp_path):
    table = load_trade_table(write_table(tmp_path, row(period="2016", value="800"), row(period="2018", value="1000")))
    series = annual_series(table, "hk_asean_trade", "total_trade", "ASEAN", "HK$ billion", interpolate=True)
    assert series["value"].iloc[1] == pytest.approx(900.0)
    assert series["flags"].iloc[1].startswith("interpolated")


def test_bound_only_year_stays_missing(tmp_path):
    table = load_trade_table(write_table(tmp_path, row(value="nearly 13", unit="% of HK total merchandise trade", flow="share")))
    series = annual_series(table, "hk_asean_trade", "share", "ASEAN")
    assert np.isnan(series["value"].iloc[0])
    assert "bound: nearly 13" in series["flags"].iloc[0]


def test_correlation_series_from_bundled_table():
    series = trade_series_for_correlation(load_trade_table())
    assert {"hk_asean_total_trade_hkd", "asean_share_of_hk_trade", "hk_share_of_asean_trade"} <= set(series["trade_series"])
    total = series[series["trade_series"] == "hk_asean_total_trade_hkd"].set_index("period")
    assert total.loc[2019, "value"] == pytest.approx(1017.9)
    assert np.isnan(total.loc[2021, "value"])  # a gap in the sources stays a gap
    assert set(total["unit"]) == {"HK$ billion"}


@pytest.mark.parametrize("bad_row, column", [
    (row(confidence="sure"), "confidence"),
    (row(value="lots"), "value"),
    (row(unit="tonnes"), "unit"),
    (row(period="2019Q1"), "period"),
    (row(series=""), "series"),
    (row(value="9" * 400), "value"),
])
def test_bad_cells_name_file_row_and_column(tmp_path, bad_row, column):
    path = write_table(tmp_path, row(), bad_row)
    with pytest.raises(InputError) as error:
        load_trade_table(path)
    message = str(error.value)
    assert str(path) in message and "row 2 (line 3)" in message and repr(column) in message


def test_missing_column_and_empty_file_rejected(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("series,period\nx,2019\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        load_trade_table(path)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty file"):
        load_trade_table(empty)
    header_only = write_table(tmp_path)
    with pytest.raises(InputError, match="empty file"):
        load_trade_table(header_only)


def test_dependence_asymmetry_pairs_years_with_both_shares():
    from hkasean.analysis.trade_asymmetry import dependence_asymmetry

    series = pd.DataFrame({
        "trade_series": ["asean_share_of_hk_trade", "hk_share_of_asean_trade", "asean_share_of_hk_trade",
                         "hk_share_of_asean_trade"],
        "period": [2019, 2019, 2022, 2023],
        "value": [12.0, 4.0, 13.7, 3.3],
        "unit": ["%"] * 4,
        "flag": ["", "", "", "low confidence"],
    })
    table = dependence_asymmetry(series)
    assert table["year"].tolist() == [2019]
    assert table["ratio"].tolist() == [3.0]


def with_class(tmp_path, *rows: str):
    path = tmp_path / "classed.csv"
    path.write_text("\n".join([HEADER + ",source_class", *rows]) + "\n", encoding="utf-8")
    return load_trade_table(path)


def test_source_class_derived_when_the_column_is_absent(tmp_path):
    table = load_trade_table(write_table(
        tmp_path, row(confidence="high"), row(confidence="medium"), row(confidence="low", note="INFERRED: x"),
        row(source="study poster", confidence="low"), row(confidence="low"),
    ))
    assert table["source_class"].tolist() == ["official_quote", "secondary_report", "inferred", "poster", "secondary_report"]
    assert list(table.columns)[-1] == "source_class"


def test_source_class_column_is_optional_validated_and_may_be_empty(tmp_path):
    table = with_class(tmp_path, row() + ",official_tabulation", row(confidence="medium") + ",")
    assert table["source_class"].tolist() == ["official_tabulation", "secondary_report"]
    with pytest.raises(InputError, match="source_class"):
        with_class(tmp_path, row() + ",gossip")


def test_priority_picks_the_best_source_class_before_confidence(tmp_path):
    table = with_class(
        tmp_path,
        row(period="2018", value="1070", confidence="high") + ",",  # official quote
        row(period="2018", value="1069681.5", unit="HK$ million", confidence="medium") + ",official_tabulation",
        row(period="2019", value="1000", confidence="low", note="INFERRED: guess") + ",",
        row(period="2019", value="1017.9", confidence="medium") + ",",  # secondary report beats inferred
        row(period="2020", value="1033.9", source="study poster", confidence="low") + ",",
    )
    series = annual_series(table, "hk_asean_trade", "total_trade", "ASEAN", "HK$ billion")
    assert series["value"].tolist()[:2] == pytest.approx([1069.6815, 1017.9])
    assert series["source_class"].tolist() == ["official_tabulation", "secondary_report", ""]
    assert np.isnan(series["value"].iloc[2]) and "class poster" in series["flags"].iloc[2]  # audited, not used ...
    with_poster = annual_series(table, "hk_asean_trade", "total_trade", "ASEAN", "HK$ billion",
                                source_classes=("official_tabulation", "poster"))
    assert with_poster["value"].iloc[2] == pytest.approx(1033.9)  # ... unless asked for


def test_other_currencies_are_never_converted_and_the_year_says_so(tmp_path):
    table = load_trade_table(write_table(
        tmp_path, row(period="2019", value="100", unit="S$ billion"), row(period="2020", value="50", unit="US$ billion"),
    ))
    series = annual_series(table, "hk_asean_trade", "total_trade", "ASEAN", "HK$ billion")
    assert np.isnan(series["value"].iloc[0]) and "1 figure(s) not used: S$ (never converted)" in series["flags"].iloc[0]
    assert series["value"].iloc[1] == pytest.approx(390.0) and "converted at 7.80" in series["flags"].iloc[1]
    with pytest.raises(ValueError, match="mixes units"):
        annual_series(table, "hk_asean_trade", "total_trade", "ASEAN")


def test_official_table_reproduces_the_published_aggregates():
    official = official_trade_table()
    assert set(official["source_class"]) == {"official_tabulation", "secondary_report"}
    total = annual_series(official, "hk_asean_trade", "total_trade", "ASEAN", "HK$ billion")
    assert dict(zip(total["period"], total["value"].round(1))) == {
        2015: 823.3, 2016: 833.3, 2017: 936.8, 2018: 1069.7, 2019: 1017.9}
    share = annual_series(official, "hk_asean_trade", "share_of_hk_total_trade", "ASEAN").set_index("period")["value"]
    assert share[2019] == pytest.approx(12.11, abs=0.005) and share[2018] == pytest.approx(12.05, abs=0.005)
    growth = (total["value"].iloc[-1] / total["value"].iloc[0]) ** (1 / 4) - 1
    assert growth == pytest.approx(0.054, abs=0.0006)  # TID: 5.4% a year 2015-19
    singapore = annual_series(official, "member_hk_trade", "hk_share_of_member_total_trade", "Singapore")
    assert singapore["period"].tolist() == list(range(2015, 2025))  # complete years only: 2025 has one month
    assert singapore["value"].iloc[0] == pytest.approx(6.73, abs=0.005)


def test_bundled_analysis_series_official_years_and_monthly_proxy():
    table = with_official_data(load_trade_table())
    series = trade_series_for_correlation(table)
    total = series[series["trade_series"] == "hk_asean_total_trade_hkd"].set_index("period")
    assert total.loc[2017, "value"] == pytest.approx(936.756, abs=0.001)
    assert set(total.loc[2015:2019, "source_class"]) == {"official_tabulation"}
    assert total.loc[2022, "source_class"] == "secondary_report" and np.isnan(total.loc[2020, "value"])
    monthly = monthly_trade_series(table, [SG_PROXY])
    assert monthly["period"].iloc[0] == "2015-01" and monthly["period"].iloc[-1] == "2025-01"
    assert len(monthly) == 121 and monthly["value"].notna().all() and set(monthly["unit"]) == {"S$ million"}
    assert monthly.loc[monthly["period"] == "2015-01", "value"].iloc[0] == pytest.approx(5498.2)


def test_user_monthly_series_found_kept_in_its_own_currency_gaps_kept(tmp_path):
    rows = [row(period=f"{2020 + m // 12}-{m % 12 + 1:02d}", value=str(100 + m), unit="RM million", partner="Malaysia",
                series="member_hk_trade", flow="exports_to_hk") for m in range(30) if m != 5]
    table = load_trade_table(write_table(tmp_path, *rows))
    keys = monthly_series_keys(table)
    assert keys == [("member_hk_trade", "exports_to_hk", "Malaysia")]
    monthly = monthly_trade_series(table, keys)
    assert monthly["trade_series"].iloc[0] == "member_hk_trade:exports_to_hk:Malaysia"
    assert len(monthly) == 30 and set(monthly["unit"]) == {"RM million"}
    assert np.isnan(monthly["value"].iloc[5]) and monthly["flag"].iloc[5] == "gap: no figure"


def test_old_trade_csv_without_source_class_merges_with_official_data(tmp_path):
    table = with_official_data(load_trade_table(write_table(tmp_path, row(period="2019", value="1017.9"))))
    assert (table["source_class"] != "").all()
    assert len(table) == 1 + len(official_trade_table())
