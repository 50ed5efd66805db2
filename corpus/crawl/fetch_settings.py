"""The fetcher's tunable politeness and retry settings, the ranges they accept, and the User-Agent."""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from importlib import metadata

from hkasean.seeds import SEED_MODULUS

ROBOTS_AGENT = "hkasean"
"""The product token the fetcher looks for in robots.txt."""


def _package_version() -> str:
    try:
        return metadata.version("hkasean")
    except metadata.PackageNotFoundError:
        return "0+unknown"


USER_AGENT = f"{ROBOTS_AGENT}/{_package_version()} (+research crawler; contact in README)"


@dataclass
class FetchSettings:
    """Tunable politeness and retry parameters of the fetcher."""

    rate: float = field(default=1.0, metadata={"help": "maximum requests per second to the site", "range": (0.001, 1000.0)})
    timeout: float = field(default=30.0, metadata={"help": "seconds to wait for a connection or for each read", "range": (0.001, 3600.0)})
    deadline: float = field(default=120.0, metadata={"help": "seconds one request may take in all, body included", "range": (0.001, 86400.0)})
    max_body_bytes: int = field(default=10_000_000, metadata={"help": "largest body accepted, in bytes; a larger one is a failure", "range": (1, 2**31)})
    max_retries: int = field(default=4, metadata={"help": "retries after the first attempt (timeouts, 5xx, 429, truncation, invalid pages)", "range": (0, 100)})
    backoff_base: float = field(default=2.0, metadata={"help": "seconds before the first retry; doubles each retry", "range": (0.0, 3600.0)})
    backoff_cap: float = field(default=60.0, metadata={"help": "longest backoff between retries, in seconds", "range": (0.0, 86400.0)})
    backoff_jitter: float = field(default=0.25, metadata={"help": "random extra wait, as a fraction of the backoff", "range": (0.0, 10.0)})
    retry_after_cap: float = field(default=300.0, metadata={"help": "longest Retry-After wait honoured, in seconds", "range": (0.0, 86400.0)})
    max_redirects: int = field(default=5, metadata={"help": "redirects followed per request", "range": (0, 50)})
    cache_missing: bool = field(default=True, metadata={"help": "remember 404 answers in the cache as known-missing"})
    user_agent: str = field(default=USER_AGENT, metadata={"help": "User-Agent header sent with every request"})
    seed: int | None = field(default=None, metadata={"help": "seed of the backoff jitter (None: the master seed, hkasean.seeds)",
                                                      "range": (0, SEED_MODULUS - 1), "integer": True})

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if "range" in spec.metadata and not (spec.name == "seed" and value is None):
                check_number(spec.name, value, *spec.metadata["range"],
                             integer=spec.metadata.get("integer", isinstance(spec.default, int)))


def setting_range(name: str) -> tuple[float, float]:
    """The (lowest, highest) value accepted for the ``FetchSettings`` field ``name``."""
    return next(spec.metadata["range"] for spec in fields(FetchSettings) if spec.name == name)


def check_number(name: str, value: object, low: float, high: float, integer: bool = False) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is a finite number (an integer when
    ``integer``) with ``low <= value <= high``."""
    kind = "an integer" if integer else "a finite number"
    valid = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not valid or not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be {kind} from {low:g} to {high:g}, got {value!r}")
