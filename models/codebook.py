"""The codebook: framing themes with definitions and indicator phrases, loaded and validated."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from hkasean.corpus.errors import InputError
from hkasean.corpus.textfile import load_yaml

_THEME_ID = re.compile(r"[a-z][a-z0-9_]*")
"""A theme id, matched against the whole id (``fullmatch``: no trailing newline slips through)."""


@dataclass(frozen=True)
class Theme:
    """One framing theme of the codebook."""

    id: str
    label: str
    definition: str
    indicators: tuple[str, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Codebook:
    """The themes a document is coded for, in codebook order."""

    themes: tuple[Theme, ...]
    version: str = "1"
    unit: str = "document"
    source: str = ""

    @property
    def theme_ids(self) -> list[str]:
        """Theme ids in codebook order."""
        return [theme.id for theme in self.themes]

    def theme(self, theme_id: str) -> Theme:
        """The theme with this id; ``KeyError`` if there is none."""
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)


def default_codebook_path() -> Path:
    """The codebook bundled with the package."""
    return Path(str(resources.files("hkasean.models") / "data" / "codebook.yaml"))


def load_codebook(path: str | os.PathLike[str] | None = None) -> Codebook:
    """Load and validate a codebook YAML file (the bundled one when ``path`` is None).

    Raises ``InputError`` naming the file and the theme or field at fault: missing ``themes``,
    a theme without ``id`` or ``indicators``, an id that is not snake_case, duplicate ids, a
    ``label`` or ``definition`` that is not text, ``include``/``exclude`` that are not lists of text;
    and naming the line for bytes that are not UTF-8, invalid YAML and alias or string bombs (see
    ``load_yaml``: at most ``MAX_YAML_CHARS`` characters with aliases expanded).
    """
    path = Path(path) if path is not None else default_codebook_path()
    if not path.is_file():
        raise InputError("codebook file not found", path=path)
    raw = load_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("themes"), list) or not raw["themes"]:
        raise InputError("expected a mapping with a non-empty 'themes' list", path=path)
    themes: list[Theme] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw["themes"], start=1):
        where = f"themes[{index}]"
        if not isinstance(entry, dict):
            raise InputError("each theme must be a mapping", path=path, where=where)
        theme_id = entry.get("id")
        if not isinstance(theme_id, str) or not _THEME_ID.fullmatch(theme_id):
            raise InputError(f"'id' must be a snake_case string, got {theme_id!r}", path=path, where=where)
        if theme_id in seen:
            raise InputError(f"duplicate theme id {theme_id!r}", path=path, where=where)
        seen.add(theme_id)
        indicators = entry.get("indicators")
        if not isinstance(indicators, list) or not indicators or not all(isinstance(i, str) and i.strip() for i in indicators):
            raise InputError(f"theme {theme_id!r}: 'indicators' must be a non-empty list of phrases", path=path, where=where)
        for name in ("label", "definition"):
            if not isinstance(entry.get(name, ""), (str, int, float)):
                raise InputError(f"theme {theme_id!r}: '{name}' must be text, got a {type(entry[name]).__name__}",
                                 path=path, where=where)
        for name in ("include", "exclude"):
            notes = entry.get(name) or []
            if not isinstance(notes, list) or not all(isinstance(note, (str, int, float)) for note in notes):
                raise InputError(f"theme {theme_id!r}: '{name}' must be a list of notes (text)", path=path, where=where)
        themes.append(
            Theme(
                id=theme_id,
                label=str(entry.get("label", theme_id)),
                definition=" ".join(str(entry.get("definition", "")).split()),
                indicators=tuple(i.strip() for i in indicators),
                include=tuple(str(i) for i in entry.get("include") or ()),
                exclude=tuple(str(i) for i in entry.get("exclude") or ()),
            )
        )
    return Codebook(
        themes=tuple(themes),
        version=str(raw.get("version", "1")),
        unit=str(raw.get("unit", "document")),
        source=str(path),
    )
