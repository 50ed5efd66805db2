"""The request-rate cap: request starts spaced at least ``1 / rate`` seconds apart on the fetcher's clock."""
from __future__ import annotations

from hkasean.corpus.crawl.clock import Clock
from hkasean.corpus.crawl.fetch_settings import setting_range
from hkasean.corpus.settings import check_number


class RateLimiter:
    """Spaces request starts at least ``1 / rate`` seconds apart on ``clock``."""

    def __init__(self, rate: float, clock: Clock) -> None:
        check_number("rate", rate, *setting_range("rate"))
        self.interval = 1.0 / rate
        self.clock = clock
        self._last: float | None = None

    def wait(self) -> None:
        """Sleep until the next request may start, then claim that slot."""
        now = self.clock.monotonic()
        if self._last is not None and now < self._last + self.interval:
            self.clock.sleep(self._last + self.interval - now)
            now = self.clock.monotonic()
        self._last = now

