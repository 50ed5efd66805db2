"""The ``models`` section spells a model setting by its model's parameter (``models.seeded_lda.alpha``); the older
flat keys (``models.seeded_alpha``) load to the same settings; two spellings of one setting must agree."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from hkasean.corpus.errors import InputError
from hkasean.models.settings import PARAMETER_SETTINGS, ModelSettings, parameter_key
from hkasean.scripts.config import RunConfig, config_to_dict, load_config, render_config
from test_models_settings import CHANGED

TESTS = Path(__file__).parent


def _load(tmp_path: Path, models: dict) -> ModelSettings:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"models": models}, sort_keys=False), encoding="utf-8")
    return load_config(path).models


def _refused(tmp_path: Path, models: dict) -> str:
    with pytest.raises(InputError) as err:
        _load(tmp_path, models)
    return str(err.value)


def _changed(spelling) -> dict:
    """Every model setting of ``CHANGED``, each written by ``spelling(spec)`` -> (subsection or None, key)."""
    models: dict = {}
    for spec in dataclasses.fields(ModelSettings):
        if "sets" in spec.metadata:
            subsection, key = spelling(spec)
            value = getattr(CHANGED, spec.name)
            (models.setdefault(subsection, {}) if subsection else models)[key] = value
    return models


def test_the_fast_config_and_its_nested_twin_load_the_same():
    assert load_config(TESTS / "fast_config_nested.yaml") == load_config(TESTS / "fast_config.yaml")
    assert load_config(TESTS / "fast_config.yaml").models.seeded_chains == 2


def test_nested_and_older_flat_keys_load_the_same_settings(tmp_path):
    nested = _changed(lambda spec: parameter_key(spec) or (None, spec.name))
    flat = _changed(lambda spec: (None, spec.name))
    assert "seeded_alpha" in flat and nested["seeded_lda"]["alpha"] == CHANGED.seeded_alpha
    assert _load(tmp_path, nested) == _load(tmp_path, flat) == CHANGED


@pytest.mark.parametrize("target", sorted(PARAMETER_SETTINGS), ids=".".join)
def test_each_model_parameter_sets_its_setting(tmp_path, target):
    model, parameter = target
    spec = next(spec for spec in dataclasses.fields(ModelSettings) if spec.name == PARAMETER_SETTINGS[target])
    value = getattr(CHANGED, spec.name)
    if parameter_key(spec) is None:  # a general key: written once for every model it sets
        assert f"the general setting 'models.{spec.name}'" in _refused(tmp_path, {model: {parameter: value}})
    else:
        assert getattr(_load(tmp_path, {model: {parameter: value}}), spec.name) == value


def test_a_setting_of_several_models_may_be_written_under_any_of_them(tmp_path):
    assert _load(tmp_path, {"ensemble": {"C": 2}}).supervised_c == 2.0
    assert _load(tmp_path, {"seeded_lda": {"n_folds": 3}, "supervised": {"n_folds": 3}}).supervised_folds == 3
    assert _load(tmp_path, {"supervised_c": 2, "supervised": {"C": 2.0}}).supervised_c == 2.0  # the same value twice


@pytest.mark.parametrize("models, first, second", [
    ({"supervised": {"C": 1.0}, "ensemble": {"C": 2.0}}, "models.supervised.C", "models.ensemble.C"),
    ({"seeded_alpha": 0.2, "seeded_lda": {"alpha": 0.3}}, "models.seeded_alpha", "models.seeded_lda.alpha"),
    ({"seeded_lda": {"n_folds": 3}, "supervised_folds": 4}, "models.seeded_lda.n_folds", "models.supervised_folds"),
])
def test_two_values_for_one_setting_are_refused_naming_both_keys(tmp_path, models, first, second):
    message = _refused(tmp_path, models)
    assert f"'{first}' and '{second}' are one setting, given different values" in message


@pytest.mark.parametrize("models, expected", [
    ({"seeded_lda": {"n_topics": 3}}, "unknown setting 'models.seeded_lda.n_topics'; known here: n_free_topics, "),
    ({"lda": {"n_topics": 3}}, "'models.lda.n_topics': no setting sets lda's 'n_topics' (K of LDA and NMF: chosen"),
    ({"lda": {"random_state": 3}}, "'models.lda.random_state': no setting sets lda's 'random_state'"),
    ({"ensemble": {"alpha": 1}}, "'models.ensemble.alpha'; known here: C, n_folds, threshold, ngrams"),
    ({"seededlda": {"alpha": 1}}, "unknown setting 'models.seededlda'; known here: "),
    ({"seeded_lda": 3}, "'models.seeded_lda' must be a mapping of seeded_lda's parameters"),
    ({"seeded_lda": {"alpha": -1.0}}, "models.seeded_lda.alpha: 'models.seeded_lda.alpha' must be > 0"),
    ({"ensemble": {"C": "big"}}, "models.ensemble.C: 'models.ensemble.C' must be a number"),
])
def test_a_bad_nested_key_is_refused_naming_it(tmp_path, models, expected):
    message = _refused(tmp_path, models)
    assert expected in message and str(tmp_path / "config.yaml") in message


def test_config_show_writes_each_model_setting_as_its_parameter_and_loads_back(tmp_path):
    changed = dataclasses.replace(RunConfig(), models=CHANGED)
    shown = render_config(changed)
    raw = yaml.safe_load(shown)["models"]
    assert raw["seeded_lda"]["alpha"] == CHANGED.seeded_alpha and raw["supervised"]["C"] == CHANGED.supervised_c
    assert raw["theme_threshold"] == CHANGED.theme_threshold and "ensemble" not in raw
    assert not set(raw) & {spec.name for spec in dataclasses.fields(ModelSettings) if parameter_key(spec)}
    assert "also sets ensemble.C; may be written under ensemble: instead" in shown
    path = tmp_path / "config.yaml"
    path.write_text(shown, encoding="utf-8")
    assert load_config(path) == changed


def test_the_manifest_config_keeps_the_flat_field_names_and_loads_back(tmp_path):
    flat = config_to_dict(RunConfig())
    assert "seeded_alpha" in flat["models"] and "seeded_lda" not in flat["models"]
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(flat), encoding="utf-8")
    assert load_config(path) == RunConfig()
