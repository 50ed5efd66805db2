"""Settings of text processing (the ``text:`` config section), each with its allowed values."""
from __future__ import annotations

from dataclasses import dataclass, field

from hkasean.corpus.settings import check_settings
from hkasean.models.phrases import MAX_PASSES
from hkasean.models.limits import MAX_COUNT
from hkasean.models.stopwords import DEFAULT_DOMAIN_STOPWORDS

UNITS = ("document", "paragraph", "sentence")
NORMALIZERS = ("snowball", "wordnet", "none")


@dataclass
class TextSettings:
    """Tunable parameters of text processing (config keys = field names)."""

    unit: str = field(default="document", metadata={"help": "unit of analysis: 'document', 'paragraph' or 'sentence' (the title is a unit of its own; paragraph and sentence results are aggregated back to documents)", "choices": UNITS})
    normalizer: str = field(default="snowball", metadata={"help": "'snowball' stemming (offline, default), 'wordnet' lemmas (needs NLTK wordnet data) or 'none'", "choices": NORMALIZERS})
    keep_numbers: bool = field(default=False, metadata={"help": "keep tokens without letters (numbers, years, amounts)"})
    min_token_length: int = field(default=2, metadata={"help": "drop tokens shorter than this many characters", "at_least": 1, "at_most": 100})
    domain_stopwords: tuple[str, ...] = field(default=DEFAULT_DOMAIN_STOPWORDS, metadata={"help": "extra stopwords of government press releases (boilerplate, titles, the ASEAN selection term), removed besides the English list; multi-word entries are removed whole", "max_items": 10_000})
    drop_speaker_names: bool = field(default=True, metadata={"help": "remove the words of the documents' speaker names (who spoke is metadata, not framing, and names otherwise top the topics)"})
    learn_phrases: bool = field(default=True, metadata={"help": "join frequent collocations learned on the corpus (gensim Phrases, within clauses) into one token"})
    phrase_passes: int = field(default=2, metadata={"help": "Phrases passes: 2 joins names of 3-4 words whole (ho_chi_minh_city) instead of fragments", "at_least": 1, "at_most": MAX_PASSES})
    phrase_min_count: int = field(default=4, metadata={"help": "minimum count of a learned collocation", "at_least": 1, "at_most": MAX_COUNT})
    phrase_threshold: float = field(default=0.5, metadata={"help": "minimum NPMI score (-1..1) of a learned collocation", "at_least": -1, "at_most": 1})
    min_df: int = field(default=2, metadata={"help": "drop tokens found in fewer units than this (codebook indicators are always kept)", "at_least": 1, "at_most": MAX_COUNT})
    max_df: float = field(default=0.4, metadata={"help": "drop tokens found in more than this share of units (codebook indicators are always kept): in a corpus selected on one subject, words in over 40% of units describe the selection, not a framing that splits it", "above": 0, "at_most": 1})

    def validate(self) -> None:
        """Raise ``InputError`` naming the setting when a value is outside its allowed values (field metadata)."""
        check_settings(self, prefix="text.")
