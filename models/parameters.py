"""Model parameters declared scikit-learn's way, and read back for the run configuration.

Every estimator of the zoo declares the allowed values of each constructor parameter in ``_parameter_constraints``
(``sklearn.utils._param_validation``: ``Interval``, ``StrOptions``) and checks them at the start of ``fit``
(``BaseEstimator._validate_params``: a bad value is an ``InvalidParameterError`` naming the parameter). The
constraints several estimators share are below. A setting of the config that sets an estimator parameter takes its
default from the estimator's signature (``parameter_default``) and its allowed values from its constraints
(``constraint_metadata``, in the metadata keys ``corpus.settings`` checks), so neither is restated.
"""
from __future__ import annotations

import inspect
from numbers import Integral, Real
from typing import Any

from sklearn.utils._param_validation import Interval, StrOptions

from hkasean.models.limits import MAX_FOLDS, MAX_JOBS, MAX_SWEEPS
from hkasean.seeds import SEED_MODULUS

AUTO = StrOptions({"auto"})
"""The word of a parameter chosen by rule from the corpus size when fitting (``models.scaling``)."""

SWEEPS = Interval(Integral, 1, MAX_SWEEPS, closed="both")
"""Passes, iterations or Gibbs sweeps of one fit."""

SHARE = Interval(Real, 0, 1, closed="both")
"""A share or a probability."""

N_FOLDS = [Interval(Integral, 2, MAX_FOLDS, closed="both")]
"""Cross-validation folds of a model that learns a decision from labels (``models.decision_folds``)."""

N_JOBS = [Interval(Integral, -MAX_JOBS, -1, closed="both"), Interval(Integral, 1, MAX_JOBS, closed="both")]
"""Parallel workers as joblib counts them: 1..MAX_JOBS, or -1 (every core), -2 (all but one) ...; never 0."""

RANDOM_STATE = [Interval(Integral, 0, SEED_MODULUS - 1, closed="both"), None]
"""A seed every library accepts, or None: the master seed (``hkasean.seeds.master_seed``)."""

_CLOSED_BELOW = ("left", "both")
_CLOSED_ABOVE = ("right", "both")


def parameter_default(estimator: type, parameter: str) -> Any:
    """The default of ``parameter`` in the signature of ``estimator``'s constructor."""
    return inspect.signature(estimator).parameters[parameter].default


def constraint_metadata(constraints: list[Any]) -> dict[str, Any]:
    """The ``corpus.settings`` metadata that allows exactly what the scikit-learn ``constraints`` of one parameter do.

    ``StrOptions`` give ``choices`` (sorted), an ``Interval`` its bounds (``at_least`` or ``above``, ``at_most`` or
    ``below``); integer intervals with whole numbers between them give the bounds of their span and those numbers as
    ``excluded`` (``n_jobs``: -1024..-1 and 1..1024 is ``at_least`` -1024, ``at_most`` 1024, ``excluded`` (0,)).
    ``ValueError`` for a constraint the metadata cannot say: a type, None, overlapping or real disjoint intervals.
    """
    unsupported = [c for c in constraints if not isinstance(c, (StrOptions, Interval))]
    if unsupported:
        raise ValueError(f"no setting metadata says {unsupported[0]!r}")
    metadata: dict[str, Any] = {}
    choices = sorted(option for c in constraints if isinstance(c, StrOptions) for option in c.options)
    if choices:
        metadata["choices"] = tuple(choices)
    intervals = sorted((c for c in constraints if isinstance(c, Interval)),
                       key=lambda c: -float("inf") if c.left is None else c.left)
    if not intervals:
        return metadata
    first, last = intervals[0], intervals[-1]
    if first.left is not None:
        metadata["at_least" if first.closed in _CLOSED_BELOW else "above"] = first.left
    if last.right is not None:
        metadata["at_most" if last.closed in _CLOSED_ABOVE else "below"] = last.right
    excluded = [number for lower, upper in zip(intervals, intervals[1:]) for number in _gap(lower, upper)]
    if excluded:
        metadata["excluded"] = tuple(excluded)
    return metadata


def _gap(lower: Interval, upper: Interval) -> range:
    """The whole numbers between two integer intervals, ``lower`` entirely below ``upper``."""
    if lower.type is not Integral or upper.type is not Integral or lower.right is None or upper.left is None:
        raise ValueError(f"no setting metadata says the union of {lower} and {upper}")
    highest = lower.right if lower.closed in _CLOSED_ABOVE else lower.right - 1
    lowest = upper.left if upper.closed in _CLOSED_BELOW else upper.left + 1
    if lowest <= highest:
        raise ValueError(f"overlapping intervals {lower} and {upper}")
    return range(highest + 1, lowest)
