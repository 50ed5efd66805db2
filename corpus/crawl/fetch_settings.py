"""The fetcher's tunable politeness and retry settings, the ranges they accept, and the User-Agent."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from importlib import metadata

from hkasean.corpus.settings import check_settings
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

    rate: float = field(default=1.0, metadata={"help": "maximum requests per second to the site", "at_least": 0.001, "at_most": 1000.0})
    timeout: float = field(default=30.0, metadata={"help": "seconds to wait for a connection or for each read", "at_least": 0.001, "at_most": 3600.0})
    deadline: float = field(default=120.0, metadata={"help": "seconds one request may take in all, body included", "at_least": 0.001, "at_most": 86400.0})
    max_body_bytes: int = field(default=10_000_000, metadata={"help": "largest body accepted, in bytes; a larger one is a failure", "at_least": 1, "at_most": 2**31, "integer": True})
    max_retries: int = field(default=4, metadata={"help": "retries after the first attempt (timeouts, 5xx, 429, truncation, invalid pages)", "at_least": 0, "at_most": 100, "integer": True})
    backoff_base: float = field(default=2.0, metadata={"help": "seconds before the first retry; doubles each retry", "at_least": 0.0, "at_most": 3600.0})
    backoff_cap: float = field(default=60.0, metadata={"help": "longest backoff between retries, in seconds", "at_least": 0.0, "at_most": 86400.0})
    backoff_jitter: float = field(default=0.25, metadata={"help": "random extra wait, as a fraction of the backoff", "at_least": 0.0, "at_most": 10.0})
    retry_after_cap: float = field(default=300.0, metadata={"help": "longest Retry-After wait honoured, in seconds", "at_least": 0.0, "at_most": 86400.0})
    max_redirects: int = field(default=5, metadata={"help": "redirects followed per request", "at_least": 0, "at_most": 50, "integer": True})
    cache_missing: bool = field(default=True, metadata={"help": "remember 404 answers in the cache as known-missing"})
    user_agent: str = field(default=USER_AGENT, metadata={"help": "User-Agent header sent with every request"})
    seed: int | None = field(default=None, metadata={"help": "seed of the backoff jitter (None: the master seed, hkasean.seeds)",
                                                      "at_least": 0, "at_most": SEED_MODULUS - 1, "integer": True})

    def __post_init__(self) -> None:
        check_settings(self)  # the same validator as every settings section of a run (corpus.settings)


def setting_range(name: str) -> tuple[float, float]:
    """The (lowest, highest) value accepted for the ``FetchSettings`` field ``name``."""
    rules = next(spec.metadata for spec in fields(FetchSettings) if spec.name == name)
    return rules["at_least"], rules["at_most"]
