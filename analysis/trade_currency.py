"""Money figures of a trade table in one currency: HK$ and US$ are never mixed silently.

``to_currency`` converts at the HK$/US$ peg (7.75-7.85 band; the 7.80 mid-point by default) and flags
every converted value; other currencies (RM, S$) are left out with a logged note.
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from hkasean.analysis.trade import join_flags
from hkasean.analysis.trade_settings import TradeSettings

logger = logging.getLogger(__name__)


def to_currency(table: pd.DataFrame, target: str = "HK$", hkd_per_usd: float = TradeSettings.hkd_per_usd) -> pd.DataFrame:
    """The money rows of ``table`` expressed in billions of ``target`` (``"HK$"`` or ``"US$"``).

    Returns the value rows (kind == "value") whose currency is ``target`` or convertible to it, with
    ``value_num``/``bound_value`` rescaled to billions, ``currency = target``, ``scale = 1e9``,
    ``unit = "<target> billion"``, a boolean ``converted`` column, and ``"converted at <rate>"`` appended
    to ``flag`` for converted rows. US$ <-> HK$ use ``hkd_per_usd``; other currencies (RM, S$) are not
    converted: they are left out and a note is logged.
    """
    if target not in ("HK$", "US$"):
        raise ValueError(f"target currency must be 'HK$' or 'US$', got {target!r}")
    money = table[table["kind"] == "value"].copy()
    other = "US$" if target == "HK$" else "HK$"
    left_out = money[~money["currency"].isin([target, other])]
    if len(left_out):
        logger.info(
            "to_currency: %d row(s) in %s left out (no conversion to %s)",
            len(left_out), ", ".join(sorted(left_out["currency"].unique())), target,
        )
    money = money[money["currency"].isin([target, other])]
    rate = np.where(money["currency"] == target, 1.0, hkd_per_usd if target == "HK$" else 1.0 / hkd_per_usd)
    factor = rate * money["scale"].to_numpy() / 1e9
    money["value_num"] = money["value_num"].to_numpy() * factor
    money["bound_value"] = money["bound_value"].to_numpy() * factor
    money["converted"] = money["currency"] != target
    note = f"converted at {hkd_per_usd:.2f} HK$/US$"
    money["flag"] = [
        join_flags(flag, note if converted else "") for flag, converted in zip(money["flag"], money["converted"])
    ]
    money["currency"] = target
    money["scale"] = 1e9
    money["unit"] = f"{target} billion"
    return money
