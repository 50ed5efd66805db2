"""Settings that scale with the corpus (``models.scaling``): the rules, explicit values win, the manifest records them."""
from __future__ import annotations

import pytest

from hkasean.models.scaling import (AUTO, grid_seeds, resolve_chains_at_once, resolve_iterations, resolve_passes,
                                    resolve_vector_epochs, seeded_chain_memory_mb)
from hkasean.models.settings import ModelSettings
from hkasean.scripts.config import load_config, render_config


@pytest.mark.parametrize(("backend", "units", "tokens", "expected"), [
    ("tomotopy", 88, 12_000, 1000),          # the sample: the most sweeps
    ("tomotopy", 2_000, 400_000, 250),       # 1e8 / 4e5
    ("tomotopy", 10_000, 1_900_000, 200),    # large: the fewest sweeps
    ("tomotopy", 100_000, 19_000_000, 200),
    ("gensim", 88, 12_000, 50),
    ("gensim", 2_000, 400_000, 25),
    ("gensim", 100_000, 19_000_000, 5),
])
def test_auto_passes_follow_the_documented_rule(backend, units, tokens, expected):
    assert resolve_passes(AUTO, backend, units, tokens) == expected


def test_auto_iterations_vector_epochs_and_seeds():
    assert [resolve_iterations(AUTO, n) for n in (88, 2_000, 10_000)] == [400, 200, 50]
    assert [resolve_vector_epochs(AUTO, n) for n in (200_000, 400_000, 1_900_000, 3_800_000)] == [10, 10, 3, 2]
    assert resolve_vector_epochs(7, 10**7) == 7
    assert grid_seeds(AUTO, 42) == (42, 43, 44)
    assert grid_seeds(AUTO, 2**32 - 1) == (2**32 - 1, 0, 1)


def test_seeded_chains_run_at_once_as_their_estimated_memory_allows():
    archive = seeded_chain_memory_mb(2_450_000, 23_200_000, 20)  # sentence units of 100,000 synthetic documents
    assert 1_800 < archive < 2_600  # RESULTS 4h: each chain's worker held 1.7 GB while sampling, 2.0-2.2 GB at the end
    assert seeded_chain_memory_mb(245_232, 2_315_812, 20) < 600  # 10,000 documents (RESULTS 7)
    assert seeded_chain_memory_mb(10, 100, 21) > seeded_chain_memory_mb(10, 100, 20) > seeded_chain_memory_mb(10, 90, 20)
    default = ModelSettings().seeded_memory_mb
    assert resolve_chains_at_once(2, 2, archive, default) == 1
    assert resolve_chains_at_once(2, 2, seeded_chain_memory_mb(245_232, 2_315_812, 20), default) == 2
    assert resolve_chains_at_once(8, 5, 100.0, 10_000) == 5 and resolve_chains_at_once(8, 5, 100.0, 350) == 3
    assert resolve_chains_at_once(1, 5, 100.0, 10_000) == 1
    assert resolve_chains_at_once(2, 2, 5_000.0, 100) == 1  # never fewer than one: a chain too large still runs


def test_an_explicit_setting_always_wins():
    assert resolve_passes(7, "tomotopy", 10, 10) == 7 and resolve_passes(7, "gensim", 10**6, 10**8) == 7
    assert resolve_iterations(11, 10**6) == 11
    assert grid_seeds((0, 5), 42) == (0, 5)


def test_config_show_names_the_rule_and_checks_auto(tmp_path):
    shown = render_config()
    for key in ("passes", "iterations", "seeds", "vector_epochs"):
        line = next(line for line in shown.splitlines() if line.strip().startswith(f"{key}:"))
        assert line.strip().startswith(f"{key}: auto") and "auto" in line.split("#", 1)[1]
    assert ModelSettings().n_jobs == -1 and ModelSettings().lda_backend == "tomotopy"
    path = tmp_path / "config.yaml"
    path.write_text("models:\n  passes: 30\n  seeds: [1, 2]\n  lda_backend: gensim\n")
    models = load_config(path).models
    assert (models.passes, models.seeds, models.lda_backend, models.iterations) == (30, (1, 2), "gensim", "auto")
