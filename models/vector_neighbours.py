"""The ``word_vectors`` source of the codebook suggestions: near neighbours of a theme's indicators.

Word2Vec vectors (gensim, skip-gram, seeded, one worker, so the same corpus gives the same vectors)
trained on the corpus; score = cosine similarity (-1..1) to the nearest indicator. The caller runs
it only on a corpus of at least ``SuggestionSettings.min_vector_tokens`` processed tokens: below
that the vectors are noise.
"""
from __future__ import annotations

from hkasean.models.candidate_vocabulary import CandidateVocabulary
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.scaling import resolve_vector_epochs
from hkasean.models.suggestion_settings import SuggestionSettings
from hkasean.seeds import master_seed


def vector_neighbours(processed: ProcessedCorpus, vocabulary: CandidateVocabulary, theme_ids: list[str],
                      settings: SuggestionSettings, random_state: int | None) -> tuple[dict[str, dict[int, float]], int]:
    """Theme -> {token index: cosine similarity to its nearest indicator} in Word2Vec vectors of the corpus,
    and the epochs trained.

    Trained on at most ``max_vector_units`` units (``ProcessedCorpus.coherence_texts``: an evenly
    spaced sample), skip-gram, seeded by ``random_state``, one worker: the same corpus and seed give the same neighbours.
    """
    from gensim.models import Word2Vec

    texts = processed.coherence_texts(settings.max_vector_units)
    epochs = resolve_vector_epochs(settings.vector_epochs, sum(map(len, texts)))
    model = Word2Vec(texts, vector_size=settings.vector_size, window=settings.vector_window,
                     min_count=settings.vector_min_count, sg=1, epochs=epochs, seed=master_seed(random_state), workers=1)
    column = {token: i for i, token in enumerate(vocabulary.tokens)}
    neighbours: dict[str, dict[int, float]] = {}
    for theme in theme_ids:
        best: dict[int, float] = {}
        for seed in sorted(t for t in processed.theme_seed_tokens().get(theme, ()) if t in model.wv.key_to_index):
            for token, similarity in model.wv.most_similar(seed, topn=settings.n_candidates * 2):
                i = column.get(token)
                if (i is not None and similarity >= settings.min_similarity and vocabulary.has_letter[i]
                        and not vocabulary.own_indicators[theme][i]):
                    best[i] = max(best.get(i, -1.0), float(similarity))
        ranked = sorted(best, key=lambda i: (-best[i], vocabulary.tokens[i]))[: settings.n_candidates]
        neighbours[theme] = {i: best[i] for i in ranked}
    return neighbours, epochs
