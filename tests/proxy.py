"""A reverse proxy in front of a real server, for what a real server cannot be made to do.

The proxy listens on 127.0.0.1, optionally under a path prefix such as ``/qbt/`` (which
it strips, as a reverse proxy for the WebUI must), forwards every request to the real
server, and records each request's method, API path, query and headers. Faults are set
per API path (``app/version``) and answer instead of the server: an error status,
a body of choice, a truncated or rewritten body, a connection that breaks off midway,
is closed unanswered or is reset, or no answer at all until the proxy closes.

    async with Proxy(server.url) as proxy:
        proxy.answer("app/version", status=500)
        client = Client(proxy.url, ...)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import socket
import struct

import aiohttp
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from .local_server import LocalServer

# Headers that belong to one hop, and those the proxy recomputes.
_NOT_FORWARDED = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "content-encoding",
    }
)

type Fault = Callable[[web.Request, "Recorded"], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Recorded:
    """One request as the proxy received it."""

    method: str
    path: str
    """The API path after ``api/v2/``, such as ``app/version``; the whole path else."""
    query: str
    headers: CIMultiDictProxy[str]
    body: bytes


@dataclass
class _Rule:
    fault: Fault
    times: int | None


class Proxy(LocalServer):
    """A fault-injecting reverse proxy; use it with ``async with``."""

    def __init__(self, upstream: str, *, prefix: str = "/") -> None:
        """Forward to ``upstream`` (a WebUI base URL), serving under ``prefix``."""
        # Handlers end when their client goes away, as a hanging one must.
        super().__init__(shutdown_timeout=0.1, handler_cancellation=True)
        self.upstream = URL(upstream.rstrip("/") + "/")
        self.prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        self.requests: list[Recorded] = []
        self._rules: dict[str, _Rule] = {}
        self._client: aiohttp.ClientSession | None = None
        self._hanging: list[web.Request] = []

    @property
    def url(self) -> str:
        """Return the URL a client uses to reach the server through the proxy."""
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    def _routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/{tail:.*}", self._handle)

    async def _start(self) -> None:
        # Cookies pass through as headers; the proxy keeps none of its own. Idle
        # connections go before qBittorrent closes them (after about 7.5 s).
        self._client = aiohttp.ClientSession(
            cookie_jar=aiohttp.DummyCookieJar(),
            connector=aiohttp.TCPConnector(keepalive_timeout=5),
        )
        await super()._start()

    async def _stop(self) -> None:
        """Stop listening; requests left hanging are dropped."""
        for request in self._hanging:
            if request.transport is not None:
                request.transport.abort()
        await super()._stop()
        if self._client is not None:
            await self._client.close()

    # Faults -------------------------------------------------------------------

    def answer(
        self,
        path: str,
        *,
        status: int = 200,
        body: bytes = b"",
        content_type: str = "text/plain",
        times: int | None = None,
    ) -> None:
        """Answer requests for ``path`` without asking the server."""

        async def fault(request: web.Request, recorded: Recorded) -> web.Response:
            return web.Response(status=status, body=body, content_type=content_type)

        self._add(path, fault, times)

    def rewrite(
        self,
        path: str,
        change: Callable[[bytes], bytes],
        *,
        times: int | None = None,
    ) -> None:
        """Forward requests for ``path`` and change the server's answer's body."""

        async def fault(request: web.Request, recorded: Recorded) -> web.Response:
            status, headers, body = await self._forward(request, recorded)
            return web.Response(status=status, headers=headers, body=change(body))

        self._add(path, fault, times)

    def before_answering(
        self,
        path: str,
        action: Callable[[], Awaitable[None]],
        *,
        times: int | None = None,
    ) -> None:
        """Forward, and run ``action`` once the server has answered, before the client.

        The server has handled the request; the client still waits for the answer.
        """

        async def fault(request: web.Request, recorded: Recorded) -> web.Response:
            status, headers, body = await self._forward(request, recorded)
            await action()
            return web.Response(status=status, headers=headers, body=body)

        self._add(path, fault, times)

    def truncate(self, path: str, *, times: int | None = None) -> None:
        """Forward, and answer with the first half of the server's body only."""
        self.rewrite(path, lambda body: body[: len(body) // 2], times=times)

    def break_off(self, path: str, *, times: int | None = None) -> None:
        """Forward, announce the whole body, send half of it, and close."""

        async def fault(request: web.Request, recorded: Recorded) -> web.Response:
            status, headers, body = await self._forward(request, recorded)
            head = [f"HTTP/1.1 {status} OK"]
            head += [
                f"{name}: {value}"
                for name, value in headers.items()
                if name.lower() == "content-type"
            ]
            head += [f"Content-Length: {len(body)}", "", ""]
            transport = request.transport
            assert transport is not None
            transport.write("\r\n".join(head).encode() + body[: len(body) // 2])
            transport.close()
            return web.Response()

        self._add(path, fault, times)

    def close(self, path: str, *, times: int | None = None) -> None:
        """Close the connection without answering and unforwarded.

        So does qBittorrent with a kept-alive connection idle for about 7 s: a
        request sent on it just then is never read.
        """

        async def fault(request: web.Request, recorded: Recorded) -> web.Response:
            transport = request.transport
            assert transport is not None
            transport.close()
            return web.Response()

        self._add(path, fault, times)

    def reset(self, path: str, *, times: int | None = None) -> None:
        """Reset the connection (TCP RST) instead of answering."""

        async def fault(request: web.Request, recorded: Recorded) -> web.Response:
            transport = request.transport
            assert transport is not None
            sock: socket.socket = transport.get_extra_info("socket")
            # Linger 0: closing sends a RST rather than a FIN.
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            transport.abort()
            return web.Response()

        self._add(path, fault, times)

    def hang(self, path: str, *, times: int | None = None) -> None:
        """Never answer (until the proxy closes)."""

        async def fault(request: web.Request, recorded: Recorded) -> web.Response:
            self._hanging.append(request)
            # The client gives up first; closing the proxy drops the connection.
            await asyncio.Event().wait()
            return web.Response()

        self._add(path, fault, times)

    def clear(self) -> None:
        """Remove every fault: forward everything again."""
        self._rules.clear()

    # Records ------------------------------------------------------------------

    def count(self, path: str) -> int:
        """Return how many requests for ``path`` the proxy received."""
        return sum(1 for recorded in self.requests if recorded.path == path)

    def last(self, path: str) -> Recorded:
        """Return the latest request for ``path``."""
        return next(r for r in reversed(self.requests) if r.path == path)

    # Internals ----------------------------------------------------------------

    def _add(self, path: str, fault: Fault, times: int | None) -> None:
        self._rules[path] = _Rule(fault, times)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if not request.path.startswith(self.prefix):
            return web.Response(status=404, text="not under the proxy's prefix")
        tail = request.path.removeprefix(self.prefix)
        recorded = Recorded(
            method=request.method,
            path=tail.removeprefix("api/v2/"),
            query=request.query_string,
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
            body=await request.read(),
        )
        self.requests.append(recorded)
        rule = self._rules.get(recorded.path)
        if rule is not None:
            if rule.times is not None:
                rule.times -= 1
                if rule.times == 0:
                    del self._rules[recorded.path]
            return await rule.fault(request, recorded)
        status, headers, body = await self._forward(request, recorded)
        return web.Response(status=status, headers=headers, body=body)

    async def _forward(
        self, request: web.Request, recorded: Recorded
    ) -> tuple[int, CIMultiDict[str], bytes]:
        assert self._client is not None
        tail = request.path.removeprefix(self.prefix)
        url = self.upstream.join(URL(tail))
        if recorded.query:
            url = URL(f"{url}?{request.rel_url.raw_query_string}", encoded=True)
        headers = CIMultiDict(
            (name, value)
            for name, value in request.headers.items()
            if name.lower() not in _NOT_FORWARDED
        )
        body = recorded.body
        async with self._client.request(
            request.method,
            url,
            headers=headers,
            data=body if body or request.method != "GET" else None,
            allow_redirects=False,
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
        ) as upstream:
            data = await upstream.read()
            answer = CIMultiDict(
                (name, value)
                for name, value in upstream.headers.items()
                if name.lower() not in _NOT_FORWARDED
            )
            return upstream.status, answer, data
