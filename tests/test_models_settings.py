"""One declaration per model parameter: the estimator's signature holds its default and ``_parameter_constraints`` its
allowed values (checked in ``fit``); the ``models`` settings only name the parameters they set; the scikit-learn
contract holds."""
from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import check_no_attributes_set_in_init, check_parameters_default_constructible

from hkasean.models.coherence import topic_coherence
from hkasean.models.parameters import constraint_metadata, parameter_default
from hkasean.models.selection import select_n_topics
from hkasean.models.settings import ESTIMATORS, MODEL_NAMES, UNSET_PARAMETERS, ModelSettings, parameter_key
from hkasean.models.text import TextSettings, process_documents
from hkasean.models.theme_map import lexical_theme_map
from hkasean.models.zoo import build_model
from hkasean.scripts.model_keys import model_key
from synthetic_corpus import tiny_codebook, two_topic_documents

GLOSSARY = Path(__file__).resolve().parents[1] / "docs" / "glossary.md"

CHANGED = ModelSettings(
    passes=7, iterations=11, lda_alpha="asymmetric", lda_backend="gensim", nmf_max_iter=13, theme_threshold=0.4, map_min_weight=0.02,
    map_min_lift=2.0, aggregation="max", n_free_topics=2, seed_boost=5.0, seed_stem_share=0.25, seed_background=0.1,
    seeded_alpha=0.5, seeded_eta=0.1, seeded_iterations=50, seeded_chains=2, seeded_memory_mb=500,
    dictionary_threshold=2, dictionary_score="per_100_words", dictionary_match="stems", supervised_c=0.3, supervised_folds=3,
    supervised_threshold=0.4, supervised_ngrams=1, coherence_max_units=99, n_jobs=2,
)
"""Every model setting away from its default."""

SETTING_FIELDS = [spec for spec in dataclasses.fields(ModelSettings) if "sets" in spec.metadata]
"""The settings that set estimator parameters."""

BAD_VALUES = {"lda": ("alpha", "bogus"), "nmf": ("max_iter", 0), "seeded_lda": ("n_chains", 0),
              "dictionary": ("score", "bogus"), "supervised": ("threshold", 1.5), "ensemble": ("C", 0.0)}
"""A value outside the constraints of one parameter of each estimator."""


def _parameters(estimator: type) -> set[str]:
    return set(inspect.signature(estimator).parameters)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_default_settings_build_the_default_models(name):
    # the zoo passes every setting explicitly; the bare constructor must come out the same
    model = build_model(name, ModelSettings())
    assert model.get_params() == type(model)().get_params()


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_changed_settings_reach_every_parameter_they_name(name):
    default, changed = build_model(name, ModelSettings()), build_model(name, CHANGED)
    moved = {key for key, value in changed.get_params().items() if default.get_params()[key] != value}
    assert moved == set(default.get_params()) - set(UNSET_PARAMETERS)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_parameter_is_set_by_exactly_its_declared_settings_or_by_none(name):
    for parameter in _parameters(ESTIMATORS[name]):
        setters = [spec.name for spec in SETTING_FIELDS if (name, parameter) in spec.metadata["sets"]]
        assert len(setters) == (0 if parameter in UNSET_PARAMETERS else 1), (name, parameter, setters)


def test_every_declared_target_is_a_parameter_of_its_model():
    for spec in SETTING_FIELDS:
        for model, parameter in spec.metadata["sets"]:
            assert parameter in _parameters(ESTIMATORS[model]) and parameter not in UNSET_PARAMETERS, (spec.name, model)


@pytest.mark.parametrize("spec", SETTING_FIELDS, ids=[spec.name for spec in SETTING_FIELDS])
def test_a_setting_has_the_default_and_allowed_values_of_every_parameter_it_sets(spec):
    allowed = {key: value for key, value in spec.metadata.items() if key not in ("help", "sets")}
    for model, parameter in spec.metadata["sets"]:
        estimator = ESTIMATORS[model]
        assert parameter_default(estimator, parameter) == spec.default, (model, parameter)
        assert constraint_metadata(estimator._parameter_constraints[parameter]) == allowed, (model, parameter)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_estimator_constrains_exactly_its_parameters_and_allows_its_defaults(name):
    estimator = ESTIMATORS[name]
    assert set(estimator._parameter_constraints) == _parameters(estimator)
    estimator()._validate_params()


@pytest.fixture(scope="module")
def processed():
    return process_documents(two_topic_documents(4), tiny_codebook(), TextSettings(max_df=1.0, learn_phrases=False))


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_a_model_built_in_python_with_a_bad_value_fails_at_fit_naming_the_parameter(name, processed):
    parameter, value = BAD_VALUES[name]
    model = ESTIMATORS[name](**{parameter: value})  # the constructor only stores it
    with pytest.raises(InvalidParameterError, match=f"'{parameter}' parameter of {type(model).__name__}"):
        model.fit(processed)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_estimator_contract_holds(name):
    model = build_model(name, CHANGED)
    check_no_attributes_set_in_init(name, model)  # the constructor only stores its parameters
    check_parameters_default_constructible(name, model)
    copy = clone(model)
    assert copy is not model and copy.get_params() == model.get_params()
    assert copy.set_params(coherence_max_units=7) is copy and copy.get_params()["coherence_max_units"] == 7
    assert model.get_params()["coherence_max_units"] == CHANGED.coherence_max_units


def test_functions_of_the_k_search_default_to_the_settings():
    def default(function, parameter):
        return inspect.signature(function).parameters[parameter].default

    assert default(select_n_topics, "min_stability") == ModelSettings.min_stability
    assert default(select_n_topics, "n_jobs") == ModelSettings.n_jobs
    assert default(topic_coherence, "max_units") == ModelSettings.coherence_max_units
    assert default(lexical_theme_map, "min_lift") == ModelSettings.map_min_lift


def test_every_setting_has_a_default_and_help():
    for field in dataclasses.fields(ModelSettings):
        assert field.default is not dataclasses.MISSING and field.metadata.get("help"), field.name


def test_the_glossary_tables_the_parameters_each_setting_sets():
    rows = ["| config key | older flat key | parameters it sets (model.parameter) |", "|---|---|---|"]
    rows += [f"| `models.{model_key(spec)}` | " + (f"`models.{spec.name}`" if parameter_key(spec) else "(the same)") + " | "
             + ", ".join(f"`{model}.{parameter}`" for model, parameter in spec.metadata["sets"]) + " |"
             for spec in SETTING_FIELDS]
    text = GLOSSARY.read_text(encoding="utf-8")
    assert "\n".join(rows) in text
    unset = ", ".join(f"`{parameter}`" for parameter in UNSET_PARAMETERS)
    assert f"No setting sets {unset}" in text
