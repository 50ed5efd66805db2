"""`hkasean run`: every stage, one output folder with report.html, report.md, tables, figures, manifest."""
from __future__ import annotations

import argparse
import logging
import sys

from hkasean.scripts.commands.run_options import add_run_options, config_from_args, inputs_from_args
from hkasean.scripts.pipeline import STAGE_NAMES, run_pipeline

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
    """Run the pipeline up to ``args.until`` and say where the output is."""
    config = config_from_args(args)
    context = run_pipeline(
        config,
        inputs_from_args(args),
        args.out,
        until=args.until,
        cache_dir=None if args.no_cache else args.cache_dir,
        progress=not args.quiet and sys.stderr.isatty(),
        argv=args.argv,
    )
    timings = ", ".join(f"{r.name} {r.seconds:.1f}s{' (cached)' if r.cached else ''}" for r in context.records)
    LOG.info("stage timings: %s", timings)
    target = args.out / ("report.html" if args.until == "report" else "tables")
    print(f"wrote {args.out}/ ({len(context.inputs.documents)} documents); open {target}")
    return 0
