"""How the config file spells the ``models`` section: general keys, and one subsection per model whose keys are the
model's own parameter names.

```yaml
models:
  k_grid: [4, 5, 6, 8, 10]   # general keys: settings of no model parameter, or of the parameter
  theme_threshold: 0.5       # of their own name in several models
  seeded_lda: {alpha: 0.1, n_chains: auto}   # SeededLdaTopicModel(alpha=..., n_chains=...)
  supervised: {C: 1.0, n_folds: 5}           # also the ensemble coder's C and n_folds, and the seeded LDA's n_folds
```

Where a setting is written comes from its declaration (``models.settings.parameter_key``). A setting that sets
parameters of several models is written under its first model and may be written under any other it sets
(``ensemble: {C: 2}``): one setting either way. The older flat keys, the field names of ``ModelSettings``
(``seeded_alpha``, ``supervised_c``), still load. Two spellings of one setting with different values are an error
naming both.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from hkasean.corpus.errors import InputError
from hkasean.models.settings import ESTIMATORS, PARAMETER_SETTINGS, UNSET_PARAMETERS, ModelSettings, parameter_key

SETTINGS = {spec.name: spec for spec in dataclasses.fields(ModelSettings)}
"""The fields of ``ModelSettings`` by name (the older flat keys)."""

Layout = list[tuple[str | None, list[tuple[str, dataclasses.Field]]]]


def model_key(spec: dataclasses.Field) -> str:
    """The key of a setting inside ``models`` as the config file writes it: ``seeded_lda.alpha``, ``k_grid``."""
    where = parameter_key(spec)
    return ".".join(where) if where else spec.name


def models_layout() -> Layout:
    """The ``models`` section as ``hkasean config --show`` writes it: (None, the general keys), then (model, its
    parameter keys) of each model with a setting written under it; each key with the field of its setting."""
    layout: Layout = [(None, [(spec.name, spec) for spec in SETTINGS.values() if parameter_key(spec) is None])]
    for model in ESTIMATORS:
        keys = [(where[1], spec) for spec in SETTINGS.values() if (where := parameter_key(spec)) and where[0] == model]
        if keys:
            layout.append((model, keys))
    return layout


def subsection_help(model: str) -> str:
    """The comment above a model's subsection."""
    return f"{model}: parameters of {ESTIMATORS[model].__name__} (the keys are its parameter names)"


def also_sets(spec: dataclasses.Field) -> str:
    """The parameters of other models that a setting of a subsection also sets, in words ("" if none)."""
    others = spec.metadata["sets"][1:]
    if not others:
        return ""
    where = " or ".join(f"{model}:" for model in dict.fromkeys(model for model, _ in others))
    targets = ", ".join(f"{model}.{parameter}" for model, parameter in others)
    return f"also sets {targets}; may be written under {where} instead"


def read_models_section(raw: dict[Any, Any], path: Path, prefix: str) -> dict[str, tuple[str, Any]]:
    """The settings a ``models`` mapping of a config file gives: field name -> (the key as written, from ``prefix``
    (``models.``), and its value). Raises ``InputError`` naming the key for an unknown key, model or parameter, and
    naming both keys when two spellings of one setting differ."""
    given: dict[str, list[tuple[str, Any]]] = {}
    for name, value in raw.items():
        key = f"{prefix}{name}"
        if name in ESTIMATORS:
            for field_name, written_key, parameter_value in _read_subsection(name, value, path, key, prefix):
                given.setdefault(field_name, []).append((written_key, parameter_value))
        elif name in SETTINGS:
            given.setdefault(name, []).append((key, value))
        else:
            raise InputError(f"unknown setting '{key}'; known here: {_known_keys()}", path=path, where=key)
    return {name: _one_value(spellings, path) for name, spellings in given.items()}


def _read_subsection(model: str, raw: Any, path: Path, key: str, prefix: str) -> list[tuple[str, str, Any]]:
    """(field name, key as written, value) of each parameter given in the subsection ``key`` of ``model``."""
    if not isinstance(raw, dict):
        raise InputError(f"'{key}' must be a mapping of {model}'s parameters", path=path, where=key)
    read = []
    for parameter, value in raw.items():
        written = f"{key}.{parameter}"
        name = PARAMETER_SETTINGS.get((model, parameter))
        if name is None:
            unset = parameter in UNSET_PARAMETERS and parameter in ESTIMATORS[model]._parameter_constraints
            reason = f": no setting sets {model}'s '{parameter}' ({UNSET_PARAMETERS[parameter]})" if unset else ""
            raise InputError(f"unknown setting '{written}'{reason}; known here: "
                             f"{', '.join(_subsection_parameters(model))}", path=path, where=written)
        if parameter_key(SETTINGS[name]) is None:
            models = ", ".join(target for target, _ in SETTINGS[name].metadata["sets"])
            raise InputError(f"'{written}' is the general setting '{prefix}{name}' (it sets {models} alike): write it "
                             f"there", path=path, where=written)
        read.append((name, written, value))
    return read


def _subsection_parameters(model: str) -> list[str]:
    """The parameters of ``model`` its subsection may set (the general settings are written outside it)."""
    return [parameter for (target, parameter), name in PARAMETER_SETTINGS.items()
            if target == model and parameter_key(SETTINGS[name]) is not None]


def _known_keys() -> str:
    """The keys of ``models`` in words, for the error of an unknown one."""
    general = [spec.name for spec in SETTINGS.values() if parameter_key(spec) is None]
    older = [spec.name for spec in SETTINGS.values() if parameter_key(spec) is not None]
    return (f"{', '.join(general)}; the model subsections {', '.join(ESTIMATORS)}; "
            f"or an older flat key: {', '.join(older)}")


def _one_value(spellings: list[tuple[str, Any]], path: Path) -> tuple[str, Any]:
    """The (key, value) of a setting written once or more; two different values are an error naming both keys."""
    key, value = spellings[0]
    for other_key, other_value in spellings[1:]:
        if other_value != value:
            raise InputError(f"'{key}' and '{other_key}' are one setting, given different values ({value!r} and "
                             f"{other_value!r})", path=path, where=other_key)
    return key, value
