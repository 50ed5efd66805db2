"""Figures computed from official tabulations: annual sums of months, total trade, and shares.

Whatever official rows a trade table holds (the bundled tabulations, or a CSV written by
``hkasean trade fetch``), the same rules turn their levels into the shares the analysis reads. Only
rows of ``source_class`` ``official_tabulation`` with a number, a money unit and a confidence other
than ``low`` (an incomplete year) are used; a computed row is added only where the table has no row of
that (series, period, partner, flow, unit) yet, is ``official_tabulation`` itself, and its note starts
``COMPUTED`` and names its inputs. In order:

1. **annual sums**: a calendar year of twelve monthly figures of one (series, partner, flow, unit) and
   no annual figure gives their sum;
2. **total trade**: exports + imports of the same year or month, unit and recorder: Hong Kong-recorded
   ``total_exports + imports``; a member's own ``total_exports_to_partner + imports_from_partner``;
3. **Hong Kong-side shares** (``HK_SHARE_FLOWS``): a partner's figure over Hong Kong's World figure of the
   same flow, period and unit, in per cent;
4. **member-side shares** (``MEMBER_SHARES``): Hong Kong's share of a member's total trade, exports and
   imports, from the member's own figures with Hong Kong and with the World;
5. **Hong Kong's share of ASEAN's trade**: the ten members' trade with Hong Kong over their trade with
   the World, only in a year where all ten report both in one unit.

A share computed from an estimated input (confidence ``medium``) has confidence ``medium``. Nothing is
converted between currencies and nothing is interpolated.
"""
from __future__ import annotations

import pandas as pd

from hkasean.analysis.trade import SOURCE_CLASS_COLUMN, TRADE_COLUMNS, parse_trade_records, trade_record
from hkasean.analysis.trade_source_classes import OFFICIAL_TABULATION
from hkasean.corpus.trade_sources.records import ASEAN_MEMBERS, HONG_KONG, WORLD, member_series

HK_SHARE_FLOWS = {
    "total_trade": ("share_of_hk_total_trade", "% of HK total merchandise trade"),
    "total_exports": ("share_of_hk_total_exports", "% of HK total exports"),
    "imports": ("share_of_hk_total_imports", "% of HK total imports"),
    "domestic_exports": ("share_of_hk_domestic_exports", "% of HK total domestic exports"),
}
"""Hong Kong-recorded flow -> (share flow, unit) of a partner's share of Hong Kong's trade."""
MEMBER_SHARES = {
    "total_trade": ("member_hk_trade", "hk_share_of_member_total_trade", "% of {member} total trade"),
    "total_exports_to_partner": ("member_export_share_to_hk", "exports_share", "% of country's total exports"),
    "imports_from_partner": ("member_import_share_from_hk", "imports_share", "% of country's total imports"),
}
"""A member's own flow -> (series, flow, unit) of Hong Kong's share of it."""
TOTALS = {
    "hk": ("total_exports", "imports"),
    "member": ("total_exports_to_partner", "imports_from_partner"),
}
"""Flows whose sum is ``total_trade``, by recorder."""
ASEAN_SHARE = ("asean_partner_trade", "share_of_asean_total_trade", HONG_KONG, "% of ASEAN total trade")
"""(series, flow, partner, unit) of Hong Kong's share of ASEAN's trade."""
MEMBER_SERIES = {member_series(member): member for member in ASEAN_MEMBERS}
"""Series of a member's own records -> the member."""
KEY = ["series", "period", "partner", "flow"]
SHARE_PERIOD = r"\d{4}(-\d{2})?"
"""Periods whose shares are computed: years and months (not cumulative spans such as 2019-01/2019-07)."""


def with_derived_rows(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (a parsed trade table) followed by the rows computed from its official levels
    (rules in the module docstring); the same table when there is nothing to compute."""
    records = derived_records(table)
    if not records:
        return table
    derived = parse_trade_records(records, "computed from the official tabulations")
    return pd.concat([table, derived], ignore_index=True).astype(table.dtypes.to_dict())


def derived_records(table: pd.DataFrame) -> list[dict[str, str]]:
    """The computed rows as text records (``TRADE_COLUMNS`` and ``source_class``), in the order of the rules."""
    present = set(map(tuple, table.loc[table[SOURCE_CLASS_COLUMN] == OFFICIAL_TABULATION, [*KEY, "unit"]].astype(str).to_numpy()))
    levels = _official_levels(table)
    records: list[dict[str, str]] = []
    for rule in (_annual_sums, _totals, _hk_shares, _member_shares, _asean_share):
        new = []
        for record in rule(levels):  # the first of two computations of one figure wins (e.g. S$ before US$)
            if _key(record) not in present:
                present.add(_key(record))
                new.append(record)
        records.extend(new)
        levels = pd.concat([levels, _levels_of(new)], ignore_index=True)
    return records


def _official_levels(table: pd.DataFrame) -> pd.DataFrame:
    """The usable official money rows: period, series, partner, flow, unit, value (float), confidence.
    The first row of each (series, period, partner, flow, unit) wins."""
    rows = table[(table[SOURCE_CLASS_COLUMN] == OFFICIAL_TABULATION) & (table["kind"] == "value")
                 & table["value_num"].notna() & (table["confidence"] != "low")]
    levels = rows[[*KEY, "unit", "confidence"]].assign(value=rows["value_num"].astype(float))
    return levels.drop_duplicates([*KEY, "unit"], keep="first").reset_index(drop=True)


def _levels_of(records: list[dict[str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=[*TRADE_COLUMNS, SOURCE_CLASS_COLUMN])
    money = frame[~frame["unit"].str.startswith("%")]
    return money[[*KEY, "unit", "confidence"]].assign(value=money["value"].astype(float))


def _key(record: dict[str, str]) -> tuple[str, ...]:
    return tuple(record[column] for column in (*KEY, "unit"))


def _record(series: str, period: str, partner: str, flow: str, value: float, unit: str, note: str,
            confidence: str, precision: int = 6) -> dict[str, str]:
    return trade_record(series, period, partner, flow, f"{value:.{precision}f}", unit,
                        "computed from official tabulations (see note)", confidence, note, OFFICIAL_TABULATION)


def _confidence(*confidences: str) -> str:
    return "medium" if "medium" in confidences else "high"


def _annual_sums(levels: pd.DataFrame) -> list[dict[str, str]]:
    monthly = levels[levels["period"].str.fullmatch(r"\d{4}-\d{2}")]
    monthly = monthly.assign(year=monthly["period"].str[:4])
    records = []
    for (series, partner, flow, unit, year), group in monthly.groupby(["series", "partner", "flow", "unit", "year"], sort=True):
        if group["period"].nunique() == 12:
            records.append(_record(series, year, partner, flow, group["value"].sum(), unit,
                                   f"COMPUTED: sum of the 12 monthly figures of {year} ({series}, {partner}, {flow}, {unit})",
                                   _confidence(*group["confidence"])))
    return records


def _recorder(series: str) -> str | None:
    if series.startswith("hk_"):
        return "hk"
    return "member" if series in MEMBER_SERIES else None


def _totals(levels: pd.DataFrame) -> list[dict[str, str]]:
    indexed = levels.set_index([*KEY, "unit"])
    records = []
    for (series, period, partner, unit), _ in levels.groupby(["series", "period", "partner", "unit"], sort=True):
        recorder = _recorder(series)
        if recorder is None:
            continue
        exports, imports = ((series, period, partner, flow, unit) for flow in TOTALS[recorder])
        if exports in indexed.index and imports in indexed.index:
            out, into = indexed.loc[exports], indexed.loc[imports]
            records.append(_record(series, period, partner, "total_trade", out["value"] + into["value"], unit,
                                   f"COMPUTED: {exports[3]} {out['value']:,.3f} + {imports[3]} {into['value']:,.3f} "
                                   f"({unit}, {period})", _confidence(out["confidence"], into["confidence"])))
    return records


def _hk_shares(levels: pd.DataFrame) -> list[dict[str, str]]:
    hk = levels[levels["series"].str.startswith("hk_") & levels["flow"].isin(HK_SHARE_FLOWS)
                & levels["period"].str.fullmatch(SHARE_PERIOD)]
    world = hk[hk["partner"] == WORLD].set_index(["period", "flow", "unit"])
    records = []
    for row in hk[hk["partner"] != WORLD].itertuples(index=False):
        key = (row.period, row.flow, row.unit)
        if key not in world.index or not world.loc[key, "value"]:
            continue
        total = world.loc[key]
        share_flow, unit = HK_SHARE_FLOWS[row.flow]
        records.append(_record(
            row.series, row.period, row.partner, share_flow, 100 * row.value / total["value"], unit,
            f"COMPUTED from the official tabulation: {row.partner} {row.flow} {row.value:,.1f} / World {row.flow} "
            f"{total['value']:,.1f} ({row.unit}, HK-recorded, {row.period})",
            _confidence(row.confidence, total["confidence"]), precision=4))
    return records


def _member_shares(levels: pd.DataFrame) -> list[dict[str, str]]:
    own = levels[levels["series"].isin(MEMBER_SERIES) & levels["flow"].isin(MEMBER_SHARES)
                 & levels["period"].str.fullmatch(SHARE_PERIOD)]
    world = own[own["partner"] == WORLD].set_index(["series", "period", "flow", "unit"])
    records = []
    for row in own[own["partner"] == HONG_KONG].itertuples(index=False):
        key = (row.series, row.period, row.flow, row.unit)
        if key not in world.index or not world.loc[key, "value"]:
            continue
        total, member = world.loc[key], MEMBER_SERIES[row.series]
        series, flow, unit = MEMBER_SHARES[row.flow]
        records.append(_record(
            series, row.period, member, flow, 100 * row.value / total["value"], unit.format(member=member),
            f"COMPUTED from the official tabulation: {member} {row.flow} with Hong Kong {row.value:,.1f} / with World "
            f"{total['value']:,.1f} ({row.unit}, {member}-recorded, {row.period})",
            _confidence(row.confidence, total["confidence"]), precision=4))
    return records


def _asean_share(levels: pd.DataFrame) -> list[dict[str, str]]:
    trade = levels[levels["series"].isin(MEMBER_SERIES) & (levels["flow"] == "total_trade")
                   & levels["period"].str.fullmatch(r"\d{4}")]
    records = []
    for (period, unit), group in trade.groupby(["period", "unit"], sort=True):
        with_hk, with_world = (group[group["partner"] == partner].drop_duplicates("series") for partner in (HONG_KONG, WORLD))
        if len(with_hk) < len(ASEAN_MEMBERS) or len(with_world) < len(ASEAN_MEMBERS):
            continue
        series, flow, partner, share_unit = ASEAN_SHARE
        hk_total, world_total = with_hk["value"].sum(), with_world["value"].sum()
        records.append(_record(
            series, period, partner, flow, 100 * hk_total / world_total, share_unit,
            f"COMPUTED from the members' own figures: the ten members' trade with Hong Kong {hk_total:,.1f} / with the "
            f"World {world_total:,.1f} ({unit}, {period})", _confidence(*group["confidence"]), precision=4))
    return records
