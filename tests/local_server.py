"""The base of the small web servers tests run beside qBittorrent, on 127.0.0.1.

qBittorrent reaches them on the loopback interface (the 4.5.2 server's sandbox shares
it), so nothing a test serves needs a network.
"""

from __future__ import annotations

from typing import Any, Self

from aiohttp import web


class LocalServer:
    """An aiohttp application on a free port of 127.0.0.1; run it with ``async with``.

    A subclass adds its routes in ``_routes``, and extends ``_start`` and ``_stop`` for
    whatever else it holds.
    """

    def __init__(self, **runner_options: Any) -> None:
        """Prepare the server; ``runner_options`` go to aiohttp's ``AppRunner``."""
        self.port = 0
        self._runner_options = runner_options
        self._runner: web.AppRunner | None = None

    def _routes(self, router: web.UrlDispatcher) -> None:
        """Add the server's routes."""

    async def _start(self) -> None:
        """Listen on a free port."""
        app = web.Application()
        self._routes(app.router)
        self._runner = web.AppRunner(app, access_log=None, **self._runner_options)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def _stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        """Start the server."""
        await self._start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the server."""
        await self._stop()
