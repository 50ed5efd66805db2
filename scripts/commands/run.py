"""`hkasean run`: every stage, one output folder with report.html, report.md, tables, figures, manifest."""
from __future__ import annotations

import argparse
import logging
import sys

from hkasean import contract
from hkasean.scripts.commands.run_options import add_run_options
from hkasean.scripts.pipeline import REPORT
from hkasean.scripts.stages import STAGE_NAMES
from hkasean.scripts.study import run_study

LOG = logging.getLogger("hkasean")

HELP = """\
Run the whole study: load the corpus, process the text, fit the models, compare them with the
manual coding, set theme prevalence beside the trade figures, audit the numeric trade claims, and
write the report. With no arguments it runs on the bundled sample and writes ./hkasean-output/:

  report.html     self-contained report (figures embedded; open it in any browser)
  report.md       the same story in Markdown
  tables/*.csv    every table, tidy (topics, doc_themes, agreement, reliability, prevalence,
                  correlation, claims, ...)
  figures/*.png   every figure
  manifest.json   config, package versions, corpus hash, seeds, stage timings, warnings

Stages: """ + " -> ".join(STAGE_NAMES) + """ -> report. Results are cached by their inputs: a rerun
with nothing changed is fast, and changing one setting recomputes only what depends on it."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="run every stage and write the report (default: bundled sample)",
                                   description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_options(parser)
    parser.set_defaults(handler=run, until="report")


def run(args: argparse.Namespace) -> int:
    """Run the study up to ``args.until`` (``hkasean.run``) and say where the output is."""
    result = run_study(
        args.corpus, args.coding, db=args.db, codebook=args.codebook, trade=args.trade, config=args.config,
        out=args.out, seed=args.seed, jobs=args.jobs, no_coding=args.no_coding,
        cache_dir=None if args.no_cache else args.cache_dir, until=args.until,
        progress=not args.quiet and sys.stderr.isatty(), argv=args.argv,
    )
    stages = result.manifest.get("stages", [])
    timings = ", ".join(f"{r['name']} {r['seconds']:.1f}s{' (cached)' if r['cached'] else ''}" for r in stages)
    LOG.info("stage timings: %s", timings)
    target = args.out / ("report.html" if args.until == REPORT else "tables")
    print(f"wrote {args.out}/ ({len(result.tables[contract.DOCUMENTS.name])} documents); open {target}")
    return 0
