"""`hkasean codebook suggest`: indicator terms the codebook may be missing, with their evidence."""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from hkasean import contract
from hkasean.corpus.errors import InputError
from hkasean.corpus.locations import default_db_path
from hkasean.scripts.commands.run_options import add_cache_options
from hkasean.scripts.inputs import RunInputs
from hkasean.scripts.pipeline import SUGGEST_STAGES, run_suggestions
from hkasean.scripts.study import study_config

DEFAULT_OUT = Path("hkasean-suggestions")
SHOWN = 5
"""Suggestions per theme printed on the terminal (all of them are in the CSV)."""

SUGGEST_HELP = """\
Suggest indicator terms for each theme of the codebook, found in the corpus itself and judged
against the manual coding, and write DIR/tables/indicator_suggestions.csv:

  theme, term, source, score, docs_with_theme, docs_without_theme, precision, recall_gain,
  example, rank, folds_found, n_folds, in_definition, proper_noun, recommended, reason

source log_odds: terms that distinguish the coded documents with the theme from the others
(weighted log-odds with an informative Dirichlet prior, Monroe, Colaresi & Quinn 2008; score =
its z-score). source word_vectors: near neighbours of the theme's indicators in Word2Vec vectors
trained on the corpus (score = cosine similarity); only for a corpus of at least 200,000
processed tokens, else skipped and said so in DIR/tables/indicator_sources.csv. precision and
recall_gain are out of fold: each term is looked for on the other folds of the coded documents
and counted on the held-out one. example: two sentences containing the term. proper_noun: the
term is written as a name (capitalised mid-sentence in most of its uses). recommended: 1 when a
careful reader would consider it: not a name, its words in the theme's definition, found in at
least 3 coded documents with the theme, and out of fold precise enough on the documents it newly
catches to raise the dictionary's F1; reason says which checks a term fails. On a small coding
(the sample: 11 documents with untapped_market) even recommended terms need not raise F1 on new
documents: read them as leads.

The suggestions are for you to judge; nothing is added to the codebook. To adopt a term, add it
to the theme's `indicators:` in a copy of the codebook and rerun with --codebook. A manual coding
is needed (--coding; bundled for the sample). Same inputs and seed give the same table.

Stages: """ + " -> ".join(SUGGEST_STAGES) + """, the same as in `hkasean run` and cached the same way
(--cache-dir, --no-cache): a rerun with nothing changed, or a run of the same inputs before it,
is fast. DIR/manifest.json records the config, inputs, seeds and stage timings."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``codebook`` subcommand with its ``suggest`` action."""
    parser = subparsers.add_parser("codebook", help="indicator terms the codebook may be missing")
    actions = parser.add_subparsers(dest="codebook_action", metavar="ACTION", required=True)
    suggest = actions.add_parser("suggest", help="suggest indicator terms per theme, with their evidence",
                                 description=SUGGEST_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    suggest.add_argument("--config", type=Path, metavar="FILE", help="YAML config (its text and seed settings apply)")
    source = suggest.add_mutually_exclusive_group()
    source.add_argument("--corpus", type=Path, metavar="FILE", help="corpus as JSONL (default: the bundled sample)")
    source.add_argument("--db", type=Path, metavar="PATH", nargs="?", const=default_db_path(),
                        help=f"read the corpus from a document store instead (bare --db: {default_db_path()})")
    suggest.add_argument("--coding", type=Path, metavar="FILE",
                         help="manual coding CSV: doc_id, coder, one 0/1 column per theme (required unless the corpus "
                              "is the bundled sample)")
    suggest.add_argument("--codebook", type=Path, metavar="FILE", help="codebook YAML (default: the bundled codebook)")
    suggest.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                         help=f"output folder, replaced as a whole when the command succeeds (default: ./{DEFAULT_OUT})")
    suggest.add_argument("--seed", type=int, metavar="N", help="override the config's master seed (fold split, word vectors)")
    add_cache_options(suggest)
    suggest.set_defaults(handler=run_suggest)


def summary_lines(table: pd.DataFrame, shown: int = SHOWN) -> list[str]:
    """The top ``shown`` suggestions of each theme and source as terminal lines."""
    lines = []
    for (theme, source), rows in table[table["rank"] <= shown].groupby(["theme", "source"], sort=False):
        terms = ", ".join(
            f"{r.term} ({r.docs_with_theme}/{r.docs_with_theme + r.docs_without_theme} docs with the theme"
            + ("" if pd.isna(r.precision) else f", out-of-fold precision {r.precision:.2f}") + ")"
            for r in rows.itertuples()
        )
        lines.append(f"{theme} [{source}]: {terms}")
    return lines


def run_suggest(args: argparse.Namespace) -> int:
    """Process the corpus, find and judge the candidate terms (the process and suggest stages of a run, cached
    alike), write the two tables and the manifest, print the best ones."""
    if args.coding is None and (args.corpus is not None or args.db is not None):
        raise InputError("codebook suggest needs a manual coding of (some of) the documents: give --coding FILE, a CSV "
                         "with columns doc_id, coder and one 0/1 column per theme id of the codebook")
    inputs = RunInputs(corpus=args.corpus, db=args.db, coding=args.coding, codebook=args.codebook)
    tables = run_suggestions(study_config(args.config, seed=args.seed), inputs, args.out,
                             cache_dir=None if args.no_cache else args.cache_dir, argv=args.argv).tables
    for line in summary_lines(tables[contract.INDICATOR_SUGGESTIONS.name]):
        print(line)
    sources = tables[contract.INDICATOR_SOURCES.name]
    for row in sources[sources["status"] != "used"].itertuples():
        print(f"{row.source}: {row.note}")
    print(f"wrote {args.out}/tables/{contract.INDICATOR_SUGGESTIONS.name}.csv: suggestions for you to judge; "
          "nothing was added to the codebook")
    return 0
