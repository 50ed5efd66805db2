"""The contract module: one declaration of every table and figure (docs/tables.md is generated from it: tests/test_docs.py)."""
from __future__ import annotations

from hkasean import contract


def test_names_are_unique_and_required_columns_are_declared():
    assert len(contract.TABLES) == len({spec.name for spec in contract.TABLES.values()})
    for spec in contract.TABLES.values():
        assert set(spec.required) <= set(spec.columns), spec.name
        assert len(spec.columns) == len(set(spec.columns)), spec.name
        assert spec.meaning and spec.stage, spec.name
    assert all(spec.caption for spec in contract.FIGURES.values())
