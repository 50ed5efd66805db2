import pandas as pd

from hkasean.analysis.figures.topics import plot_k_selection, plot_theme_by_year, plot_top_terms


def test_topic_figures_are_written(tmp_path):
    top = pd.DataFrame({"model": "lda", "topic": ["lda_0"] * 2 + ["lda_1"] * 2, "rank": [1, 2, 1, 2],
                        "term": ["a", "b_c", "d", "e"], "weight": [0.3, 0.2, 0.4, 0.1]})
    themes = pd.DataFrame({"doc_id": ["x", "y"], "model": "lda", "theme": "t1", "score": [0.5, 0.1], "present": [1, 0]})
    frame = pd.DataFrame({"doc_id": ["x", "y"], "year": [2020, 2021]})
    selection = pd.DataFrame({"model": "lda", "k": [2, 2, 3, 3], "seed": [0, 1, 0, 1], "c_npmi": [0.1, 0.2, 0.0, 0.1],
                              "stability": [0.9, 0.8, 0.5, 0.6], "chosen": [True, True, False, False]})
    for path in (plot_top_terms(top, "lda", tmp_path / "top.png"), plot_theme_by_year(themes, frame, tmp_path / "themes.png"),
                 plot_k_selection(selection, tmp_path / "k.png")):
        assert path.stat().st_size > 1000
