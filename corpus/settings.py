"""The allowed values of every setting, declared once next to its dataclass field and checked by one validator.

A settings dataclass (``TextSettings``, ``ModelSettings``, ``PrevalenceSettings`` ...) declares each
field's ``help`` text and its allowed values in the field's ``metadata``, with these keys (plain
data, so a settings module needs no import to declare them):

- ``choices``: the allowed strings (of the value, or of every item of a list);
- ``at_least`` / ``above``: lower bound, inclusive / exclusive (numbers, or every number of a list);
- ``at_most`` / ``below``: upper bound, inclusive / exclusive;
- ``excluded``: numbers that are not allowed although in range (``n_jobs: 0``);
- ``min_items``: the fewest items a list may have.

Numbers must also be finite (no ``.nan``, no ``.inf``). ``check_value`` checks one value of a field
(the config loader, command-line overrides), ``check_settings`` a whole settings object (a library
call with hand-made settings); both raise ``InputError`` naming the key and what was expected.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any

from hkasean.corpus.errors import InputError

CONSTRAINT_KEYS = ("choices", "at_least", "above", "at_most", "below", "excluded", "min_items")
"""The metadata keys ``check_value`` understands."""


def check_value(spec: dataclasses.Field, value: Any, key: str, path: object | None = None) -> None:
    """Check ``value`` of the field ``spec`` against the constraints in its metadata.

    ``key`` names the setting in the error (``models.k_grid``, ``--jobs``); items of a list are
    named ``key[i]``. Raises ``InputError`` with ``path`` (the config file, if any) and ``key``.
    """
    rules = spec.metadata
    if isinstance(value, (list, tuple)):
        if len(value) < rules.get("min_items", 0):
            raise InputError(f"'{key}' needs at least {rules['min_items']} item(s), got {list(value)!r}", path=path, where=key)
        for index, item in enumerate(value):
            _check_scalar(rules, item, f"{key}[{index}]", path)
    else:
        _check_scalar(rules, value, key, path)


def check_settings(settings: Any, prefix: str = "") -> None:
    """Check every field of a settings dataclass (nested ones too); ``prefix`` names its section (``text.``)."""
    for spec in dataclasses.fields(settings):
        value = getattr(settings, spec.name)
        if dataclasses.is_dataclass(value):
            check_settings(value, prefix=f"{prefix}{spec.name}.")
        else:
            check_value(spec, value, prefix + spec.name)


def describe(spec: dataclasses.Field) -> str:
    """The allowed values of a field in words (``">= 1"``, ``"one of year, quarter, month"``), "" if unconstrained."""
    rules = spec.metadata
    parts = ["one of " + ", ".join(map(str, rules["choices"]))] if "choices" in rules else []
    parts.extend(_number_rules(rules))
    if "min_items" in rules:
        parts.append(f"at least {rules['min_items']} item(s)")
    return ", ".join(parts)


def _check_scalar(rules: Any, value: Any, key: str, path: object | None) -> None:
    if isinstance(value, str):
        choices = rules.get("choices")
        if choices is not None and value not in choices:
            raise InputError(f"'{key}' must be one of {', '.join(map(str, choices))}, got {value!r}", path=path, where=key)
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"'{key}' must be a finite number, got {value!r}", path=path, where=key)
    failed = (
        ("at_least" in rules and value < rules["at_least"])
        or ("above" in rules and value <= rules["above"])
        or ("at_most" in rules and value > rules["at_most"])
        or ("below" in rules and value >= rules["below"])
        or value in rules.get("excluded", ())
    )
    if failed:
        raise InputError(f"'{key}' must be {' and '.join(_number_rules(rules))}, got {value!r}", path=path, where=key)


def _number_rules(rules: Any) -> list[str]:
    """The numeric constraints in words: ``[">= 0", "<= 4294967295"]``."""
    parts = [f"{sign} {rules[name]}" for name, sign in (("at_least", ">="), ("above", ">"), ("at_most", "<="), ("below", "<"))
             if name in rules]
    if "excluded" in rules:
        parts.append("not " + " or ".join(map(str, rules["excluded"])))
    return parts
