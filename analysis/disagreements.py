"""The documents on which a model and the manual standard disagree, with the evidence behind each call."""
from __future__ import annotations

import pandas as pd

from hkasean import contract
from hkasean.analysis.scored_predictions import presence_matrix, require_columns, scored_predictions, theme_order_key

DISAGREEMENT_COLUMNS = contract.DISAGREEMENTS.column_list
EVIDENCE_COLUMNS = contract.EVIDENCE.column_list
FALSE_POSITIVE = "false_positive"
FALSE_NEGATIVE = "false_negative"


def disagreement_table(
    predictions: pd.DataFrame,
    standard: pd.DataFrame,
    doc_frame: pd.DataFrame,
    evidence: pd.DataFrame | None = None,
    topic_maps: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every scored (model, theme, document) where the model's 0/1 call differs from the standard.

    ``predictions``: doc_themes shape (scored by the rules of ``analysis.scored_predictions``);
    ``standard``: index doc_id x theme ids (0/1); ``doc_frame``: the corpus table (doc_id, date,
    title); ``evidence``: DataFrame[doc_id, model, topic_or_theme, terms]; ``topic_maps``: the
    ``maps`` of ``cross_validated_topic_map``. For a model in ``topic_maps`` the evidence is the
    terms of the topic mapped to the theme in the document's own fold (empty when the theme was
    unmapped there); for any other model, its evidence row for the theme.

    Returns DataFrame[model, theme, doc_id, date, title, gold (0/1), model_value (0/1), score
    (the model's score, NaN if none), kind ("false_positive"/"false_negative"), evidence_terms
    ("; "-joined, "" when there is none)], sorted by model, theme (standard order), kind, doc_id.
    """
    require_columns(doc_frame, ["doc_id", "date", "title"], "doc_frame")
    scored = scored_predictions(predictions, standard)
    theme_ids = list(standard.columns)
    gold = standard[theme_ids].rename_axis(index="doc_id", columns="theme").stack().rename("gold").reset_index()
    frames = []
    for model in pd.unique(scored["model"]):
        rows = scored[scored["model"] == model]
        calls = presence_matrix(rows, theme_ids).rename_axis(index="doc_id", columns="theme")
        calls = calls.stack().rename("model_value").reset_index().merge(gold, on=["doc_id", "theme"])
        calls = calls[calls["model_value"] != calls["gold"]].assign(model=model)
        extra = [column for column in ("score", "fold") if column in rows.columns]
        frames.append(calls.merge(rows[["doc_id", "theme", *extra]], on=["doc_id", "theme"], how="left"))
    if not frames:
        return pd.DataFrame(columns=DISAGREEMENT_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    if "score" not in table.columns:
        table["score"] = float("nan")
    table["kind"] = table["model_value"].map({1: FALSE_POSITIVE, 0: FALSE_NEGATIVE})
    table["evidence_terms"] = _evidence_terms(table, evidence, topic_maps)
    table = table.merge(doc_frame[["doc_id", "date", "title"]], on="doc_id", how="left")
    table = table.sort_values(["model", "theme", "kind", "doc_id"], key=theme_order_key(theme_ids), kind="stable")
    return table[DISAGREEMENT_COLUMNS].astype({"gold": int, "model_value": int}).reset_index(drop=True)


def _evidence_terms(table: pd.DataFrame, evidence: pd.DataFrame | None, topic_maps: pd.DataFrame | None) -> pd.Series:
    """The evidence terms of each disagreement row ("" when none), aligned with ``table``'s index."""
    if evidence is None or table.empty:
        return pd.Series("", index=table.index, dtype=object)
    require_columns(evidence, EVIDENCE_COLUMNS, "evidence")
    key = table["theme"].astype(object)
    if topic_maps is not None and not topic_maps.empty:
        require_columns(topic_maps, ["model", "fold", "theme", "topic"], "topic_maps")
        topic_models = table["model"].isin(topic_maps["model"])
        if topic_models.any() and "fold" not in table.columns:
            raise ValueError("predictions of topic models need a 'fold' column to find each document's map")
        mapped = table[["model", "fold", "theme"]].merge(
            topic_maps[["model", "fold", "theme", "topic"]], on=["model", "fold", "theme"], how="left"
        )["topic"]
        key = key.where(~topic_models, pd.Series(mapped.to_numpy(dtype=object), index=table.index))
    lookup = evidence.drop_duplicates(["doc_id", "model", "topic_or_theme"]).set_index(
        ["doc_id", "model", "topic_or_theme"]
    )["terms"]
    wanted = pd.MultiIndex.from_arrays([table["doc_id"], table["model"], key])
    terms = lookup.reindex(wanted).to_numpy(dtype=object)
    return pd.Series(terms, index=table.index, dtype=object).fillna("")
