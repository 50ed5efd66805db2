"""Numeric trade claims in the documents: what they say, about whom, for which year.

``extract_claims`` finds four kinds of claim in sentences about trade: money values ("HK$1,017.9
billion", "USD136 billion", "1.018 trillion HKD"; a bare "$" is HK$, the HK government's convention),
shares ("12.1 per cent of Hong Kong's total trade", "share of ... trade ... almost 14 per cent"), ranks
("second largest trading partner", "number two trading partner", "ranks seventh among Hong Kong's
trading partners") and growth ("up 72% over 10 years", "rose by nearly 85 per cent").

Year: an explicit "in 2019" / "for 2022" in the same clause; "the previous year" / "last year" is the
document's year minus 1; otherwise the document's year minus 1 (annual statistics are quoted for the
last complete year), with ``year_inferred = True``.

The claims are checked against the trade figures by ``claims.audit_claims``.
"""
from __future__ import annotations

import re
from typing import Iterable

import pandas as pd

from hkasean.corpus.document import Document
from hkasean.corpus.sentences import split_sentences
from hkasean.corpus.trade_sources.records import ASEAN_MEMBERS

CLAIM_COLUMNS = [
    "doc_id", "date", "sentence", "claim_type", "value", "unit", "currency", "year", "year_inferred",
    "subject", "claim_text", "qualifier", "urls", "speaker",
]
SUBJECT_HK_ASEAN = "HK-ASEAN trade"
SUBJECT_ASEAN_PARTNER = "ASEAN as HK's partner"
SUBJECT_HK_PARTNER = "HK as ASEAN's partner"
SUBJECT_ASEAN_SHARE = "ASEAN share of HK trade"
SUBJECT_OTHER = "other"
"""The subject of a claim about neither ASEAN nor a member: left out of the claims."""

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
"""A number as the releases write it ("1,017.9", "136", "12.1")."""

_QUALIFIER = r"(?P<qualifier>almost|nearly|around|about|roughly|some|over|more than|exceeding|above|just under|close to)?\s*"
_CURRENCY_WORDS = {"HK$": "HK$", "HKD": "HK$", "$": "HK$", "US$": "US$", "USD": "US$", "Hong Kong dollars": "HK$", "US dollars": "US$"}
SCALE_WORDS = {"million": 1e-3, "billion": 1.0, "trillion": 1e3}
"""Scale word of a money claim -> its factor to billions (the unit of every money claim)."""
_VALUE_PATTERNS = [
    re.compile(_QUALIFIER + r"(?P<currency>HK\$|US\$|USD|HKD|\$)\s?(?P<number>" + NUMBER + r")\s*(?P<scale>million|billion|trillion)\b"),
    re.compile(_QUALIFIER + r"(?P<number>" + NUMBER + r")\s*(?P<scale>million|billion|trillion)\s+(?P<currency>HKD|USD|Hong Kong dollars|US dollars)\b"),
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
                    if claim["subject"] == SUBJECT_OTHER:
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
            value = _to_float(match.group("number")) * SCALE_WORDS[match.group("scale")]
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
        return SUBJECT_OTHER
    mentions = _entity_mentions(clause)
    if not mentions:
        return SUBJECT_OTHER
    preceding = [mention for mention in mentions if mention[0] < start]
    entity = max(preceding)[1] if preceding else min(mentions)[1]
    if entity == "other":
        return SUBJECT_OTHER
    if entity in ASEAN_MEMBERS:
        if claim_type == "rank":
            within = _WITHIN_BLOC.search(clause[match.end():])
            return f"{entity} rank within ASEAN" if within else f"{entity} as HK's partner{services}"
        return f"HK-{entity} trade"
    if claim_type == "share":
        return SUBJECT_ASEAN_SHARE
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
