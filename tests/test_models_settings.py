"""One source for every default: the model constructors read ``ModelSettings``; the scikit-learn contract holds."""
from __future__ import annotations

import dataclasses
import inspect

import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import check_no_attributes_set_in_init, check_parameters_default_constructible

from hkasean.models.coherence import topic_coherence
from hkasean.models.selection import select_n_topics
from hkasean.models.settings import MODEL_NAMES, ModelSettings
from hkasean.models.theme_map import lexical_theme_map
from hkasean.models.zoo import build_model

CHANGED = ModelSettings(
    passes=7, iterations=11, lda_alpha="asymmetric", lda_backend="gensim", nmf_max_iter=13, theme_threshold=0.4, map_min_weight=0.02,
    map_min_lift=2.0, aggregation="max", n_free_topics=2, seed_boost=5.0, seed_stem_share=0.25, seed_background=0.1,
    seeded_alpha=0.5, seeded_eta=0.1, seeded_iterations=50, seeded_chains=2, seeded_memory_mb=500,
    dictionary_threshold=2, dictionary_score="per_100_words", dictionary_match="stems", supervised_c=0.3, supervised_folds=3,
    supervised_threshold=0.4, supervised_ngrams=1, coherence_max_units=99, n_jobs=2,
)
"""Every model setting away from its default."""


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_default_settings_build_the_default_models(name):
    # the zoo passes every setting explicitly; the bare constructor must come out the same
    model = build_model(name, ModelSettings())
    assert model.get_params() == type(model)().get_params()


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_changed_settings_reach_every_parameter_they_name(name):
    default, changed = build_model(name, ModelSettings()), build_model(name, CHANGED)
    moved = {key for key, value in changed.get_params().items() if default.get_params()[key] != value}
    kept = {"n_topics", "coherence_topn", "random_state", "name", "batch_size"}  # not settings of a run
    assert moved == set(default.get_params()) - kept


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
