"""The config file: documented defaults, round trip, clear errors."""
from __future__ import annotations

import pytest
import yaml

from hkasean.corpus.errors import InputError
from hkasean.scripts.cli import main
from hkasean.scripts.config import RunConfig, config_to_dict, load_config, render_config


def test_rendered_config_documents_every_setting_and_loads_back(tmp_path):
    text = render_config()
    path = tmp_path / "config.yaml"
    path.write_text(text)
    assert load_config(path) == RunConfig()
    raw = yaml.safe_load(text)
    assert set(raw) == set(config_to_dict(RunConfig()))
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not stripped.endswith(":"):
            assert "  # " in line, f"setting without help text: {line}"


def test_config_show_prints_it(capsys):
    assert main(["config", "--show"]) == 0
    assert "k_grid" in capsys.readouterr().out


@pytest.mark.parametrize(
    "text, where",
    [("modles:\n  k_grid: [3]\n", "modles"), ("models:\n  k_grid: 3\n", "models.k_grid"),
     ("models:\n  passes: many\n", "models.passes"), ("models:\n  lda:\n    passes: many\n", "models.lda.passes"),
     ("seed: 1.5\n", "seed"), ("models: [1]\n", "models")],
)
def test_bad_settings_name_file_and_key(tmp_path, text, where):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_config(path)
    assert str(path) in str(err.value) and where in str(err.value)
