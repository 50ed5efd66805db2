"""Does an NMF fit depend on its seed? Whether the K grid's stability across seeds measures anything for NMF.

scikit-learn's NMF with NNDSVDa initialisation takes ``random_state`` only for the randomized SVD that
starts it; the coordinate-descent solver does not shuffle. For each K of the grid this script fits
``NmfTopicModel`` with each seed on the same processed corpus and prints, per K against the first seed:
the largest absolute difference of the topic-term weights (rows sum to 1), the mean top-10 Jaccard
(the grid's stability measure), and the spread of c_npmi across seeds. Corpora: the bundled sample
and, for each ``--sizes`` N, a synthetic corpus (``benchmarks/synthetic.py``, seed 0).

Command: ``python benchmarks/nmf_seeds.py [--sizes 2000 10000] [--seeds 42 43 44]``.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic import write_synthetic_corpus  # noqa: E402
from hkasean.corpus.bundled import sample_corpus_path  # noqa: E402
from hkasean.corpus.collection import JsonlDocuments  # noqa: E402
from hkasean.models.codebook import load_codebook  # noqa: E402
from hkasean.models.nmf import NmfTopicModel  # noqa: E402
from hkasean.models.selection import best_match_jaccard  # noqa: E402
from hkasean.models.limits import COHERENCE_TOPN  # noqa: E402
from hkasean.models.settings import ModelSettings  # noqa: E402
from hkasean.models.text import process_documents  # noqa: E402


def seed_spread(corpus_path: Path, k_grid: tuple[int, ...], seeds: list[int]) -> list[str]:
    """One printed line per K: how far the fits of ``seeds`` differ from the first seed's."""
    processed = process_documents(JsonlDocuments(corpus_path), load_codebook())
    lines = []
    for k in k_grid:
        fits = [NmfTopicModel(n_topics=k, random_state=seed).fit(processed) for seed in seeds]
        first, others = fits[0], fits[1:]
        max_difference = max(float(np.abs(first.components_ - other.components_).max()) for other in others)
        top = [[set(topic) for topic in fit.top_tokens(COHERENCE_TOPN)] for fit in fits]
        jaccard = np.mean([best_match_jaccard(top[0], other) for other in top[1:]])
        c_npmi = [float(np.nanmean(fit.coherence_)) for fit in fits]
        lines.append(f"  K={k:<3} max |weight difference| {max_difference:.2e}   top-10 Jaccard {jaccard:.3f}   "
                     f"c_npmi {min(c_npmi):.6f}..{max(c_npmi):.6f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 10000], help="synthetic corpus sizes (besides the sample)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44], help="seeds to compare (the run's grid seeds by default)")
    args = parser.parse_args(argv)
    k_grid = ModelSettings().k_grid
    print(f"bundled sample, seeds {args.seeds}")
    print("\n".join(seed_spread(sample_corpus_path(), k_grid, args.seeds)))
    with tempfile.TemporaryDirectory(prefix="hkasean-nmf-seeds-") as folder:
        for size in args.sizes:
            corpus_path, _ = write_synthetic_corpus(size, Path(folder) / f"n{size}")
            print(f"{size} synthetic documents, seeds {args.seeds}")
            print("\n".join(seed_spread(corpus_path, k_grid, args.seeds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
