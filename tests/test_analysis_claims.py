"""Claim extraction on sentences in the styles of the sample corpus, and the audit verdicts."""
from __future__ import annotations

import pandas as pd
import pytest

from hkasean.analysis.claim_extraction import extract_claims
from hkasean.analysis.claims import (
    VERDICTS, audit_claims, audit_poster_claims, reference_independence, stated_precision,
)
from hkasean.analysis.trade import TRADE_COLUMNS, load_trade_table
from hkasean.analysis.trade_official import with_official_data
from hkasean.corpus.document import Document
from hkasean.corpus.bundled import sample_corpus_path
from hkasean.corpus.collection import JsonlDocuments


def doc(text: str, date: str = "2020-08-29", doc_id: str = "d1", url: str = "https://www.info.gov.hk/x",  # data: a claim's source URL, never fetched
        speaker: str = "") -> Document:
    return Document.from_dict({
        "id": doc_id, "date": date, "title": "t", "text": text, "url": url,  # data only: conftest refuses off-loopback connections
        "source": "info.gov.hk", "doc_type": "press_release", "speaker": speaker, "lang": "en",
    })


def trade_csv(tmp_path, *rows: str):
    path = tmp_path / "trade.csv"
    path.write_text("\n".join([",".join(TRADE_COLUMNS + ["source_class"]), *rows]) + "\n", encoding="utf-8")
    return load_trade_table(path)


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
    assert audit.loc["d", "verdict"] == "no_independent_figure"  # 2021 is a gap
    assert audit.loc["a", "reference_independence"] == "independent"  # the TID factsheet, another publisher
    assert audit.loc["d", "reference_independence"] == ""


def test_stated_precision():
    assert stated_precision("12 per cent", 12) == 0.5
    assert stated_precision("12.1%", 12.1) == pytest.approx(0.05)
    assert stated_precision("HK$1,017.9 billion", 1017.9) == pytest.approx(0.05)
    assert stated_precision("1.018 trillion HKD", 1018) == pytest.approx(0.5)
    assert stated_precision("HK$220 billion", 220, amount=True) == pytest.approx(5)
    assert stated_precision("US$300 million", 0.3, amount=True) == pytest.approx(0.05)
    assert stated_precision("US$136 billion", 136, amount=True) == pytest.approx(0.5)
    assert stated_precision("10 per cent", 10) == pytest.approx(0.5)


def test_poster_audit_checks_stated_and_stored_years():
    audit = audit_poster_claims(with_official_data(load_trade_table()))
    assert set(audit["verdict"]) == {"no_independent_figure"}
    assert (audit["doc_id"] == "study poster").all()
    stated_2024 = audit[audit["claim_text"].str.contains("total_trade, stated as 2024")].iloc[0]
    assert "implies 10.9% of HK total trade 2024" in stated_2024["note"]


RELEASE = "https://www.info.gov.hk/gia/general/202401/09/P2024010900389.htm"  # data: never fetched


def test_claim_checked_against_its_own_release_is_only_self_consistent(tmp_path):
    table = trade_csv(tmp_path, f"hk_asean_trade,2022,ASEAN,total_trade,1294,HK$ billion,{RELEASE}?fontSize=1,high,the release itself,")
    claims = extract_claims([doc("ASEAN trade was worth around $1,294 billion for 2022.", doc_id="P2024010900389",
                                 url=RELEASE, date="2024-01-09")])
    row = audit_claims(claims, table).iloc[0]
    assert row["verdict"] == "self_consistent"
    assert row["reference_independence"] == "same_statement" and "own document" in row["independence_rule"]


def test_report_of_the_same_speech_is_the_same_statement(tmp_path):
    table = trade_csv(tmp_path, "hk_member_trade,2021,Vietnam,total_trade,220,HK$ billion,https://news.example/vn,medium,"
                                "SCED Algernon Yau: HK$220bn +19%,")
    claims = extract_claims([doc("Vietnam-Hong Kong merchandise trade in 2021 reached HK$220 billion.", date="2023-01-10",
                                 speaker="Algernon Yau")])
    row = audit_claims(claims, table).iloc[0]
    assert (row["verdict"], row["reference_independence"]) == ("self_consistent", "same_statement")
    assert "speaker" in row["independence_rule"]


def test_independent_figure_wins_over_the_same_statement_and_decides(tmp_path):
    table = trade_csv(
        tmp_path,
        "hk_asean_trade,2018,ASEAN,total_trade,136,US$ billion,https://www.info.gov.hk/x,high,the claim's own release,",  # data: a claim's source URL, never fetched
        "hk_asean_trade,2018,ASEAN,total_trade,1069681.5,HK$ million,official file,high,tabulation,official_tabulation",
    )
    claims = extract_claims([doc("Hong Kong-ASEAN trade reached USD136 billion in 2018.", date="2019-09-09"),
                             doc("Hong Kong-ASEAN trade reached USD150 billion in 2018.", doc_id="d2")])
    audit = audit_claims(claims, table)
    assert audit["verdict"].tolist() == ["agree", "differs"]
    assert (audit["reference_independence"] == "independent").all()
    assert audit["official_value"].iloc[0] == pytest.approx(1069.6815 / 7.8)


def test_a_figure_of_unknown_independence_confirms_nothing(tmp_path):
    table = trade_csv(tmp_path, "hk_asean_trade,2022,ASEAN,total_trade,1294,HK$ billion,https://paper.example/ce,medium,"
                                "Chief Executive John Lee at a luncheon,")
    claims = extract_claims([doc("ASEAN trade was worth around $1,294 billion for 2022.", speaker="Algernon Yau")])
    row = audit_claims(claims, table).iloc[0]
    assert (row["verdict"], row["reference_independence"]) == ("no_independent_figure", "unknown")
    assert "matches a figure that is not independent" in row["note"]


def test_independence_rules_on_sources():
    claim = pd.Series({"doc_id": "P2023011000293", "date": pd.Timestamp("2023-01-10"), "speaker": "Algernon Yau",
                       "urls": "https://www.info.gov.hk/gia/general/202301/10/P2023011000293.htm"})  # data: never fetched

    def judge(source_url: str, note: str, source_class: str = "secondary_report") -> str:
        return reference_independence(pd.Series({"source_url": source_url, "note": note, "source_class": source_class}), claim)[0]

    assert judge("github:x", "tabulation", "official_tabulation") == "independent"
    assert judge("http://info.gov.hk/gia/general/202301/10/P2023011000293.htm/", "") == "same_statement"  # data: never fetched
    assert judge("https://news.example/a", "report dated 2023-01-10") == "same_statement"
    assert judge("https://news.example/a", "C&SD data cited by the trade office") == "independent"
    assert judge("https://www.info.gov.hk/other", "C&SD data") == "unknown"  # same publisher as the claim
    assert judge("https://news.example/a", "Chief Executive quoted") == "unknown"


def test_sample_never_agrees_with_its_own_source_and_checks_2015_2019_against_the_official_file():
    table = with_official_data(load_trade_table())
    audit = audit_claims(extract_claims(JsonlDocuments(sample_corpus_path())), table)
    assert set(audit["verdict"]) <= set(VERDICTS)
    confirmed = audit[audit["verdict"].isin(["agree", "differs"])]
    assert (confirmed["reference_independence"] == "independent").all()
    hketo = audit[(audit["doc_id"] == "hketo-20190909-1") & audit["verdict"].isin(["agree", "differs"])]
    assert set(hketo["reference_source_class"]) == {"official_tabulation"}  # 2018: the official file, not the release
    share = hketo[hketo["claim_type"] == "share"].iloc[0]
    assert share["official_value"] == pytest.approx(12.05, abs=0.005) and share["verdict"] == "agree"
    ce_quote = audit[(audit["doc_id"] == "P2024010900389") & (audit["claim_type"] == "value")].iloc[0]
    assert ce_quote["verdict"] == "no_independent_figure"


def test_claim_of_2019_total_checked_against_the_official_file_within_stated_precision():
    table = with_official_data(load_trade_table())
    claims = extract_claims([doc("Hong Kong-ASEAN trade reached HK$1,017.9 billion in 2019."),
                             doc("Hong Kong-ASEAN trade reached HK$1,017.7 billion in 2019.", doc_id="d2")])
    audit = audit_claims(claims, table)
    assert audit["reference_source_class"].tolist() == ["official_tabulation"] * 2
    assert audit["verdict"].tolist() == ["agree", "differs"]  # 1,017.85 official: within 0.05 of 1,017.9 only


def test_the_reference_figures_of_a_subject_and_year_are_looked_up_once(monkeypatch):
    from hkasean.analysis import claims as claims_module

    texts = [f"Hong Kong's trade with ASEAN reached HK${800 + i} billion in 2019." for i in range(40)]
    claims = extract_claims([doc(text, doc_id=f"d{i}") for i, text in enumerate(texts)])
    table = with_official_data(load_trade_table())
    lookups = []
    real = claims_module._references
    monkeypatch.setattr(claims_module, "_references", lambda *args: lookups.append(1) or real(*args))
    audit = audit_claims(claims, table)
    assert len(audit) == 40 and len(lookups) == 1  # linear in claims, one table lookup per subject and year
    assert audit["official_value"].nunique() == 1 and audit["verdict"].isin(VERDICTS).all()
