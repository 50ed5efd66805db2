"""Settings that scale with the corpus: the documented rules behind every ``auto`` model setting.

A model setting whose value is ``"auto"`` (the default of ``passes``, ``iterations``,
``seeded_iterations``, ``seeded_chains`` and ``seeds``) is resolved here from the processed corpus when a model is fitted; any number a user
sets wins. The defaults were once tuned for the 88 short digests of the sample (50 passes x 400
iterations), which made a 2,000-document run take 23 minutes; the rules keep the sample's
schedule on small corpora and shorten it where more data makes each pass worth more:

- ``passes`` with the tomotopy backend (collapsed Gibbs sweeps over every token):
  ``clamp(ceil(100,000,000 / tokens), 200, 1000)``: about 10^8 token draws per fit, at least 200
  sweeps, at most 1000 (sample: 1000; 2,000 documents of 800 words: about 260; 10,000 and more:
  200; on 2,000 documents the log-likelihood per token moved by 0.1% between 200 and 400 sweeps);
- ``passes`` with the gensim backend (online variational Bayes): ``clamp(ceil(50,000 / units), 5, 50)``
  (sample: 50; 10,000 units: 5);
- ``iterations`` (gensim only: variational steps per unit and pass): ``clamp(ceil(400,000 / units), 50, 400)``
  (sample: 400; 10,000 units: 50, gensim's own default);
- ``suggestions.vector_epochs`` (Word2Vec of the codebook suggestions): about 5 million token
  updates, ``clamp(ceil(5,000,000 / tokens of its training sample), 2, 10)`` (the sample is at most
  ``max_vector_units`` units; 2,000 documents: 10 epochs, 10,000: 3);
- ``seeded_iterations`` (Gibbs sweeps of each seeded LDA chain): ``clamp(ceil(100,000,000 / tokens), 200, 300)``
  on the units the seeded model is fitted on (sample: 300; 2,000 documents: about 250; 10,000 and
  more: 200). The ceiling of 300: as good as 1000 sweeps on the sample at a third of the time
  (benchmarks/RESULTS.md, section 10);
- ``seeded_chains``: chains whose shares are averaged, ``clamp(floor(500,000,000 / (tokens x sweeps)), 2, 5)``:
  about 5 x 10^8 token draws in all, at least 2 chains (run in parallel), at most 5 (sample and
  2,000 documents: 5; 10,000 and more: 2). More data make one chain's shares less noisy (on the
  sample, 2 chains against 5: benchmarks/RESULTS.md, section 10);
- chains at once (not a rule of the results, which do not depend on it): ``min(n_jobs, chains,
  floor(seeded_memory_mb / chain memory))``, at least 1, where a chain's memory is estimated as
  ``CHAIN_PROCESS_MB`` + units x (``CHAIN_UNIT_BYTES`` + ``CHAIN_UNIT_TOPIC_BYTES`` x topics) + tokens x
  ``CHAIN_TOKEN_BYTES`` (about 2.0 GB for the 2.45 million sentence units and 23 million tokens of 100,000
  synthetic documents and 20 topics, so with the default 3,000 MB those chains run one after another; 10,000
  documents: about 0.4 GB, side by side);
- ``seeds`` of the K grid: ``N_GRID_SEEDS`` seeds derived from the master seed: seed, seed + 1,
  seed + 2 (mod 2^32). The first is the master seed itself, and the model a run reports for the
  chosen K is the grid's fit with that seed (``models.selection``).

Coherence is counted on at most ``coherence_max_units`` units (all units of a smaller corpus, an
evenly spaced sample of a larger one), so its cost stops growing at 20,000 units.
"""
from __future__ import annotations

import math
from typing import Literal

from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.limits import LDA_BACKENDS
from hkasean.seeds import derived_seed

AUTO = "auto"
"""The value of a setting chosen by the rules of this module."""
Auto = Literal["auto"]

GIBBS_DRAWS = 100_000_000
"""Token draws a tomotopy fit aims at: passes = draws / tokens, within ``GIBBS_PASSES``."""
GIBBS_PASSES = (200, 1000)
VARIATIONAL_UNIT_PASSES = 50_000
"""gensim passes = this / units, within ``VARIATIONAL_PASSES``."""
VARIATIONAL_PASSES = (5, 50)
VARIATIONAL_UNIT_ITERATIONS = 400_000
"""gensim iterations = this / units, within ``VARIATIONAL_ITERATIONS``."""
VARIATIONAL_ITERATIONS = (50, 400)
VECTOR_UPDATES = 5_000_000
"""Token updates a Word2Vec training aims at: epochs = updates / tokens, within ``VECTOR_EPOCHS``."""
VECTOR_EPOCHS = (2, 10)
SEEDED_SWEEPS = (200, 300)
"""Bounds of the seeded LDA's sweeps per chain (the draws aimed at are ``GIBBS_DRAWS``)."""
SEEDED_DRAWS = 500_000_000
"""Token draws of all seeded LDA chains together: chains = this / (tokens x sweeps), within ``SEEDED_CHAINS``."""
SEEDED_CHAINS = (2, 5)
CHAIN_UNIT_BYTES = 360
"""Memory of one seeded LDA chain per unit (tomotopy's state of a document, the counts the chain hands back).
The ``CHAIN_*`` figures are fitted to ``benchmarks/seeded_chain_memory.py`` (RESULTS section 7): 250,000 to
3.2 million units of 6-30 tokens, 10 and 20 topics."""
CHAIN_UNIT_TOPIC_BYTES = 9
"""Per unit and topic (tomotopy's topic counts of the unit, the chain's count table)."""
CHAIN_TOKEN_BYTES = 23
"""Per token (tomotopy's word id, topic and weight of each token, and its copy of the text)."""
CHAIN_PROCESS_MB = 250
"""A worker process's imports (about 180 MB) and its handle of the corpus (the token file's line offsets, ids)."""
N_GRID_SEEDS = 3
"""Seeds per K of the grid when ``seeds`` is auto."""

def _clamp(value: float, bounds: tuple[int, int]) -> int:
    return int(min(bounds[1], max(bounds[0], math.ceil(value))))


def resolve_passes(passes: int | Auto, backend: str, n_units: int, n_tokens: int) -> int:
    """``passes`` itself, or by the rule of ``backend`` (module docstring) for a corpus of ``n_units`` units and ``n_tokens`` tokens."""
    if passes != AUTO:
        return int(passes)
    if backend not in LDA_BACKENDS:
        raise ValueError(f"unknown LDA backend {backend!r}; expected one of {', '.join(LDA_BACKENDS)}")
    if backend == "tomotopy":
        return _clamp(GIBBS_DRAWS / max(n_tokens, 1), GIBBS_PASSES)
    return _clamp(VARIATIONAL_UNIT_PASSES / max(n_units, 1), VARIATIONAL_PASSES)


def resolve_iterations(iterations: int | Auto, n_units: int) -> int:
    """``iterations`` itself, or by the rule (module docstring) for ``n_units`` units."""
    return int(iterations) if iterations != AUTO else _clamp(VARIATIONAL_UNIT_ITERATIONS / max(n_units, 1), VARIATIONAL_ITERATIONS)


def resolve_seeded_iterations(iterations: int | Auto, n_tokens: int) -> int:
    """``iterations`` itself, or the seeded LDA's sweeps by the rule (module docstring) for ``n_tokens`` tokens."""
    return int(iterations) if iterations != AUTO else _clamp(GIBBS_DRAWS / max(n_tokens, 1), SEEDED_SWEEPS)


def resolve_chains(chains: int | Auto, n_tokens: int, sweeps: int) -> int:
    """``chains`` itself, or by the rule (module docstring) for ``n_tokens`` tokens sampled ``sweeps`` times per chain."""
    if chains != AUTO:
        return int(chains)
    return int(min(SEEDED_CHAINS[1], max(SEEDED_CHAINS[0], SEEDED_DRAWS // max(n_tokens * sweeps, 1))))


def seeded_chain_memory_mb(n_units: int, n_tokens: int, n_topics: int) -> float:
    """Estimated peak memory (MB) of one seeded LDA chain in its own process, for ``n_units`` units of ``n_tokens``
    tokens in all and ``n_topics`` topics (the ``CHAIN_*`` constants)."""
    chain_bytes = n_units * (CHAIN_UNIT_BYTES + CHAIN_UNIT_TOPIC_BYTES * n_topics) + n_tokens * CHAIN_TOKEN_BYTES
    return CHAIN_PROCESS_MB + chain_bytes / 2**20


def resolve_chains_at_once(n_jobs: int, chains: int, chain_mb: float, memory_mb: int) -> int:
    """How many seeded LDA chains run at once: as many as ``n_jobs`` (the effective count, at least 1) and ``chains``
    allow, but no more than fit together in ``memory_mb`` at ``chain_mb`` each, and at least one."""
    return max(1, min(n_jobs, chains, math.floor(memory_mb / max(chain_mb, 1.0))))


def resolve_vector_epochs(epochs: int | Auto, n_tokens: int) -> int:
    """``epochs`` itself, or by the rule (module docstring) for a training sample of ``n_tokens`` tokens."""
    return int(epochs) if epochs != AUTO else _clamp(VECTOR_UPDATES / max(n_tokens, 1), VECTOR_EPOCHS)


def corpus_size(processed: ProcessedCorpus) -> tuple[int, int]:
    """(units, tokens) of a processed corpus, the sizes the rules read."""
    return len(processed), int(processed.dictionary().num_pos)


def grid_seeds(seeds: tuple[int, ...] | Auto, random_state: int | None) -> tuple[int, ...]:
    """The K grid's seeds: ``seeds`` itself, or ``N_GRID_SEEDS`` seeds derived from the master seed ``random_state``
    (module docstring)."""
    if seeds != AUTO:
        return tuple(int(s) for s in seeds)
    return tuple(derived_seed(random_state, i) for i in range(N_GRID_SEEDS))
