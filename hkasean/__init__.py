"""hkasean: Hong Kong government releases about ASEAN, their framing themes and the trade behind them.

The repository's folders are installed as sub-packages of this one namespace:
``hkasean.corpus`` (crawl, parse, store), ``hkasean.models`` (text processing, topic models,
coders), ``hkasean.analysis`` (validation, prevalence, trade, correlation, claims, report) and
``hkasean.scripts`` (the command line and the staged run).
"""
