"""Corpus acquisition and storage: documents, JSONL exchange files, the SQLite store, the crawler.

Data flows one way: ``corpus`` -> ``models`` -> ``analysis``. Nothing here imports the other two.
"""
from corpus.document import DOC_TYPES, Document
from corpus.errors import InputError

__all__ = ["DOC_TYPES", "Document", "InputError"]
