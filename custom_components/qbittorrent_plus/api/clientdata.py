"""The clientdata namespace: key-value data the server keeps for clients."""

from __future__ import annotations

from functools import cached_property

from .namespace import Namespace
from .transport import Transport


class ClientDataAPIMixIn(Transport):
    """``clientdata/*`` endpoints as flat methods."""

    @cached_property
    def clientdata(self) -> ClientDataAPI:
        """Return the clientdata namespace."""
        return ClientDataAPI(self)


class ClientDataAPI(Namespace):
    """``client.clientdata``."""

    __slots__ = ()
