"""The log namespace: the main log and the peer log."""

from __future__ import annotations

from functools import cached_property

from .namespace import Namespace
from .transport import Transport


class LogAPIMixIn(Transport):
    """``log/*`` endpoints as flat methods."""

    @cached_property
    def log(self) -> LogAPI:
        """Return the log namespace."""
        return LogAPI(self)


class LogAPI(Namespace):
    """``client.log``."""

    __slots__ = ()
