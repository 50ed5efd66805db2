"""How the explorer's payload writes single values and whole tables: short, JSON-able and safe to show.

Numbers are rounded (``SCORE_DIGITS`` decimals unless told), missing values become ``None`` or ``""``,
text has the characters a browser acts on instead of showing neutralised (``report_render.clean_text``),
and tables go column-wise with codes for repeated strings.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import pandas as pd

from hkasean.analysis.report_render import clean_text

SCORE_DIGITS = 3
"""Decimals kept of every score and share."""


def cell_number(value: Any, digits: int = SCORE_DIGITS) -> float | int | None:
    """A finite number rounded to ``digits`` decimals (an int when whole); None for NaN, None or inf."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    rounded = round(number, digits) + 0.0
    return int(rounded) if rounded.is_integer() and abs(rounded) < 2**53 else rounded


def _numbers(values: Iterable[Any], digits: int = SCORE_DIGITS) -> list[float | int | None]:
    return [cell_number(v, digits) for v in values]


def cell_text(value: Any) -> str:
    """A cell as text ('' for missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return clean_text(str(value))


def cell_texts(values: Iterable[Any]) -> list[str]:
    """Each cell as text (``cell_text``)."""
    return [cell_text(v) for v in values]


def _coded(values: Iterable[Any]) -> tuple[list[str], list[int]]:
    """Repeated strings as (the distinct values in first-seen order, each value's index)."""
    texts = cell_texts(values)
    levels = list(dict.fromkeys(texts))
    index = {level: i for i, level in enumerate(levels)}
    return levels, [index[t] for t in texts]


def column_wise(frame: pd.DataFrame, text: Sequence[str] = (), numbers: Sequence[str] = (), codes: Sequence[str] = (),
                digits: int = 6) -> dict[str, Any]:
    """``frame`` column-wise: text columns as lists of strings, number columns rounded, coded columns as
    ``{"levels": [...], "codes": [...]}``; columns the frame lacks are left out."""
    out: dict[str, Any] = {"n": int(len(frame))}
    for column in text:
        if column in frame:
            out[column] = cell_texts(frame[column])
    for column in numbers:
        if column in frame:
            out[column] = _numbers(frame[column], digits)
    for column in codes:
        if column in frame:
            levels, index = _coded(frame[column])
            out[column] = {"levels": levels, "codes": index}
    return out
