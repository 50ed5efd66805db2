"""Trade table loading, units, gaps and the API parsers."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from hkasean.analysis.trade import (
    TRADE_COLUMNS, annual_series, load_trade_table, parse_unit, to_currency, trade_series_for_correlation,
)
from hkasean.analysis.trade_sources import parse_censtatd_json, parse_tradeidds_json, sum_asean_members
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


def test_parse_censtatd_fixture(fixtures_dir):
    payload = json.loads((fixtures_dir / "trade" / "censtatd_410-50012.json").read_text())
    tidy = parse_censtatd_json(payload)
    assert list(tidy.columns) == TRADE_COLUMNS
    assert list(zip(tidy["partner"], tidy["period"], tidy["value"])) == [
        ("Singapore", "2023", "300000"), ("Singapore", "2023-01", "25000.5"), ("Vietnam", "2023-01", "18000"),
    ]  # the % change row and the empty figure are skipped
    assert set(tidy["unit"]) == {"HK$ million"} and set(tidy["flow"]) == {"imports"}


def test_parse_tradeidds_fixture_and_asean_sum(fixtures_dir, tmp_path):
    payload = json.loads((fixtures_dir / "trade" / "tradeidds_asean_imports.json").read_text())
    tidy = parse_tradeidds_json(payload)
    assert list(tidy["partner"]) == ["Singapore", "Vietnam", "Singapore", "Malaysia", "JP"]
    assert list(tidy["flow"]) == ["imports", "imports", "imports", "total_exports", "imports"]
    asean = sum_asean_members(tidy)
    january_imports = asean[(asean["period"] == "2024-01") & (asean["flow"] == "imports")].iloc[0]
    assert january_imports["value"] == "3500"  # Japan is not summed
    assert "Singapore, Vietnam" in january_imports["note"] and "partial sum" in january_imports["note"]
    path = tmp_path / "api.csv"
    asean.to_csv(path, index=False)
    assert load_trade_table(path)["value_num"].tolist() == [3500.0, 700.0, 1200.0]  # the tidy shape loads


def test_parsers_reject_rows_without_fields():
    with pytest.raises(ValueError, match="row 1"):
        parse_tradeidds_json({"dataSet": [{"period": "202401", "figure": "1"}]})
    with pytest.raises(ValueError, match="expected a list"):
        parse_censtatd_json({"dataSet": "nope"})


def test_trade_figures_are_written(tmp_path):
    from hkasean.analysis.figures.trade import (
        plot_export_dependence, plot_hk_asean_trade, plot_import_dependence, plot_theme_share_vs_trade,
    )
    table = load_trade_table()
    for plot, name in [(plot_hk_asean_trade, "fig1.png"), (plot_export_dependence, "fig2.png"), (plot_import_dependence, "fig3.png")]:
        assert plot(table, tmp_path / name).stat().st_size > 1000
    prevalence = pd.DataFrame({"period": ["2019", "2020"], "theme": "hub_status", "source": "gold",
                               "share": [0.2, 0.4], "low": [0.1, 0.2], "high": [0.3, 0.6]})
    path = plot_theme_share_vs_trade(prevalence, trade_series_for_correlation(table), tmp_path / "themes.png")
    assert path.stat().st_size > 1000


def test_dependence_asymmetry_pairs_years_with_both_shares():
    from hkasean.analysis.trade import dependence_asymmetry

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
