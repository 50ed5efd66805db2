"""Tunable settings of the validation against the manual coding (one config section)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ValidationSettings:
    """Settings of the reliability, topic-to-theme mapping and agreement tables (config keys = field names)."""

    n_boot: int = field(
        default=1000,
        metadata={"help": "bootstrap resamples of documents for every confidence interval", "at_least": 1, "at_most": 100_000},
    )
    level: float = field(
        default=0.95,
        metadata={"help": "coverage of the percentile bootstrap intervals (0-1)", "above": 0, "below": 1},
    )
    n_folds: int = field(
        default=5,
        metadata={"help": "cross-validation folds for mapping unsupervised topics to themes", "at_least": 2, "at_most": 100},
    )
    min_f1: float = field(
        default=0.3,
        metadata={"help": "a topic is mapped to a theme only if its training-fold F1 reaches this value", "at_least": 0, "at_most": 1},
    )
    thresholds: tuple[float, ...] = field(
        default=(0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5),
        metadata={"help": "grid of topic-share thresholds (0-1) tried on the training folds", "at_least": 0, "at_most": 1, "min_items": 1, "max_items": 1000},
    )
    code_next_size: int = field(
        default=20,
        metadata={"help": "uncoded documents proposed for coding next (tables/code_next.csv, coding_template.csv)", "at_least": 1, "at_most": 100_000},
    )


DEFAULT_VALIDATION = ValidationSettings()
"""The defaults, used as the keyword defaults of the validation functions."""
