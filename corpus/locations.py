"""Default locations of the document store and the raw-HTML cache."""
from __future__ import annotations

import os
from pathlib import Path


def data_home() -> Path:
    """``$HKASEAN_HOME`` if set, else ``$XDG_DATA_HOME/hkasean``, else ``~/.local/share/hkasean``."""
    if os.environ.get("HKASEAN_HOME"):
        return Path(os.environ["HKASEAN_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base).expanduser() / "hkasean"


def default_db_path() -> Path:
    """The SQLite document store used when ``--db`` is not given."""
    return data_home() / "corpus.sqlite"


def default_html_cache_dir() -> Path:
    """The raw-HTML cache of the crawler used when ``--cache`` is not given."""
    return data_home() / "html-cache"
