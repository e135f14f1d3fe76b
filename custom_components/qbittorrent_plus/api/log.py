"""The log namespace: the main log and the peer log.

Entries are ``Dictionary`` objects (plain dicts with ``simple_responses``):
main log ``{id, message, timestamp, type}`` with type 1 normal, 2 info, 4 warning,
8 critical; peer log ``{id, ip, timestamp, blocked, reason}``. ``timestamp`` is in
seconds since the epoch from qBittorrent 4.5 on (4.5.2 and 5.x both send seconds);
servers before 4.5 sent milliseconds, and the client passes the number on as sent.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, cast

from .models import Dictionary
from .namespace import Delegate, Namespace
from .transport import Transport


class LogAPIMixIn(Transport):
    """``log/*`` endpoints as flat methods."""

    @cached_property
    def log(self) -> LogAPI:
        """Return the log namespace."""
        return LogAPI(self)

    async def log_main(
        self,
        /,
        normal: bool | None = None,
        info: bool | None = None,
        warning: bool | None = None,
        critical: bool | None = None,
        last_known_id: int | None = None,
        **kwargs: Any,
    ) -> list[Dictionary]:
        """Return entries of the main log, oldest first.

        Args:
            normal: False leaves out normal messages (the server includes every
                kind it is not told to leave out).
            info: False leaves out informational messages.
            warning: False leaves out warnings.
            critical: False leaves out critical messages.
            last_known_id: Only entries with a greater ``id``; for polling.
            **kwargs: More API parameters, ``headers``, ``simple_responses``.
        """
        params = {
            "normal": normal,
            "info": info,
            "warning": warning,
            "critical": critical,
            "last_known_id": last_known_id,
            **kwargs,
        }
        entries: list[Dictionary] = await self._json("log/main", params)
        return entries

    async def log_peers(
        self, /, last_known_id: int | None = None, **kwargs: Any
    ) -> list[Dictionary]:
        """Return entries of the peer log (blocked and banned peers), oldest first.

        Args:
            last_known_id: Only entries with a greater ``id``; for polling.
            **kwargs: More API parameters, ``headers``, ``simple_responses``.
        """
        params = {"last_known_id": last_known_id, **kwargs}
        entries: list[Dictionary] = await self._json("log/peers", params)
        return entries


class MainLog:
    """``client.log.main``: the main log, callable, with a shortcut per severity.

    ``await client.log.main()`` is ``client.log_main()``; ``client.log.main.warning()``
    returns warnings and critical messages, ``.critical()`` only critical ones,
    ``.normal()`` everything but informational messages, ``.info()`` everything.
    """

    __slots__ = ("_client",)

    def __init__(self, client: LogAPIMixIn) -> None:
        """Bind the main log to a client."""
        self._client = client

    async def __call__(
        self,
        normal: bool | None = None,
        info: bool | None = None,
        warning: bool | None = None,
        critical: bool | None = None,
        last_known_id: int | None = None,
        **kwargs: Any,
    ) -> list[Dictionary]:
        """Return entries of the main log, as ``client.log_main``."""
        return await self._client.log_main(
            normal, info, warning, critical, last_known_id, **kwargs
        )

    async def info(
        self, last_known_id: int | None = None, **kwargs: Any
    ) -> list[Dictionary]:
        """Return every entry: informational messages and above."""
        return await self._client.log_main(
            True, True, True, True, last_known_id, **kwargs
        )

    async def normal(
        self, last_known_id: int | None = None, **kwargs: Any
    ) -> list[Dictionary]:
        """Return normal messages, warnings and critical messages."""
        return await self._client.log_main(
            True, False, True, True, last_known_id, **kwargs
        )

    async def warning(
        self, last_known_id: int | None = None, **kwargs: Any
    ) -> list[Dictionary]:
        """Return warnings and critical messages."""
        return await self._client.log_main(
            False, False, True, True, last_known_id, **kwargs
        )

    async def critical(
        self, last_known_id: int | None = None, **kwargs: Any
    ) -> list[Dictionary]:
        """Return critical messages only."""
        return await self._client.log_main(
            False, False, False, True, last_known_id, **kwargs
        )


class LogAPI(Namespace):
    """``client.log``."""

    __slots__ = ()

    peers = Delegate(LogAPIMixIn.log_peers)

    @property
    def main(self) -> MainLog:
        """Return the main log: call it, or use a per-severity shortcut."""
        return MainLog(cast("LogAPIMixIn", self._client))
