"""Numeric trade claims in the documents, and their audit against the official trade table.

``extract_claims`` finds four kinds of claim in sentences about trade: money values ("HK$1,017.9
billion", "USD136 billion", "1.018 trillion HKD"; a bare "$" is HK$, the HK government's convention),
shares ("12.1 per cent of Hong Kong's total trade", "share of ... trade ... almost 14 per cent"), ranks
("second largest trading partner", "number two trading partner", "ranks seventh among Hong Kong's
trading partners") and growth ("up 72% over 10 years", "rose by nearly 85 per cent").

Year: an explicit "in 2019" / "for 2022" in the same clause; "the previous year" / "last year" is the
document's year minus 1; otherwise the document's year minus 1 (annual statistics are quoted for the
last complete year), with ``year_inferred = True``.

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
Verdicts: ``agree`` / ``differs`` only against the best independent figure (``SOURCE_PRIORITY``: the
official tabulation first); a match with a same-statement figure is ``self_consistent`` (reported, never
counted as confirmation); everything else is ``no_independent_figure``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

from hkasean import contract
from hkasean.corpus.sentences import split_sentences
from hkasean.analysis.trade import (
    ASEAN_MEMBERS, CONFIDENCE_RANK, OFFICIAL_TABULATION, SOURCE_PRIORITY, STUDY_POSTER, TradeSettings, annual_series, to_currency,
)
from hkasean.corpus.document import Document

CLAIM_COLUMNS = [
    "doc_id", "date", "sentence", "claim_type", "value", "unit", "currency", "year", "year_inferred",
    "subject", "claim_text", "qualifier", "urls", "speaker",
]
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
SUBJECT_HK_ASEAN = "HK-ASEAN trade"
SUBJECT_ASEAN_PARTNER = "ASEAN as HK's partner"
SUBJECT_HK_PARTNER = "HK as ASEAN's partner"


@dataclass(frozen=True)
class ClaimsSettings:
    """Tunable parameters of the claims audit (config keys = field names)."""

    peg_band: float = field(default=0.05, metadata={"help": "half-width of the HK$/US$ peg band (7.75-7.85) added to the tolerance of converted figures", "at_least": 0, "at_most": 1})
    qualifier_tolerance: float = field(default=0.05, metadata={"help": "extra relative tolerance for hedged claims (almost, around, nearly, over ...)", "at_least": 0, "at_most": 1})


_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_QUALIFIER = r"(?P<qualifier>almost|nearly|around|about|roughly|some|over|more than|exceeding|above|just under|close to)?\s*"
_CURRENCY_WORDS = {"HK$": "HK$", "HKD": "HK$", "$": "HK$", "US$": "US$", "USD": "US$", "Hong Kong dollars": "HK$", "US dollars": "US$"}
_SCALE_WORDS = {"million": 1e-3, "billion": 1.0, "trillion": 1e3}
_VALUE_PATTERNS = [
    re.compile(_QUALIFIER + r"(?P<currency>HK\$|US\$|USD|HKD|\$)\s?(?P<number>" + _NUMBER + r")\s*(?P<scale>million|billion|trillion)\b"),
    re.compile(_QUALIFIER + r"(?P<number>" + _NUMBER + r")\s*(?P<scale>million|billion|trillion)\s+(?P<currency>HKD|USD|Hong Kong dollars|US dollars)\b"),
]
_PERCENT = r"(?P<number>\d+(?:\.\d+)?)\s*(?:per cent|%)"
_SHARE_PATTERNS = [
    re.compile(_QUALIFIER + _PERCENT + r"\s+of\s+(?P<of>(?:[\w'’]+\s+){0,6}?trade)\b"),
    re.compile(r"share of (?P<of>[^.;]{0,80}?trade)[^.;]{0,60}?\b(?:at|was|of|to)\s+" + _QUALIFIER + _PERCENT),
]
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
}
_ORDINAL = r"(?P<ordinal>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))"
_RANK_PATTERNS = [
    re.compile(r"(?:" + _ORDINAL + r"[- ])?(?:largest|biggest)\s+(?:merchandise\s+|goods\s+)?(?:trading|trade)\s+partner"),
    re.compile(r"(?:" + _ORDINAL + r"[- ])?(?:largest|biggest)\s+partner in (?:goods|merchandise|services) trade"),
    re.compile(r"number (?P<ordinal>one|two|three|four|five|six|seven) (?:trading|trade) partner"),
    re.compile(r"rank(?:s|ed)?\s+(?:\w+\s+)?" + _ORDINAL + r"\s+among\s+(?:[\w'’]+\s+){0,3}?(?:trading|trade)\s+partners"),
]
_GROWTH_PATTERN = re.compile(
    r"(?:\b(?:up|rose|grew|increased|expanded|climbed|rise|growth|jumped)\b)(?:\s+by)?(?:\s+at an average of)?\s+"
    + _QUALIFIER + _PERCENT
    + r"|" + r"(?P<number2>\d+(?:\.\d+)?)\s*(?:per cent|%)\s+(?:higher|more)\s+than"
)
_ABOUT_TRADE = re.compile(r"\btrade\b|\btrading\b", re.I)
_NOT_TRADE = re.compile(r"\binvestment\b|\bFDI\b|\bvisitors\b|\bGDP\b|\bpopulation\b", re.I)
_ASEAN = re.compile(r"\bASEAN\b|Association of Southeast Asian Nations")
_MEMBER = re.compile(r"\b(" + "|".join(ASEAN_MEMBERS) + r")\b")
_MEMBER_POSSESSIVE = re.compile(r"\b(" + "|".join(ASEAN_MEMBERS) + r")(?:'s|’s|'|’)\s")
_OTHER_GROUPS = re.compile(r"\b(?:RCEP|APEC|CPTPP|Mainland|mainland of China|Belt and Road|Middle East|European Union|USA)\b")
_WITHIN_BLOC = re.compile(r"^[^.;]{0,30}\b(?:within the (?:ASEAN|bloc)|among the ten ASEAN|in ASEAN|in the bloc)")
_EXPLICIT_YEAR = re.compile(r"\b(?:in|for|during|of|to)\s+(?:the (?:full )?year\s+)?(20\d\d)\b")
_PREVIOUS_YEAR = re.compile(r"\b(?:the previous year|last year|a year earlier)\b")
_CLAUSE_END = re.compile(r";\s+|,\s+while\s+|,\s+whereas\s+")


def extract_claims(documents: Iterable[Document]) -> pd.DataFrame:
    """Numeric claims about HK-ASEAN or HK-member trade, one row per claim, in document and text order.

    Claims whose subject is neither ASEAN nor a member (HK's monthly totals, APEC or RCEP shares) are
    left out.

    Returns DataFrame[doc_id, date (datetime64), sentence, claim_type (value|share|rank|growth), value
    (float: HK$/US$ billions for values, percent for shares and growth, position for ranks), unit
    ("HK$ billion", "US$ billion", "%", "rank"), currency ("HK$", "US$" or ""), year (int), year_inferred
    (bool), subject (e.g. "HK-ASEAN trade", "ASEAN as HK's partner", "HK as ASEAN's partner",
    "HK-Vietnam trade", "Vietnam rank within ASEAN", "other"), claim_text (the matched words), qualifier
    ("almost", "around", ... or ""), urls (the document's ``url`` and any other ``*url`` field, space-separated),
    speaker].
    """
    rows = []
    for document in documents:
        for sentence in split_sentences(document.text):
            for clause in _CLAUSE_END.split(sentence):
                if not _ABOUT_TRADE.search(clause) or _NOT_TRADE.search(clause):
                    continue
                for claim in _claims_in_clause(clause, document.year):
                    if claim["subject"] == "other":
                        continue
                    rows.append({"doc_id": document.id, "date": document.date, "sentence": sentence.strip()} | claim
                                | {"urls": _document_urls(document), "speaker": document.speaker})
    frame = pd.DataFrame(rows, columns=CLAIM_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    return frame.astype({"value": float, "year": int, "year_inferred": bool})


def _document_urls(document: Document) -> str:
    urls = [document.url] + [value for key, value in document.extra.items() if key.endswith("url") and isinstance(value, str)]
    return " ".join(url for url in urls if url)


def _claims_in_clause(clause: str, document_year: int) -> list[dict]:
    found = []
    for pattern in _VALUE_PATTERNS:
        for match in pattern.finditer(clause):
            currency = _CURRENCY_WORDS[match.group("currency")]
            value = _to_float(match.group("number")) * _SCALE_WORDS[match.group("scale")]
            found.append((match, "value", value, f"{currency} billion", currency))
    for pattern in _SHARE_PATTERNS:
        for match in pattern.finditer(clause):
            found.append((match, "share", float(match.group("number")), "%", ""))
    for pattern in _RANK_PATTERNS:
        for match in pattern.finditer(clause):
            ordinal = match.group("ordinal")
            found.append((match, "rank", float(_ordinal_value(ordinal)), "rank", ""))
    for match in _GROWTH_PATTERN.finditer(clause):
        number = match.group("number") or match.group("number2")
        found.append((match, "growth", float(number), "%", ""))

    claims, taken = [], []
    priority = {"value": 0, "share": 1, "rank": 2, "growth": 3}
    for match, claim_type, value, unit, currency in sorted(found, key=lambda item: (priority[item[1]], item[0].start())):
        span = match.span()
        if any(span[0] < end and start < span[1] for start, end in taken):
            continue  # one stretch of text is one claim (e.g. a share is not also a growth)
        taken.append(span)
        year, inferred = _claim_year(clause, span, document_year)
        qualifier = match.groupdict().get("qualifier") or ""
        claims.append({"_start": span[0],
            "claim_type": claim_type, "value": value, "unit": unit, "currency": currency, "year": year,
            "year_inferred": inferred, "subject": _subject(clause, match, claim_type),
            "claim_text": match.group(0).strip(), "qualifier": qualifier,
        })
    return [{k: v for k, v in claim.items() if k != "_start"} for claim in sorted(claims, key=lambda c: c["_start"])]


def _to_float(number: str) -> float:
    return float(number.replace(",", ""))


def _ordinal_value(ordinal: str | None) -> int:
    if ordinal is None:
        return 1  # "largest trading partner"
    ordinal = ordinal.lower()
    return _ORDINALS[ordinal] if ordinal in _ORDINALS else int(re.match(r"\d+", ordinal).group(0))


def _claim_year(clause: str, span: tuple[int, int], document_year: int) -> tuple[int, bool]:
    after = _EXPLICIT_YEAR.search(clause, span[1])
    if after:
        return int(after.group(1)), False
    before = list(_EXPLICIT_YEAR.finditer(clause[: span[0]]))
    if before:
        return int(before[-1].group(1)), False
    if _PREVIOUS_YEAR.search(clause):
        return document_year - 1, False
    return document_year - 1, True


def _subject(clause: str, match: re.Match, claim_type: str) -> str:
    """Who the claim is about, from the nearest entity named before it in the clause (else the first after)."""
    text, start = match.group(0), match.start()
    services = " (services trade)" if "services" in text else ""
    possessor = _MEMBER_POSSESSIVE.search(clause[max(0, start - 25): match.end()])
    if claim_type == "rank" and possessor:
        member = possessor.group(1)
        suffix = "'" if member.endswith("s") else "'s"
        return f"HK as {member}{suffix} partner"
    if re.search(r"ASEAN(?:'s|’s)\s+(?:\w+[- ]){0,3}?(?:trading\s+)?partner", clause) or (
        claim_type == "share" and re.search(r"of ASEAN(?:'s)? (?:total )?trade", text)
    ):
        return SUBJECT_HK_PARTNER + services
    if claim_type == "share" and not re.search(r"Hong Kong|the city|\bits\b|\bHK\b", text):
        return "other"
    mentions = _entity_mentions(clause)
    if not mentions:
        return "other"
    preceding = [mention for mention in mentions if mention[0] < start]
    entity = max(preceding)[1] if preceding else min(mentions)[1]
    if entity == "other":
        return "other"
    if entity in ASEAN_MEMBERS:
        if claim_type == "rank":
            within = _WITHIN_BLOC.search(clause[match.end():])
            return f"{entity} rank within ASEAN" if within else f"{entity} as HK's partner{services}"
        return f"HK-{entity} trade"
    if claim_type == "share":
        return "ASEAN share of HK trade"
    return SUBJECT_ASEAN_PARTNER + services if claim_type == "rank" else SUBJECT_HK_ASEAN


def _entity_mentions(clause: str) -> list[tuple[int, str]]:
    """(position, name) of ASEAN, its members and other groupings named in the clause.

    ASEAN as a reference group ("within ASEAN", "among the ten ASEAN members") and a member named in
    passing ("Singapore included") are not the subject of a claim and are skipped.
    """
    mentions = [
        (m.start(), "ASEAN") for m in _ASEAN.finditer(clause)
        if not re.search(r"(?:within|among|in)\s+(?:the\s+)?(?:ten\s+)?$", clause[: m.start()])
    ]
    mentions += [(m.start(), m.group(1)) for m in _MEMBER.finditer(clause) if not clause[m.end():].startswith(" included")]
    mentions += [(m.start(), "other") for m in _OTHER_GROUPS.finditer(clause)]
    return mentions


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
    ("share", "ASEAN share of HK trade"): ("hk_asean_trade", "share_of_hk_total_trade", "ASEAN"),
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
    ranked = rows.assign(
        _priority=rows["source_class"].map(SOURCE_PRIORITY), _confidence=rows["confidence"].map(CONFIDENCE_RANK),
        _order=np.arange(len(rows)),
    ).sort_values(["_priority", "_confidence", "converted", "_order"])
    return ranked, ""


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
    number = re.search(r"(" + _NUMBER + r")\s*(million|billion|trillion|per cent|%)?", claim_text.replace("\u00a0", " "))
    text = number.group(1) if number else str(value)
    decimals = len(text.split(".")[1]) if "." in text else 0
    if amount and decimals == 0:
        digits = text.replace(",", "")
        decimals = -(len(digits) - len(digits.rstrip("0"))) if digits.strip("0") else 0
    scale = _SCALE_WORDS.get(number.group(2) if number else "", 1.0)
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
            ("hk_asean_trade", "share_of_hk_total_trade"): "ASEAN share of HK trade",
            ("asean_partner_trade", "share_of_asean_total_trade"): SUBJECT_HK_PARTNER,
        }.get((row.series, row.flow), "other")
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
