"""Tunable settings of the trade series (the ``trade:`` config section)."""
from __future__ import annotations

from dataclasses import dataclass, field

from hkasean.analysis.trade_source_classes import (
    INFERRED, OFFICIAL_QUOTE, OFFICIAL_TABULATION, SECONDARY_REPORT, SOURCE_CLASSES,
)


@dataclass(frozen=True)
class TradeSettings:
    """Tunable parameters of the trade series (config keys = field names)."""

    hkd_per_usd: float = field(
        default=7.80,
        metadata={"help": "HK$ per US$ used to convert between the two (mid-point of the 7.75-7.85 peg band)",
                  "at_least": 1, "at_most": 20},
    )
    interpolate: bool = field(
        default=False,
        metadata={"help": "fill interior gaps of annual trade series linearly (filled years are flagged 'interpolated')"},
    )
    official: bool = field(
        default=True,
        metadata={"help": "add the bundled official tabulations (analysis/data/official: HK-recorded trade by partner "
                          "2015-2019, Singapore's monthly trade with HK 2015-2025) to the trade table"},
    )
    source_classes: tuple[str, ...] = field(
        default=(OFFICIAL_TABULATION, OFFICIAL_QUOTE, SECONDARY_REPORT, INFERRED),
        metadata={"help": "source classes the analysis series may use (the best one per period wins: official_tabulation "
                          "> official_quote > secondary_report > inferred = poster); the poster's figures are audited, "
                          "not used, unless listed here", "choices": SOURCE_CLASSES, "min_items": 1,
                  "max_items": len(SOURCE_CLASSES)},
    )
