"""Corpus acquisition and storage: documents, JSONL exchange files, the SQLite store, the crawler.

Data flows one way: ``corpus`` -> ``models`` -> ``analysis``. Nothing here imports the other two.
"""
from hkasean.corpus.document import DOC_TYPES, Document
from hkasean.corpus.errors import InputError

__all__ = ["DOC_TYPES", "Document", "InputError"]
