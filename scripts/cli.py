"""The ``hkasean`` command line: subcommands that wire the corpus, model and analysis stages."""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import Sequence

from hkasean.corpus.errors import InputError

LOG = logging.getLogger("hkasean")

COMMAND_MODULES: tuple[str, ...] = (
    "hkasean.scripts.commands.scrape",
    "hkasean.scripts.commands.trade",
    "hkasean.scripts.commands.corpus",
    "hkasean.scripts.commands.fit",
    "hkasean.scripts.commands.evaluate",
    "hkasean.scripts.commands.run",
    "hkasean.scripts.commands.config",
    "hkasean.scripts.commands.codebook",
)

NOISY_LIBRARIES = ("gensim", "matplotlib", "PIL", "urllib3", "smart_open")
"""Libraries whose INFO chatter is hidden unless --verbose."""

DESCRIPTION = """\
Hong Kong government releases about ASEAN: scrape them, model their framing themes, compare the
models with a manual coding, and set theme prevalence beside the HK-ASEAN trade figures.

Start with `hkasean run`: with no arguments it runs every stage on the bundled sample and writes
hkasean-output/ (report.html, report.md, tables/, figures/, manifest.json)."""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="hkasean", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debugging detail")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors; no progress bars")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # subcommand not built yet
            raise
        module.register(subparsers)
    return parser


def configure_logging(verbose: bool, quiet: bool) -> None:
    """Log to stderr: INFO by default, DEBUG with --verbose, WARNING with --quiet."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True)
    if not verbose:
        for noisy in NOISY_LIBRARIES:
            logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hkasean`` console script; returns the exit status."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    configure_logging(args.verbose, args.quiet)
    try:
        return int(args.handler(args) or 0)
    except InputError as exc:
        LOG.error("%s", exc)
        return 2
    except KeyboardInterrupt:
        LOG.error("interrupted")
        return 130
    except BrokenPipeError:  # output piped into `head` or a closed pager: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
