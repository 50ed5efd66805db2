"""`hkasean evaluate`: fit, then score every model against the manual coding."""
from __future__ import annotations

import argparse

from hkasean.scripts.commands import run as run_command
from hkasean.scripts.commands.run_options import add_run_options

HELP = """\
Compare every model with the manual coding: writes tables/reliability.csv (theme, coders, n,
percent_agreement, kappa, alpha: the human-human ceiling), tables/agreement.csv (model, theme,
precision, recall, f1, kappa, alpha, f1_low, f1_high, n; theme "macro" = the average over themes;
humans scored the same way as "human:<coder>"), tables/disagreements.csv (documents where a model
and the standard differ, with the terms behind the model's decision), tables/topic_theme_map.csv,
and the agreement figures. Topic-theme maps and thresholds are learned on training folds only."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("evaluate", help="score the models against the manual coding", description=HELP,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_options(parser)
    parser.set_defaults(handler=run_command.run, until="evaluate")
