"""The search namespace: searches with the server's plugins."""

from __future__ import annotations

from functools import cached_property

from .namespace import Namespace
from .transport import Transport


class SearchAPIMixIn(Transport):
    """``search/*`` endpoints as flat methods."""

    @cached_property
    def search(self) -> SearchAPI:
        """Return the search namespace."""
        return SearchAPI(self)


class SearchAPI(Namespace):
    """``client.search``."""

    __slots__ = ()
