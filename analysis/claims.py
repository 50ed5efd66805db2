"""The claims audit: each numeric trade claim (``claim_extraction``) checked against independent trade figures.

``audit_claims`` compares each claim with the reference figures of the same subject and year, in the
claim's unit (US$ <-> HK$ at the peg, said in the note; S$ and RM figures are never converted). Tolerance:
a claim agrees when it is within the precision it states (half a unit of its last digit: "12 per cent"
covers 11.5-12.5, "US$136 billion" covers 135.5-136.5; the trailing zeros of a round money amount are not
significant: "HK$220 billion" covers 215-225), widened by the peg band (7.75-7.85 around the 7.80
used) when a conversion was needed, and by ``qualifier_tolerance`` (relative) when the claim is hedged
("almost", "around", ...). Ranks must match.

A claim is never verified against itself. Every reference figure carries its independence from the claim
(``reference_independence``, decided by ``reference_independence``): ``independent`` (an official
statistical tabulation, or a different publisher reporting a statistics agency's data), ``same_statement``
(the claim's own document, or a report quoting the claim's speaker or dated the same day) or ``unknown``.
Verdicts (``VERDICTS``): ``agree`` / ``differs`` only against the best independent figure
(``SOURCE_PRIORITY``: the official tabulation first); a match with a same-statement figure is
``self_consistent`` (reported, never counted as confirmation); everything else is ``no_independent_figure``.
``audit_poster_claims`` audits the study poster's own figures the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hkasean import contract
from hkasean.analysis.claim_extraction import (
    CLAIM_COLUMNS, NUMBER, SCALE_WORDS, SUBJECT_ASEAN_PARTNER, SUBJECT_ASEAN_SHARE, SUBJECT_HK_ASEAN,
    SUBJECT_HK_PARTNER, SUBJECT_OTHER,
)
from hkasean.analysis.trade_currency import to_currency
from hkasean.analysis.trade_series import annual_series
from hkasean.analysis.trade_settings import TradeSettings
from hkasean.analysis.trade_source_classes import OFFICIAL_TABULATION, STUDY_POSTER, rank_figures

AGREE, DIFFERS, SELF_CONSISTENT, NO_INDEPENDENT_FIGURE = "agree", "differs", "self_consistent", "no_independent_figure"
VERDICTS = (AGREE, DIFFERS, SELF_CONSISTENT, NO_INDEPENDENT_FIGURE)
INDEPENDENT, SAME_STATEMENT, UNKNOWN = "independent", "same_statement", "unknown"
RULE_TABULATION = "official statistical tabulation"
RULE_OWN_DOCUMENT = "source is the claim's own document (same URL or document id)"
RULE_SAME_SPEAKER = "report quoting the claim's speaker"
RULE_SAME_DAY = "report dated the day of the claim"
RULE_AGENCY_DATA = "different publisher reporting statistics-agency data"
RULE_UNKNOWN = "a quote or report whose independence from the claim cannot be established"
_AGENCY_DATA = re.compile(
    r"\bC&SD\b|Census and Statistics|\bTID (?:data|factsheet)\b|\bGSO\b|\bPSA\b|customs data|SingStat|"
    r"Enterprise Singapore|statistics (?:department|office|agency)", re.I)
AUDIT_COLUMNS = contract.CLAIMS.column_list


@dataclass(frozen=True)
class ClaimsSettings:
    """Tunable parameters of the claims audit (config keys = field names)."""

    peg_band: float = field(default=0.05, metadata={"help": "half-width of the HK$/US$ peg band (7.75-7.85) added to the tolerance of converted figures", "at_least": 0, "at_most": 1})
    qualifier_tolerance: float = field(default=0.05, metadata={"help": "extra relative tolerance for hedged claims (almost, around, nearly, over ...)", "at_least": 0, "at_most": 1})


def audit_claims(
    claims: pd.DataFrame,
    trade_table: pd.DataFrame,
    hkd_per_usd: float = TradeSettings.hkd_per_usd,
    peg_band: float = ClaimsSettings.peg_band,
    qualifier_tolerance: float = ClaimsSettings.qualifier_tolerance,
) -> pd.DataFrame:
    """Check each extracted claim against the independent reference figures of the same subject and year.

    ``trade_table`` is a parsed trade table (``load_trade_table``, usually with the official tabulations
    added); study-poster rows are never a reference. Each reference figure of the claim's subject and
    year (numbers only, in the claim's unit) gets its independence from the claim
    (``reference_independence``). The figure reported is the best independent one by ``SOURCE_PRIORITY``
    (then confidence, then own currency over converted), else a same-statement one (a matching one
    first), else the best one of unknown independence. ``difference = claim - reference`` (claim units),
    ``relative_difference = difference / reference``.

    Returns DataFrame[``AUDIT_COLUMNS``]: doc_id, date, claim_type, claim_text, value, unit, year, subject,
    official_value, official_unit, official_source, official_confidence (the reference figure), verdict
    (agree | differs | self_consistent | no_independent_figure), difference, relative_difference, note,
    reference_independence (independent | same_statement | unknown | "" without a figure),
    reference_source_class, independence_rule.
    """
    references = trade_table[(trade_table["source_url"] != STUDY_POSTER) & trade_table["year"].notna()]
    candidates: dict[tuple, tuple[list, str]] = {}  # the reference figures depend only on this key: looked up once
    rows = []
    for claim in claims.itertuples(index=False):
        key = (claim.claim_type, claim.subject, int(claim.year), claim.unit)
        if key not in candidates:
            found, reason = _references(references, claim, hkd_per_usd)
            candidates[key] = list(found.itertuples(index=False)), reason
        rows.append({
            "doc_id": claim.doc_id, "date": claim.date, "claim_type": claim.claim_type, "claim_text": claim.claim_text,
            "value": claim.value, "unit": claim.unit, "year": claim.year, "subject": claim.subject,
        } | _audit_one(claim, *candidates[key], hkd_per_usd, peg_band, qualifier_tolerance))
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


OFFICIAL_SERIES = {
    ("value", SUBJECT_HK_ASEAN): ("hk_asean_trade", "total_trade", "ASEAN"),
    ("share", SUBJECT_ASEAN_SHARE): ("hk_asean_trade", "share_of_hk_total_trade", "ASEAN"),
    ("share", SUBJECT_HK_PARTNER): ("asean_partner_trade", "share_of_asean_total_trade", "Hong Kong"),
    ("rank", SUBJECT_ASEAN_PARTNER): ("hk_asean_trade", "rank_as_hk_partner", "ASEAN"),
    ("rank", SUBJECT_HK_PARTNER): ("asean_partner_trade", "rank", "Hong Kong"),
}
"""(claim_type, subject) -> (series, flow, partner) of the reference figures; member-level values use
``hk_member_trade``/``total_trade``/<member>."""


def reference_independence(reference: pd.Series | object, claim: object) -> tuple[str, str]:
    """How independent a reference figure is of a claim: ``(independence, rule)``, first rule that applies.

    ``reference``: a trade-table row (``source_url, note, source_class``); ``claim``: a claims row
    (``doc_id, date, urls, speaker``). Rules, in order:

    1. ``independent``: the reference is an official statistical tabulation (source class);
    2. ``same_statement``: its source is the claim's own document (same URL, ignoring scheme, ``www.``,
       query and trailing slash, or its URL contains the document id);
    3. ``same_statement``: its note names the claim's speaker (a report quoting the same official);
    4. ``same_statement``: its URL or note carries the claim's date (a report of that day's statement);
    5. ``independent``: its note cites a statistics agency's data (C&SD, TID data or factsheet, GSO, PSA,
       customs data, SingStat ...) and its publisher (host) differs from the claim's;
    6. ``unknown`` otherwise (e.g. another official quoting the same number, a news report).
    """
    if getattr(reference, "source_class") == OFFICIAL_TABULATION:
        return INDEPENDENT, RULE_TABULATION
    source, note = str(getattr(reference, "source_url")), str(getattr(reference, "note"))
    claim_urls = str(getattr(claim, "urls", "") or "").split()
    if _normal_url(source) in {_normal_url(url) for url in claim_urls} or _names_document(source, str(claim.doc_id)):
        return SAME_STATEMENT, RULE_OWN_DOCUMENT
    speaker = str(getattr(claim, "speaker", "") or "").strip()
    if speaker and speaker.lower() in note.lower():
        return SAME_STATEMENT, RULE_SAME_SPEAKER
    date = pd.Timestamp(claim.date) if not pd.isna(claim.date) else None
    if date is not None and any(form in source + " " + note for form in (
            f"{date:%Y-%m-%d}", f"{date:%Y%m%d}", f"{date:%Y/%m/%d}", f"{date:%Y%m}/{date:%d}", f"{date:%Y/%m%d}")):
        return SAME_STATEMENT, RULE_SAME_DAY
    if _AGENCY_DATA.search(note) and _host(source) not in {_host(url) for url in claim_urls}:
        return INDEPENDENT, RULE_AGENCY_DATA
    return UNKNOWN, RULE_UNKNOWN


def _names_document(source: str, doc_id: str) -> bool:
    """Whether ``source`` contains the document id as a whole token (ids shorter than 6 characters never match)."""
    return len(doc_id) >= 6 and re.search(rf"(?<![A-Za-z0-9]){re.escape(doc_id)}(?![A-Za-z0-9])", source) is not None


def _normal_url(url: str) -> str:
    url = re.sub(r"^[a-z]+://", "", url.strip().lower()).removeprefix("www.")
    return url.split("?")[0].split("#")[0].rstrip("/")


def _host(url: str) -> str:
    return _normal_url(url).split("/")[0]


def _reference_key(claim_type: str, subject: str) -> tuple[str, str, str] | None:
    key = OFFICIAL_SERIES.get((claim_type, subject))
    member = re.fullmatch(r"HK-(\w+) trade", subject)
    if key is None and claim_type == "value" and member:
        key = ("hk_member_trade", "total_trade", member.group(1))
    return key


def _references(table: pd.DataFrame, claim, hkd_per_usd: float) -> tuple[pd.DataFrame, str]:
    """The numeric reference figures of the claim's subject and year in its unit, best first; and why none."""
    key = _reference_key(claim.claim_type, claim.subject)
    if claim.claim_type == "growth":
        return table.iloc[:0], "growth claims are not audited (no official growth series by year)"
    if key is None:
        return table.iloc[:0], "no official series for this subject"
    series, flow, partner = key
    rows = table[(table["series"] == series) & (table["flow"] == flow) & (table["partner"] == partner)
                 & (table["year"] == int(claim.year))]
    bounds = rows[rows["value_num"].isna()]
    if claim.claim_type == "value":
        rows = to_currency(rows, target=claim.unit.split()[0], hkd_per_usd=hkd_per_usd)
    else:
        rows = rows.assign(converted=False)
    rows = rows[rows["value_num"].notna()]
    if rows.empty:
        reason = f"official table: bound only ({', '.join(bounds['value'])})" if len(bounds) else "official table: gap: no figure"
        return rows, reason
    return rank_figures(rows), ""


def _audit_one(claim, candidates: list, reason: str, hkd_per_usd: float, peg_band: float, qualifier_tolerance: float) -> dict:
    """The audit columns of one claim, given its reference figures (``_references``, as row tuples, best first)."""
    notes = [f"year inferred ({claim.year})"] if claim.year_inferred else []
    if not candidates:
        return {"official_value": np.nan, "official_unit": "", "official_source": "", "official_confidence": "",
                "verdict": NO_INDEPENDENT_FIGURE, "difference": np.nan, "relative_difference": np.nan,
                "note": "; ".join(notes + [reason]), "reference_independence": "", "reference_source_class": "",
                "independence_rule": ""}
    judged = [(row, *reference_independence(row, claim)) for row in candidates]
    checks = [(row, independence, rule, *_compare(claim, row, hkd_per_usd, peg_band, qualifier_tolerance))
              for row, independence, rule in judged]
    independent = [check for check in checks if check[1] == INDEPENDENT]
    same = sorted((check for check in checks if check[1] == SAME_STATEMENT), key=lambda check: not check[3])
    if independent:
        row, independence, rule, within, tolerance = independent[0]
        verdict = AGREE if within else DIFFERS
    elif same and same[0][3]:
        row, independence, rule, within, tolerance = same[0]
        verdict = SELF_CONSISTENT
    else:
        row, independence, rule, within, tolerance = (same or checks)[0]
        verdict = NO_INDEPENDENT_FIGURE
        notes.append(f"{'matches' if within else 'differs from'} a figure that is not independent ({independence})")
    others = len(checks) - 1
    if others:
        counts = pd.Series([check[1] for check in checks]).value_counts()
        notes.append(f"{len(checks)} reference figures ({', '.join(f'{n} {k}' for k, n in counts.items())})")
    if row.flag:
        notes.append(f"reference: {row.flag}")
    if row.converted:
        notes.append(f"compared in {claim.unit} at {hkd_per_usd:.2f} HK$/US$")
    notes.append(f"tolerance {tolerance:.3g}")
    difference = claim.value - row.value_num
    return {
        "official_value": float(row.value_num), "official_unit": row.unit, "official_source": row.source_url,
        "official_confidence": row.confidence, "verdict": verdict, "difference": difference,
        "relative_difference": difference / row.value_num if row.value_num else np.nan, "note": "; ".join(notes),
        "reference_independence": independence, "reference_source_class": row.source_class, "independence_rule": rule,
    }


def _compare(claim, reference, hkd_per_usd: float, peg_band: float, qualifier_tolerance: float) -> tuple[bool, float]:
    """Whether the claim is within its stated precision of the reference, and the tolerance used."""
    if claim.claim_type == "rank":
        tolerance = 0.0
    else:
        tolerance = stated_precision(claim.claim_text, claim.value, amount=claim.claim_type == "value")
        if reference.converted:
            tolerance += abs(reference.value_num) * peg_band / hkd_per_usd
        if claim.qualifier:
            tolerance += abs(reference.value_num) * qualifier_tolerance
    return bool(abs(claim.value - reference.value_num) <= tolerance + 1e-9), tolerance


def stated_precision(claim_text: str, value: float, amount: bool = False) -> float:
    """Half a unit of the last digit the claim states, in the claim's unit (billions or percent).

    "12 per cent" -> 0.5; "12.1%" -> 0.05; "HK$1,017.9 billion" -> 0.05; "1.018 trillion" -> 0.5 (billion).
    For an ``amount`` (a money value) the trailing zeros of a whole number are not significant: a round
    figure states only its leading digits ("HK$220 billion" -> 5, "US$300 million" -> 0.05 billion);
    shares, ranks and growth rates state every digit ("10 per cent" -> 0.5).
    """
    number = re.search(r"(" + NUMBER + r")\s*(million|billion|trillion|per cent|%)?", claim_text.replace("\u00a0", " "))
    text = number.group(1) if number else str(value)
    decimals = len(text.split(".")[1]) if "." in text else 0
    if amount and decimals == 0:
        digits = text.replace(",", "")
        decimals = -(len(digits) - len(digits.rstrip("0"))) if digits.strip("0") else 0
    scale = SCALE_WORDS.get(number.group(2) if number else "", 1.0)
    return 0.5 * 10.0 ** (-decimals) * scale


def audit_poster_claims(
    trade_table: pd.DataFrame,
    hkd_per_usd: float = TradeSettings.hkd_per_usd,
    peg_band: float = ClaimsSettings.peg_band,
    qualifier_tolerance: float = ClaimsSettings.qualifier_tolerance,
) -> pd.DataFrame:
    """Audit the study poster's own figures (rows with source_url "study poster") against the official series.

    Each poster row is checked at the year the poster states (parsed from its note, "... as 2024"; else
    the stored period) and, when different, at the year it is stored under. Money totals also get the
    share of HK's total trade they imply with the HK world total of each year, in the note.

    Returns DataFrame[``AUDIT_COLUMNS``] with doc_id "study poster".
    """
    poster = trade_table[(trade_table["source_url"] == STUDY_POSTER) & trade_table["year"].notna()]
    claims = []
    for row in poster.itertuples(index=False):
        stated = re.search(r"as (\d{4})\b", row.note)
        years = dict.fromkeys([int(stated.group(1)) if stated else int(row.year), int(row.year)])
        claim_type = {"value": "value", "share": "share", "rank": "rank"}[row.kind]
        subject = {
            ("hk_asean_trade", "total_trade"): SUBJECT_HK_ASEAN,
            ("hk_asean_trade", "share_of_hk_total_trade"): SUBJECT_ASEAN_SHARE,
            ("asean_partner_trade", "share_of_asean_total_trade"): SUBJECT_HK_PARTNER,
        }.get((row.series, row.flow), SUBJECT_OTHER)
        unit = f"{row.currency} billion" if claim_type == "value" else ("rank" if claim_type == "rank" else "%")
        value = row.value_num * row.scale / 1e9 if claim_type == "value" else row.value_num
        for year in years:
            claims.append({
                "doc_id": "study poster", "date": pd.NaT, "sentence": row.note, "claim_type": claim_type,
                "value": value, "unit": unit, "currency": row.currency, "year": year, "year_inferred": False,
                "subject": subject, "claim_text": f"{row.value} {row.unit} ({row.flow}, stated as {year})" if year != row.year
                else f"{row.value} {row.unit} ({row.flow}, stored under {year})", "qualifier": "", "urls": "",
                "speaker": "",
            })
    audit = audit_claims(pd.DataFrame(claims, columns=CLAIM_COLUMNS), trade_table, hkd_per_usd, peg_band, qualifier_tolerance)
    totals = annual_series(trade_table, "hk_total_trade", "total_trade", "World", "HK$ billion", hkd_per_usd=hkd_per_usd)
    world = dict(zip(totals["period"], totals["value"]))
    for index, claim in audit.iterrows():
        if claim["claim_type"] == "value" and claim["unit"] == "HK$ billion" and not np.isnan(world.get(claim["year"], np.nan)):
            implied = 100 * claim["value"] / world[claim["year"]]
            audit.loc[index, "note"] = f"{audit.loc[index, 'note']}; implies {implied:.1f}% of HK total trade {claim['year']} (HK$ {world[claim['year']]:,.0f} bn)"
    return audit
