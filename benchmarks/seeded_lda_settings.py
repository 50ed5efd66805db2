"""Which settings of the keyword-assisted (seeded) LDA agree best with the manual coding of the bundled sample?

For each variant (settings of ``SeededLdaTopicModel`` changed from the defaults) and each seed of
``--seeds`` the model is fitted on the sample's sentence units with the gold coding, exactly as a run
fits it (share threshold learned on training folds), and its macro-F1 over the five themes is computed
from the held-out predictions only (selected and pooled over folds as ``analysis.agreement`` does).
Prints mean, standard deviation, minimum and maximum per variant. The
seed moves the Gibbs chains and the folds, so a difference between variants means something only
beyond the spread over seeds.

Command: ``python benchmarks/seeded_lda_settings.py [--seeds 0 20] [--variant NAME KEY=VALUE ...]``;
without ``--variant``: the variants of ``VARIANTS``.
"""
from __future__ import annotations

import argparse
import logging
import sys
import warnings
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import held_out_macro_f1  # noqa: E402
from hkasean.analysis.coding import load_coding  # noqa: E402
from hkasean.corpus.bundled import sample_coding_path, sample_corpus_path  # noqa: E402
from hkasean.corpus.jsonl import read_documents  # noqa: E402
from hkasean.models.codebook import load_codebook  # noqa: E402
from hkasean.models.seeded_lda import SeededLdaTopicModel  # noqa: E402
from hkasean.models.text import TextSettings, process_documents  # noqa: E402

VARIANTS: dict[str, dict[str, int | float | str]] = {
    "default": {},
    "free topics 2": {"n_free_topics": 2},
    "free topics 5": {"n_free_topics": 5},
    "free topics 8": {"n_free_topics": 8},
    "free topics 10": {"n_free_topics": 10},
    "free topics 20": {"n_free_topics": 20},
    "seed prior 0.3": {"seed_boost": 0.3},
    "seed prior 3": {"seed_boost": 3.0},
    "alpha 0.03": {"alpha": 0.03},
    "alpha 0.3": {"alpha": 0.3},
    "stems 0": {"stem_share": 0.0},
    "stems 1": {"stem_share": 1.0},
    "largest sentence": {"aggregation": "max"},
}


def parse_value(text: str) -> int | float | str:
    """A setting's value as written: an int, else a float, else the text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_variant(words: list[str]) -> tuple[str, dict[str, int | float | str]]:
    """``NAME KEY=VALUE ...`` -> (name, {key: value})."""
    name, *pairs = words
    return name, {key: parse_value(value) for key, value in (pair.split("=", 1) for pair in pairs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs=2, default=[0, 20], metavar=("FIRST", "STOP"), help="seeds range(FIRST, STOP)")
    parser.add_argument("--variant", nargs="+", action="append", metavar="NAME [KEY=VALUE]",
                        help="a variant of your own, e.g. --variant wide n_free_topics=25 (repeatable)")
    args = parser.parse_args(argv)
    variants = dict(parse_variant(words) for words in args.variant) if args.variant else VARIANTS
    logging.disable(logging.WARNING)  # the per-theme fold warnings repeat for every fit
    warnings.simplefilter("ignore")
    codebook = load_codebook()
    units = process_documents(read_documents(sample_corpus_path()), codebook, TextSettings(unit="sentence"))
    standard = load_coding(sample_coding_path(), codebook.theme_ids).standard()
    seeds = range(*args.seeds)
    print(f"seeded_lda on the bundled sample's sentences, seeds {seeds.start}-{seeds.stop - 1}: held-out macro-F1")
    for name, settings in variants.items():
        fits = (SeededLdaTopicModel(random_state=seed, **settings).fit(units, standard) for seed in seeds)
        scores = [held_out_macro_f1(model.doc_themes(), standard) for model in fits]
        spread = f"{np.std(scores, ddof=1):.3f}" if len(scores) > 1 else "-"
        print(f"  {name:16s} mean {np.mean(scores):.3f}  sd {spread}  "
              f"min {min(scores):.3f}  max {max(scores):.3f}  {settings or '(defaults)'}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
