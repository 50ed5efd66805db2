"""Claim extraction on sentences in the styles of the sample corpus, and the audit verdicts."""
from __future__ import annotations

import pandas as pd
import pytest

from hkasean.analysis.claims import audit_claims, audit_poster_claims, extract_claims, stated_precision
from hkasean.analysis.trade import load_trade_table
from hkasean.corpus.document import Document


def doc(text: str, date: str = "2020-08-29", doc_id: str = "d1") -> Document:
    return Document.from_dict({
        "id": doc_id, "date": date, "title": "t", "text": text, "url": "https://www.info.gov.hk/x",  # data only: conftest refuses off-loopback connections
        "source": "info.gov.hk", "doc_type": "press_release", "speaker": "", "lang": "en",
    })


def claims_of(text: str, date: str = "2020-08-29") -> pd.DataFrame:
    return extract_claims([doc(text, date)])


def test_value_share_and_rank_with_explicit_year():
    claims = claims_of(
        "On trade figures, the release stated that ASEAN has been the city's second-biggest trading partner "
        "since 2010, and that two-way merchandise trade reached USD136 billion in 2018, equal to 12 per cent "
        "of the city's global merchandise trade."
    )
    assert list(claims["claim_type"]) == ["rank", "value", "share"]
    rank, value, share = claims.to_dict("records")
    assert rank["value"] == 2 and rank["subject"] == "ASEAN as HK's partner"
    assert value["value"] == 136 and value["currency"] == "US$" and value["year"] == 2018 and not value["year_inferred"]
    assert value["subject"] == "HK-ASEAN trade"
    assert share["value"] == 12 and share["subject"] == "ASEAN share of HK trade"


@pytest.mark.parametrize("text, value, unit", [
    ("Trade between Hong Kong and ASEAN reached HK$1,017.9 billion in 2019.", 1017.9, "HK$ billion"),
    ("ASEAN trade with Hong Kong was 1.018 trillion HKD in 2019.", 1018.0, "HK$ billion"),
    ("Mr Yau said ASEAN trade was worth around $1,294 billion for 2022.", 1294.0, "HK$ billion"),
    ("Hong Kong-ASEAN trade stood at HK$1.29 trillion in 2022.", 1290.0, "HK$ billion"),
])
def test_value_styles(text, value, unit):
    claims = claims_of(text)
    assert claims["value"].iloc[0] == pytest.approx(value) and claims["unit"].iloc[0] == unit


def test_year_inferred_from_document_date_and_growth():
    claims = claims_of("ASEAN is Hong Kong's second largest trading partner, with trade up 72% over 10 years.", date="2017-04-28")
    assert list(claims["claim_type"]) == ["rank", "growth"]
    assert claims["year"].tolist() == [2016, 2016] and claims["year_inferred"].all()
    assert claims["value"].iloc[1] == 72


def test_member_subjects_and_reference_groups():
    claims = claims_of(
        "On business, she ranked Thailand tenth among Hong Kong's merchandise trading partners and among its "
        "closest partners within ASEAN, with two-way trade of US$17.4 billion in the previous year."
    , date="2021-12-02")
    assert claims["subject"].tolist() == ["Thailand as HK's partner", "HK-Thailand trade"]
    assert claims["year"].tolist() == [2020, 2020] and not claims["year_inferred"].any()
    within = claims_of("Vietnam is Hong Kong's second largest trading partner among the ten ASEAN members.")
    assert within["subject"].iloc[0] == "Vietnam rank within ASEAN"
    reverse = claims_of("She said Hong Kong is the Philippines' fifth largest trading partner, with goods trade of US$13.9 billion in 2024.")
    assert reverse["subject"].iloc[0] == "HK as Philippines' partner"


def test_non_trade_and_non_asean_numbers_are_left_out():
    assert claims_of("Hong Kong's cumulative investment in ASEAN went up by 32 per cent, reaching US$73 billion in 2022.").empty
    assert claims_of("March exports amounted to $343.6 billion; the visible trade deficit stood at $59.2 billion.").empty
    assert claims_of("He put APEC economies' share of Hong Kong's total trade at over 80 per cent.").empty


def test_audit_verdicts_against_bundled_table():
    claims = extract_claims([
        doc("Hong Kong-ASEAN trade reached HK$1,017.9 billion in 2019.", doc_id="a"),
        doc("Hong Kong-ASEAN trade reached US$130.5 billion in 2019.", doc_id="b"),
        doc("ASEAN accounted for 15 per cent of Hong Kong's total trade in 2019.", doc_id="c"),
        doc("ASEAN trade with Hong Kong reached HK$999 billion in 2021.", doc_id="d"),
    ])
    audit = audit_claims(claims, load_trade_table()).set_index("doc_id")
    assert audit.loc["a", "verdict"] == "agree" and audit.loc["a", "difference"] == pytest.approx(0.0)
    assert audit.loc["b", "verdict"] == "agree"  # 1,017.9 / 7.80 = 130.5, within rounding + peg band
    assert audit.loc["b", "official_value"] == pytest.approx(1017.9 / 7.8)
    assert "7.80" in audit.loc["b", "note"]
    assert audit.loc["c", "verdict"] == "differs" and audit.loc["c", "difference"] == pytest.approx(2.9)
    assert audit.loc["d", "verdict"] == "no_official_figure"  # 2021 is a gap


def test_stated_precision():
    assert stated_precision("12 per cent", 12) == 0.5
    assert stated_precision("12.1%", 12.1) == pytest.approx(0.05)
    assert stated_precision("HK$1,017.9 billion", 1017.9) == pytest.approx(0.05)
    assert stated_precision("1.018 trillion HKD", 1018) == pytest.approx(0.5)


def test_poster_audit_checks_stated_and_stored_years():
    audit = audit_poster_claims(load_trade_table())
    assert (audit["doc_id"] == "study poster").all()
    stated_2024 = audit[audit["claim_text"].str.contains("total_trade, stated as 2024")].iloc[0]
    assert "implies 10.9% of HK total trade 2024" in stated_2024["note"]
