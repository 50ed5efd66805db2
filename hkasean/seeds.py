"""Every random draw of the suite starts from one master seed.

A run's master seed is its config's ``seed`` (default ``MASTER_SEED``); it is passed down as ``random_state``. A
function or estimator called outside a run takes ``random_state=None`` and uses ``MASTER_SEED``, so no signature
carries a seed of its own. Where one seed must become several (the K grid's seeds, the Gibbs chains of the seeded
LDA), ``derived_seed`` makes them: the same arithmetic everywhere, wrapped into the range every library accepts. A
numpy draw keyed by several coordinates (a learning-curve repeat of a fold) takes ``random_generator``. This module
imports nothing of the suite, so every layer can import it.
"""
from __future__ import annotations

import zlib

import numpy as np

MASTER_SEED = 42
"""The master seed of a run whose config sets none, and the seed of anything called with ``random_state=None``."""

SEED_MODULUS = 2**32
"""Seeds are integers in [0, 2**32): what numpy, scikit-learn, gensim and tomotopy all accept."""


def master_seed(random_state: int | None) -> int:
    """``random_state`` itself, or ``MASTER_SEED`` when it is None."""
    return MASTER_SEED if random_state is None else int(random_state)


def derived_seed(random_state: int | None, offset: int) -> int:
    """The ``offset``-th seed derived from ``random_state`` (None: ``MASTER_SEED``): ``(seed + offset) mod 2**32``,
    so offset 0 is the seed itself and consecutive offsets give distinct seeds."""
    return (master_seed(random_state) + offset) % SEED_MODULUS


def random_generator(random_state: int | None, *keys: int | str) -> np.random.Generator:
    """A numpy generator seeded by ``random_state`` (None: ``MASTER_SEED``) for one draw among many, keyed by its
    coordinates ``keys`` (a repeat, a fold, a source, a theme, a period; texts enter by their CRC-32). The same seed and
    keys give the same stream, other keys independent streams (numpy's ``SeedSequence`` spawn keys), so adding a row
    to a table leaves the other rows' draws unchanged. Without keys it is ``np.random.default_rng(seed)``."""
    spawn_key = tuple(zlib.crc32(key.encode("utf-8")) if isinstance(key, str) else int(key) for key in keys)
    return np.random.default_rng(np.random.SeedSequence(master_seed(random_state), spawn_key=spawn_key))
