"""The crawl bookkeeping of a document store: the latest fetch of every URL (``crawl_log``), the days a
crawl finished (``crawl_days``) and the latest look at each day's index (``crawl_day_checks``); the
tables are described in ``corpus.store_schema``."""
from __future__ import annotations

import datetime as _dt
from typing import Any

from hkasean.corpus.store_connection import StoreConnection


def utc_now() -> str:
    """The current UTC time as ISO 8601 with seconds, e.g. ``2024-05-01T12:00:00+00:00``."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


class CrawlBookkeeping(StoreConnection):
    """What a crawl records in the store besides the documents, so that a resumed crawl can skip
    finished days and a report can list failures, suspect days and index mismatches."""

    def log_fetch(
        self,
        url: str,
        kind: str,
        status: int,
        attempts: int,
        error: str | None = None,
        from_cache: bool = False,
    ) -> None:
        """Record the latest fetch of ``url`` (kind: index, release or robots), replacing older ones."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO crawl_log (url, kind, status, attempts, error, from_cache, last_attempt) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET kind = excluded.kind, "
                "status = excluded.status, attempts = excluded.attempts, error = excluded.error, "
                "from_cache = excluded.from_cache, last_attempt = excluded.last_attempt",
                (url, kind, int(status), int(attempts), error, int(from_cache), utc_now()),
            )

    def crawl_failures(self) -> list[dict[str, Any]]:
        """The URLs whose latest fetch failed: dicts with url, kind, status, attempts, error, last_attempt."""
        keys = ("url", "kind", "status", "attempts", "error", "last_attempt")
        rows = self._fetchall(
            f"SELECT {', '.join(keys)} FROM crawl_log WHERE error IS NOT NULL ORDER BY url"
        )
        return [dict(zip(keys, row)) for row in rows]

    def mark_day_done(self, day: _dt.date, filter_key: str, listed: int) -> None:
        """Remember that every release listed on ``day`` was processed under ``filter_key``."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO crawl_days (day, filter_key, listed, completed_at) VALUES (?, ?, ?, ?)",
                (day.isoformat(), filter_key, int(listed), utc_now()),
            )

    def day_done(self, day: _dt.date, filter_key: str) -> bool:
        """True when ``day`` was fully processed under ``filter_key`` by an earlier crawl."""
        row = self._execute(
            "SELECT 1 FROM crawl_days WHERE day = ? AND filter_key = ?", (day.isoformat(), filter_key)
        ).fetchone()
        return row is not None

    def record_day_check(
        self, day: _dt.date, listed: int, select_listed: int | None, select_differs: bool, detail: str
    ) -> None:
        """Record the latest look at ``day``'s index (replacing the previous one); see the table notes."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO crawl_day_checks (day, listed, select_listed, select_differs, detail, checked_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (day.isoformat(), int(listed), select_listed, int(select_differs), detail, utc_now()),
            )

    def suspect_days(self) -> list[dict[str, Any]]:
        """Days whose latest index look found no release: dicts with day, detail, checked_at, by day."""
        return self._day_checks("listed = 0")

    def select_mismatches(self) -> list[dict[str, Any]]:
        """Days whose index and ``select_en.htm`` disagree: dicts with day, listed, select_listed, detail."""
        return self._day_checks("select_differs = 1")

    def _day_checks(self, condition: str) -> list[dict[str, Any]]:
        if not self._columns("crawl_day_checks"):
            return []  # a store made before day checks, opened read-only
        keys = ("day", "listed", "select_listed", "detail", "checked_at")
        rows = self._fetchall(f"SELECT {', '.join(keys)} FROM crawl_day_checks WHERE {condition} ORDER BY day")
        return [dict(zip(keys, row)) for row in rows]
