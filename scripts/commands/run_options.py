"""Options shared by `run`, `fit` and `evaluate`: the inputs, the config, the output folder, the stage cache."""
from __future__ import annotations

import argparse
from pathlib import Path

from hkasean.corpus.locations import default_db_path
from hkasean.scripts.study import default_stage_cache_dir

DEFAULT_OUT = Path("hkasean-output")


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Add --config, the input files, --out, --seed, --jobs and the cache options."""
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="YAML config (see `hkasean config --show` for every setting and its default)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--corpus", type=Path, metavar="FILE",
                        help="corpus as JSONL (default: the bundled sample of 88 documents)")
    source.add_argument("--db", type=Path, metavar="PATH", nargs="?", const=default_db_path(),
                        help=f"read the corpus from a document store instead (bare --db: {default_db_path()})")
    parser.add_argument("--coding", type=Path, metavar="FILE",
                        help="manual coding CSV: doc_id, coder, one 0/1 column per theme "
                             "(default: the bundled coding when the corpus is the bundled sample)")
    parser.add_argument("--no-coding", action="store_true", help="ignore any manual coding (skips the agreement stage)")
    parser.add_argument("--codebook", type=Path, metavar="FILE", help="codebook YAML (default: the bundled five-theme codebook)")
    parser.add_argument("--trade", type=Path, metavar="FILE",
                        help="trade figures CSV: series, period, partner, flow, value, unit, source_url, confidence, note "
                             "(default: the bundled official figures)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                        help=f"output folder, replaced as a whole when the run succeeds (default: ./{DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, metavar="N", help="override the config's master seed")
    parser.add_argument("--jobs", type=int, metavar="N",
                        help="parallel workers for text processing and the K x seed model search (default: config, every core; 1: serial)")
    add_cache_options(parser)


def add_cache_options(parser: argparse.ArgumentParser) -> None:
    """Add --cache-dir and --no-cache (also options of `codebook suggest`, which runs some of the stages)."""
    parser.add_argument("--cache-dir", type=Path, metavar="DIR", default=default_stage_cache_dir(),
                        help="where stage results are cached by their inputs (default: %(default)s)")
    parser.add_argument("--no-cache", action="store_true", help="recompute every stage, ignore and do not write the cache")
