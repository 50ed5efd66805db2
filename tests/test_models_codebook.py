"""Loading and validating the codebook."""
from __future__ import annotations

import pytest

from hkasean.corpus.errors import InputError
from hkasean.models.codebook import load_codebook

EXPECTED = ["untapped_market", "value_adder", "hub_status", "made_in_hk", "gateway_china"]


def test_bundled_codebook_has_the_five_themes():
    book = load_codebook()
    assert book.theme_ids == EXPECTED
    assert "super connector" in book.theme("value_adder").indicators


def test_bundled_copy_matches_shared_reference(repo_root):
    shared = repo_root.parent / "shared" / "codebook" / "codebook.yaml"
    if not shared.exists():
        pytest.skip("../shared not present")
    assert load_codebook(shared).themes == load_codebook().themes


@pytest.mark.parametrize(
    "text, message",
    [
        ("themes: []\n", "non-empty 'themes'"),
        ("themes:\n  - id: Bad Id\n    indicators: [x]\n", "snake_case"),
        ("themes:\n  - id: a\n    indicators: [x]\n  - id: a\n    indicators: [y]\n", "duplicate theme id 'a'"),
        ("themes:\n  - id: a\n", "'indicators'"),
        ("themes: [\n", "not valid YAML"),
        ('themes:\n  - id: "hub_status\\n"\n    indicators: [x]\n', r"snake_case string, got 'hub_status\\n'"),
    ],
)
def test_invalid_codebooks_are_rejected(tmp_path, text, message):
    path = tmp_path / "cb.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as err:
        load_codebook(path)
    assert str(path) in str(err.value)
