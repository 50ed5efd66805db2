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


def test_asean_bloc_side_comes_from_the_members_own_figures(table):
    asean = table[table["partner"] == "ASEAN"].set_index("year")
    # the ten members' IMF DOTS trade with Hong Kong over their trade with the World (analysis/data/official/README.md, section 4)
    for year, share in {2015: 3.98, 2016: 4.07, 2017: 4.13, 2018: 4.16, 2019: 3.94}.items():
        assert asean.loc[year, "hk_share_of_partner_trade"] == pytest.approx(share, abs=0.005)
        assert asean.loc[year, "partner_side_source_class"] == "official_tabulation"
    assert asean.loc[2019, "ratio"] == pytest.approx(12.1113 / 3.9384, abs=1e-3)


def test_every_member_has_both_sides_in_each_year_2015_2019(table):
    both = table[table["year"].between(2015, 2019) & table["ratio"].notna()]
    members = both[both["partner"] != "ASEAN"].groupby("year")["partner"].nunique()
    assert members.reindex(range(2015, 2020)).ge(9).all(), members


def test_singapores_incomplete_2020_is_not_used_for_a_share(table):
    asean = table[table["partner"] == "ASEAN"]
    assert 2020 not in set(asean["year"][asean["hk_share_of_partner_trade"].notna()
                                         & (asean["partner_side_source_class"] == "official_tabulation")])
