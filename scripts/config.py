"""The run configuration: one YAML file whose sections are the settings dataclasses of each stage.

Every setting is a dataclass field with a default, a ``help`` text and its allowed values (field
metadata, see ``corpus.settings``), so ``hkasean config --show`` prints a complete, commented config
file, and a user's file only needs the keys it changes. Unknown keys, wrongly typed values and values
out of range are errors that name the file and the key, raised when the file is loaded, before any work.
Every numeric setting has a lower and an upper bound and every list a most number of items (shown in
brackets by ``render_config``); the file itself is read by ``corpus.textfile.load_yaml``, which refuses
alias and string bombs before any value is built.

The ``models`` section names a setting of a model parameter by that parameter, in the model's subsection
(``models.seeded_lda.alpha``); the older flat keys (``models.seeded_alpha``) still load (``scripts.model_keys``).
Inside, and in ``config_to_dict`` (the manifest's ``config``, the stage cache keys), ``ModelSettings`` stays flat.
"""
from __future__ import annotations

import dataclasses
import math
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

import yaml

from hkasean.analysis.claims import ClaimsSettings
from hkasean.analysis.correlation import CorrelationSettings
from hkasean.analysis.prevalence import PrevalenceSettings
from hkasean.analysis.trade_settings import TradeSettings
from hkasean.analysis.validation_settings import ValidationSettings
from hkasean.corpus.errors import InputError
from hkasean.corpus.settings import check_value, describe
from hkasean.corpus.textfile import load_yaml
from hkasean.models.limits import SEED_RANGE
from hkasean.models.settings import ModelSettings
from hkasean.models.suggestion_settings import SuggestionSettings
from hkasean.models.text_settings import TextSettings
from hkasean.scripts.model_keys import also_sets, models_layout, read_models_section, subsection_help
from hkasean.seeds import MASTER_SEED


@dataclass
class RunConfig:
    """All settings of a run, one section per stage."""

    seed: int = field(default=MASTER_SEED, metadata={"help": "master random seed: every model, fold split and bootstrap derives from it",
                                            **SEED_RANGE})
    text: TextSettings = field(default_factory=TextSettings, metadata={"help": "text processing (tokens, stopwords, phrases)"})
    models: ModelSettings = field(default_factory=ModelSettings, metadata={"help": "topic models and coders"})
    validation: ValidationSettings = field(default_factory=ValidationSettings, metadata={"help": "agreement with the manual coding"})
    prevalence: PrevalenceSettings = field(default_factory=PrevalenceSettings, metadata={"help": "theme prevalence over time"})
    trade: TradeSettings = field(default_factory=TradeSettings, metadata={"help": "trade figures: currency conversion, gaps"})
    correlation: CorrelationSettings = field(default_factory=CorrelationSettings, metadata={"help": "theme-trade correlation"})
    claims: ClaimsSettings = field(default_factory=ClaimsSettings, metadata={"help": "audit of numeric trade claims"})
    suggestions: SuggestionSettings = field(default_factory=SuggestionSettings,
                                            metadata={"help": "indicator terms the codebook may be missing (runs with a coding)"})


def load_config(path: str | os.PathLike[str] | None = None) -> RunConfig:
    """The defaults, overridden by the YAML file at ``path`` when given."""
    if path is None:
        return RunConfig()
    path = Path(path)
    if not path.is_file():
        raise InputError("config file not found", path=path)
    raw = load_yaml(path) or {}
    if not isinstance(raw, dict):
        raise InputError("expected a mapping of settings at the top level", path=path)
    return _build(RunConfig, raw, path, prefix="")


def override(config: RunConfig, key: str, value: Any, option: str) -> RunConfig:
    """``config`` with the setting ``key`` (``seed``, ``models.n_jobs``) replaced by a command-line value.

    The value is checked like one from a config file; an error names ``option`` (``--jobs``).
    """
    section, _, name = key.rpartition(".")
    parent = getattr(config, section) if section else config
    spec = {f.name: f for f in dataclasses.fields(parent)}[name]
    new_value = _coerce(value, get_type_hints(type(parent))[name], None, option)
    check_value(spec, new_value, option)
    replaced = dataclasses.replace(parent, **{name: new_value})
    return dataclasses.replace(config, **{section: replaced}) if section else replaced


def config_to_dict(config: Any) -> dict[str, Any]:
    """Plain, JSON-ready dict of a config (tuples become lists), ``models`` in its flat form (the field names, the
    older flat keys of the config file: it loads back as a config)."""
    return _plain(dataclasses.asdict(config))


def render_config(config: RunConfig | None = None) -> str:
    """A complete YAML config with every setting, its value and its help text as a comment."""
    config = config or RunConfig()
    lines = [
        "# hkasean run configuration. Every key is optional: a file only needs the settings it changes.",
        "# Use it with: hkasean run --config FILE   (this listing: hkasean config --show)",
    ]
    lines.extend(_render(config, indent=0))
    return "\n".join(lines) + "\n"


def _render(obj: Any, indent: int) -> list[str]:
    """The lines of a settings section: each setting, and each settings section inside it after a blank line."""
    if isinstance(obj, ModelSettings):
        return _render_models(obj, indent)
    pad = "  " * indent
    out: list[str] = []
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            help_text = _help_text(f)
            out.extend(["", f"{pad}# {help_text}" if help_text else f"{pad}#", f"{pad}{f.name}:"])
            out.extend(_render(value, indent + 1))
        else:
            out.append(_setting_line(pad, f.name, value, f))
    return out


def _render_models(settings: ModelSettings, indent: int) -> list[str]:
    """The lines of the ``models`` section: its general keys, then a subsection per model (``scripts.model_keys``)."""
    pad = "  " * indent
    out: list[str] = []
    for model, keys in models_layout():
        key_pad = pad
        if model is not None:
            out.extend(["", f"{pad}# {subsection_help(model)}", f"{pad}{model}:"])
            key_pad += "  "
        out.extend(_setting_line(key_pad, key, getattr(settings, spec.name), spec, also_sets(spec) if model else "")
                   for key, spec in keys)
    return out


def _help_text(spec: dataclasses.Field, note: str = "") -> str:
    """``help [allowed values] (note)`` of a setting or a section, "" if it has none."""
    help_text = spec.metadata.get("help", "")
    allowed = describe(spec)
    if allowed:
        help_text += f" [{allowed}]"
    if note:
        help_text += f" ({note})"
    return help_text


def _setting_line(pad: str, key: str, value: Any, spec: dataclasses.Field, note: str = "") -> str:
    """``key: value  # help [allowed values] (note)``."""
    dumped = yaml.safe_dump(_plain(value), default_flow_style=True, width=10_000).strip()
    if dumped.endswith("\n..."):
        dumped = dumped[: -len("\n...")]
    dumped = dumped.removesuffix("...").strip()
    help_text = _help_text(spec, note)
    comment = f"  # {help_text}" if help_text else ""
    return f"{pad}{key}: {dumped}{comment}"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _build(cls: type, raw: dict[str, Any], path: Path, prefix: str) -> Any:
    """The settings dataclass ``cls`` from a mapping of a config file, every value checked; errors name the key as
    written (from ``prefix``, the section: ``models.``)."""
    hints = get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}
    if cls is ModelSettings:
        written = read_models_section(raw, path, prefix)
    else:
        written = _read_section(raw, known, path, prefix)
    values: dict[str, Any] = {}
    for name, (key, value) in written.items():
        expected = hints[name]
        if dataclasses.is_dataclass(expected):
            if not isinstance(value, dict):
                raise InputError(f"'{key}' must be a mapping of settings", path=path, where=key)
            values[name] = _build(expected, value, path, prefix=key + ".")
        else:
            values[name] = _coerce(value, expected, path, key)
            check_value(known[name], values[name], key, path)
    return cls(**values)


def _read_section(raw: dict[str, Any], known: dict[str, dataclasses.Field], path: Path,
                  prefix: str) -> dict[str, tuple[str, Any]]:
    """Field name -> (key as written, value) of a section whose keys are its field names; an unknown key is an error."""
    unknown = sorted(set(raw) - set(known))
    if unknown:
        key = prefix + unknown[0]
        raise InputError(f"unknown setting '{key}'; known here: {', '.join(sorted(known))}", path=path, where=key)
    return {name: (prefix + name, value) for name, value in raw.items()}


def _kind(expected: Any) -> type:
    """The Python type of a simple hint's values (a ``Literal``'s: the type of its first value)."""
    if expected is Any:
        return object
    if typing.get_origin(expected) is typing.Literal:
        return type(typing.get_args(expected)[0])
    return typing.get_origin(expected) or expected


def _coerce(value: Any, expected: Any, path: Path | None, key: str) -> Any:
    """Check ``value`` against a simple type hint (int, float, str, bool, Optional, list/tuple of those)."""
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        failures = []
        for option in (a for a in args if a is not type(None)):
            try:
                return _coerce(value, option, path, key)
            except InputError as exc:
                failures.append((option, exc))
        same_kind = [exc for option, exc in failures if isinstance(value, _kind(option))]
        raise (same_kind or [exc for _, exc in failures])[0]
    if origin is typing.Literal:
        if value not in args:
            raise InputError(f"'{key}' must be one of {', '.join(map(repr, args))}, got {value!r}", path=path, where=key)
        return value
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise InputError(f"'{key}' must be a list, got {value!r}", path=path, where=key)
        item_type = args[0] if args else Any
        items = [_coerce(v, item_type, path, f"{key}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if expected is Any:
        return value
    if expected is bool:
        if not isinstance(value, bool):
            raise InputError(f"'{key}' must be true or false, got {value!r}", path=path, where=key)
        return value
    if expected is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"'{key}' must be a whole number, got {value!r}", path=path, where=key)
        return value
    if expected is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"'{key}' must be a number, got {value!r}", path=path, where=key)
        try:
            number = float(value)
        except OverflowError:  # an integer beyond the range of floats
            number = math.inf
        if not math.isfinite(number):
            raise InputError(f"'{key}' must be a finite number, got {value!r}", path=path, where=key)
        return number
    if expected is str:
        if not isinstance(value, str):
            raise InputError(f"'{key}' must be text, got {value!r}", path=path, where=key)
        return value
    return value
