"""Which settings of the keyword-assisted (seeded) LDA agree best with the manual coding, judged on documents that did
not choose them?

Each repeat divides the bundled sample's coded documents into a part that chooses and a part that reports (``--split
halves``: random halves, one per seed; ``--split years``: the years up to the median document's year choose, on the
sample 2019-2022, the later years report). Every variant (settings of ``SeededLdaTopicModel`` changed from the
defaults, or ``unit=paragraph`` for the units it is fitted on) is fitted as a run fits it, with the labels of the
choosing part only: its topics see no label, its share thresholds are learned on the choosing part's training folds.
Two figures per variant and repeat: the cross-validated macro-F1 on the choosing part, and the macro-F1 on the
reporting part, whose labels no fit saw. The last line picks, in each repeat, the variant with the best
choosing-part F1 and scores it on the reporting part: that is what choosing a setting by comparing these figures is
worth on unseen documents.

Command: ``python benchmarks/seeded_lda_settings.py [--seeds 0 10] [--split halves|years] [--variant NAME KEY=VALUE
...]``; without ``--variant``: the variants of ``VARIANTS``.
"""
from __future__ import annotations

import argparse
import logging
import sys
import warnings
from pathlib import Path

import pandas as pd

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import SPLITS, held_out_macro_f1, macro_f1_on, selection_report, split_coded  # noqa: E402
from hkasean.analysis.coding import load_coding  # noqa: E402
from hkasean.corpus.bundled import sample_coding_path, sample_corpus_path  # noqa: E402
from hkasean.corpus.jsonl import read_documents  # noqa: E402
from hkasean.models.codebook import load_codebook  # noqa: E402
from hkasean.models.seeded_lda import SeededLdaTopicModel  # noqa: E402
from hkasean.models.text import TextSettings, process_documents  # noqa: E402

VARIANTS: dict[str, dict[str, int | float | str]] = {
    "default": {},
    "free topics 5": {"n_free_topics": 5},
    "free topics 15": {"n_free_topics": 15},
    "free topics 20": {"n_free_topics": 20},
    "seed prior 0.3": {"seed_boost": 0.3},
    "alpha 0.3": {"alpha": 0.3},
    "stems 1": {"stem_share": 1.0},
    "sentence votes": {"aggregation": "vote"},
    "paragraph units": {"unit": "paragraph"},
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
    parser.add_argument("--seeds", type=int, nargs=2, default=[0, 10], metavar=("FIRST", "STOP"), help="seeds range(FIRST, STOP)")
    parser.add_argument("--split", choices=SPLITS, default="halves", help="how the coded documents are divided (see above)")
    parser.add_argument("--variant", nargs="+", action="append", metavar="NAME [KEY=VALUE]",
                        help="a variant of your own, e.g. --variant wide n_free_topics=25 (repeatable)")
    args = parser.parse_args(argv)
    variants = dict(parse_variant(words) for words in args.variant) if args.variant else VARIANTS
    logging.disable(logging.WARNING)  # the per-theme fold warnings repeat for every fit
    warnings.simplefilter("ignore")
    codebook = load_codebook()
    documents = list(read_documents(sample_corpus_path()))
    years = pd.Series({d.id: d.year for d in documents})
    units = {unit: process_documents(documents, codebook, TextSettings(unit=unit))
             for unit in {str(v.get("unit", "sentence")) for v in variants.values()}}
    standard = load_coding(sample_coding_path(), codebook.theme_ids).standard()
    seeds = range(*args.seeds)
    scores: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for seed in seeds:
        choose, report = split_coded(standard, years, args.split, seed)
        for name, settings in variants.items():
            model_settings = {key: value for key, value in settings.items() if key != "unit"}
            model = SeededLdaTopicModel(random_state=seed, **model_settings)
            model.fit(units[str(settings.get("unit", "sentence"))], standard.loc[choose])
            themes = model.doc_themes()
            scores[name].append((held_out_macro_f1(themes, standard.loc[choose]), macro_f1_on(themes, standard, report)))
    print(f"seeded_lda on the bundled sample, split {args.split} ({len(choose)} choose, {len(report)} report), "
          f"seeds {seeds.start}-{seeds.stop - 1}: macro-F1")
    print("\n".join(selection_report(scores)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
