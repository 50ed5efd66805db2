"""The vocabulary the codebook suggestions choose from: which tokens may be a theme's candidates, which its
definition uses."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from hkasean.models.codebook import Codebook
from hkasean.models.phrases import PHRASE_DELIMITER
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.stopwords import english_stopwords
from hkasean.models.tokenize import make_normalizer, tokenize


@dataclass
class CandidateVocabulary:
    """The processed tokens (``processed.dictionary()`` order) and, per theme, which may be its candidates and
    which its definition uses.

    ``has_letter``: the token holds a letter (only those can be candidates); ``own_indicators[theme]``: the
    token is one of the theme's current indicators (never its own candidate); ``in_definition[theme]``: the
    theme's label, definition or include notes use every content word of the token.
    """

    tokens: np.ndarray
    has_letter: np.ndarray
    own_indicators: dict[str, np.ndarray]
    in_definition: dict[str, np.ndarray]

    @classmethod
    def of(cls, processed: ProcessedCorpus, codebook: Codebook) -> "CandidateVocabulary":
        """The vocabulary of ``processed``, judged against the themes of ``codebook``."""
        dictionary = processed.dictionary()
        tokens = np.array([dictionary[i] for i in range(len(dictionary))], dtype=object)
        has_letter = np.array([any(c.isalpha() for c in t) for t in tokens], dtype=bool)
        seeds = processed.theme_seed_tokens()
        normalize = functools.lru_cache(maxsize=None)(make_normalizer(processed.settings.normalizer))
        stopwords = english_stopwords()
        content = [[normalize(w) for w in t.split(PHRASE_DELIMITER) if w not in stopwords] for t in tokens]
        own, in_definition = {}, {}
        for theme in codebook.themes:
            own[theme.id] = np.isin(tokens, sorted(seeds.get(theme.id, ())))
            words = {normalize(w) for w in tokenize(" ".join((theme.label, theme.definition, *theme.include)))}
            in_definition[theme.id] = np.array([bool(c) and all(w in words for w in c) for c in content], dtype=bool)
        return cls(tokens, has_letter, own, in_definition)
