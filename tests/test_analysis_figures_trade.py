"""Trade figures: gaps drawn as gaps, points marked by source class, bounds as hatched bars, the rate from the caller."""
from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

from figure_checks import (  # noqa: F401 (close_figures: fixture)
    PNG_SIGNATURE,
    bars,
    close_figures,
    is_hollow,
    legend_labels,
    marker_lines,
    texts,
    tick_labels,
)
from hkasean.analysis.figures import trade as trade_figures
from hkasean.analysis.figures.trade import (
    BOUND_LABEL,
    NO_DATA,
    TOP_PARTNERS,
    draw_export_dependence,
    draw_hk_asean_trade,
    draw_import_dependence,
    draw_member_asymmetry,
    draw_theme_share_vs_trade,
)
from hkasean.analysis.member_asymmetry import member_asymmetry
from hkasean.analysis.trade import load_trade_table
from hkasean.analysis.trade_official import with_official_data

TRADE_CSV = """series,period,partner,flow,value,unit,source_url,confidence,note,source_class
hk_asean_trade,2018,ASEAN,total_trade,1069681.5,HK$ million,file,high,tabulation,official_tabulation
hk_asean_trade,2019,ASEAN,total_trade,100,HK$ billion,src,high,,
hk_asean_trade,2021,ASEAN,total_trade,20,US$ billion,src,low,,
hk_asean_trade,2019,ASEAN,share_of_hk_total_trade,12,% of HK total merchandise trade,src,high,,
hk_asean_trade,2020,ASEAN,share_of_hk_total_trade,13,% of HK total merchandise trade,src,medium,INFERRED: from exports,
hk_asean_trade,2021,ASEAN,share_of_hk_total_trade,14,% of HK total merchandise trade,src,high,,
member_export_share_to_hk,2017,Singapore,exports_share,11,% of country's total exports,src,medium,,
member_export_share_to_hk,2019,Singapore,exports_share,13,% of country's total exports,src,medium,,
member_export_share_to_hk,2019,Thailand,exports_share,<5,% of country's total exports,src,medium,,
member_import_share_from_hk,2019,Singapore;Malaysia,imports_share,<5,% of country's total imports,src,medium,,
"""
"""2018 is an official tabulation (HK$ million), 2019 an official quote, 2020 has no HK-ASEAN trade value (a gap);
the 2021 value is in US$ from a secondary report of low confidence."""


YEARS = [2019, 2020, 2021]
PREVALENCE = pd.DataFrame([
    {"period": str(year), "theme": theme, "source": source, "share": share, "low": share - 0.1, "high": share + 0.1}
    for source, offset in (("gold", 0.0), ("dictionary", 0.5))
    for theme in ("b_theme", "a_theme")
    for year, share in zip(YEARS, np.array([0.2, 0.3, 0.4]) + offset)
])
TRADE_SERIES = pd.DataFrame({
    "trade_series": ["hk_asean_total_trade_hkd"] * 2 + ["asean_share_of_hk_trade"],
    "period": [2019, 2021, 2020], "value": [100.0, 150.0, 12.0], "unit": ["HK$ billion"] * 2 + ["%"],
    "flag": ["", "low confidence", ""], "source_class": ["official_tabulation", "inferred", "official_quote"],
})
"""Annual theme shares of two sources and two trade series; the drawn one has no 2020 figure."""


@pytest.fixture()
def table(tmp_path):
    path = tmp_path / "trade.csv"
    path.write_text(TRADE_CSV, encoding="utf-8")
    return load_trade_table(path)


def test_hk_asean_trade_marks_source_classes_gaps_and_the_given_rate(table):
    fig = draw_hk_asean_trade(table, hkd_per_usd=7.75)
    top, bottom = fig.axes
    assert top.get_title() == "Hong Kong's merchandise trade with ASEAN (HK-recorded)"
    assert (top.get_ylabel(), bottom.get_ylabel(), bottom.get_xlabel()) == ("HK$ billion", "% of HK total merchandise trade", "Year")
    line = top.get_lines()[0]
    assert line.get_label() == "HK-ASEAN total trade"
    assert np.allclose(line.get_ydata(), [1069.6815, 100, np.nan, 20 * 7.75], equal_nan=True)  # US$ converted at the rate given
    (tabulated,), (quoted,), (reported,) = marker_lines(top, "o"), marker_lines(top, "s"), marker_lines(top, "^")
    assert list(tabulated.get_xdata()) == [2018] and not is_hollow(tabulated)  # official tabulation: filled
    assert list(quoted.get_xdata()) == [2019] and is_hollow(quoted)
    assert list(reported.get_xdata()) == [2021] and is_hollow(reported)
    assert [patch.get_x() for patch in top.patches] == [pytest.approx(2019.6)]  # one grey band: the 2020 gap
    (inferred,) = marker_lines(bottom, "D")
    assert list(inferred.get_xdata()) == [2020] and is_hollow(inferred)
    assert legend_labels(top.get_legend()) == [
        "official statistical tabulation", "official quote", "secondary report", "inferred, poster or interpolated",
        "no figure (gap)"]
    assert any("7.75 HK$/US$" in text for text in texts(fig))


def test_figure_1_on_the_bundled_data_is_official_for_2015_2019():
    fig = draw_hk_asean_trade(with_official_data(load_trade_table()), hkd_per_usd=7.8)
    top = fig.axes[0]
    (tabulated,) = marker_lines(top, "o")
    assert list(tabulated.get_xdata()) == [2015, 2016, 2017, 2018, 2019] and not is_hollow(tabulated)
    assert np.allclose(tabulated.get_ydata(), [823.3, 833.3, 936.8, 1069.7, 1017.9], atol=0.05)
    hollow_years = sorted(year for line in top.get_lines()[1:] if is_hollow(line) for year in line.get_xdata())
    assert {2022, 2023} <= set(hollow_years)  # the quoted years, hollow


def test_the_rate_has_no_default(table):
    for function in (trade_figures.draw_hk_asean_trade, trade_figures.plot_hk_asean_trade):
        assert inspect.signature(function).parameters["hkd_per_usd"].default is inspect.Parameter.empty
    with pytest.raises(TypeError):
        draw_hk_asean_trade(table)  # type: ignore[call-arg]


def test_export_dependence_draws_latest_figures_bounds_and_gaps(table):
    fig = draw_export_dependence(table)
    ax = fig.axes[0]
    assert ax.get_title() == "Export dependence on Hong Kong"
    assert ax.get_ylabel() == "Hong Kong's share of the member's exports (%)"
    assert tick_labels(ax) == TOP_PARTNERS
    singapore, thailand = ax.patches[:2]
    assert singapore.get_height() == 13 and not singapore.get_hatch()  # 2019, not the older 2017 figure
    assert singapore.get_alpha() == pytest.approx(0.45)  # a reported figure: a light bar
    assert thailand.get_height() == 5 and thailand.get_hatch() == "//"  # "<5": a bound, hatched
    assert len(ax.patches) == 2
    drawn = texts(fig)
    assert "13 (2019)" in drawn and "<5" in drawn
    assert drawn.count(NO_DATA) == 4
    assert legend_labels(ax.get_legend()) == ["quoted or reported figure (light)", BOUND_LABEL]
    assert "Latest annual figures (2019); no figure for Vietnam, Malaysia, Indonesia, Philippines." in drawn


def test_dependence_on_the_bundled_data_uses_singapores_official_series():
    fig = draw_export_dependence(with_official_data(load_trade_table()))
    ax = fig.axes[0]
    singapore = ax.patches[0]
    assert singapore.get_alpha() in (None, 1.0) and not singapore.get_hatch()  # official tabulation: solid
    drawn = texts(fig)
    assert any(text.startswith(f"{singapore.get_height():.3g} (2024)") for text in drawn)
    # every top member has a figure now: Singapore's own series to 2024, the others' IMF DOTS figures to 2020
    assert any(text.startswith("Latest annual figures") and "official tabulation for Singapore, Malaysia, Thailand, "
               "Indonesia, Philippines" in text and "no figure for" not in text for text in drawn)
    imports = draw_import_dependence(with_official_data(load_trade_table()))
    assert any("(2024)" in text for text in texts(imports))


def test_import_dependence_says_it_rests_on_bounds_only(table):
    fig = draw_import_dependence(table)
    ax = fig.axes[0]
    assert ax.get_title() == "Import dependence on Hong Kong"
    assert ax.get_ylabel() == "Hong Kong's share of the member's imports (%)"
    assert [patch.get_hatch() for patch in ax.patches] == ["//", "//"]  # one row, two members
    drawn = texts(fig)
    assert drawn.count(NO_DATA) == 4
    assert "Only bounds (2019); no figure for Vietnam, Thailand, Indonesia, Philippines." in drawn


def test_member_asymmetry_draws_both_sides_and_names_the_missing():
    asymmetry = member_asymmetry(with_official_data(load_trade_table()))
    fig = draw_member_asymmetry(asymmetry)
    ax = fig.axes[0]
    assert ax.get_title() == "Who matters more to whom, 2019"
    assert tick_labels(ax)[:2] == ["ASEAN", "Brunei"] and len(tick_labels(ax)) == 11
    heights = {round(patch.get_x() + patch.get_width() / 2, 1): patch.get_height() for patch in bars(ax)}
    assert heights[-0.2] == pytest.approx(12.11, abs=0.01) and heights[0.2] == pytest.approx(3.94, abs=0.005)  # ASEAN
    assert len(bars(ax)) == 2 * 11  # both sides for ASEAN and every member (IMF DOTS, the members' own figures)
    assert "no partner-side figure" not in texts(fig)
    without = asymmetry.copy()
    gone = without["partner"].isin(["Brunei", "Cambodia"]) & (without["year"] == 2019)
    without.loc[gone, "hk_share_of_partner_trade"] = float("nan")
    drawn = texts(draw_member_asymmetry(without))
    assert drawn.count("no partner-side figure") == 2
    assert any(text.startswith("No partner-recorded figure for Brunei, Cambodia in 2019") for text in drawn)


def test_theme_share_vs_trade_draws_a_panel_per_theme_of_the_chosen_source():
    fig = draw_theme_share_vs_trade(PREVALENCE, TRADE_SERIES, source="gold")
    shares = [ax for ax in fig.axes if ax.get_ylabel().endswith("% of documents")]
    twins = [ax for ax in fig.axes if ax not in shares]
    assert [ax.get_ylabel() for ax in shares] == ["a_theme\n% of documents", "b_theme\n% of documents"]
    assert shares[0].get_title() == "Theme share (gold) vs hk_asean_total_trade_hkd"
    assert shares[-1].get_xlabel() == "Year"
    for ax in shares:
        (line,) = ax.get_lines()
        assert np.allclose(line.get_ydata(), [20, 30, 40])  # gold, in percent; the dictionary rows are not drawn
        assert len(ax.collections) == 1  # the interval band
    for twin in twins:
        assert twin.get_ylabel() == "HK$ billion"
        assert np.allclose(twin.get_lines()[0].get_ydata(), [100, np.nan, 150], equal_nan=True)  # the other series is not drawn
        assert len(twin.patches) == 1  # the 2020 gap
        (uncertain,) = marker_lines(twin, "D")
        assert is_hollow(uncertain) and list(uncertain.get_xdata()) == [2021]
        (tabulated,) = marker_lines(twin, "o")
        assert not is_hollow(tabulated) and list(tabulated.get_xdata()) == [2019]
    assert legend_labels(fig.legends[0]) == [
        "theme share (gold), band = interval", "hk_asean_total_trade_hkd", "official statistical tabulation",
        "inferred, poster or interpolated", "no trade figure (gap)"]


def test_trade_figures_are_written(table, tmp_path):
    paths = [
        trade_figures.plot_hk_asean_trade(table, tmp_path / "hk.png", hkd_per_usd=7.8),
        trade_figures.plot_export_dependence(table, tmp_path / "exports.png"),
        trade_figures.plot_import_dependence(table, tmp_path / "imports.png"),
        trade_figures.plot_theme_share_vs_trade(PREVALENCE, TRADE_SERIES, tmp_path / "themes.png"),
        trade_figures.plot_member_asymmetry(member_asymmetry(with_official_data(table)), tmp_path / "members.png"),
    ]
    for path in paths:
        assert path.read_bytes().startswith(PNG_SIGNATURE)
