"""The info.gov.hk crawler in layers: parsing (``index_page``, ``release_page``: pure functions of
HTML bytes), downloading (``fetcher``, ``cache``: politeness, retries, robots, raw-bytes cache) and
scheduling (``crawler``: which days and releases, in what order, into the store)."""
