"""`hkasean config --show`: print every setting with its default and an explanation."""
from __future__ import annotations

import argparse
from pathlib import Path

from hkasean.scripts.config import load_config, render_config


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "config", help="show the configuration (every setting, its default and what it does)",
        description="Print the run configuration as commented YAML; each setting's comment ends with its allowed "
                    "values in brackets ([>= 0, <= 1000]: a value outside is refused when the file is loaded). "
                    "Save it, edit what you need, and pass it "
                    "to `hkasean run --config FILE`. With --config FILE, shows that file merged over the defaults "
                    "(and checks it).")
    parser.add_argument("--show", action="store_true", help="print the configuration (the default action)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="a config file to check and show merged over the defaults")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print(render_config(load_config(args.config)), end="")
    return 0
