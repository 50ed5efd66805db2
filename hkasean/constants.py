"""Values that several layers share, defined once: the codes that mark special rows of the run's tables.

``hkasean.contract`` (the tables and their columns) and every layer import them from here; this module imports
nothing, so corpus, models and analysis can all read it without importing each other.
"""
from __future__ import annotations

FINAL_MODEL_FOLD = -1
"""``fold`` of a decision made by the model fitted on every labelled document (``doc_themes``, ``supervised_thresholds``):
an unlabelled document's prediction, never scored against the manual coding."""

ALL_CODED_FOLD = -1
"""``fold`` of the indicator candidates found on every coded document (the ones reported to the user); candidates of
fold 0, 1, ... were found without that fold's documents, to check them on it."""

WHOLE_TRAINING_PART_SIZE = -1
"""``size`` of a learning-curve point trained on each outer fold's whole training part: the run's cross-validated
predictions, the curve's last point."""

