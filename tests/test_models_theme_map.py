import numpy as np

from hkasean.models.theme_map import lexical_theme_map, theme_lift, theme_weights

VOCABULARY = ["port", "cargo", "wheat", "harvest", "news"]
THEMES = {"shipping": {"port", "cargo"}, "farming": {"wheat", "harvest"}}


def test_weights_and_lift():
    components = np.array([[0.4, 0.4, 0.0, 0.0, 0.2], [0.0, 0.1, 0.3, 0.3, 0.3], [0.1, 0.1, 0.1, 0.1, 0.6]])
    weights = theme_weights(components, VOCABULARY, THEMES)
    assert np.allclose(weights, [[0.8, 0.0], [0.1, 0.6], [0.2, 0.2]])
    assert np.allclose(theme_lift(weights)[:, 0], weights[:, 0] / weights[:, 0].mean())


def test_map_needs_lift_and_weight():
    components = np.array([[0.4, 0.4, 0.0, 0.0, 0.2], [0.0, 0.1, 0.3, 0.3, 0.3], [0.1, 0.1, 0.1, 0.1, 0.6]])
    assert lexical_theme_map(components, VOCABULARY, THEMES, min_weight=0.01) == ["shipping", "farming", ""]
    assert lexical_theme_map(components, VOCABULARY, THEMES, min_weight=0.7) == ["shipping", "", ""]
