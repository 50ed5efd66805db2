"""``hkasean corpus``: move documents between JSONL files and the store; summarise the store.

``import`` validates the whole JSONL file (one streamed pass) before it opens the store, then writes every
document in one transaction: a bad line, a store that is not ours or a lock leaves the store as it was.
``export`` never writes over its store (nor the store's ``-wal``/``-shm``/``-journal`` files), however
the two paths are spelled (relative, ``..``, a symbolic or a hard link).
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hkasean.corpus.collection import JsonlDocuments
from hkasean.corpus.crawl.crawler import markup_alarm
from hkasean.corpus.errors import InputError
from hkasean.corpus.jsonl import write_documents
from hkasean.corpus.locations import default_db_path
from hkasean.corpus.store import DocumentStore


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``corpus`` subcommand with its ``import``, ``export`` and ``stats`` actions."""
    parser = subparsers.add_parser("corpus", help="import, export or summarise the document store")
    actions = parser.add_subparsers(dest="corpus_action", metavar="ACTION", required=True)
    db_help = f"SQLite document store (default: {default_db_path()})"

    importer = actions.add_parser("import", help="validate a JSONL file, then upsert its documents into the store")
    importer.add_argument("file", metavar="FILE.jsonl", help="one JSON document per line")
    importer.add_argument("--db", metavar="PATH", help=db_help)
    importer.set_defaults(handler=run_import)

    exporter = actions.add_parser("export", help="write every stored document to JSONL, ordered by date and id")
    exporter.add_argument("--db", metavar="PATH", help=db_help)
    exporter.add_argument("--out", required=True, type=Path, metavar="FILE.jsonl",
                          help="output file (written atomically; an existing file is kept unless --overwrite)")
    exporter.add_argument("--overwrite", action="store_true", help="replace FILE.jsonl if it already exists")
    exporter.set_defaults(handler=run_export)

    stats = actions.add_parser("stats", help="documents per year, doc_type and source; crawl failures")
    stats.add_argument("--db", metavar="PATH", help=db_help)
    stats.set_defaults(handler=run_stats)


def run_import(args: argparse.Namespace) -> int:
    """Validate the whole file first (an error names file:line and field, nothing is written), then stream
    it into the store in one transaction (all documents or none)."""
    db = Path(args.db or default_db_path())
    if _same_file(Path(args.file), db):
        raise InputError(f"the corpus file is the store --db {db}; expected a JSONL file to import", path=args.file)
    documents = JsonlDocuments(args.file)
    with DocumentStore(db) as store:
        outcomes = store.upsert_many(documents)
        print(
            f"imported {len(documents)} documents into {store.path}: {outcomes['inserted']} inserted, "
            f"{outcomes['updated']} updated, {outcomes['unchanged']} unchanged"
        )
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Stream the store (opened read-only; it must exist) to a JSONL file that does not exist yet (or --overwrite)."""
    db = Path(args.db or default_db_path())
    for input_file in (db, *(Path(f"{db}{suffix}") for suffix in STORE_SIDE_FILES)):
        if _same_file(args.out, input_file):
            raise InputError(f"--out is the document store it would read ({input_file}); nothing was written (the store "
                             "is never written over: give --out the path of a new JSONL file)", path=args.out)
    if args.out.is_dir():
        raise InputError("--out is a folder; expected the path of a JSONL file to write", path=args.out)
    if args.out.exists() and not args.overwrite:
        raise InputError("--out already exists; nothing was written (pass --overwrite to replace it)", path=args.out)
    with DocumentStore(db, read_only=True) as store:
        count = write_documents(store.iter_documents(), args.out)
    print(f"exported {count} documents to {args.out}")
    return 0


STORE_SIDE_FILES = ("-wal", "-shm", "-journal")
"""Files SQLite keeps next to a store (``store.sqlite-wal`` ...): never an output either."""


def _same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name one file: the same resolved path (whether or not it exists), or
    the same existing file through a symbolic or hard link."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist
        return False


def run_stats(args: argparse.Namespace) -> int:
    """Print the store's counts, and the URLs whose latest fetch failed (the store is opened read-only; it must exist)."""
    with DocumentStore(args.db or default_db_path(), read_only=True) as store:
        stats = store.stats()
        failures = store.crawl_failures()
        checks = CrawlChecks(store.suspect_days(), store.select_mismatches(), store.replaced_documents())
        print(f"store: {store.path}")
    print(f"documents: {stats['documents']}")
    for title, key in (("per year", "by_year"), ("per doc_type", "by_doc_type"), ("per source", "by_source")):
        print(f"\n{title}:")
        for value, count in stats[key].items():
            print(f"  {value or '(none)':<24} {count:>6}")
    print(f"\ncrawl failures: {stats['crawl_failures']}")
    for failure in failures:
        print(f"  [{failure['kind']}] {failure['url']}: {failure['error']} (HTTP {failure['status']}, {failure['attempts']} attempts)")
    print_crawl_checks(checks)
    return 0


@dataclass(frozen=True)
class CrawlChecks:
    """What the crawl found suspicious, beyond failed fetches (see ``DocumentStore`` for the rows)."""

    suspect_days: list[dict[str, Any]]
    select_mismatches: list[dict[str, Any]]
    replaced: list[dict[str, Any]]


def print_crawl_checks(checks: CrawlChecks) -> None:
    """Print suspect days (and the markup alarm), index/select_en.htm mismatches and replaced releases."""
    print(f"\nsuspect days (no release found; retried on the next crawl): {len(checks.suspect_days)}")
    for row in checks.suspect_days:
        print(f"  {row['day']}: {row['detail']}")
    alarm = markup_alarm([row["day"] for row in checks.suspect_days])
    if alarm:
        print(f"  WARNING: {alarm}")
    print(f"\nindex and select_en.htm disagree: {len(checks.select_mismatches)}")
    for row in checks.select_mismatches:
        print(f"  {row['day']}: {row['detail']}")
    print(f"\nreplaced on the site after publication: {len(checks.replaced)}")
    for row in checks.replaced:
        print(f"  {row['id']}: {len(row['raw_hashes'])} versions ({', '.join(h[:12] for h in row['raw_hashes'])})")
