"""Candidate indicator terms for the codebook, found in the corpus itself.

Two sources, both over the processed tokens and learned phrases of ``models.text``:

- ``log_odds``: terms that distinguish the coded documents carrying a theme from the other coded
  documents: the weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &
  Quinn 2008, "Fightin' Words", eq. 16-22) and its z-score. Counts are document frequencies (a
  document contributes a term once, so one long release repeating a word is not evidence from
  many); the prior adds ``prior_weight`` (default 0.1) times the coded documents' term counts,
  spread over the vocabulary in proportion to each term's document frequency in the whole corpus,
  coded or not (no label enters the prior): rare terms are shrunk towards "no difference".
  score = z = delta / sqrt(var), delta = log-odds in the theme's documents minus log-odds in the others;
  z >= 1.645 is one-sided 5%.
- ``word_vectors``: near neighbours of the theme's current indicator tokens in Word2Vec vectors
  (gensim, skip-gram, seeded, one worker, so the same corpus gives the same vectors) trained on
  the corpus. score = cosine similarity (-1..1) to the nearest indicator. Only when the corpus
  holds at least ``min_vector_tokens`` processed tokens: below that the vectors are noise, the
  source is skipped, a message is logged and ``sources`` says so.

Candidates are surface forms a human can paste into the codebook: a learned phrase as its words
(``free trade agreement``), a stemmed word as the original word (in the coded documents) whose
indicator pattern covers most of the stem's occurrences (``consolid`` -> ``consolidate``, which
indicator matching extends to ``consolidating``). ``in_definition`` marks a candidate whose words
the theme's own label, definition or include notes use: a hint of what a reader of the codebook
would accept, never a filter. ``proper_noun`` marks a name (a place, person, organisation,
nationality, programme: ``Hanoi``, ``Malaysian``, ``Trade Development Council``): a term whose
content words all start with a capital in most of its occurrences in the coded documents'
paragraphs, not counting occurrences that open a sentence or clause (titles are left out: they
are capitalised throughout). A name tends to accompany a theme in the coded documents (the city a
mission visited) without expressing it; the flag lets ``analysis.indicator_evidence`` show such a
term but not recommend it.

Everything is fitted once on all coded documents (``fold = -1``: the candidates a user reads)
and once per cross-validation fold on the other folds only, so that ``analysis.indicator_evidence``
can judge each candidate on documents its discovery never saw. The coded documents containing
each candidate are found in their raw title + text with the dictionary coder's own matching
(``models.indicators.find_indicators``), so the counts say what adding the term would do. This
module never scores anything against the labels it is given.
"""
from __future__ import annotations

import functools
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Literal

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.model_selection import KFold, StratifiedKFold

from hkasean import contract
from hkasean.constants import ALL_CODED_FOLD
from hkasean.corpus.sentences import split_sentences
from hkasean.corpus.document import Document
from hkasean.corpus.errors import InputError
from hkasean.models.codebook import Codebook, Theme
from hkasean.models.indicators import find_indicators, indicator_pattern
from hkasean.models.phrases import PHRASE_DELIMITER
from hkasean.models.scaling import resolve_vector_epochs
from hkasean.models.stopwords import english_stopwords
from hkasean.models.text import ProcessedCorpus, make_normalizer, tokenize
from hkasean.seeds import master_seed

logger = logging.getLogger(__name__)

LOG_ODDS = "log_odds"
WORD_VECTORS = "word_vectors"
CANDIDATE_COLUMNS = ["fold", "theme", "token", "term", "source", "score", "train_with", "train_without", "in_definition",
                     "proper_noun"]
_FOUND_COLUMNS = [c for c in CANDIDATE_COLUMNS if c not in ("term", "proper_noun")]
"""The columns of the rows ``_candidate_rows`` finds (the surface form and the name flag come later)."""
_MAX_EXAMPLE = 300
_SENTENCE_OPENERS = " \t\n\"'([\u201c\u2018"
"""What may stand between the end of a sentence or clause and its first word."""
_CLAUSE_ENDS = ".!?:;\u2022-\u2013\u2014"
"""Characters after which a word is capitalised whatever it is (sentence ends, colons, bullets, dashes)."""
_LOOK_BACK = 20
"""Characters before an occurrence searched for the end of the previous sentence."""
_PHRASE_WORD = re.compile(r"[\s,\-]+")
"""What separates the words of a matched phrase (as in ``models.indicators``)."""


@dataclass
class SuggestionSettings:
    """Tunable parameters of the candidate search (defaults suit a few hundred to a few thousand coded documents)."""

    n_folds: int = field(default=5, metadata={"help": "cross-validation folds over the coded documents (candidates are found on the others)", "at_least": 2, "at_most": 100})
    n_candidates: int = field(default=15, metadata={"help": "candidates kept per theme, source and fold", "at_least": 1, "at_most": 1000})
    min_z: float = field(default=1.645, metadata={"help": "log_odds: minimum z-score (one-sided 5%)", "at_least": 0, "at_most": 100})
    min_theme_docs: int = field(default=2, metadata={"help": "log_odds: minimum coded documents with the theme that contain the term", "at_least": 1, "at_most": 1_000_000})
    prior_weight: float = field(default=0.1, metadata={"help": "log_odds: weight of the informative Dirichlet prior, as a share of the coded documents' term counts", "above": 0, "at_most": 1000})
    min_vector_tokens: int = field(default=200_000, metadata={"help": "word_vectors: minimum processed tokens in the corpus; below it the source is skipped", "at_least": 0, "at_most": 10**12})
    max_vector_units: int = field(default=20_000, metadata={"help": "word_vectors: train on at most this many units (evenly spaced over a larger corpus)", "at_least": 1, "at_most": 10_000_000})
    vector_size: int = field(default=100, metadata={"help": "word_vectors: dimensions", "at_least": 1, "at_most": 1000})
    vector_window: int = field(default=5, metadata={"help": "word_vectors: context window", "at_least": 1, "at_most": 100})
    vector_min_count: int = field(default=5, metadata={"help": "word_vectors: minimum occurrences of a token", "at_least": 1, "at_most": 1_000_000})
    vector_epochs: Literal["auto"] | int = field(default="auto", metadata={"help": "word_vectors: training epochs; auto by the training sample's size: about 5 million token updates, clamp(ceil(5e6 / tokens), 2, 10)", "choices": ("auto",), "at_least": 1, "at_most": 1000})
    min_similarity: float = field(default=0.5, metadata={"help": "word_vectors: minimum cosine similarity to an indicator", "at_least": -1, "at_most": 1})
    n_examples: int = field(default=2, metadata={"help": "example sentences per candidate", "at_least": 0, "at_most": 100})


@dataclass
class IndicatorCandidates:
    """What the candidate search found; plain tables that ``analysis.indicator_evidence`` judges.

    ``candidates``: DataFrame[fold, theme, token, term, source, score, train_with, train_without,
    in_definition, proper_noun]: per fold (``-1``: all coded documents) the terms found on its
    training documents, with how many training documents with / without the theme contain the
    token, whether the theme's label, definition or include notes use every content word of the
    term, and whether the term is a name (module docstring).
    ``folds``: DataFrame[theme, doc_id, fold] of the coded documents (stratified per theme). ``matches``: DataFrame[theme, term,
    doc_id]: coded documents whose raw title + text contains the term (dictionary-coder matching).
    ``caught``: index doc_id (coded), columns theme ids, 1 where a current indicator of the theme
    occurs. ``examples``: DataFrame[theme, term, example], ``doc_id: sentence`` joined by `` | ``,
    documents with the theme first. ``sources``: DataFrame[source, status, n_tokens, min_tokens,
    n_candidates, note], one row per source (``status``: used or skipped).
    """

    candidates: pd.DataFrame
    folds: pd.DataFrame
    matches: pd.DataFrame
    caught: pd.DataFrame
    examples: pd.DataFrame
    sources: pd.DataFrame


def document_presence(processed: ProcessedCorpus) -> sparse.csr_matrix:
    """n_docs x n_dictionary 0/1 matrix (int32): does the document (any of its units) contain the token.

    Rows follow ``processed.doc_ids``, columns ``processed.dictionary()`` ids; built from the
    corpus's cached unit counts with one sparse product.
    """
    row_of = {doc_id: i for i, doc_id in enumerate(processed.doc_ids)}
    rows = np.fromiter((row_of[d] for d in processed.unit_doc_ids), dtype=np.int64, count=len(processed.unit_doc_ids))
    units_to_docs = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, np.arange(len(rows)))),
                                      shape=(len(processed.doc_ids), len(rows)))
    presence = (units_to_docs @ processed.bow_matrix()).tocsr()
    presence.data = np.ones_like(presence.data)
    return presence


def theme_folds(labels: pd.DataFrame, n_folds: int, random_state: int | None) -> pd.DataFrame:
    """Seeded folds of the coded documents, per theme: DataFrame[theme, doc_id, fold].

    ``labels``: index doc_id, one 0/1 column per theme. Stratified on the theme (``StratifiedKFold``)
    when both classes hold at least ``n_folds`` documents, plain shuffled folds otherwise.
    """
    if len(labels) < n_folds:
        raise InputError(f"{len(labels)} coded document(s) cannot be split into {n_folds} folds", where="indicator suggestions")
    ordered = labels.sort_index()
    frames = []
    for theme in ordered.columns:
        y = ordered[theme].to_numpy().astype(int)
        stratify = min(int(y.sum()), int(len(y) - y.sum())) >= n_folds
        splitter = (StratifiedKFold if stratify else KFold)(n_splits=n_folds, shuffle=True, random_state=master_seed(random_state))
        fold = np.empty(len(y), dtype=int)
        for number, (_, test) in enumerate(splitter.split(np.zeros(len(y)), y)):
            fold[test] = number
        frames.append(pd.DataFrame({"theme": theme, "doc_id": ordered.index, "fold": fold}))
    return pd.concat(frames, ignore_index=True)


def weighted_log_odds(with_theme: np.ndarray, without_theme: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """z-scores of the weighted log-odds ratio with an informative Dirichlet prior (Monroe et al. 2008).

    ``with_theme``, ``without_theme``: counts per term in the two groups; ``prior``: the Dirichlet
    pseudo-counts alpha_w per term (all > 0). Positive z: more typical of the first group.
    """
    alpha0 = prior.sum()
    n_with, n_without = with_theme.sum(), without_theme.sum()
    log_odds_with = np.log(with_theme + prior) - np.log(n_with + alpha0 - with_theme - prior)
    log_odds_without = np.log(without_theme + prior) - np.log(n_without + alpha0 - without_theme - prior)
    variance = 1.0 / (with_theme + prior) + 1.0 / (without_theme + prior)
    return (log_odds_with - log_odds_without) / np.sqrt(variance)


def candidate_term(processed: ProcessedCorpus, token: str) -> str:
    """The surface form of a token that can stand in a codebook: a phrase's words, a stem's most frequent word."""
    if PHRASE_DELIMITER in token:
        return token.replace(PHRASE_DELIMITER, " ")
    return processed.surface(token)


@dataclass
class _Vocabulary:
    """The processed tokens and, per theme, which may be its candidates and which its definition uses."""

    tokens: np.ndarray
    has_letter: np.ndarray
    own_indicators: dict[str, np.ndarray]
    in_definition: dict[str, np.ndarray]

    @classmethod
    def of(cls, processed: ProcessedCorpus, codebook: Codebook) -> "_Vocabulary":
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


def _top(score: np.ndarray, eligible: np.ndarray, tokens: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` eligible terms with the highest score (ties: token order, for determinism)."""
    index = np.flatnonzero(eligible)
    return index[np.lexsort((tokens[index].astype(str), -score[index]))][:n]


def _vector_neighbours(processed: ProcessedCorpus, vocabulary: _Vocabulary, theme_ids: list[str],
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


def _candidate_rows(presence: sparse.csr_matrix, coded_rows: np.ndarray, labels: pd.DataFrame, folds: pd.DataFrame,
                    vocabulary: _Vocabulary, neighbours: dict[str, dict[int, float]],
                    settings: SuggestionSettings) -> list[tuple]:
    """Per theme and fold (all coded documents, then each fold's training documents): the log-odds
    candidates and the word-vector neighbours, each with its training document counts.
    ``coded_rows``: the rows of ``presence`` of ``labels``' documents, in their order."""
    coded = presence[coded_rows]
    frequency = np.asarray(presence.sum(axis=0)).ravel().astype(float) + 1e-9
    prior = settings.prior_weight * coded.sum() * frequency / frequency.sum()
    rows = []
    for theme in labels.columns:
        positive = labels[theme].to_numpy().astype(bool)
        fold_of = folds[folds["theme"] == theme].set_index("doc_id")["fold"].reindex(labels.index).to_numpy()
        for fold in [ALL_CODED_FOLD, *range(settings.n_folds)]:
            train = fold_of != fold
            with_theme = np.asarray(coded[train & positive].sum(axis=0)).ravel().astype(float)
            without_theme = np.asarray(coded[train & ~positive].sum(axis=0)).ravel().astype(float)
            if not with_theme.any():
                continue
            z = weighted_log_odds(with_theme, without_theme, prior)
            eligible = ((with_theme >= settings.min_theme_docs) & (z >= settings.min_z)
                        & vocabulary.has_letter & ~vocabulary.own_indicators[theme])
            found = [(i, LOG_ODDS, float(z[i])) for i in _top(z, eligible, vocabulary.tokens, settings.n_candidates)]
            found += [(i, WORD_VECTORS, similarity) for i, similarity in neighbours.get(theme, {}).items()]
            rows += [(fold, theme, vocabulary.tokens[i], source, score, int(with_theme[i]), int(without_theme[i]),
                      bool(vocabulary.in_definition[theme][i])) for i, source, score in found]
    return rows


def _readable_forms(documents: Iterable[Document], stems: set[str], normalize: Callable[[str], str]) -> dict[str, str]:
    """Stem -> the original word to paste into a codebook: of the stem's words in ``documents``, the one whose
    indicator pattern matches most of their occurrences (``consolid`` -> ``consolidate``, which also
    matches ``consolidating``), then the shortest (``expand`` over ``expands``), the most frequent,
    the first alphabetically."""
    forms: dict[str, Counter] = defaultdict(Counter)
    normal: dict[str, str] = {}
    for document in documents:
        for word in tokenize(document.title + "\n\n" + document.text):
            if word not in normal:
                normal[word] = normalize(word)
            if normal[word] in stems:
                forms[normal[word]][word] += 1
    readable = {}
    for stem, counts in forms.items():
        def coverage(form: str) -> tuple[int, int, int, str]:
            pattern = indicator_pattern(form)
            return (-sum(n for word, n in counts.items() if pattern.fullmatch(word)), len(form), -counts[form], form)
        readable[stem] = min(counts, key=coverage)
    return readable


def _sentences(document: Document) -> list[str]:
    """The title, then the sentences of each paragraph."""
    return [document.title] + [s.strip() for p in document.paragraphs for s in split_sentences(p) if s.strip()]


def _example(sentence: str, term: str) -> str:
    """The sentence, cut to about ``_MAX_EXAMPLE`` characters around the term's first occurrence."""
    if len(sentence) <= _MAX_EXAMPLE:
        return sentence
    found = indicator_pattern(term).search(sentence)
    start = max(0, (found.start() if found else 0) - _MAX_EXAMPLE // 2)
    return ("..." if start else "") + sentence[start:start + _MAX_EXAMPLE] + "..."


def _match_documents(documents: list[Document], labels: pd.DataFrame, terms: dict[str, list[str]],
                     reported: set[tuple[str, str]], n_examples: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Which coded documents contain each candidate term (dictionary-coder matching), and example
    sentences of the reported terms (documents with the theme first)."""
    codebook = Codebook(themes=tuple(Theme(id=theme, label=theme, definition="", indicators=tuple(found))
                                     for theme, found in terms.items() if found))
    matches = []
    examples: dict[tuple[str, str, bool], list[str]] = defaultdict(list)
    with_theme = {theme: set(labels.index[labels[theme].astype(bool)]) for theme in labels.columns}
    for document in documents:
        sentences = None
        for hit in find_indicators(document.title + "\n\n" + document.text, codebook):
            matches.append((hit.theme, hit.indicator, document.id))
            key = (hit.theme, hit.indicator, document.id in with_theme[hit.theme])
            if (hit.theme, hit.indicator) in reported and len(examples[key]) < n_examples:
                sentences = sentences if sentences is not None else _sentences(document)
                pattern = indicator_pattern(hit.indicator)
                sentence = next((s for s in sentences if pattern.search(s)), None)
                if sentence is not None:
                    examples[key].append(f"{document.id}: {_example(sentence, hit.indicator)}")
    example_rows = [
        (theme, term, " | ".join((examples[theme, term, True] + examples[theme, term, False])[:n_examples]))
        for theme, term in sorted(reported)
    ]
    return (pd.DataFrame(matches, columns=["theme", "term", "doc_id"]),
            pd.DataFrame(example_rows, columns=["theme", "term", "example"]))


def _opens_sentence(paragraph: str, start: int) -> bool:
    """Whether the word at ``start`` opens the paragraph, a sentence or a clause (a capital there says nothing)."""
    before = paragraph[max(0, start - _LOOK_BACK):start].rstrip(_SENTENCE_OPENERS)
    return not before or before[-1] in _CLAUSE_ENDS


def _capitalised(phrase: str) -> bool:
    """Whether every content word of ``phrase`` (as written) starts with a capital: ``Middle East``,
    ``Trade and Industry Department``, ``AHKFTA``; not ``good stories`` nor ``Hong Kong-origin``."""
    words = [w for w in _PHRASE_WORD.split(phrase) if w[:1].isalpha() and w.lower() not in english_stopwords()]
    return bool(words) and all(w[0].isupper() for w in words)


NAME_SAMPLE_DOCS = 200
"""Documents (the first, in id order) whose occurrences of a term decide whether it is written as a name."""


def proper_nouns(documents: list[Document], matches: pd.DataFrame) -> set[str]:
    """The terms written as names: capitalised (``_capitalised``) in more than half of their occurrences
    in the paragraphs of the documents ``matches`` (DataFrame[theme, term, doc_id]) finds them in (at most
    ``NAME_SAMPLE_DOCS`` of them), leaving out occurrences that open a sentence or clause; a term with no
    such occurrence is no name."""
    by_id = {document.id: document for document in documents}
    paragraphs = functools.lru_cache(maxsize=None)(lambda doc_id: by_id[doc_id].paragraphs)
    names = set()
    for term, doc_ids in matches.groupby("term", sort=True)["doc_id"]:
        pattern = indicator_pattern(term)
        capitals = [_capitalised(found.group()) for doc_id in sorted(set(doc_ids))[:NAME_SAMPLE_DOCS]
                    for paragraph in paragraphs(doc_id) for found in pattern.finditer(paragraph)
                    if not _opens_sentence(paragraph, found.start())]
        if 2 * sum(capitals) > len(capitals):
            names.add(term)
    return names


def _caught(processed: ProcessedCorpus, labels: pd.DataFrame) -> pd.DataFrame:
    """Coded documents x themes: 1 where at least one current indicator of the theme occurs."""
    caught = pd.DataFrame(0, index=labels.index, columns=labels.columns)
    for doc_id in labels.index:
        for theme, _, _ in processed.indicator_hits.get(doc_id, ()):
            if theme in caught.columns:
                caught.at[doc_id, theme] = 1
    return caught


def _check_labels(processed: ProcessedCorpus, labels: pd.DataFrame) -> None:
    unknown = [t for t in labels.columns if t not in processed.theme_ids]
    if unknown:
        raise InputError(f"label column(s) {', '.join(unknown)} are not theme ids of the processed corpus",
                         where="indicator suggestions")
    missing = sorted(set(labels.index) - set(processed.doc_ids))
    if missing:
        raise InputError(f"{len(missing)} labelled document(s) not in the processed corpus, e.g. {missing[0]}",
                         where="indicator suggestions")


def find_candidates(
    processed: ProcessedCorpus,
    documents: Iterable[Document],
    codebook: Codebook,
    labels: pd.DataFrame,
    settings: SuggestionSettings | None = None,
    random_state: int | None = None,
) -> IndicatorCandidates:
    """Candidate indicator terms per theme, on all coded documents and on each fold's training documents.

    ``processed``: the processed corpus of all documents (the uncoded ones shape the prior and the
    word vectors); ``documents``: the same documents, read once (the coded ones are kept for the
    raw-text matches and example sentences: their number is bounded by the manual coding);
    ``codebook``: the codebook ``processed`` was made with (its definitions mark ``in_definition``);
    ``labels``: index doc_id, one 0/1 column per theme id, e.g. ``Coding.standard()``.
    Deterministic for a given ``random_state`` (fold split, word vectors). See ``IndicatorCandidates``.
    """
    settings = settings or SuggestionSettings()
    _check_labels(processed, labels)
    labels = labels.sort_index()
    folds = theme_folds(labels, settings.n_folds, random_state)
    presence = document_presence(processed)
    vocabulary = _Vocabulary.of(processed, codebook)
    n_tokens = int(processed.bow_matrix().sum())
    sources = [(LOG_ODDS, "used", n_tokens, 0, f"{len(labels)} coded documents, {settings.n_folds} folds")]
    neighbours: dict[str, dict[int, float]] = {}
    if n_tokens >= settings.min_vector_tokens:
        neighbours, epochs = _vector_neighbours(processed, vocabulary, list(labels.columns), settings, random_state)
        sources.append((WORD_VECTORS, "used", n_tokens, settings.min_vector_tokens,
                         f"Word2Vec skip-gram, seeded, one worker, {epochs} epochs"))
    else:
        note = (f"skipped: the corpus has {n_tokens:,} processed tokens, fewer than the {settings.min_vector_tokens:,} "
                "word vectors need to place words reliably")
        logger.info("indicator suggestions: word vectors %s", note)
        sources.append((WORD_VECTORS, "skipped", n_tokens, settings.min_vector_tokens, note))

    row_of = {doc_id: i for i, doc_id in enumerate(processed.doc_ids)}
    coded_rows = np.array([row_of[d] for d in labels.index], dtype=np.int64)
    rows = _candidate_rows(presence, coded_rows, labels, folds, vocabulary, neighbours, settings)
    candidates = pd.DataFrame(rows, columns=_FOUND_COLUMNS)
    coded_documents = [d for d in documents if d.id in labels.index]
    stems = {t for t in candidates["token"] if PHRASE_DELIMITER not in t}
    readable = _readable_forms(coded_documents, stems, make_normalizer(processed.settings.normalizer))
    candidates.insert(3, "term", [readable.get(t) or candidate_term(processed, t) for t in candidates["token"]])
    candidates = candidates.drop_duplicates(["fold", "theme", "source", "term"]).reset_index(drop=True)

    reported = candidates[candidates["fold"] == ALL_CODED_FOLD]
    terms = {theme: sorted(set(candidates.loc[candidates["theme"] == theme, "term"])) for theme in labels.columns}
    matches, examples = _match_documents(coded_documents, labels, terms, set(zip(reported["theme"], reported["term"])),
                                         settings.n_examples)
    candidates["proper_noun"] = candidates["term"].isin(proper_nouns(coded_documents, matches))
    source_table = pd.DataFrame([(s, status, n, minimum, int((reported["source"] == s).sum()), note)
                                 for s, status, n, minimum, note in sources],
                                columns=contract.INDICATOR_SOURCES.column_list)
    return IndicatorCandidates(candidates=candidates, folds=folds, matches=matches, caught=_caught(processed, labels),
                               examples=examples, sources=source_table)
