"""The run manifest: config, package versions, corpus hash, seeds, stage timings and warnings."""
from __future__ import annotations

import datetime as dt
import json
import logging
import platform
import sys
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import Any

from hkasean.scripts.inputs import LoadedInputs

PACKAGES = (
    "hkasean", "scikit-learn", "nltk", "gensim", "pandas", "numpy", "scipy", "seaborn", "matplotlib",
    "requests", "beautifulsoup4", "lxml", "pyyaml", "tqdm", "joblib", "krippendorff", "tomotopy", "regex",
)


def package_versions() -> dict[str, str | None]:
    """Installed version of each package the suite uses (None when missing)."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


class WarningCollector(logging.Handler):
    """Collects WARNING and above log messages during a run, for the manifest and the report."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = f"{record.name}: {record.getMessage()}"
        if message not in self.messages:
            self.messages.append(message)

    def __enter__(self) -> "WarningCollector":
        logging.getLogger().addHandler(self)
        logging.captureWarnings(True)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        logging.getLogger().removeHandler(self)
        logging.captureWarnings(False)


def build_manifest(
    *,
    config: dict[str, Any],
    inputs: LoadedInputs,
    records: list[dict[str, Any]],
    warnings: list[str],
    total_seconds: float,
    argv: list[str] | None,
    resolved: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything needed to reproduce and audit a run, as a JSON-ready dict.

    ``resolved``: what the settings chosen by rule came to (``models.zoo.ModelRun.resolved``): the
    seeds derived from the master seed (K grid, seeded LDA chains) go under ``seeds``, the rest under
    ``resolved_settings``.
    """
    resolved = dict(resolved or {})
    derived_seeds = resolved.pop("derived_seeds", {})
    return {
        "tool": "hkasean",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": ["hkasean", *(argv or [])],
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": package_versions(),
        "corpus": {
            "source": inputs.corpus_label,
            "n_documents": len(inputs.documents),
            "sha256": inputs.corpus_hash,
            "date_range": [inputs.doc_frame["date"].min().date().isoformat(), inputs.doc_frame["date"].max().date().isoformat()],
        },
        "inputs": inputs.files,
        "inputs_fingerprint": inputs.fingerprint,
        "seeds": {"seed": config.get("seed"), **derived_seeds},
        "config": config,
        "resolved_settings": resolved,
        "stages": records,
        "total_seconds": round(total_seconds, 3),
        "warnings": warnings,
    }


def write_manifest(manifest: dict[str, Any], path: Path) -> None:
    """Write the manifest as indented JSON."""
    path.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
