"""hkasean: Hong Kong government releases about ASEAN, their framing themes and the trade behind them.

The repository's folders are installed as sub-packages of this one namespace:
``hkasean.corpus`` (crawl, parse, store), ``hkasean.models`` (text processing, topic models,
coders), ``hkasean.analysis`` (validation, prevalence, trade, correlation, claims, report) and
``hkasean.scripts`` (the command line and the staged run); ``hkasean.contract`` declares every
table and figure a run produces.

In a notebook::

    import hkasean
    result = hkasean.run(corpus="corpus.jsonl", coding="coding.csv")   # see help(hkasean.run)
    result["agreement"]
"""
from __future__ import annotations

from typing import Any

__all__ = ["run", "RunResult"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `import hkasean.corpus` does not load the whole suite.
    if name == "run":
        from hkasean.scripts.study import run_study
        return run_study
    if name == "RunResult":
        from hkasean.scripts.run_result import RunResult
        return RunResult
    raise AttributeError(f"module 'hkasean' has no attribute {name!r}")
