"""The allowed values of every setting, declared once next to its dataclass field and checked by one validator.

A settings dataclass (``TextSettings``, ``ModelSettings``, ``PrevalenceSettings`` ...) declares each
field's ``help`` text and its allowed values in the field's ``metadata``, with these keys (plain
data, so a settings module needs no import to declare them):

- ``choices``: the allowed strings (of the value, or of every item of a list);
- ``at_least`` / ``above``: lower bound, inclusive / exclusive (numbers, or every number of a list);
- ``at_most`` / ``below``: upper bound, inclusive / exclusive;
- ``excluded``: numbers that are not allowed although in range (``n_jobs: 0``);
- ``min_items`` / ``max_items``: the fewest / most items a list may have;
- ``integer``: the number must be a whole number (an ``int``, not a float or a bool).

A field with a numeric bound takes numbers only (a text is refused unless ``choices`` allow it); ``None`` is
left to the field's type (``FetchSettings.seed``: None is the master seed).

(A ``models`` setting that sets a model parameter gets these keys from the model's scikit-learn
``_parameter_constraints``: ``models.parameters.constraint_metadata``.)

Numbers must also be finite (no ``.nan``, no ``.inf``). Every numeric setting of a run declares an upper
bound (``at_most`` or ``below``) as well as a lower one, and every list setting a ``max_items``: a value
that would exhaust memory or abort a library (``models.n_free_topics: 1000000``) is refused when the
config is loaded, with the key, the value and the allowed range (``tests/test_bounds_and_bombs.py``
checks that none is missing). The bounds and why:

- topics (``k_grid``, ``n_free_topics``) <= 1000 (``models.limits.MAX_TOPICS``: tomotopy aborts far
  above; lift <= number of topics); passes, iterations, sweeps <= 100,000 (the automatic rules stay
  under 1000); Dirichlet and seed priors <= 100; folds <= 100; ``n_jobs`` -1024..1024;
- bootstrap resamples and block permutations <= 100,000, correlation permutations <= 1,000,000
  (Monte Carlo error far below the reported digits; each is a loop over the table's cells);
- counts of documents or units (``min_df``, ``learning_sizes``, ``min_docs`` ...) <= 1,000,000 (10
  million for sampled units): beyond every corpus the suite is tested at;
- seeds 0..2**32-1 (what numpy accepts); lags <= 50 years or 24 months; a block <= 240 months;
- ``trade.hkd_per_usd`` 1..20 (7.8 since 1983; a rate under 1 is US$ per HK$, typed upside down);
  ``claims.peg_band`` <= 1 HK$ and tolerances <= 1 (100%);
- lists: at most as many items as there are choices, 50 K values or learning sizes, 100 seeds,
  10,000 stopwords. ``check_value`` checks one value of a field
(the config loader, command-line overrides), ``check_settings`` a whole settings object (a library
call with hand-made settings); both raise ``InputError`` naming the key and what was expected.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any

from hkasean.corpus.errors import InputError

CONSTRAINT_KEYS = ("choices", "at_least", "above", "at_most", "below", "excluded", "min_items", "max_items", "integer")
NUMBER_KEYS = ("at_least", "above", "at_most", "below", "integer")
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
        if "max_items" in rules and len(value) > rules["max_items"]:
            raise InputError(f"'{key}' may have at most {rules['max_items']:,} items, got {len(value):,}", path=path, where=key)
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
    if "max_items" in rules:
        parts.append(f"at most {rules['max_items']:,} items")
    return ", ".join(parts)


def check_number(key: str, value: Any, low: float, high: float, integer: bool = False) -> None:
    """Raise ``InputError`` naming ``key`` unless ``value`` is a finite number (a whole one when ``integer``) from
    ``low`` to ``high``: the check of ``check_value`` for a number that is not a settings field (a command-line
    option, a function argument)."""
    _check_scalar({"at_least": low, "at_most": high, "integer": integer}, value, key, None)


def _check_scalar(rules: Any, value: Any, key: str, path: object | None) -> None:
    numeric = any(name in rules for name in NUMBER_KEYS)
    if isinstance(value, str):
        choices = rules.get("choices")
        if choices is not None and value not in choices:
            raise InputError(f"'{key}' must be one of {', '.join(map(str, choices))}, got {value!r}", path=path, where=key)
        if choices is None and numeric:
            raise InputError(f"'{key}' must be a number, got {value!r}", path=path, where=key)
        return
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if numeric:
            raise InputError(f"'{key}' must be a number, got {value!r}", path=path, where=key)
        return
    if rules.get("integer") and not isinstance(value, int):
        raise InputError(f"'{key}' must be a whole number, got {value!r}", path=path, where=key)
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
