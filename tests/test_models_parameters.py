"""scikit-learn parameter constraints become the settings metadata the config checks (``corpus.settings``)."""
from __future__ import annotations

from numbers import Integral, Real

import pytest
from sklearn.utils._param_validation import Interval, StrOptions

from hkasean.models.lda import LdaTopicModel
from hkasean.models.parameters import N_JOBS, RANDOM_STATE, constraint_metadata, parameter_default


@pytest.mark.parametrize("constraints, expected", [
    ([StrOptions({"tomotopy", "gensim"})], {"choices": ("gensim", "tomotopy")}),
    ([Interval(Integral, 1, 100, closed="both")], {"at_least": 1, "at_most": 100}),
    ([Interval(Real, 0, 100, closed="right")], {"above": 0, "at_most": 100}),
    ([Interval(Real, 0, 1, closed="left")], {"at_least": 0, "below": 1}),
    ([Interval(Real, 0, 1, closed="neither")], {"above": 0, "below": 1}),
    ([Interval(Integral, 1, None, closed="left")], {"at_least": 1}),
    ([StrOptions({"auto"}), Interval(Integral, 1, 5, closed="both")], {"choices": ("auto",), "at_least": 1, "at_most": 5}),
    (N_JOBS, {"at_least": -1024, "at_most": 1024, "excluded": (0,)}),
    ([Interval(Integral, 4, 9, closed="neither"), Interval(Integral, -3, 0, closed="left")],
     {"at_least": -3, "below": 9, "excluded": (0, 1, 2, 3, 4)}),
])
def test_constraints_become_settings_metadata(constraints, expected):
    assert constraint_metadata(constraints) == expected


@pytest.mark.parametrize("constraints", [
    [str],
    RANDOM_STATE,  # None has no metadata
    [Interval(Real, 0, 1, closed="both"), Interval(Real, 2, 3, closed="both")],  # real numbers between them
    [Interval(Integral, 0, 5, closed="both"), Interval(Integral, 3, 9, closed="both")],  # overlapping
])
def test_constraints_the_metadata_cannot_say_are_refused(constraints):
    with pytest.raises(ValueError):
        constraint_metadata(constraints)


def test_a_default_is_read_from_the_signature():
    assert parameter_default(LdaTopicModel, "backend") == LdaTopicModel().backend == "tomotopy"
