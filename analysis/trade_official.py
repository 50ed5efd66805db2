"""The bundled official trade tabulations (``analysis/data/official/``) as rows of the trade table.

Four files, described with their sources, checks and caveats in ``analysis/data/official/README.md``:

- ``hk_trade_by_partner_annual.csv``: Hong Kong-recorded (C&SD data) trade with each ASEAN member, ASEAN
  and the world, 2015-2019 and Jan-Jul 2019, five flows, HK$ million;
- ``sg_trade_with_hk_monthly.csv``: Singapore-recorded monthly trade with Hong Kong and with the world,
  2015-01 to 2025-01, S$ million (a labelled proxy: Singapore is about 36% of HK-ASEAN trade);
- ``asean_recorded_trade_with_hk.csv``: the few ASEAN-side figures (value, share, rank), secondary;
- ``imf_dots_asean_trade_with_hk_annual.csv``: each member's own exports to and imports from Hong Kong
  and the World (IMF DOTS, US$ million, 2015-2020; estimates medium confidence, Singapore's incomplete
  2020 low confidence).

``official_trade_table`` turns them into the trade-table shape (``load_trade_table`` columns) with
``source_class`` ``official_tabulation`` for all but the third file (``secondary_report``), then adds the
rows ``trade_derived.with_derived_rows`` computes from them (annual sums, total trade, Hong Kong-side
and member-side shares, Hong Kong's share of ASEAN's trade from the ten members' own figures), each
with a note starting ``COMPUTED`` that names its inputs. Nothing is converted between currencies and
nothing is interpolated.
"""
from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from hkasean.analysis.trade import parse_trade_records, trade_record
from hkasean.analysis.trade_source_classes import OFFICIAL_TABULATION, SECONDARY_REPORT
from hkasean.analysis.trade_derived import with_derived_rows
from hkasean.corpus.textfile import iter_csv_rows
from hkasean.corpus.trade_sources.records import HONG_KONG, hk_series, member_series

HK_BY_PARTNER = "hk_trade_by_partner_annual.csv"
SG_MONTHLY = "sg_trade_with_hk_monthly.csv"
ASEAN_RECORDED = "asean_recorded_trade_with_hk.csv"
SG_SERIES = member_series("Singapore")
"""Series name of the Singapore-recorded rows (partner ``Hong Kong`` or ``World``)."""
SG_PROXY = (SG_SERIES, "total_trade", "Hong Kong")
"""(series, flow, partner) of the monthly proxy: Singapore's total trade with Hong Kong, S$ million."""
IMF_DOTS = "imf_dots_asean_trade_with_hk_annual.csv"
DOTS_FLOWS = {"exports_fob": "total_exports_to_partner", "imports_cif": "imports_from_partner"}
"""IMF DOTS flow -> the trade table's flow of a member's own records (exports FOB, imports CIF)."""
DOTS_HK_FLOWS = {"exports_fob": "total_exports", "imports_cif": "imports"}
"""IMF DOTS flow -> the trade table's flow of Hong Kong's own records (its World totals in US$)."""
_ASEAN_FLOWS = {"total_trade": ("total_trade", None), "share_of_asean_total_trade": ("share_of_asean_total_trade", "% of ASEAN total trade"),
                "rank_among_asean_partners": ("rank", "rank among ASEAN trading partners")}


def official_folder() -> Path:
    """The bundled folder ``analysis/data/official``."""
    return Path(str(resources.files("hkasean.analysis") / "data" / "official"))


def official_trade_table(folder: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The four official files (and the rows computed from them) as a parsed trade table.

    Returns the columns of ``load_trade_table``; every row's ``source_class`` is ``official_tabulation``
    except the ASEAN-side rows (``secondary_report``). A fresh copy on every call.
    """
    return _official_table(str(Path(folder) if folder is not None else official_folder())).copy()


@lru_cache(maxsize=2)
def _official_table(folder: str) -> pd.DataFrame:
    root = Path(folder)
    records = (_hk_rows(_read(root / HK_BY_PARTNER)) + _sg_rows(_read(root / SG_MONTHLY))
               + _asean_rows(_read(root / ASEAN_RECORDED)) + _dots_rows(_read(root / IMF_DOTS)))
    return with_derived_rows(parse_trade_records(records, root))


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
    return trade_record(series, period, partner, flow, value, unit, source, confidence, note, source_class)


def _hk_rows(hk: pd.DataFrame) -> list[dict[str, str]]:
    return [_record(hk_series(r.partner), r.period, r.partner, r.flow, r.value, r.unit, r.source,
                    f"HK-recorded official tabulation (bundled file {HK_BY_PARTNER}): {r.note}")
            for r in hk.itertuples(index=False)]


def _sg_rows(sg: pd.DataFrame) -> list[dict[str, str]]:
    return [_record(SG_SERIES, r.period, r.partner, r.flow, r.value, r.unit, r.source,
                    f"Singapore-recorded official tabulation (bundled file {SG_MONTHLY}): {r.note}")
            for r in sg.itertuples(index=False)]


def _asean_rows(asean: pd.DataFrame) -> list[dict[str, str]]:
    rows = []
    for r in asean.itertuples(index=False):
        flow, unit = _ASEAN_FLOWS[r.flow]
        rows.append(_record(
            "asean_partner_trade", r.period, r.partner, flow, r.value, unit or r.unit, r.source,
            f"ASEAN-recorded, {r.confidence} (bundled file {ASEAN_RECORDED}){': ' + r.note if r.note else ''}",
            source_class=SECONDARY_REPORT, confidence="medium"))
    return rows


def _dots_rows(dots: pd.DataFrame) -> list[dict[str, str]]:
    """Each member's own exports to and imports from Hong Kong and the World (IMF DOTS, US$ million), and
    Hong Kong's World totals. An IMF estimate has confidence medium, an incomplete year low (never used
    for a computed share)."""
    rows = []
    for r in dots.itertuples(index=False):
        if r.reporter == HONG_KONG:
            series, flow = hk_series(r.partner), DOTS_HK_FLOWS[r.flow]
        else:
            series, flow = member_series(r.reporter), DOTS_FLOWS[r.flow]
        confidence = "low" if "INCOMPLETE YEAR" in r.note else "medium" if "estimate" in r.note else "high"
        rows.append(_record(series, r.period, r.partner, flow, r.value, r.unit, r.source,
                            f"{r.reporter}-recorded, IMF Direction of Trade Statistics (bundled file {IMF_DOTS}; "
                            f"{r.flow}): {r.note}", confidence=confidence))
    return rows
