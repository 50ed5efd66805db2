"""Every setting's allowed values are declared next to its field and checked when the config is loaded:
a value out of range is an error naming the file and the key, before any work."""
from __future__ import annotations

import dataclasses
import typing

import pytest
import yaml

from hkasean.corpus.errors import InputError
from hkasean.corpus.settings import CONSTRAINT_KEYS, check_settings
from hkasean.models.settings import ModelSettings, parameter_key
from hkasean.models.text_settings import TextSettings
from hkasean.scripts.config import RunConfig, load_config, override


def _settings_fields(obj=RunConfig(), prefix=""):
    """(key, field, value) of every setting of the run config, sections walked."""
    for spec in dataclasses.fields(obj):
        value = getattr(obj, spec.name)
        if dataclasses.is_dataclass(value):
            yield from _settings_fields(value, f"{prefix}{spec.name}.")
        else:
            yield prefix + spec.name, spec, value


SETTINGS = list(_settings_fields())
ALLOWED_FREE = {"text.domain_stopwords", "correlation.lags"}
"""Settings of free text or of any whole number: nothing to declare beyond their type (lags: any integer)."""


def _is_numeric_or_choice(value) -> bool:
    items = value if isinstance(value, (list, tuple)) else [value]
    return all(isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in items)


def test_every_numeric_and_choice_setting_declares_its_allowed_values():
    undeclared = [key for key, spec, value in SETTINGS
                  if _is_numeric_or_choice(value) and key not in ALLOWED_FREE
                  and not set(spec.metadata) & (set(CONSTRAINT_KEYS) - {"min_items"})]
    assert undeclared == []


def test_the_defaults_are_allowed():
    check_settings(RunConfig())


def _violations(spec: dataclasses.Field, value):
    """Values just outside each declared constraint of a field (the value itself for lists: one bad item).

    A setting whose default is a word ('auto': chosen by rule) is probed with values of the kind its
    type also allows (a whole number, or a list of them).
    """
    rules = spec.metadata
    listed = isinstance(value, (list, tuple)) or (isinstance(value, str) and "tuple[" in str(spec.type))
    wrap = (lambda v: [v]) if listed else (lambda v: v)
    sample = value[0] if isinstance(value, (list, tuple)) else value
    if isinstance(sample, str) and "int" in str(spec.type):
        sample = 0
    if "choices" in rules:
        yield wrap("no-such-choice"), "must be one of"
    integer = isinstance(sample, int)
    step = 1 if integer else 1e-9
    if "at_least" in rules:
        yield wrap(rules["at_least"] - step), f">= {rules['at_least']}"
    if "above" in rules:
        yield wrap(rules["above"]), f"> {rules['above']}"
    if "at_most" in rules:
        yield wrap(rules["at_most"] + step), f"<= {rules['at_most']}"
    if "below" in rules:
        yield wrap(rules["below"]), f"< {rules['below']}"
    for excluded in rules.get("excluded", ()):
        yield wrap(excluded), f"not {excluded}"
    if rules.get("min_items"):
        yield [], f"at least {rules['min_items']} item"
    if isinstance(sample, float):
        yield wrap(float("nan")), "finite"


CASES = [(key, bad, expected) for key, spec, value in SETTINGS for bad, expected in _violations(spec, value)]
NESTED_CASES = [(f"models.{model}.{parameter}", bad, expected)
                for spec in dataclasses.fields(ModelSettings) if parameter_key(spec)
                for model, parameter in spec.metadata["sets"]
                for bad, expected in _violations(spec, getattr(ModelSettings(), spec.name))]
"""The same checks of the model settings written as their models' parameters (every model a setting sets)."""


@pytest.mark.parametrize("key, bad, expected", CASES + NESTED_CASES, ids=[f"{k}={b!r}" for k, b, _ in CASES + NESTED_CASES])
def test_each_declared_constraint_rejects_a_value_outside_it(tmp_path, key, bad, expected):
    *sections, name = key.split(".")
    raw: dict = {name: bad}
    for section in reversed(sections):
        raw = {section: raw}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_config(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{key}") and expected in message, message


def test_every_settings_section_is_covered():
    sections = {key.split(".")[0] for key, _, _ in CASES if "." in key}
    assert sections == {spec.name for spec in dataclasses.fields(RunConfig) if dataclasses.is_dataclass(spec.type) or
                        dataclasses.is_dataclass(typing.get_type_hints(RunConfig)[spec.name])}


def test_command_line_overrides_are_checked_like_the_file():
    assert override(RunConfig(), "models.n_jobs", -1, "--jobs").models.n_jobs == -1
    assert override(RunConfig(), "seed", 2**32 - 1, "--seed").seed == 2**32 - 1
    with pytest.raises(InputError, match=r"^--jobs: '--jobs' must be >= -1024 and <= 1024 and not 0, got 0"):
        override(RunConfig(), "models.n_jobs", 0, "--jobs")
    with pytest.raises(InputError, match=r"^--seed: '--seed' must be >= 0 and <= 4294967295, got 4294967296"):
        override(RunConfig(), "seed", 2**32, "--seed")


def test_huge_integer_for_a_number_is_not_a_traceback(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("trade:\n  hkd_per_usd: " + "9" * 400 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="trade.hkd_per_usd: 'trade.hkd_per_usd' must be a finite number"):
        load_config(path)


def test_text_settings_made_in_code_are_checked_by_the_same_declarations():
    with pytest.raises(InputError, match=r"text\.max_df: 'text\.max_df' must be > 0 and <= 1, got 1.5"):
        TextSettings(max_df=1.5).validate()
