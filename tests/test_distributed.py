"""The K-grid search and text processing on a Dask cluster give the serial result (slow; needs dask[distributed]).

Run with ``pytest -m slow tests/test_distributed.py``; without dask installed it is skipped
(``pip install 'hkasean[dask]'``). The cluster is local (``distributed.LocalCluster``, two worker
processes) and joblib hands its tasks to it (``joblib.parallel_backend("dask")``), as docs/scale.md
("More than one machine: Dask") shows for a real cluster.
"""
from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest

from hkasean.models import text
from hkasean.models.codebook import load_codebook
from hkasean.models.lda import LdaTopicModel
from hkasean.models.nmf import NmfTopicModel
from hkasean.models.selection import select_n_topics
from hkasean.models.text import TextSettings, process_documents
from synthetic_corpus import resampled_sample_documents
from test_models_text_tokens import token_digest

pytestmark = pytest.mark.slow


def test_processing_and_k_grid_on_a_dask_cluster_equal_the_serial_run(monkeypatch):
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install 'hkasean[dask]')")
    monkeypatch.setattr(text, "CHUNK_DOCUMENTS", 50)  # several tasks per pass
    monkeypatch.setattr(text, "CHUNK_UNITS", 120)
    documents = resampled_sample_documents(200)
    settings = TextSettings(unit="paragraph", min_df=3)
    prototypes = [LdaTopicModel(passes=30), NmfTopicModel(max_iter=100)]
    serial = process_documents(documents, load_codebook(), settings, n_jobs=1)
    serial_grids = [select_n_topics(p, serial, [3, 4], [0, 1], n_jobs=1) for p in prototypes]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster), joblib.parallel_backend("dask"):
        on_cluster = process_documents(documents, load_codebook(), settings, n_jobs=-1)
        cluster_grids = [select_n_topics(p, on_cluster, [3, 4], [0, 1], n_jobs=-1) for p in prototypes]
    assert token_digest(on_cluster) == token_digest(serial)
    for expected, got in zip(serial_grids, cluster_grids):
        pd.testing.assert_frame_equal(got.table, expected.table)
        assert got.chosen_k == expected.chosen_k
        # LDA (tomotopy, one thread) is bit-identical; NMF's BLAS may sum in another order in another process
        np.testing.assert_allclose(got.model.components_, expected.model.components_, rtol=0, atol=1e-12)
    assert (cluster_grids[0].model.components_ == serial_grids[0].model.components_).all()
