"""Do the learning coders agree better with the manual coding when they read a topic model's document shares?

On the bundled sample, for each seed of ``--seeds`` (the run's master seed), the zoo is fitted as a run
fits it (``models.zoo.fit_models``: the topic model's K grid with that seed, then the supervised and
ensemble coders on sentence units, cross-validated on the gold coding) once per ``models.coder_topics``
source of ``--sources``, and the held-out macro-F1 of each coder is computed from its scorable
(held-out) decisions only, selected as ``analysis.agreement`` selects them. Prints mean, standard
deviation, minimum and maximum per source and coder, and the mean paired difference to ``none``
with the number of seeds on which the source did better. The seed moves the topic model, the folds
and the inner folds, so a difference means something only beyond the spread over seeds.

Command: ``python benchmarks/coder_topic_features.py [--seeds 0 20] [--sources none nmf lda]``.
"""
from __future__ import annotations

import argparse
import logging
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import held_out_macro_f1  # noqa: E402
from hkasean.analysis.coding import load_coding  # noqa: E402
from hkasean.corpus.bundled import sample_coding_path, sample_corpus_path  # noqa: E402
from hkasean.corpus.jsonl import read_documents  # noqa: E402
from hkasean.models.codebook import load_codebook  # noqa: E402
from hkasean.models.settings import CODER_TOPIC_SOURCES, ModelSettings  # noqa: E402
from hkasean.models.text import TextSettings, process_documents  # noqa: E402
from hkasean.models.zoo import LABEL_MODELS, fit_models  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs=2, default=[0, 20], metavar=("FIRST", "STOP"), help="seeds range(FIRST, STOP)")
    parser.add_argument("--sources", nargs="+", default=list(CODER_TOPIC_SOURCES), choices=CODER_TOPIC_SOURCES,
                        help="values of models.coder_topics to compare (each against 'none' when it is among them)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the per-theme fold warnings repeat for every fit
    warnings.simplefilter("ignore")
    codebook = load_codebook()
    documents = list(read_documents(sample_corpus_path()))
    processed = process_documents(documents, codebook)
    units = process_documents(documents, codebook, TextSettings(unit="sentence"))
    standard = load_coding(sample_coding_path(), codebook.theme_ids).standard()
    seeds = range(*args.seeds)
    sources = sorted(set(args.sources), key=lambda source: (source != "none", args.sources.index(source)))
    scores: dict[tuple[str, str], list[float]] = {}
    for source in sources:
        topic_models = () if source == "none" else (source,)
        settings = replace(ModelSettings(), models=topic_models + LABEL_MODELS, coder_topics=source, n_jobs=1)
        for seed in seeds:
            run = fit_models(processed, codebook, settings, labels=standard, random_state=seed, progress=False, units=units)
            for coder in LABEL_MODELS:
                score = held_out_macro_f1(run.doc_themes[run.doc_themes["model"] == coder], standard)
                scores.setdefault((source, coder), []).append(score)
    print(f"learning coders on the bundled sample, seeds {seeds.start}-{seeds.stop - 1}: held-out macro-F1 by models.coder_topics")
    for (source, coder), values in scores.items():
        line = (f"  {coder:10s} {source:5s} mean {np.mean(values):.3f}  sd {np.std(values, ddof=1) if len(values) > 1 else 0:.3f}  "
                f"min {min(values):.3f}  max {max(values):.3f}")
        if source != "none" and ("none", coder) in scores:
            difference = np.asarray(values) - np.asarray(scores["none", coder])
            line += f"  vs none: mean {difference.mean():+.3f}, better on {int((difference > 0).sum())} of {len(difference)} seeds"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
