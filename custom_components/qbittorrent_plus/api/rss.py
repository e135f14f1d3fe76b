"""The rss namespace: feeds, folders, articles and download rules."""

from __future__ import annotations

from functools import cached_property

from .namespace import Namespace
from .transport import Transport


class RSSAPIMixIn(Transport):
    """``rss/*`` endpoints as flat methods."""

    @cached_property
    def rss(self) -> RSSAPI:
        """Return the rss namespace."""
        return RSSAPI(self)


class RSSAPI(Namespace):
    """``client.rss``."""

    __slots__ = ()
