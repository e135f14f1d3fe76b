"""The torrents namespace: listing, adding and changing torrents."""

from __future__ import annotations

from functools import cached_property

from .namespace import Namespace
from .transport import Transport


class TorrentsAPIMixIn(Transport):
    """``torrents/*`` endpoints as flat methods."""

    @cached_property
    def torrents(self) -> TorrentsAPI:
        """Return the torrents namespace."""
        return TorrentsAPI(self)


class TorrentsAPI(Namespace):
    """``client.torrents``."""

    __slots__ = ()
