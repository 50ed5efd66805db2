"""Synthetic corpora of any size, built by resampling the bundled sample's paragraphs (seeded).

Each synthetic document draws 2-6 paragraphs (with replacement) from the pool of every paragraph
of the sample corpus; its title, doc_type, source and speaker are those of the document its first
paragraph came from; its date is uniform over 2019-01-01..2025-12-31; its id is ``SYN<7 digits>``.
The matching coding labels a synthetic document, for each coder of the sample coding (gold,
coder_a, coder_b), with the OR of that coder's labels of the documents its paragraphs came from,
so the supervised coder, the reliability and the agreement tables can run on it.

The vocabulary stays that of the 88 sample documents however large N is: real archives keep
adding words (Heaps' law), so vocabulary-sized costs are underestimated here.

Command line: ``python benchmarks/synthetic.py N OUT_DIR [--seed S]`` writes
``OUT_DIR/corpus.jsonl`` and ``OUT_DIR/coding.csv``; ``--coded N`` codes only a seeded sample of N documents.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hkasean.analysis.coding import load_coding  # noqa: E402
from hkasean.corpus.bundled import sample_coding_path, sample_corpus_path  # noqa: E402
from hkasean.corpus.document import Document  # noqa: E402
from hkasean.corpus.jsonl import read_documents, write_documents  # noqa: E402
from hkasean.models.codebook import load_codebook  # noqa: E402

FIRST_DAY = dt.date(2019, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)


@dataclass
class SyntheticSettings:
    """Tunable parameters of the synthetic corpus generator."""

    min_paragraphs: int = field(default=2, metadata={"help": "fewest paragraphs drawn per synthetic document"})
    max_paragraphs: int = field(default=6, metadata={"help": "most paragraphs drawn per synthetic document"})
    seed: int = field(default=0, metadata={"help": "seed of the paragraph draws and dates"})
    n_coded: int | None = field(default=None, metadata={"help": "documents the coding covers: a seeded random sample of "
                                                          "this many (as a researcher codes a sample); None: every document"})


@dataclass(frozen=True)
class ParagraphPool:
    """Every paragraph of the source corpus with the index of its source document.

    ``labels[coder][i]``: that coder's 0/1 theme labels (one per theme, codebook order) of
    source document ``i``, or absent when the coder did not code it.
    """

    sources: list[Document]
    paragraphs: list[tuple[int, str]]
    theme_ids: tuple[str, ...]
    labels: dict[str, dict[int, tuple[int, ...]]]


def load_sample_pool() -> ParagraphPool:
    """The pool of the bundled sample corpus and its coding."""
    sources = read_documents(sample_corpus_path())
    theme_ids = tuple(load_codebook().theme_ids)
    coding = load_coding(sample_coding_path(), theme_ids, doc_ids={d.id for d in sources})
    position = {d.id: i for i, d in enumerate(sources)}
    labels: dict[str, dict[int, tuple[int, ...]]] = {}
    for coder in coding.coders:
        wide = coding.wide(coder)
        labels[coder] = {position[doc_id]: tuple(int(v) for v in row) for doc_id, row in zip(wide.index, wide.to_numpy())}
    paragraphs = [(i, paragraph) for i, document in enumerate(sources) for paragraph in document.paragraphs]
    return ParagraphPool(sources=sources, paragraphs=paragraphs, theme_ids=theme_ids, labels=labels)


@dataclass(frozen=True)
class SyntheticDocument:
    """A synthetic document and the source-document indices of its paragraphs."""

    document: Document
    source_indices: tuple[int, ...]


def synthetic_documents(n_docs: int, pool: ParagraphPool, settings: SyntheticSettings | None = None) -> Iterator[SyntheticDocument]:
    """Yield ``n_docs`` synthetic documents, one at a time (same settings -> same documents)."""
    settings = settings or SyntheticSettings()
    rng = random.Random(settings.seed)
    n_days = (LAST_DAY - FIRST_DAY).days + 1
    for i in range(n_docs):
        k = rng.randint(settings.min_paragraphs, settings.max_paragraphs)
        drawn = [pool.paragraphs[rng.randrange(len(pool.paragraphs))] for _ in range(k)]
        first = pool.sources[drawn[0][0]]
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(n_days))
        document = Document(
            id=f"SYN{i:07d}",
            date=day.isoformat(),
            title=first.title,
            text="\n\n".join(text for _, text in drawn),
            source=first.source,
            doc_type=first.doc_type,
            speaker=first.speaker,
        )
        yield SyntheticDocument(document=document, source_indices=tuple(index for index, _ in drawn))


def combined_labels(pool: ParagraphPool, coder: str, source_indices: tuple[int, ...]) -> tuple[int, ...] | None:
    """OR of the coder's labels of the source documents; None if the coder coded none of them."""
    coded = [pool.labels[coder][i] for i in source_indices if i in pool.labels[coder]]
    if not coded:
        return None
    return tuple(int(any(values)) for values in zip(*coded))


def write_synthetic_corpus(
    n_docs: int, out_dir: str | Path, settings: SyntheticSettings | None = None, pool: ParagraphPool | None = None
) -> tuple[Path, Path]:
    """Write ``corpus.jsonl`` (n_docs documents) and ``coding.csv`` (doc_id, coder, one 0/1 column
    per theme; one row per document and coder of the sample coding) into ``out_dir``; return both paths.

    Documents are streamed to disk; only the labels are held in memory.
    """
    pool = pool or load_sample_pool()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus_path, coding_path = out_dir / "corpus.jsonl", out_dir / "coding.csv"
    provenance: list[tuple[str, tuple[int, ...]]] = []

    def documents() -> Iterator[Document]:
        for item in synthetic_documents(n_docs, pool, settings):
            provenance.append((item.document.id, item.source_indices))
            yield item.document

    write_documents(documents(), corpus_path)
    settings = settings or SyntheticSettings()
    coded = provenance
    if settings.n_coded is not None and settings.n_coded < len(provenance):
        coded = sorted(random.Random(settings.seed).sample(provenance, settings.n_coded))
    with coding_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["doc_id", "coder", *pool.theme_ids])
        for coder in pool.labels:
            for doc_id, source_indices in coded:
                labels = combined_labels(pool, coder, source_indices)
                if labels is not None:
                    writer.writerow([doc_id, coder, *labels])
    return corpus_path, coding_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_docs", type=int, help="number of synthetic documents")
    parser.add_argument("out_dir", type=Path, help="folder for corpus.jsonl and coding.csv")
    parser.add_argument("--seed", type=int, default=SyntheticSettings().seed, help="seed of the draws")
    parser.add_argument("--coded", type=int, metavar="N", help="code only a seeded sample of N documents (default: all)")
    args = parser.parse_args(argv)
    corpus_path, coding_path = write_synthetic_corpus(args.n_docs, args.out_dir,
                                                      SyntheticSettings(seed=args.seed, n_coded=args.coded))
    print(f"wrote {corpus_path} and {coding_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
