"""``hkasean scrape``: crawl the info.gov.hk press-release archive into the document store."""
from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import logging

from hkasean.corpus.crawl.crawler import DEFAULT_BASE_URL, PREFILTERS, crawl
from hkasean.corpus.crawl.fetch_settings import USER_AGENT, FetchSettings, setting_range
from hkasean.corpus.locations import default_db_path, default_html_cache_dir
from hkasean.corpus.settings import check_number
from hkasean.corpus.store import DocumentStore

LOG = logging.getLogger("hkasean.scrape")

DESCRIPTION = """\
Crawl the English press releases of www.info.gov.hk day by day (/gia/general/YYYYMM/DD.htm),
keep those about ASEAN (title or body mentions ASEAN, a member state, RCEP, AHKFTA, an ASEAN
HKETO city...) and store them in the SQLite document store.

Polite by default: one request per second, robots.txt honoured, retries with backoff, raw HTML
cached on disk (a rerun over cached days sends no request). Safe to interrupt: run the same
command again and it resumes where it stopped, with no duplicates. A page that is not a valid
index or release (an error page served with HTTP 200, undecodable bytes, over --max-body-mb) is
never cached as good: it is a failure listed by `hkasean corpus stats` and retried on the next run.
Days whose index lists no release are "suspect" and retried too."""

MEGABYTE = 1_000_000


def _date(value: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None


def fetch_setting_type(name: str, scale: float = 1.0, integer: bool = False):
    """An argparse type for the ``FetchSettings`` field ``name``: a finite number in the field's
    range (divided by ``scale`` on the command line), an integer when ``integer``."""
    low, high = (bound / scale for bound in setting_range(name))

    def parse(value: str) -> float | int:
        try:
            number: float | int = int(value) if integer else float(value)
            check_number("value", number, low, high, integer=integer)
        except ValueError:
            kind = "an integer" if integer else "a finite number"
            raise argparse.ArgumentTypeError(f"expected {kind} from {low:g} to {high:g}, got {value!r}") from None
        return number
    return parse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``scrape`` subcommand."""
    parser = subparsers.add_parser(
        "scrape",
        help="crawl info.gov.hk press releases about ASEAN into the document store",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--start", type=_date, required=True, metavar="YYYY-MM-DD", help="first day to crawl")
    parser.add_argument("--end", type=_date, required=True, metavar="YYYY-MM-DD", help="last day to crawl (inclusive)")
    parser.add_argument("--db", metavar="PATH", help=f"SQLite document store (default: {default_db_path()})")
    parser.add_argument("--cache", metavar="DIR", help=f"raw-HTML cache folder (default: {default_html_cache_dir()})")
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL, metavar="URL",
                        help="site root; only its host is contacted (default: %(default)s)")
    parser.add_argument("--rate", type=fetch_setting_type("rate"), default=FetchSettings.rate, metavar="REQ_PER_S",
                        help="maximum requests per second (default: %(default)s)")
    parser.add_argument("--timeout", type=fetch_setting_type("timeout"), default=FetchSettings.timeout, metavar="SECONDS",
                        help="wait for a connection or for each read of a response (default: %(default)s)")
    parser.add_argument("--deadline", type=fetch_setting_type("deadline"), default=FetchSettings.deadline, metavar="SECONDS",
                        help="longest time one request may take in all, body included; a slower answer is "
                             "a failure, retried (default: %(default)s)")
    parser.add_argument("--max-body-mb", type=fetch_setting_type("max_body_bytes", scale=MEGABYTE),
                        default=FetchSettings.max_body_bytes / MEGABYTE, metavar="MB",
                        help="largest page accepted, in megabytes; a larger one is a failure and is not read "
                             "(default: %(default)s)")
    parser.add_argument("--retries", type=fetch_setting_type("max_retries", integer=True), default=FetchSettings.max_retries,
                        metavar="N", help="retries of a failed request, with exponential backoff (default: %(default)s)")
    parser.add_argument("--refetch", action="store_true",
                        help="ask the site again for finished days and stored releases (no cache read), to find "
                             "releases replaced after publication; both versions are kept")
    parser.add_argument("--keyword", action="append", nargs="+", metavar="WORD",
                        help="relevance keyword(s) replacing the default ASEAN vocabulary; repeatable")
    parser.add_argument("--no-filter", action="store_true", help="keep every release, not only ASEAN-relevant ones")
    parser.add_argument("--prefilter", choices=PREFILTERS, default="none",
                        help="'title': fetch only releases whose listed title matches the filter (about 95%% "
                             "fewer requests, but misses releases that mention ASEAN only in the body); "
                             "'none': fetch every release (default: %(default)s)")
    parser.add_argument("--contact", metavar="EMAIL_OR_URL",
                        help="how the site's operators can reach you; added to the User-Agent "
                             "(recommended for any real crawl)")
    parser.set_defaults(handler=run)


def _fetch_settings(args: argparse.Namespace) -> FetchSettings:
    """Fetch settings of the command line: rate, timeouts, size limit, retries, and the operator's
    contact in the User-Agent."""
    settings = FetchSettings(rate=args.rate, timeout=args.timeout, deadline=args.deadline,
                             max_body_bytes=max(1, round(args.max_body_mb * MEGABYTE)), max_retries=args.retries)
    if args.contact:
        settings = dataclasses.replace(settings, user_agent=f"{USER_AGENT.rstrip(')')}; {args.contact})")
    return settings


def run(args: argparse.Namespace) -> int:
    """Run the crawl and print its summary; exit status 0 (even when some pages failed, see stats)."""
    keywords = [word for group in args.keyword for word in group] if args.keyword else None
    with DocumentStore(args.db or default_db_path()) as store:
        summary = crawl(
            args.start,
            args.end,
            store,
            args.cache or default_html_cache_dir(),
            base_url=args.base_url,
            rate=args.rate,
            keywords=keywords,
            filter_enabled=not args.no_filter,
            progress=not args.quiet,
            prefilter=args.prefilter,
            fetch_settings=_fetch_settings(args),
            refetch=args.refetch,
        )
        print(
            f"days: {summary.days} ({summary.days_skipped} already done)  listed: {summary.listed}  "
            f"fetched: {summary.fetched}  kept: {summary.kept}  failed: {summary.failed}  "
            f"already stored: {summary.skipped_cached}  requests: {summary.requests}"
        )
        print(f"suspect days (no release listed): {summary.suspect_days}  index/select_en.htm mismatches: "
              f"{summary.select_mismatches}  replaced on the site: {summary.replaced}")
        print(f"store: {store.path} ({len(store)} documents)")
    if summary.failed or summary.suspect_days:
        LOG.warning("%d pages failed and %d days are suspect; `hkasean corpus stats` lists them; rerun the command "
                    "to retry", summary.failed, summary.suspect_days)
    return 0
