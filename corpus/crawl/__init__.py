"""The info.gov.hk crawler in layers: parsing (``index_page``, ``release_page``: pure functions of
HTML bytes), downloading (``fetcher``, composing one module per policy: ``host_policy``,
``redirects``, ``robots``, ``rate_limit``, ``retry``, ``bounded_request``, ``cache_policy``; settings
in ``fetch_settings``; ``cache``: the raw-bytes cache) and scheduling (``crawler``: which days and
releases, in what order, into the store)."""
