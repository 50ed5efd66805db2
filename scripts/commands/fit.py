"""`hkasean fit`: process the corpus and fit every configured model; write topic and theme tables."""
from __future__ import annotations

import argparse

from hkasean.scripts.commands import run as run_command
from hkasean.scripts.commands.run_options import add_run_options

HELP = """\
Fit all configured models (LDA, NMF, seeded LDA, dictionary coder, supervised coder) on the corpus
and write into the output folder: tables/topics.csv (model, topic, top_terms, coherence, coherence_terms,
mapped_theme), tables/doc_themes.csv (doc_id, model, theme, score, present), tables/doc_topics.csv,
tables/top_terms.csv, tables/k_selection.csv, TF-IDF tables, figures and manifest.json.
The supervised coder needs a manual coding (--coding, bundled for the sample) and reports
cross-validated predictions only."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("fit", help="fit the topic models and coders", description=HELP,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_options(parser)
    parser.set_defaults(handler=run_command.run, until="fit")
