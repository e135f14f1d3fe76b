"""The torrentcreator namespace: making .torrent files on the server."""

from __future__ import annotations

from functools import cached_property

from .namespace import Namespace
from .transport import Transport


class TorrentCreatorAPIMixIn(Transport):
    """``torrentcreator/*`` endpoints as flat methods."""

    @cached_property
    def torrentcreator(self) -> TorrentCreatorAPI:
        """Return the torrentcreator namespace."""
        return TorrentCreatorAPI(self)


class TorrentCreatorAPI(Namespace):
    """``client.torrentcreator``."""

    __slots__ = ()
