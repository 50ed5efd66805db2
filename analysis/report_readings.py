"""The report's plain-language readings: sentences that say what a table of the run means."""
from __future__ import annotations

import math

import pandas as pd

from hkasean.analysis.agreement import MACRO
from hkasean.analysis.claims import AGREE, DIFFERS, NO_INDEPENDENT_FIGURE, SELF_CONSISTENT
from hkasean.analysis.learning_curve import still_rising
from hkasean.analysis.reliability import OVERALL


def _fmt(value: float, digits: int = 2) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def agreement_reading(agreement: pd.DataFrame, reliability: pd.DataFrame | None) -> list[str]:
    """Plain-language sentences on the macro agreement rows: best model, its interval, the human ceiling."""
    macro = agreement[agreement["theme"] == MACRO]
    models = macro[~macro["model"].astype(str).str.startswith("human:")].sort_values("f1", ascending=False)
    humans = macro[macro["model"].astype(str).str.startswith("human:")]
    lines: list[str] = []
    if not models.empty:
        best = models.iloc[0]
        lines.append(
            f"Best model by macro-averaged F1: {best['model']} (F1 {_fmt(best['f1'])}, 95% bootstrap interval "
            f"{_fmt(best['f1_low'])} to {_fmt(best['f1_high'])}; kappa {_fmt(best['kappa'])}; n = {int(best['n'])} documents)."
        )
        overlapping = models[(models["f1_high"] >= best["f1_low"]) & (models["model"] != best["model"])]
        if not overlapping.empty:
            lines.append(
                "Its interval overlaps those of " + ", ".join(overlapping["model"].astype(str))
                + ": on this many documents the data cannot rank these models reliably."
            )
    if not humans.empty:
        lines.append(
            "Human coders against the standard reach macro F1 "
            + ", ".join(f"{r['model'].removeprefix('human:')} {_fmt(r['f1'])}" for _, r in humans.iterrows())
            + " (an upper reference: the gold standard was adjudicated from these same coders)."
        )
    if reliability is not None and not reliability.empty:
        overall = reliability[reliability["theme"] == OVERALL]
        if not overall.empty:
            row = overall.iloc[0]
            lines.append(
                f"Human-human reliability over all theme decisions: percent agreement {_fmt(row['percent_agreement'])}, "
                f"Cohen's kappa {_fmt(row['kappa'])}, Krippendorff's alpha {_fmt(row['alpha'])}. "
                "A model whose kappa approaches this value codes about as consistently as a second human would."
            )
    return lines


def theme_reading(best: pd.DataFrame) -> list[str]:
    """Sentences on ``best_model_per_theme``: the best model of each theme against the human ceiling, and
    the themes whose best model the data cannot yet single out."""
    themes = best[best["theme"] != MACRO]
    if themes.empty:
        return []
    lines = ["Best model per theme against the human ceiling (F1 of the two coders against each other): " + "; ".join(
        f"{r.theme}: {r.best_model} {_fmt(r.f1)} [{_fmt(r.f1_low)}, {_fmt(r.f1_high)}]"
        + (f" vs humans {_fmt(r.human_ceiling)}" if not pd.isna(r.human_ceiling) else "")
        for r in themes.itertuples()) + "."]
    open_themes = themes[~themes["ranked"]]
    if not open_themes.empty:
        lines.append(
            "The data cannot yet rank the models on " + ", ".join(
                f"{r.theme} ({'' if pd.isna(r.n_positive_gold) else f'{int(r.n_positive_gold)} coded documents carry it; '}"
                f"{r.runner_up} is within the interval)"
                for r in open_themes.itertuples())
            + ": more coded documents with these themes are needed before choosing a model for them.")
    return lines


def learning_curve_reading(curve: pd.DataFrame) -> list[str]:
    """Sentences on the learning curve: each coder's macro-F1 from the fewest training documents to each fold's whole
    training part (the run's cross-validated score), how many documents each point was trained and scored on, and
    whether the last step still helped (``still_rising``: both points scored on the same documents, same folds)."""
    lines = []
    for model in pd.unique(curve["model"]):
        rows = curve[curve["model"] == model].sort_values("n_coded")
        first, last = rows.iloc[0], rows.iloc[-1]
        scored = sorted({int(round(n)) for n in rows["n_scored"]})
        on = (f"every point is scored on the same {scored[0]} coded documents, each by a fold that never saw it"
              if len(scored) == 1 else
              f"the smaller sizes are scored on a seeded sample of {int(round(first['n_scored']))} of the "
              f"{int(round(last['n_scored']))} coded documents the folds hold out, the last point on all of them")
        rising = still_rising(curve, model)
        verdict = ""
        if rising is not None:
            before = rows.iloc[-2]
            gain = last["macro_f1"] - before["macro_f1"]
            step = (f"From {int(round(before['n_coded']))} to {int(round(last['n_coded']))} training documents it moved by "
                    f"{gain:+.2f}")
            repeats = f" (over its {int(before['n_repeats'])} repeats)" if before["n_repeats"] > 1 else ""
            verdict = (f" {step}, beyond the interval of the point before{repeats}: coding more should still help." if rising
                       else f" {step}, within the interval of the point before{repeats}"
                       + (": still rising on average; coding more is likely to help, by how much the data cannot yet say."
                          if gain > 0 else ": no gain measurable; coding more may help less than improving the codebook."))
        if len(rows) == 1:
            lines.append(f"{model}: macro-F1 {_fmt(last['macro_f1'])} trained on about {int(round(last['n_coded']))} "
                         f"documents per fold (the run's cross-validated score); {on}.")
            continue
        lines.append(f"{model}: macro-F1 {_fmt(first['macro_f1'])} when each outer fold learns from "
                     f"{int(round(first['n_coded']))} of its training documents, {_fmt(last['macro_f1'])} when it learns "
                     f"from all of them (about {int(round(last['n_coded']))} of the {int(round(last['n_scored']))} coded "
                     f"documents: the run's cross-validated score); {on}.{verdict}")
    return lines


def correlation_reading(correlation: pd.DataFrame, family: str = "yearly") -> list[str]:
    """Sentences on one correlation family (``yearly`` or ``monthly``): tests, survivors of FDR, the small-n caveat."""
    if correlation.empty:
        return [f"No {family} correlation could be computed (no overlapping periods of theme prevalence and trade)."]
    computed = correlation.dropna(subset=["r"])
    significant = computed[computed["q_value"] < 0.05]
    inference = ("block-permutation p-values (autocorrelation kept), moving-block bootstrap intervals"
                 if family == "monthly" else "permutation p-values, bootstrap intervals")
    lines = [
        f"{len(computed)} {family} correlations were computed (themes x sources x trade series x levels/differences x lags x "
        f"Pearson/Spearman; {inference}); after Benjamini-Hochberg correction across the whole {family} family, "
        f"{len(significant)} have q < 0.05."
    ]
    if len(computed):
        lines[0] += f" They rest on {int(computed['n'].min())} to {int(computed['n'].max())} pairs."
    small = int(computed["warning"].astype(str).str.contains("exploratory").sum())
    if small:
        lines.append(
            f"{small} of them rest on too few {'months' if family == 'monthly' else 'years'} and are marked exploratory: "
            "read the p-values and the wide intervals, not the r alone."
        )
    return lines


def trade_reading(asymmetry: pd.DataFrame) -> list[str]:
    """Sentences on the study's thesis: ASEAN's weight for HK beside HK's weight for ASEAN."""
    if asymmetry is None or asymmetry.empty:
        return ["No year has both ASEAN's share of Hong Kong's trade and Hong Kong's share of ASEAN's trade, so the "
                "asymmetry cannot be computed from the trade table."]
    lines = []
    for _, row in asymmetry.iterrows():
        flags = f" (caveats: {row['flags']})" if isinstance(row.get("flags"), str) and row["flags"].strip() else ""
        lines.append(
            f"{int(row['year'])}: ASEAN accounted for {row['asean_share_of_hk_trade']:.1f}% of Hong Kong's merchandise trade "
            f"(HK-recorded), while Hong Kong accounted for {row['hk_share_of_asean_trade']:.1f}% of ASEAN's (ASEAN-recorded): "
            f"a ratio of {row['ratio']:.1f} to 1{flags}."
        )
    return lines


def member_reading(members: pd.DataFrame | None) -> list[str]:
    """One sentence per member with both shares in some year (the latest such year): who matters more to whom."""
    if members is None or members.empty:
        return []
    both = members[(members["partner"] != "ASEAN") & members["ratio"].notna()]
    lines = []
    for partner, rows in both.groupby("partner", sort=True):
        row = rows.sort_values("year").iloc[-1]
        lines.append(
            f"{partner} ({int(row['year'])}): {row['partner_share_of_hk_trade']:.1f}% of Hong Kong's merchandise trade "
            f"(HK-recorded) against Hong Kong's {row['hk_share_of_partner_trade']:.1f}% of {partner}'s (recorded by "
            f"{partner}): a ratio of {row['ratio']:.2f} to 1, so {'the member matters more to Hong Kong' if row['ratio'] > 1 else 'Hong Kong matters more to the member'}.")
    return lines


def claims_reading(claims: pd.DataFrame) -> str:
    """The claims audit in one paragraph: independent checks only, self-consistent claims apart, differing ones first."""
    counts = claims["verdict"].value_counts()
    agree, differs = int(counts.get(AGREE, 0)), int(counts.get(DIFFERS, 0))
    text = (f"{len(claims)} numeric trade claims found in the documents: {agree + differs} could be checked against an "
            f"independent figure ({agree} agree, {differs} differ)")
    differing = claims[claims["verdict"] == DIFFERS]
    if len(differing):
        text += " — differing: " + "; ".join(
            f"{row['doc_id']} \"{row['claim_text']}\" ({int(row['year'])}) vs {row['official_value']:.4g} "
            f"({row['relative_difference']:+.1%})" for _, row in differing.iterrows())
    return (text + f"; {int(counts.get(SELF_CONSISTENT, 0))} match only their own source or a report of the same "
            f"statement (self-consistent, not counted as confirmation); {int(counts.get(NO_INDEPENDENT_FIGURE, 0))} "
            "have no independent figure.")
