"""Online sources of complete trade series (C&SD web-table API and Trade IDDS API).

Fetching (network, never used in tests) is kept apart from parsing (pure functions of the JSON
payload), so the parsers are tested on recorded-shape fixtures in ``tests/fixtures/trade/``.
Both parsers return the tidy trade-table shape of ``analysis/data/trade.csv``:
DataFrame[series, period, partner, flow, value, unit, source_url, confidence, note].

The payload field names follow ``analysis/data/TRADE_NOTES.md`` (C&SD rows: ``COUNTRY, COUNTRYDesc, freq,
period, sv, svDesc, figure, sd_value``); the exact envelope is only partly documented, so both a bare
list of rows and a ``{"dataSet": [...]}`` envelope are accepted.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import requests

from hkasean.analysis.trade import TRADE_COLUMNS

CENSTATD_URL = "https://www.censtatd.gov.hk/api/get.php"
TRADEIDDS_URL = "https://tradeidds.censtatd.gov.hk/api/get"
ASEAN_ISO2 = {
    "BN": "Brunei", "KH": "Cambodia", "ID": "Indonesia", "LA": "Laos", "MY": "Malaysia",
    "MM": "Myanmar", "PH": "Philippines", "SG": "Singapore", "TH": "Thailand", "VN": "Vietnam",
}
CENSTATD_FLOWS = {"VAL_IM": "imports", "VAL_TX": "total_exports"}
TRADEIDDS_FLOWS = {"1": "imports", "2": "domestic_exports", "3": "re_exports", "4": "total_exports"}


@dataclass(frozen=True)
class TradeSourceSettings:
    """Parameters of the online trade loaders (config keys = field names)."""

    timeout: float = field(default=30.0, metadata={"help": "seconds to wait for a trade API reply"})
    censtatd_tables: tuple[str, ...] = field(
        default=("410-50012", "410-50013"),
        metadata={"help": "C&SD web tables: imports from and exports to HK's ten main partners"},
    )


class TradeSourceError(RuntimeError):
    """A trade API could not be reached or replied with something other than data."""


def fetch_json(url: str, params: dict[str, str], timeout: float = TradeSourceSettings.timeout) -> object:
    """GET ``url`` with ``params`` and return the decoded JSON; ``TradeSourceError`` names the URL on failure."""
    try:
        response = requests.get(url, params=params, timeout=timeout)
        response.raise_for_status()
        return response.json()
    except requests.RequestException as exc:
        raise TradeSourceError(f"{url} {params}: request failed ({exc})") from exc
    except ValueError as exc:
        raise TradeSourceError(f"{url} {params}: reply is not JSON ({exc})") from exc


def fetch_censtatd_table(table_id: str, timeout: float = TradeSourceSettings.timeout) -> dict:
    """Download a C&SD web table (``full_series=1`` is required by the API) as its JSON payload."""
    payload = fetch_json(CENSTATD_URL, {"id": table_id, "lang": "en", "full_series": "1"}, timeout)
    if isinstance(payload, dict) and "error" in {key.lower() for key in payload}:
        raise TradeSourceError(f"{CENSTATD_URL} table {table_id}: API error {payload}")
    return payload


def fetch_tradeidds(
    iso2: str, ttype: str, period: str, timeout: float = TradeSourceSettings.timeout
) -> object:
    """Download monthly HK trade with one partner from Trade IDDS (values in HK$ thousand).

    ``ttype``: 1 imports (by origin, ``coclass=C&co=``), 2 domestic exports, 3 re-exports, 4 total
    exports (by destination, ``ccclass=C&cc=``); ``period`` e.g. ``"201501,202606"``.
    """
    partner = {"coclass": "C", "co": iso2} if ttype == "1" else {"ccclass": "C", "cc": iso2}
    params = {"lang": "EN", "sv": "VCm", "freq": "M", "period": period, "ttype": ttype} | partner
    return fetch_json(TRADEIDDS_URL, params, timeout)


def _rows(payload: object, what: str) -> list[dict]:
    rows = payload.get("dataSet") if isinstance(payload, dict) else payload
    if not isinstance(rows, list):
        raise ValueError(f"{what} payload: expected a list of rows or {{'dataSet': [...]}}, got {type(rows).__name__}")
    return rows


def _period_label(raw: str) -> str:
    raw = str(raw)
    if len(raw) == 6 and raw.isdigit():
        return f"{raw[:4]}-{raw[4:]}"
    if len(raw) == 4 and raw.isdigit():
        return raw
    raise ValueError(f"period {raw!r}: expected YYYY or YYYYMM")


def parse_censtatd_json(payload: object, source_url: str = CENSTATD_URL) -> pd.DataFrame:
    """Tidy rows from a C&SD web-table payload (series ``hk_member_trade``, HK-recorded).

    Keeps the value rows (``sv`` VAL_IM -> imports, VAL_TX -> total_exports; unit HK$ million) and skips
    percentage-change rows (``svDesc`` containing "%"). Annual (``freq`` Y) and monthly (M) rows are both
    kept, with periods ``YYYY`` and ``YYYY-MM``. Missing figures are dropped (a gap stays a gap).

    Returns DataFrame[``TRADE_COLUMNS``].
    """
    tidy = []
    for index, row in enumerate(_rows(payload, "C&SD"), start=1):
        missing = [key for key in ("COUNTRYDesc", "freq", "period", "sv", "figure") if key not in row]
        if missing:
            raise ValueError(f"C&SD payload row {index}: missing field(s) {missing}")
        if row["sv"] not in CENSTATD_FLOWS or "%" in str(row.get("svDesc", "")):
            continue
        if row["figure"] in (None, ""):
            continue
        tidy.append({
            "series": "hk_member_trade", "period": _period_label(row["period"]), "partner": row["COUNTRYDesc"],
            "flow": CENSTATD_FLOWS[row["sv"]], "value": f"{float(row['figure']):g}", "unit": "HK$ million",
            "source_url": source_url, "confidence": "high",
            "note": f"C&SD web table via API ({row.get('svDesc', row['sv'])}, freq {row['freq']})",
        })
    return pd.DataFrame(tidy, columns=TRADE_COLUMNS)


def parse_tradeidds_json(payload: object, source_url: str = TRADEIDDS_URL) -> pd.DataFrame:
    """Tidy monthly rows per partner from a Trade IDDS payload (values HK$ thousand -> kept as ``HK$ thousand``).

    Rows need ``period`` (YYYYMM), ``ttype`` (1-4), a partner code (``co`` for imports, ``cc`` for
    exports, ISO2) and ``figure``. Partners are named from ``ASEAN_ISO2`` when they are members.

    Returns DataFrame[``TRADE_COLUMNS``] with series ``hk_member_trade``.
    """
    tidy = []
    for index, row in enumerate(_rows(payload, "Trade IDDS"), start=1):
        code = row.get("co") or row.get("cc")
        missing = [key for key in ("period", "ttype", "figure") if key not in row] + ([] if code else ["co/cc"])
        if missing:
            raise ValueError(f"Trade IDDS payload row {index}: missing field(s) {missing}")
        if str(row["ttype"]) not in TRADEIDDS_FLOWS:
            raise ValueError(f"Trade IDDS payload row {index}: ttype {row['ttype']!r}, expected 1-4")
        if row["figure"] in (None, ""):
            continue
        tidy.append({
            "series": "hk_member_trade", "period": _period_label(row["period"]), "partner": ASEAN_ISO2.get(code, code),
            "flow": TRADEIDDS_FLOWS[str(row["ttype"])], "value": f"{float(row['figure']):g}", "unit": "HK$ thousand",
            "source_url": source_url, "confidence": "high", "note": f"C&SD Trade IDDS API (partner code {code})",
        })
    return pd.DataFrame(tidy, columns=TRADE_COLUMNS)


def sum_asean_members(member_rows: pd.DataFrame) -> pd.DataFrame:
    """HK-ASEAN totals per (period, flow, unit) summed over the ASEAN members present.

    ``member_rows`` is parser output. The note lists the members summed and those absent, so a partial
    sum is never mistaken for the bloc total. Returns DataFrame[``TRADE_COLUMNS``] with series
    ``hk_asean_trade`` and partner ``ASEAN``.
    """
    members = member_rows[member_rows["partner"].isin(ASEAN_ISO2.values())]
    tidy = []
    for (period, flow, unit), group in members.groupby(["period", "flow", "unit"], sort=True):
        present = sorted(group["partner"].unique())
        absent = sorted(set(ASEAN_ISO2.values()) - set(present))
        note = f"sum over {len(present)} ASEAN member(s): {', '.join(present)}"
        if absent:
            note += f"; absent: {', '.join(absent)} (partial sum)"
        tidy.append({
            "series": "hk_asean_trade", "period": period, "partner": "ASEAN", "flow": flow,
            "value": f"{group['value'].astype(float).sum():g}", "unit": unit,
            "source_url": group["source_url"].iloc[0], "confidence": "high" if not absent else "medium", "note": note,
        })
    return pd.DataFrame(tidy, columns=TRADE_COLUMNS)
