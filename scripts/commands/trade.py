"""``hkasean trade fetch``: download official merchandise-trade statistics into a trade CSV."""
from __future__ import annotations

import argparse
import dataclasses
import logging
import os
from pathlib import Path

from tqdm import tqdm

from hkasean.corpus.crawl.fetch_settings import USER_AGENT, FetchSettings
from hkasean.corpus.errors import InputError
from hkasean.corpus.trade_sources.fetch import (
    DEFAULT_TOTAL_DEADLINE, SOURCE_NAMES, SOURCE_TITLES, FetchOutcome, default_trade_cache_dir, fetch_trade, plan_requests,
    source_module,
)
from hkasean.corpus.trade_sources.records import DEFAULT_PARTNERS, FetchWindow
from hkasean.corpus.trade_sources.table import check_output_path, fetched_rows, write_trade_csv
from hkasean.scripts.commands.scrape import fetch_setting_type

LOG = logging.getLogger("hkasean.trade")

DEFAULT_START, DEFAULT_END = "2015", "2025"


def _description() -> str:
    sources = "\n".join(f"  {name:<9} {title}" for name, title in SOURCE_TITLES.items())
    return f"""\
Download official merchandise-trade statistics into a trade CSV that `hkasean run --trade FILE` reads.

Sources (--source, repeatable; default: all three):
{sources}

Every row keeps source_class official_tabulation and its provenance: the request URL and parameters,
the retrieval time (UTC) and the SHA-256 of the raw response. Raw responses are cached (default
{default_trade_cache_dir()}); a rerun replays them without a request, --offline replays only, --refresh
asks again. Polite: a rate limit, retries with backoff, 429/Retry-After honoured, timeouts and a total
deadline. A request that fails is listed; what was fetched is still written (exit 1); nothing fetched
ends with exit 2 and no file. An existing --out is never replaced without --overwrite.

UN Comtrade: the keyless public preview by default; set COMTRADE_API_KEY for a subscription key."""


def _partners(value: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in DEFAULT_PARTNERS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown partner(s) {', '.join(unknown) or '(none)'}; expected a comma-separated list of {', '.join(DEFAULT_PARTNERS)}")
    return names


def _base_url(value: str) -> tuple[str | None, str]:
    source, _, url = value.rpartition("=") if "=" in value.split("://")[0] else ("", "", value)
    if source and source not in SOURCE_NAMES:
        raise argparse.ArgumentTypeError(f"unknown source {source!r} in {value!r}; expected one of {', '.join(SOURCE_NAMES)}")
    if not url.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"expected an http(s) URL, or SOURCE=URL, got {value!r}")
    return source or None, url


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``trade`` command and its ``fetch`` subcommand."""
    trade = subparsers.add_parser("trade", help="official trade statistics: fetch them into a trade CSV",
                                  description="Official trade statistics for the run's trade side.")
    commands = trade.add_subparsers(dest="trade_command", metavar="SUBCOMMAND", required=True)
    parser = commands.add_parser("fetch", help="download official merchandise-trade statistics into a trade CSV",
                                 description=_description(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="the trade CSV to write")
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    parser.add_argument("--source", action="append", choices=SOURCE_NAMES, metavar="SOURCE",
                        help=f"a source to fetch ({', '.join(SOURCE_NAMES)}); repeatable (default: all)")
    parser.add_argument("--start", default=DEFAULT_START, metavar="YYYY|YYYY-MM",
                        help="first year (annual figures) or month (monthly figures) (default: %(default)s)")
    parser.add_argument("--end", default=DEFAULT_END, metavar="YYYY|YYYY-MM",
                        help="last year or month, inclusive; same kind as --start (default: %(default)s)")
    parser.add_argument("--partners", type=_partners, default=DEFAULT_PARTNERS, metavar="NAMES",
                        help="comma-separated partners (default: ASEAN, its ten members and World)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--offline", action="store_true", help="replay the cache only; send no request")
    mode.add_argument("--refresh", action="store_true", help="ask the services again even for cached responses "
                                                             "(an older, different response is kept)")
    parser.add_argument("--base-url", type=_base_url, action="append", metavar="[SOURCE=]URL",
                        help="scheme and host to ask instead of a source's own (a mirror or a test server); "
                             "without SOURCE= for every source; repeatable")
    parser.add_argument("--cache", type=Path, metavar="DIR", help=f"raw-response cache (default: {default_trade_cache_dir()})")
    parser.add_argument("--rate", type=fetch_setting_type("rate"), default=FetchSettings.rate, metavar="REQ_PER_S",
                        help="maximum requests per second to each service (default: %(default)s)")
    parser.add_argument("--timeout", type=fetch_setting_type("timeout"), default=FetchSettings.timeout, metavar="SECONDS",
                        help="wait for a connection or each read (default: %(default)s)")
    parser.add_argument("--retries", type=fetch_setting_type("max_retries", integer=True), default=FetchSettings.max_retries,
                        metavar="N", help="retries of a failed request, with exponential backoff (default: %(default)s)")
    parser.add_argument("--deadline", type=fetch_setting_type("deadline"), default=DEFAULT_TOTAL_DEADLINE, metavar="SECONDS",
                        help="longest time the whole fetch may take; requests not sent by then are listed as "
                             "missing (default: %(default)s)")
    parser.add_argument("--contact", metavar="EMAIL_OR_URL", help="how the services can reach you; added to the User-Agent")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check the arguments and the output path, fetch, write the CSV; 0 complete, 1 partial, 2 nothing."""
    try:
        window = FetchWindow(args.start, args.end)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    check_output_path(args.out, args.overwrite)
    sources = tuple(dict.fromkeys(args.source or SOURCE_NAMES))
    base_urls = {}
    for source, url in args.base_url or []:
        base_urls.update({source: url} if source else dict.fromkeys(sources, url))
    settings = FetchSettings(rate=args.rate, timeout=args.timeout, max_retries=args.retries)
    if args.contact:
        settings = dataclasses.replace(settings, user_agent=f"{USER_AGENT.rstrip(')')}; {args.contact})")
    keys = {name: os.environ.get(getattr(source_module(name), "KEY_ENVIRONMENT_VARIABLE", "")) or None for name in sources}
    total = len(plan_requests(sources, window, args.partners, base_urls, keys))
    with tqdm(desc="trade requests", unit="req", total=total, disable=args.quiet) as bar:
        outcome = fetch_trade(sources, window, args.partners, cache_dir=args.cache, base_urls=base_urls, keys=keys,
                              offline=args.offline, refresh=args.refresh, settings=settings,
                              total_deadline=args.deadline, progress=lambda request: bar.update())
    return _report(outcome, args.out)


def _report(outcome: FetchOutcome, out: Path) -> int:
    for failure in outcome.failures:
        LOG.error("missing: %s (%s): %s", failure.describes, failure.url, failure.error)
    if not outcome.figures:
        raise InputError(f"no figure was fetched ({len(outcome.failures)} of {outcome.requests_planned} requests failed, "
                         "listed above); nothing was written", path=out)
    rows = fetched_rows(outcome.figures)
    write_trade_csv(rows, out)
    by_source = {}
    for row in rows:
        by_source[row["source_name"]] = by_source.get(row["source_name"], 0) + 1
    print(f"wrote {len(rows)} figures to {out} ({', '.join(f'{name}: {count}' for name, count in by_source.items())}); "
          f"requests sent: {outcome.requests_sent}, answered from the cache: {outcome.answered_from_cache}")
    if outcome.failures:
        LOG.warning("incomplete: %d of %d requests failed (listed above); the figures fetched were written; rerun to "
                    "retry (cached answers are replayed)", len(outcome.failures), outcome.requests_planned)
        return 1
    return 0
