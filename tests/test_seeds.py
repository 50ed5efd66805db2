"""Every random draw starts from the master seed: one derivation, no seed literal in a signature."""
from __future__ import annotations

import ast

import numpy as np

from hkasean.models.scaling import grid_seeds
from hkasean.seeds import MASTER_SEED, SEED_MODULUS, derived_seed, master_seed, random_generator

PRODUCT_FOLDERS = ("corpus", "models", "analysis", "scripts", "hkasean")
SEED_NAMES = {"random_state", "seed", "seeds", "random_seed"}


def test_none_means_the_master_seed_and_derived_seeds_wrap():
    assert master_seed(None) == MASTER_SEED and master_seed(7) == 7
    assert [derived_seed(7, i) for i in range(3)] == [7, 8, 9]
    assert derived_seed(SEED_MODULUS - 1, 1) == 0  # wrapped into the range every library accepts
    assert grid_seeds("auto", SEED_MODULUS - 2) == (SEED_MODULUS - 2, SEED_MODULUS - 1, 0)


def test_keyed_generators_are_reproducible_and_independent():
    first = random_generator(3, "source", 2).random(4)
    assert np.array_equal(first, random_generator(3, "source", 2).random(4))
    assert not np.array_equal(first, random_generator(3, "source", 3).random(4))
    assert np.array_equal(random_generator(None).random(2), np.random.default_rng(MASTER_SEED).random(2))


def _literal_seed_defaults(tree: ast.AST) -> list[str]:
    """Seed-named parameters or dataclass fields whose default is a number written in the code."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            positional = arguments.posonlyargs + arguments.args
            pairs = list(zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults))
            pairs += [(a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None]
            found += [f"{node.name}({a.arg}={ast.unparse(d)})" for a, d in pairs
                      if a.arg in SEED_NAMES and isinstance(d, ast.Constant) and isinstance(d.value, int)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id in SEED_NAMES:
            value = node.value
            if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "field":
                value = next((k.value for k in value.keywords if k.arg == "default"), None)
            if isinstance(value, ast.Constant) and isinstance(value.value, int):
                found.append(f"{node.target.id} = {ast.unparse(value)}")
    return found


def test_no_product_signature_or_setting_carries_its_own_seed(repo_root):
    offenders = []
    for folder in PRODUCT_FOLDERS:
        for path in sorted((repo_root / folder).rglob("*.py")):
            for what in _literal_seed_defaults(ast.parse(path.read_text(encoding="utf-8"))):
                offenders.append(f"{path.relative_to(repo_root)}: {what}")
    assert not offenders, "seeds come from hkasean.seeds (None -> the master seed): " + "; ".join(offenders)


def test_the_check_finds_a_literal_seed():
    tree = ast.parse("def f(x, random_state=0):\n    pass\nclass S:\n    seed: int = field(default=3)\n")
    assert _literal_seed_defaults(tree) == ["f(random_state=0)", "seed = 3"]
