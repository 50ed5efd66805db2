"""Topic coherence (c_npmi, c_v) of term lists on the processed texts: gensim's measures, counted with numpy.

The numbers are those of gensim's ``CoherenceModel`` (``processes=1``) on the same texts (a test
compares them): boolean sliding windows (10 words for c_npmi, 110 for c_v; a text shorter than
the window is one window), NPMI with gensim's epsilon, c_npmi = mean NPMI over the ordered pairs
of a topic's words, c_v = mean cosine between each word's NPMI vector and the topic's summed
vector. gensim slides each window one word at a time in Python, which is slow on a K grid's many
topic models (benchmarks/RESULTS.md, section 10); here each text's windows are a small word x window
matrix, counted with numpy. Like gensim's single-process
accumulator, a word that leaves a window is marked absent even when it occurs again inside it
(until it re-enters at the window's end): counts match gensim's exactly.

Only a topic's terms that are tokens of the processed corpus can be counted: a topic model's terms
all are, a coder's top terms often are not (word pairs, dictionary hits, topic features), so a
coder's coherence may rest on 2-5 of its 10 terms. ``scored_terms`` gives that number per topic
(``coherence_terms`` in ``topics.csv``).
"""
from __future__ import annotations

import numpy as np

from hkasean.models.limits import COHERENCE_MAX_UNITS
from hkasean.models.processed_corpus import ProcessedCorpus

COHERENCE_MEASURES = ("c_npmi", "c_v")
WINDOW_SIZES = {"c_npmi": 10, "c_v": 110}
"""gensim's default sliding-window sizes of the two measures."""
EPSILON = 1e-12
"""gensim's smoothing of co-occurrence probabilities (``direct_confirmation_measure.EPSILON``)."""


class WindowCounts:
    """Sliding-window counts of some words over some texts.

    ``occurrences[i]``: windows in which word ``i`` is present; ``co_occurrences[i, j]``: windows
    in which both are (the diagonal equals ``occurrences``); ``n_windows``: all windows of all
    texts (an empty text counts one, as in gensim).
    """

    def __init__(self, texts: list[np.ndarray], word_ids: list[int], vocabulary_size: int, window: int) -> None:
        """``texts``: each text's dictionary ids; ``word_ids``: the dictionary ids of the words counted (in this order)."""
        index = np.full(vocabulary_size, -1, dtype=np.int64)
        index[word_ids] = np.arange(len(word_ids))
        self.co_occurrences = np.zeros((len(word_ids), len(word_ids)))
        self.n_windows = 0
        for text in texts:
            n_windows = max(text.size - window + 1, 1)
            self.n_windows += n_windows
            ids = index[text]
            positions = np.flatnonzero(ids >= 0)
            if positions.size:
                self._add_text(ids, positions, n_windows, window)
        self.occurrences = np.diag(self.co_occurrences).copy()

    def _add_text(self, ids: np.ndarray, positions: np.ndarray, n_windows: int, window: int) -> None:
        """Add one text's windows: presence of each of its words per window, then window x word products."""
        words, column = np.unique(ids[positions], return_inverse=True)
        if n_windows == 1:
            present = np.ones((1, words.size))
        else:
            # gensim's state per word: set when the word enters a window (at the first window, or as its
            # last word), cleared when it leaves at the front; a leave comes before an entry in one step.
            event = np.zeros((n_windows, words.size), dtype=np.int8)
            leaves = positions + 1 < n_windows
            event[positions[leaves] + 1, column[leaves]] = 1
            event[np.maximum(positions - window + 1, 0), column] = 2
            last = np.where(event > 0, np.arange(n_windows)[:, None], -1)
            np.maximum.accumulate(last, axis=0, out=last)
            present = ((last >= 0) & (np.take_along_axis(event, np.maximum(last, 0), axis=0) == 2)).astype(float)
        self.co_occurrences[np.ix_(words, words)] += present.T @ present


def npmi_matrix(counts: WindowCounts, ids: list[int]) -> np.ndarray:
    """NPMI of every ordered pair of the words ``ids`` (gensim's ``log_ratio_measure(normalize=True)``)."""
    n = float(counts.n_windows)
    probability = counts.occurrences[ids] / n
    joint = counts.co_occurrences[np.ix_(ids, ids)] / n
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log((joint + EPSILON) / (probability[:, None] * probability[None, :]))
        return log_ratio / -np.log(joint + EPSILON)


def _c_npmi(npmi: np.ndarray) -> float:
    return float(np.mean(npmi[~np.eye(len(npmi), dtype=bool)]))


def _c_v(npmi: np.ndarray) -> float:
    topic_vector = np.zeros(len(npmi))
    for row in npmi:
        topic_vector += row
    with np.errstate(divide="ignore", invalid="ignore"):
        cosines = npmi @ topic_vector / (np.sqrt((npmi ** 2).sum(axis=1)) * np.sqrt((topic_vector ** 2).sum()))
    return float(np.mean(cosines))


def topic_coherence(topics: list[list[str]], processed: ProcessedCorpus, measure: str = "c_npmi",
                    max_units: int = COHERENCE_MAX_UNITS) -> np.ndarray:
    """Coherence of each topic (a list of tokens, best first), shape (n_topics,).

    ``c_npmi`` lies in [-1, 1] (0 = words co-occur as by chance); ``c_v`` in [0, 1]. Both count
    boolean sliding windows over the processed unit texts (module docstring). On a large corpus
    the counts come from an evenly spaced sample of ``max_units`` units (``ProcessedCorpus.coherence_texts``):
    cost is bounded, the estimate stable, and every model is scored on the same sample. Tokens
    missing from the corpus are skipped; a topic left with fewer than two tokens gets NaN
    (``scored_terms`` says how many of each topic's tokens a score rests on).
    """
    if measure not in COHERENCE_MEASURES:
        raise ValueError(f"unknown coherence measure {measure!r}; expected one of {', '.join(COHERENCE_MEASURES)}")
    vocabulary = processed.dictionary().token2id
    known = _known(topics, vocabulary)
    scores = np.full(len(topics), np.nan)
    scorable = [i for i, topic in enumerate(known) if len(topic) >= 2]
    if not scorable:
        return scores
    words = list(dict.fromkeys(t for i in scorable for t in known[i]))
    counts = WindowCounts(processed.coherence_ids(max_units), [vocabulary[t] for t in words], len(vocabulary), WINDOW_SIZES[measure])
    position = {word: i for i, word in enumerate(words)}
    score = _c_npmi if measure == "c_npmi" else _c_v
    for i in scorable:
        scores[i] = score(npmi_matrix(counts, [position[t] for t in known[i]]))
    return scores


def scored_terms(topics: list[list[str]], processed: ProcessedCorpus) -> np.ndarray:
    """How many tokens of each topic ``topic_coherence`` scores, shape (n_topics,), ints: those that are tokens of
    the processed corpus (a coder's word pairs, dictionary and topic features are not), 0 when fewer than two are
    (its coherence is NaN)."""
    counts = np.array([len(topic) for topic in _known(topics, processed.dictionary().token2id)], dtype=int)
    return np.where(counts >= 2, counts, 0)


def _known(topics: list[list[str]], vocabulary: dict[str, int]) -> list[list[str]]:
    """Each topic's tokens that are in the corpus's ``vocabulary``, in order (the ones coherence can count)."""
    return [[t for t in topic if t in vocabulary] for topic in topics]
