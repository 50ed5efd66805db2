"""The headline: finest frequency, best trade series, both sides of the asymmetry, correction with n."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from figure_checks import texts

from hkasean import contract
from hkasean.analysis.figures.headline import draw_headline
from hkasean.analysis.headline import headline, headline_source


def prevalence(periods: list[str]) -> pd.DataFrame:
    rows = []
    for period in periods:
        for theme, share in (("hub_status", 0.5), ("made_in_hk", 0.1)):
            rows.append({"period": period, "theme": theme, "source": "gold", "share": share, "low": share / 2,
                         "high": min(1, share * 2), "n_docs": 10})
    return pd.DataFrame(rows)


def series(name: str, periods: list[str], source_class: str = "official_tabulation", unit: str = "HK$ billion") -> pd.DataFrame:
    return pd.DataFrame({"trade_series": name, "period": periods, "value": np.arange(len(periods), dtype=float) + 1,
                         "unit": unit, "flag": "", "source_class": source_class})


ASYMMETRY = pd.DataFrame({"year": [2018, 2019], "asean_share_of_hk_trade": [12.05, 12.11],
                          "hk_share_of_asean_trade": [4.16, 3.94], "ratio": [12.05 / 4.16, 12.11 / 3.94], "flags": ""})


def correlation(q_values: list[float]) -> pd.DataFrame:
    frame = pd.DataFrame({column: None for column in contract.CORRELATION.column_list}, index=range(len(q_values)))
    return frame.assign(theme="hub_status", source="gold", trade_series="hk_asean_total_trade_hkd", transform="level",
                        lag=0, method="pearson", r=0.9, p_value=q_values, q_value=q_values, n=[5] * len(q_values))


def test_annual_headline_prefers_the_series_with_the_most_official_figures():
    years = ["2018", "2019", "2020"]
    trade = pd.concat([series("asean_share_of_hk_trade", years), series("hk_asean_total_trade_hkd", years[:1]),
                       series("hk_asean_total_trade_hkd", years[1:], "official_quote")])
    story = headline(prevalence(years), trade, ASYMMETRY, {"yearly": correlation([0.4, 0.9])}, "gold")
    assert story.frequency == "year" and story.trade_name == "asean_share_of_hk_trade"
    text = " ".join(story.sentences)
    assert "hub_status 50%, made_in_hk 10%" in text and "(gold, 30 documents, 2018 to 2020, by year" in text
    assert "ASEAN weighs 3.1 times more for Hong Kong than Hong Kong for ASEAN" in text and "2 years" in text
    assert "0 of 2 correlations have q < 0.05 (n = 5 to 5 years; smallest q 0.40" in text


def test_monthly_headline_when_both_sides_are_monthly_and_survivors_are_named():
    months = [f"2019-{m:02d}" for m in range(1, 13)]
    trade = pd.concat([series("hk_asean_total_trade_hkd", ["2019"]), series("hk_asean_trade:total_trade:ASEAN", months)])
    story = headline(prevalence(months), trade, ASYMMETRY, {"monthly": correlation([0.01, 0.3])}, "gold")
    assert story.frequency == "month" and story.trade_name == "hk_asean_trade:total_trade:ASEAN"
    assert any(s.startswith("1 of 2 monthly correlations survive") and "q = 0.010, n = 5" in s for s in story.sentences)
    fig = draw_headline(story)
    assert fig.axes[0].get_title() == "Theme shares beside trade, by month"
    assert "Who matters more to whom" in texts(fig)


def test_without_trade_or_asymmetry_the_headline_says_so():
    story = headline(prevalence(["2019"]), series("x", []), None, {}, "gold")
    text = " ".join(story.sentences)
    assert "No yearly trade series is available" in text and "asymmetry cannot be stated" in text
    assert "No theme-trade correlation could be computed" in text


@pytest.mark.parametrize("sources,expected", [({"gold", "lda"}, "gold"), ({"majority", "nmf"}, "majority"),
                                              ({"dictionary", "lda"}, "dictionary"), ({"nmf", "lda"}, "lda")])
def test_headline_source(sources, expected):
    assert headline_source(sources) == expected
