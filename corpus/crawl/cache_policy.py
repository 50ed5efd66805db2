"""When the fetcher answers from its disk cache instead of the site, and what it puts there: valid,
final 200 pages (with their Content-Type); a 404 as known-missing; a valid page that is not final
(e.g. an index listing nothing) is kept aside as rejected; other failures are never cached. A cached
page the caller's parser rejects, or does not accept as final, is set aside and fetched again."""
from __future__ import annotations

import logging
from typing import Any, Callable

from hkasean.corpus.crawl.cache import PageCache
from hkasean.corpus.crawl.decoding import InvalidPage
from hkasean.corpus.crawl.fetch_result import FetchResult, Parser

LOG = logging.getLogger(__name__)

FinalCheck = Callable[[Any], bool]
"""Whether a parsed page may be cached as good (see ``Fetcher.fetch``)."""


class CachePolicy:
    """Reads and writes ``cache`` for the fetcher; ``cache_missing``: remember 404 answers."""

    def __init__(self, cache: PageCache, cache_missing: bool) -> None:
        self.cache = cache
        self.cache_missing = cache_missing

    def lookup(self, url: str, parse: Parser | None, is_final: FinalCheck | None,
               remember_missing: bool) -> FetchResult | None:
        """The cached answer for ``url``: its page, or (when ``remember_missing``) a known-missing 404;
        None when the site must be asked."""
        cached = self._cached_page(url, parse, is_final)
        if cached is not None:
            return cached
        if remember_missing and self.cache.is_known_missing(url):
            return FetchResult(url, 404, None, 0, error="HTTP 404 (known missing, cached)", from_cache=True, final_url=url)
        return None

    def keep(self, result: FetchResult, is_final: FinalCheck | None, remember_missing: bool) -> None:
        """Put what the site answered for ``result.url`` in the cache, as the module notes say."""
        url = result.url
        if result.ok and result.body is not None and (is_final is None or is_final(result.page)):
            self.cache.put(url, result.body, result.content_type)
        elif result.ok and result.body is not None:
            self.cache.reject(url, result.body, "valid but not final", result.content_type)
        elif result.status == 404 and remember_missing and self.cache_missing:
            self.cache.mark_missing(url)

    def _cached_page(self, url: str, parse: Parser | None, is_final: FinalCheck | None) -> FetchResult | None:
        """The cached page of ``url``, or None when there is none or ``parse`` rejects it or
        ``is_final`` does not accept it (then it is set aside, to be fetched again)."""
        body = self.cache.get(url)
        if body is None:
            return None
        content_type = self.cache.content_type(url)
        page = None
        if parse is not None:
            try:
                page = parse(body, content_type)
            except InvalidPage as exc:
                LOG.warning("cached %s is not a valid page (%s): set aside, fetching it again", url, exc)
                self.cache.set_aside(url, f"invalid page: {exc}")
                return None
            if is_final is not None and not is_final(page):
                self.cache.set_aside(url, "valid but not final")
                return None
        return FetchResult(url, 200, body, 0, from_cache=True, final_url=url, content_type=content_type, page=page)
