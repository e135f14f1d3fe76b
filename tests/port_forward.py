"""Port forwards in front of test servers, as a container's port mappings are."""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Self

from .servers import QbittorrentServer


class PortForward:
    """A TCP port forward to a server, as a container's port mapping is one.

    The server sees requests for a port it does not listen on, which its Host-header
    validation refuses.
    """

    def __init__(self, server: QbittorrentServer) -> None:
        """Forward to ``server``; listen with ``async with``."""
        self.server = server
        self.port = 0
        self._listener: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    @property
    def url(self) -> str:
        """Return the URL that reaches the server through the forward."""
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Self:
        """Listen on a free port of 127.0.0.1."""
        self._listener = await asyncio.start_server(self._connect, "127.0.0.1", 0)
        self.port = self._listener.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop listening and close every forwarded connection."""
        assert self._listener is not None
        self._listener.close()
        for writer in self._writers:
            writer.close()
        await self._listener.wait_closed()

    async def _connect(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        up_reader, up_writer = await asyncio.open_connection(
            self.server.host, self.server.port
        )
        self._writers += [writer, up_writer]
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()
