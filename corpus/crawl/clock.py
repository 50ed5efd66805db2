"""The fetcher's time source: monotonic seconds and a sleep, injectable so tests run on a fake clock."""
from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Time source of the rate limiter, the backoff and the total deadline: monotonic seconds and a sleep."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """Seconds of ``time.monotonic``."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """``time.sleep``."""
        time.sleep(seconds)
