"""The sync namespace: maindata and torrent peers, with deltas."""

from __future__ import annotations

from functools import cached_property

from .namespace import Namespace
from .transport import Transport


class SyncAPIMixIn(Transport):
    """``sync/*`` endpoints as flat methods."""

    @cached_property
    def sync(self) -> SyncAPI:
        """Return the sync namespace."""
        return SyncAPI(self)


class SyncAPI(Namespace):
    """``client.sync``."""

    __slots__ = ()
