"""The transfer namespace: global speeds, limits and the session."""

from __future__ import annotations

from functools import cached_property

from .namespace import Namespace
from .transport import Transport


class TransferAPIMixIn(Transport):
    """``transfer/*`` endpoints as flat methods."""

    @cached_property
    def transfer(self) -> TransferAPI:
        """Return the transfer namespace."""
        return TransferAPI(self)


class TransferAPI(Namespace):
    """``client.transfer``."""

    __slots__ = ()
