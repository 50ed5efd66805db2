"""Member-level asymmetry: HK-side shares from the official file beside member-side shares."""
from __future__ import annotations

import numpy as np
import pytest

from hkasean import contract
from hkasean.analysis.member_asymmetry import member_asymmetry
from hkasean.analysis.trade import load_trade_table
from hkasean.analysis.trade_official import with_official_data


@pytest.fixture(scope="module")
def table():
    return member_asymmetry(with_official_data(load_trade_table()))


def test_columns_and_every_member_has_official_2015_2019_hk_side_shares(table):
    assert list(table.columns) == contract.MEMBER_ASYMMETRY.column_list
    official = table[table["year"].between(2015, 2019)]
    assert set(official["partner"]) == {"ASEAN", "Brunei", "Cambodia", "Indonesia", "Laos", "Malaysia", "Myanmar",
                                        "Philippines", "Singapore", "Thailand", "Vietnam"}
    assert set(official["hk_side_source_class"]) == {"official_tabulation"}
    assert official.groupby("partner")["year"].nunique().eq(5).all()


def test_singapore_both_sides_and_the_ratio(table):
    singapore = table[table["partner"] == "Singapore"].set_index("year")
    assert singapore.loc[2019, "partner_share_of_hk_trade"] == pytest.approx(100 * 362655.7 / 8404125.6, abs=1e-3)
    assert singapore.loc[2019, "hk_share_of_partner_trade"] == pytest.approx(6.39, abs=0.005)
    assert singapore.loc[2019, "ratio"] == pytest.approx(
        singapore.loc[2019, "partner_share_of_hk_trade"] / singapore.loc[2019, "hk_share_of_partner_trade"])
    assert singapore.loc[2024, "partner_side_source_class"] == "official_tabulation"
    assert np.isnan(singapore.loc[2024, "partner_share_of_hk_trade"]) and "no HK-recorded share" in singapore.loc[2024, "flags"]


def test_asean_bloc_uses_the_asean_side_figures_and_members_without_one_say_so(table):
    asean = table[table["partner"] == "ASEAN"].set_index("year")
    assert asean.loc[2019, "hk_share_of_partner_trade"] == pytest.approx(3.9)
    assert asean.loc[2019, "ratio"] == pytest.approx(12.1113 / 3.9, abs=1e-3)
    assert asean.loc[2016, "partner_side_source_class"] == "secondary_report"
    vietnam = table[(table["partner"] == "Vietnam") & (table["year"] == 2017)].iloc[0]
    assert np.isnan(vietnam["ratio"]) and "no Vietnam-recorded figure" in vietnam["flags"]
