"""The bundled official trade tabulations (``analysis/data/official/``) as rows of the trade table.

Three files, described with their sources, checks and caveats in ``analysis/data/official/README.md``:

- ``hk_trade_by_partner_annual.csv``: Hong Kong-recorded (C&SD data) trade with each ASEAN member, ASEAN
  and the world, 2015-2019 and Jan-Jul 2019, five flows, HK$ million;
- ``sg_trade_with_hk_monthly.csv``: Singapore-recorded monthly trade with Hong Kong and with the world,
  2015-01 to 2025-01, S$ million (a labelled proxy: Singapore is about 36% of HK-ASEAN trade);
- ``asean_recorded_trade_with_hk.csv``: the few ASEAN-side figures (value, share, rank), secondary.

``official_trade_table`` turns them into the trade-table shape (``load_trade_table`` columns) with
``source_class`` ``official_tabulation`` for the first two files and ``secondary_report`` for the third.
It adds computed rows, each with a note starting ``COMPUTED`` that names its inputs: shares of Hong
Kong's trade per partner and year (partner / World, HK-recorded) and, for complete years of the
Singapore file, Hong Kong's share of Singapore's total trade, exports and imports. Nothing is converted
between currencies and nothing is interpolated.
"""
from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from hkasean.analysis.trade import (
    OFFICIAL_TABULATION, SECONDARY_REPORT, SOURCE_CLASS_COLUMN, TRADE_COLUMNS, parse_trade_records,
)
from hkasean.corpus.textfile import iter_csv_rows

HK_BY_PARTNER = "hk_trade_by_partner_annual.csv"
SG_MONTHLY = "sg_trade_with_hk_monthly.csv"
ASEAN_RECORDED = "asean_recorded_trade_with_hk.csv"
SG_SERIES = "sg_recorded_trade"
"""Series name of the Singapore-recorded rows (partner ``Hong Kong`` or ``World``)."""
SG_PROXY = (SG_SERIES, "total_trade", "Hong Kong")
"""(series, flow, partner) of the monthly proxy: Singapore's total trade with Hong Kong, S$ million."""
HK_SHARE_FLOWS = {
    "total_trade": ("share_of_hk_total_trade", "% of HK total merchandise trade"),
    "total_exports": ("share_of_hk_total_exports", "% of HK total exports"),
    "imports": ("share_of_hk_total_imports", "% of HK total imports"),
    "domestic_exports": ("share_of_hk_domestic_exports", "% of HK total domestic exports"),
}
"""HK-recorded flow -> (share flow, unit) of the computed partner shares of Hong Kong's trade."""
SG_SHARES = {
    ("member_hk_trade", "hk_share_of_member_total_trade", "% of Singapore total trade"): "total_trade",
    ("member_export_share_to_hk", "exports_share", "% of country's total exports"): "total_exports_to_partner",
    ("member_import_share_from_hk", "imports_share", "% of country's total imports"): "imports_from_partner",
}
"""(series, flow, unit) of each computed Singapore share -> the Singapore flow it divides (HK / World)."""
_ASEAN_FLOWS = {"total_trade": ("total_trade", None), "share_of_asean_total_trade": ("share_of_asean_total_trade", "% of ASEAN total trade"),
                "rank_among_asean_partners": ("rank", "rank among ASEAN trading partners")}


def official_folder() -> Path:
    """The bundled folder ``analysis/data/official``."""
    return Path(str(resources.files("hkasean.analysis") / "data" / "official"))


def official_trade_table(folder: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The three official files (and the computed shares) as a parsed trade table.

    Returns the columns of ``load_trade_table``; every row's ``source_class`` is ``official_tabulation``
    except the ASEAN-side rows (``secondary_report``). A fresh copy on every call.
    """
    return _official_table(str(Path(folder) if folder is not None else official_folder())).copy()


@lru_cache(maxsize=2)
def _official_table(folder: str) -> pd.DataFrame:
    root = Path(folder)
    hk = _read(root / HK_BY_PARTNER)
    sg = _read(root / SG_MONTHLY)
    records = _hk_rows(hk) + _hk_share_rows(hk) + _sg_rows(sg) + _sg_share_rows(sg) + _asean_rows(_read(root / ASEAN_RECORDED))
    return parse_trade_records(records, root)


def with_official_data(table: pd.DataFrame, folder: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """``table`` (a parsed trade table) followed by the official rows it does not already hold.

    An official row is left out when the table has a row with the same series, period, partner, flow,
    number, unit and source (the ASEAN-side file repeats figures of the bundled facts table).
    """
    official = official_trade_table(folder)
    key = ["series", "period", "partner", "flow", "value_num", "unit", "source_url"]
    seen = set(map(tuple, table[key].astype(str).to_numpy()))
    new = official[[tuple(row) not in seen for row in official[key].astype(str).to_numpy()]]
    return pd.concat([table, new], ignore_index=True).astype(table.dtypes.to_dict())


def _read(path: Path) -> pd.DataFrame:
    records = iter_csv_rows(path)
    header = next(records)[1]
    return pd.DataFrame([cells for _, cells in records if cells], columns=header)


def _record(series: str, period: str, partner: str, flow: str, value: str, unit: str, source: str,
            note: str, source_class: str = OFFICIAL_TABULATION, confidence: str = "high") -> dict[str, str]:
    return dict(zip(TRADE_COLUMNS, (series, period, partner, flow, value, unit, source, confidence, note))) | {
        SOURCE_CLASS_COLUMN: source_class}


def _hk_series(partner: str) -> str:
    return {"ASEAN": "hk_asean_trade", "World": "hk_total_trade"}.get(partner, "hk_member_trade")


def _hk_rows(hk: pd.DataFrame) -> list[dict[str, str]]:
    return [_record(_hk_series(r.partner), r.period, r.partner, r.flow, r.value, r.unit, r.source,
                    f"HK-recorded official tabulation (bundled file {HK_BY_PARTNER}): {r.note}")
            for r in hk.itertuples(index=False)]


def _hk_share_rows(hk: pd.DataFrame) -> list[dict[str, str]]:
    """Each partner's share of Hong Kong's trade per calendar year and flow: partner / World x 100."""
    annual = hk[hk["period"].str.fullmatch(r"\d{4}") & hk["flow"].isin(HK_SHARE_FLOWS)]
    values = annual.assign(value=annual["value"].astype(float)).set_index(["period", "partner", "flow"])["value"]
    rows = []
    for (period, partner, flow), value in values.items():
        if partner == "World":
            continue
        share_flow, unit = HK_SHARE_FLOWS[flow]
        world = values[(period, "World", flow)]
        rows.append(_record(
            _hk_series(partner), period, partner, share_flow, f"{100 * value / world:.4f}", unit,
            f"analysis/data/official/{HK_BY_PARTNER} (computed)",
            f"COMPUTED from the official tabulation: {partner} {flow} {value:,.1f} / World {flow} {world:,.1f} "
            f"(HK$ million, HK-recorded, {period})"))
    return rows


def _sg_rows(sg: pd.DataFrame) -> list[dict[str, str]]:
    return [_record(SG_SERIES, r.period, r.partner, r.flow, r.value, r.unit, r.source,
                    f"Singapore-recorded official tabulation (bundled file {SG_MONTHLY}): {r.note}")
            for r in sg.itertuples(index=False)]


def _sg_share_rows(sg: pd.DataFrame) -> list[dict[str, str]]:
    """Hong Kong's share of Singapore's trade, exports and imports in each year with all 12 months."""
    frame = sg.assign(year=sg["period"].str[:4], value=sg["value"].astype(float))
    months = frame.groupby("year")["period"].nunique()
    complete = frame[frame["year"].isin(months[months == 12].index)]
    sums = complete.groupby(["year", "partner", "flow"])["value"].sum()
    rows = []
    for year in sorted(complete["year"].unique()):
        for (series, flow, unit), sg_flow in SG_SHARES.items():
            hk, world = sums[(year, "Hong Kong", sg_flow)], sums[(year, "World", sg_flow)]
            rows.append(_record(
                series, year, "Singapore", flow, f"{100 * hk / world:.4f}", unit, f"analysis/data/official/{SG_MONTHLY} (computed)",
                f"COMPUTED from the official tabulation: Singapore {sg_flow} with Hong Kong {hk:,.1f} / with World "
                f"{world:,.1f} (S$ million, Singapore-recorded, sum of 12 months of {year})"))
    return rows


def _asean_rows(asean: pd.DataFrame) -> list[dict[str, str]]:
    rows = []
    for r in asean.itertuples(index=False):
        flow, unit = _ASEAN_FLOWS[r.flow]
        rows.append(_record(
            "asean_partner_trade", r.period, r.partner, flow, r.value, unit or r.unit, r.source,
            f"ASEAN-recorded, {r.confidence} (bundled file {ASEAN_RECORDED}){': ' + r.note if r.note else ''}",
            source_class=SECONDARY_REPORT, confidence="medium"))
    return rows
