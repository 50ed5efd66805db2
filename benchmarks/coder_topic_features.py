"""Do the learning coders agree better with the manual coding when they read a topic model's document shares, judged on
documents that did not choose?

Each repeat (a seed of ``--seeds``: the run's master seed, moving the topic model's K grid, the folds and the split)
divides the bundled sample's coded documents into a part that chooses and a part that reports (``--split halves``:
random halves; ``--split years``: the years up to the median document's year choose, on the sample 2019-2022, the
later years report). For each ``models.coder_topics`` source of ``--sources`` the zoo is fitted as a run fits it
(``models.zoo.fit_models``: the topic model's K grid, then the supervised and ensemble coders on sentence units)
with the labels of the choosing part only. Per coder and source: the cross-validated macro-F1 on the choosing part
and the macro-F1 on the reporting part, whose labels no fit saw; the last line per coder picks, in each repeat, the
source with the best choosing-part F1 and scores it on the reporting part (what choosing by this comparison is worth
on unseen text).

Command: ``python benchmarks/coder_topic_features.py [--seeds 0 10] [--split halves|years] [--sources none nmf
lda]``.
"""
from __future__ import annotations

import argparse
import logging
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import pandas as pd

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import SPLITS, held_out_macro_f1, macro_f1_on, selection_report, split_coded  # noqa: E402
from hkasean.analysis.coding import load_coding  # noqa: E402
from hkasean.corpus.bundled import sample_coding_path, sample_corpus_path  # noqa: E402
from hkasean.corpus.jsonl import read_documents  # noqa: E402
from hkasean.models.codebook import load_codebook  # noqa: E402
from hkasean.models.settings import CODER_TOPIC_SOURCES, ModelSettings  # noqa: E402
from hkasean.models.text import TextSettings, process_documents  # noqa: E402
from hkasean.models.zoo import LABEL_MODELS, fit_models  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs=2, default=[0, 10], metavar=("FIRST", "STOP"), help="seeds range(FIRST, STOP)")
    parser.add_argument("--split", choices=SPLITS, default="halves", help="how the coded documents are divided (see above)")
    parser.add_argument("--sources", nargs="+", default=list(CODER_TOPIC_SOURCES), choices=CODER_TOPIC_SOURCES,
                        help="values of models.coder_topics to compare")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the per-theme fold warnings repeat for every fit
    warnings.simplefilter("ignore")
    codebook = load_codebook()
    documents = list(read_documents(sample_corpus_path()))
    years = pd.Series({d.id: d.year for d in documents})
    processed = process_documents(documents, codebook)
    units = process_documents(documents, codebook, TextSettings(unit="sentence"))
    standard = load_coding(sample_coding_path(), codebook.theme_ids).standard()
    seeds = range(*args.seeds)
    scores: dict[str, dict[str, list[tuple[float, float]]]] = {coder: {source: [] for source in args.sources}
                                                               for coder in LABEL_MODELS}
    for seed in seeds:
        choose, report = split_coded(standard, years, args.split, seed)
        for source in args.sources:
            topic_models = () if source == "none" else (source,)
            settings = replace(ModelSettings(), models=topic_models + LABEL_MODELS, coder_topics=source, n_jobs=1)
            run = fit_models(processed, codebook, settings, labels=standard.loc[choose], random_state=seed, progress=False,
                             units=units)
            for coder in LABEL_MODELS:
                themes = run.doc_themes[run.doc_themes["model"] == coder]
                scores[coder][source].append((held_out_macro_f1(themes, standard.loc[choose]),
                                              macro_f1_on(themes, standard, report)))
    print(f"learning coders on the bundled sample, split {args.split} ({len(choose)} choose, {len(report)} report), "
          f"seeds {seeds.start}-{seeds.stop - 1}: macro-F1 by models.coder_topics")
    for coder, by_source in scores.items():
        print(f" {coder}:")
        print("\n".join(selection_report(by_source)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
