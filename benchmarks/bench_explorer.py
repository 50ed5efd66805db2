"""Explorer benchmark: ``explore.html`` for a synthetic run of N documents, its size and its opening time in Chromium.

The documents are ``benchmarks/synthetic.py``'s (the sample's paragraphs resampled, 2-6 per document, about 800
words, seeded); ``--text shuffled`` also shuffles each document's words (seeded), so that the documents stop
repeating each other's paragraphs and gzip compresses them about as badly as unrelated prose: the size bound for
a real archive. The run's tables are synthetic too, in the shapes a default run writes (contract columns): six
models' decisions and scores for the codebook's five themes (300,000 rows at 10,000 documents), LDA and NMF with
K = 10 and the keyword-assisted model's 20 topics over a 30,000-term vocabulary, every document's topic shares,
the evidence of every decision (about 16 rows a document), monthly prevalence for seven sources, five trade series
and about one claim in three documents.

Measured: the seconds to build and write the page (``analysis.explorer.write_explorer``), its size and what it is
made of (plotly.js, the JSON payload, the gzip detail chunks), and, ``--repeats`` times in a fresh headless
Chromium (Debian's ``chromium`` and ``chromedriver``, through Selenium): the seconds from ``driver.get`` to the
page's ``data-ui="ready"`` (tabs, lists and the topic map drawn) and to ``data-ready="true"`` (every text unpacked
and searchable), the page's own clock for the same two moments, the JavaScript heap after loading, the time from
typing a search word to the filtered list (including the 150 ms debounce) and from clicking a document to its
highlighted text. Medians over the repeats are printed as a Markdown block for ``benchmarks/RESULTS.md``.

Command: ``python benchmarks/bench_explorer.py [--docs 10000] [--text resampled shuffled] [--repeats 3] [--keep DIR]``.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import machine_description  # noqa: E402
from benchmarks.synthetic import load_sample_pool, synthetic_documents  # noqa: E402
from hkasean import contract  # noqa: E402
from hkasean.analysis.explorer import json_for_html, page_parts, plotly_js  # noqa: E402
from hkasean.analysis.explorer_payload import ExplorerInput, explorer_payload  # noqa: E402
from hkasean.analysis.explorer_topics import TopicTerms  # noqa: E402
from hkasean.models.codebook import load_codebook  # noqa: E402

MODELS = ("lda", "nmf", "seeded_lda", "dictionary", "supervised", "ensemble")
TOPIC_COUNTS = {"lda": 10, "nmf": 10, "seeded_lda": 20}
VOCABULARY = 30_000
SOURCES = ("gold",) + MODELS


def synthetic_run(n_docs: int, shuffle: bool, seed: int = 0) -> ExplorerInput:
    """An ``ExplorerInput`` shaped like a default run on ``n_docs`` synthetic documents (module docstring)."""
    rng = np.random.default_rng(seed)
    words = random.Random(seed)
    pool = load_sample_pool()
    codebook = load_codebook()
    themes = [t.id for t in codebook.themes]
    docs, texts = [], []
    for item in synthetic_documents(n_docs, pool):
        document = item.document
        text = document.text
        if shuffle:
            paragraphs = []
            for paragraph in text.split("\n\n"):
                tokens = paragraph.split()
                words.shuffle(tokens)
                paragraphs.append(" ".join(tokens))
            text = "\n\n".join(paragraphs)
        docs.append({"doc_id": document.id, "date": document.date, "year": int(document.date[:4]), "title": document.title,
                     "source": document.source, "doc_type": document.doc_type, "speaker": document.speaker or "",
                     "url": f"https://www.info.gov.hk/gia/general/{document.date[:7].replace('-', '')}/{document.id}.htm",
                     "n_words": len((document.title + " " + text).split())})
        texts.append((document.id, text))
    documents = pd.DataFrame(docs, columns=contract.DOCUMENTS.column_list)
    ids = documents["doc_id"].to_numpy()
    vocabulary = [f"term{i:05d}" for i in range(VOCABULARY)]
    zipf = 1.0 / np.arange(1, VOCABULARY + 1)

    topic_terms, doc_topic_frames, topic_rows, evidence = [], [], [], []
    for model, k in TOPIC_COUNTS.items():
        weights = rng.dirichlet(np.full(VOCABULARY, 0.05), size=k) * 0.5 + 0.5 * zipf[rng.permutation(VOCABULARY)] / zipf.sum()
        weights /= weights.sum(axis=1, keepdims=True)
        labels = [f"{model}_{i}" for i in range(k)]
        topic_terms.append(TopicTerms(model, labels, vocabulary, weights))
        shares = rng.dirichlet(np.full(k, 0.3), size=n_docs)
        doc_topic_frames.append(pd.DataFrame({"doc_id": np.repeat(ids, k), "model": model, "topic": np.tile(labels, n_docs),
                                              "score": shares.reshape(-1)}))
        mapped = [themes[i] if (model == "seeded_lda" and i < len(themes)) or (model != "seeded_lda" and i < 3) else ""
                  for i in range(k)]
        for i, label in enumerate(labels):
            top = np.argsort(-weights[i])[:10]
            topic_rows.append({"model": model, "topic": label, "top_terms": "; ".join(vocabulary[j] for j in top),
                               "coherence": float(rng.uniform(-0.3, 0.3)), "coherence_terms": 10, "mapped_theme": mapped[i]})
        top_topics = np.argsort(-shares, axis=1)[:, :2]
        for d, doc_id in enumerate(ids):
            for t in top_topics[d][: 1 + (shares[d, top_topics[d][1]] > 0.25)]:
                picked = rng.choice(VOCABULARY, 5, replace=False)
                evidence.append((doc_id, model, labels[t], "; ".join(vocabulary[j] for j in picked)))
    decision_frames = []
    for model in MODELS:
        scores = rng.beta(0.6, 2.0, size=(n_docs, len(themes)))
        fold = rng.integers(0, 5, size=n_docs * len(themes)).astype(float) if model in ("supervised", "ensemble", "seeded_lda") \
            else np.full(n_docs * len(themes), np.nan)
        decision_frames.append(pd.DataFrame({"doc_id": np.repeat(ids, len(themes)), "model": model,
                                             "theme": np.tile(themes, n_docs), "score": scores.reshape(-1),
                                             "present": (scores.reshape(-1) > 0.35).astype(int), "fold": fold}))
        if model in ("supervised", "ensemble"):
            doc_topic_frames.append(decision_frames[-1][["doc_id", "model", "theme", "score"]].rename(columns={"theme": "topic"}))
            for doc_id in ids:
                for theme in themes:
                    picked = rng.choice(VOCABULARY, 4, replace=False)
                    evidence.append((doc_id, model, theme, "[topic nmf_3]; " + "; ".join(vocabulary[j] for j in picked)))
        if model == "dictionary":
            hits = scores > 0.35
            for d, doc_id in enumerate(ids):
                for t in np.flatnonzero(hits[d]):
                    evidence.append((doc_id, model, themes[t], "; ".join(codebook.themes[t].indicators[:2])))
    doc_themes = pd.concat(decision_frames, ignore_index=True)
    gold = pd.DataFrame((rng.random((n_docs, len(themes))) < 0.2).astype(int), index=pd.Index(ids, name="doc_id"),
                        columns=themes)

    months = pd.period_range("2019-01", "2025-12", freq="M")
    prevalence = []
    for source in SOURCES:
        for theme in themes:
            for month in months:
                share = float(rng.beta(2, 8))
                prevalence.append({"period": str(month), "theme": theme, "source": source, "share": share,
                                   "low": max(0.0, share - 0.08), "high": min(1.0, share + 0.08),
                                   "n_docs": int(n_docs / len(months)), "flag": "", "period_start": month.start_time,
                                   "interval": "wilson"})
    trade = []
    for series in ("hk_asean_total_trade_hkd", "asean_share_of_hk_trade", "asean_share_of_hk_exports", "hk_share_of_asean_trade"):
        for year in range(2012, 2025):
            value = None if year in (2013, 2020, 2021) else float(rng.uniform(5, 1300))
            trade.append({"trade_series": series, "period": str(year), "value": value, "unit": "HK$ billion",
                          "flag": "gap: no figure" if value is None else "", "source_class": "official_tabulation"})
    for month in pd.period_range("2015-01", "2025-01", freq="M"):
        trade.append({"trade_series": "sg_hk_total_trade_sgd", "period": str(month), "value": float(rng.uniform(3000, 6000)),
                      "unit": "S$ million", "flag": "", "source_class": "official_tabulation"})
    claim_docs = rng.choice(ids, n_docs // 3, replace=False)
    claims = pd.DataFrame({
        "doc_id": claim_docs, "date": documents.set_index("doc_id").loc[claim_docs, "date"].to_numpy(),
        "claim_type": rng.choice(["value", "share", "rank", "growth"], len(claim_docs)),
        "claim_text": [f"HK${rng.uniform(100, 1500):.1f} billion" for _ in claim_docs], "value": "",
        "unit": "HK$ billion", "year": rng.integers(2015, 2025, len(claim_docs)),
        "subject": rng.choice(["HK-ASEAN trade", "ASEAN share of HK trade", "Vietnam as HK's partner"], len(claim_docs)),
        "official_value": rng.uniform(100, 1500, len(claim_docs)), "official_unit": "HK$ billion",
        "official_source": "C&SD table 410-50011", "official_confidence": "high",
        "verdict": rng.choice(["agree", "differs", "self_consistent", "no_independent_figure"], len(claim_docs)),
        "difference": rng.normal(0, 20, len(claim_docs)), "relative_difference": rng.normal(0, 0.05, len(claim_docs)),
        "note": "synthetic", "reference_independence": "independent", "reference_source_class": "official_tabulation",
        "independence_rule": "official tabulation",
    })
    tables = {
        contract.DOCUMENTS.name: documents,
        contract.DOC_THEMES.name: doc_themes,
        contract.DOC_TOPICS.name: pd.concat(doc_topic_frames, ignore_index=True),
        contract.TOPICS.name: pd.DataFrame(topic_rows),
        contract.PREVALENCE.name: pd.DataFrame(prevalence),
        contract.TRADE_SERIES.name: pd.DataFrame(trade),
        contract.CLAIMS.name: claims,
    }
    return ExplorerInput(
        tables=tables, texts=texts,
        themes=[{"id": t.id, "label": t.label, "definition": t.definition, "indicators": list(t.indicators)}
                for t in codebook.themes],
        gold=gold, topic_terms=topic_terms,
        evidence=pd.DataFrame(evidence, columns=["doc_id", "model", "topic_or_theme", "terms"]),
        title=f"Explorer benchmark: {n_docs:,} synthetic documents",
        subtitle=f"synthetic run, {n_docs:,} documents ({'shuffled words' if shuffle else 'resampled paragraphs'})")


def build(source: ExplorerInput, path: Path) -> dict:
    """Write the page; return the seconds it took and what it is made of (MB)."""
    t0 = time.perf_counter()
    page = explorer_payload(source)
    plotly = plotly_js()
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for part in page_parts(page, plotly):
            handle.write(part)
    seconds = time.perf_counter() - t0
    raw_text = sum(len(text.encode("utf-8")) for _, text in source.texts)
    return {"build_s": seconds, "size_mb": path.stat().st_size / 1e6, "plotly_mb": len(plotly.encode()) / 1e6,
            "payload_mb": len(json_for_html(page.payload).encode()) / 1e6,
            "details_mb": sum(len(c) + 1 for c in page.chunks) / 1e6, "raw_text_mb": raw_text / 1e6,
            "chunks": len(page.chunks)}


def open_in_chromium(path: Path, search_word: str, timeout: float = 300) -> dict:
    """One fresh headless Chromium: seconds to the page's two ready states, its own clock, heap, search and open."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--no-first-run", "--disable-background-networking", "--enable-precise-memory-info"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    chrome.set_page_load_timeout(timeout)
    chrome.set_script_timeout(timeout)
    try:
        t0 = time.perf_counter()
        chrome.get(path.resolve().as_uri() + "#documents")
        loaded = time.perf_counter() - t0
        ui = ready = None
        while time.perf_counter() - t0 < timeout:
            state = chrome.execute_script("return [document.documentElement.dataset.ui, document.documentElement.dataset.ready]")
            now = time.perf_counter() - t0
            if ui is None and state[0] == "ready":
                ui = now
            if state[1] == "true":
                ready = now
                break
            time.sleep(0.02)
        timings = chrome.execute_script("return window.hkExplorer.timings")
        heap = chrome.execute_script("return performance.memory ? performance.memory.usedJSHeapSize : null")
        search_ms = chrome.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const count = document.getElementById('doc-count');
            const before = count.textContent, input = document.getElementById('doc-search');
            const t0 = performance.now();
            const observer = new MutationObserver(() => { if (count.textContent !== before) { observer.disconnect();
                done([performance.now() - t0, count.textContent]); } });
            observer.observe(count, {childList: true, characterData: true, subtree: true});
            input.value = arguments[0]; input.dispatchEvent(new Event('input'));""", search_word)
        open_ms = chrome.execute_script("""
            const row = document.querySelector('#doc-rows tr[data-doc]');
            const t0 = performance.now(); row.click();
            window.dispatchEvent(new HashChangeEvent('hashchange'));
            return [performance.now() - t0, document.querySelectorAll('#doc-text mark').length];""")
        errors = [entry for entry in chrome.get_log("browser") if entry["level"] == "SEVERE"]
        return {"load_event_s": loaded, "ui_s": ui, "ready_s": ready, "page_ui_s": timings.get("ui", 0) / 1000,
                "page_ready_s": timings.get("details", 0) / 1000, "heap_mb": (heap or 0) / 1e6,
                "search_ms": search_ms[0], "search_result": search_ms[1], "open_ms": open_ms[0], "marks": open_ms[1],
                "errors": len(errors)}
    finally:
        chrome.quit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="synthetic documents (default 10,000)")
    parser.add_argument("--text", nargs="+", choices=("resampled", "shuffled"), default=["resampled", "shuffled"],
                        help="document texts: the sample's paragraphs resampled, and/or their words shuffled")
    parser.add_argument("--repeats", type=int, default=3, help="fresh browsers per page (default 3)")
    parser.add_argument("--keep", type=Path, help="write the pages into this folder (default: a temporary one)")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-explorer-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for variant in args.text:
        t0 = time.perf_counter()
        source = synthetic_run(args.docs, shuffle=variant == "shuffled")
        print(f"[{variant}] synthetic run of {args.docs:,} documents in {time.perf_counter() - t0:.1f} s", flush=True)
        path = folder / f"explore-{args.docs}-{variant}.html"
        built = build(source, path)
        print(f"[{variant}] {built}", flush=True)
        opened = [open_in_chromium(path, "vietnam") for _ in range(args.repeats)]
        for run in opened:
            print(f"[{variant}] {run}", flush=True)
        median = {key: statistics.median(run[key] for run in opened)
                  for key in ("load_event_s", "ui_s", "ready_s", "page_ui_s", "page_ready_s", "heap_mb", "search_ms", "open_ms")}
        rows.append((variant, built, median, opened))
    print()
    print(machine_description())
    print()
    print("| texts | documents | file MB | plotly.js MB | payload JSON MB | texts+evidence gzip MB (raw text MB) | build s "
          "| to lists and map s | to every text unpacked s | page clock: ui / ready s | JS heap MB | search ms | open a document ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for variant, built, median, opened in rows:
        spread = f"{min(r['ready_s'] for r in opened):.2f}-{max(r['ready_s'] for r in opened):.2f}"
        print(f"| {variant} | {args.docs:,} | {built['size_mb']:.1f} | {built['plotly_mb']:.1f} | {built['payload_mb']:.1f} "
              f"| {built['details_mb']:.1f} ({built['raw_text_mb']:.1f}) | {built['build_s']:.1f} | {median['ui_s']:.2f} "
              f"| {median['ready_s']:.2f} ({spread}) | {median['page_ui_s']:.2f} / {median['page_ready_s']:.2f} "
              f"| {median['heap_mb']:.0f} | {median['search_ms']:.0f} | {median['open_ms']:.0f} |")
    print(f"\npages in {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
