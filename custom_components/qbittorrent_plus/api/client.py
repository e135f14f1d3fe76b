"""Transport: one session with the WebUI, logins, and the request path every call takes."""

from __future__ import annotations

import asyncio
import logging
from types import TracebackType
from typing import Any, Self

import aiohttp
from yarl import URL

from .errors import (
    APIConnectionError,
    Banned,
    Forbidden403Error,
    LoginFailed,
    http_error,
)

try:
    from orjson import loads as json_loads
except ImportError:  # pragma: no cover - orjson is optional
    from json import loads as json_loads  # type: ignore[assignment]

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0


def base_url(host: str) -> URL:
    """Return the WebUI URL from what a user typed: scheme, host, port, proxy path.

    The path is kept (a reverse proxy may serve the WebUI under one) and ends with a
    slash, so that API paths are joined below it rather than beside it.
    """
    url = URL(host if "://" in host else f"http://{host}")
    if url.scheme not in ("http", "https") or not url.host:
        msg = f"not an http(s) URL with a host: {url.with_user(None)}"
        raise ValueError(msg)
    path = url.path if url.path.endswith("/") else f"{url.path}/"
    return url.with_user(None).with_path(path).with_query(None).with_fragment(None)


class Client:
    """An async client for one qBittorrent WebUI."""

    def __init__(
        self,
        host: str,
        username: str = "",
        password: str = "",
        *,
        session: aiohttp.ClientSession | None = None,
        verify_webui_certificate: bool = True,
        request_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Describe the server; nothing is sent until the first call."""
        self.url = base_url(host)
        self._username = username
        self._password = password
        self._session = session
        self._owns_session = session is None
        # True keeps aiohttp's default verification; False turns it off.
        self._ssl = verify_webui_certificate
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._login_lock = asyncio.Lock()
        # Counts logins, so that calls failing together trigger a single new one.
        self._logins = 0

    def __repr__(self) -> str:
        """Name the server, never the credentials."""
        return f"{type(self).__name__}({str(self.url)!r})"

    async def __aenter__(self) -> Self:
        """Use the client in ``async with``; it closes what it owns on exit."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the session when the client made it."""
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if the client created it."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def is_logged_in(self) -> bool:
        """Return whether a login has succeeded on this client."""
        return self._logins > 0

    async def auth_log_in(self) -> None:
        """Log in with the configured credentials.

        Raises ``LoginFailed`` for wrong credentials and ``Banned`` when the server
        has banned this IP address; neither is retried.
        """
        form = {"username": self._username, "password": self._password}
        status, body = await self._send("POST", "auth/login", data=form)
        if body == "Fails.":
            raise LoginFailed("qBittorrent refused the username or password")
        self._logins += 1
        _LOGGER.debug("Logged in to %s (status %s)", self.url, status)

    async def auth_log_out(self) -> None:
        """End the session on the server."""
        await self._send("POST", "auth/logout")

    async def request(
        self,
        method: str,
        endpoint: str,
        *,
        params: dict[str, str] | None = None,
        data: Any = None,
    ) -> Any:
        """Call ``endpoint`` (for example ``"app/version"``) and return its answer.

        Logs in first when needed. A 403 means the server forgot the session: the
        client logs in again once and repeats the call once.
        """
        logins = self._logins
        if not logins:
            await self._log_in_unless_done_since(logins)
            logins = self._logins
        try:
            return (await self._send(method, endpoint, params=params, data=data))[1]
        except Forbidden403Error:
            await self._log_in_unless_done_since(logins)
            return (await self._send(method, endpoint, params=params, data=data))[1]

    async def app_version(self) -> str:
        """Return the qBittorrent version, such as ``v5.3.0``."""
        version: str = await self.request("GET", "app/version")
        return version

    async def app_web_api_version(self) -> str:
        """Return the Web API version, such as ``2.16.2``."""
        version: str = await self.request("GET", "app/webapiVersion")
        return version

    async def _log_in_unless_done_since(self, logins: int) -> None:
        async with self._login_lock:
            if self._logins == logins:
                await self.auth_log_in()

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            # The default jar drops cookies from IP-address hosts such as 127.0.0.1.
            self._session = aiohttp.ClientSession(
                cookie_jar=aiohttp.CookieJar(unsafe=True)
            )
        return self._session

    async def _send(
        self,
        method: str,
        endpoint: str,
        *,
        params: dict[str, str] | None = None,
        data: Any = None,
    ) -> tuple[int, Any]:
        url = self.url.join(URL(f"api/v2/{endpoint}"))
        try:
            async with self._http().request(
                method,
                url,
                params=params,
                data=data,
                ssl=self._ssl,
                timeout=self._timeout,
            ) as response:
                raw = await response.read()
                status, content_type = response.status, response.content_type
        except (aiohttp.ClientError, TimeoutError) as err:
            msg = f"cannot reach qBittorrent at {self.url}: {type(err).__name__}"
            raise APIConnectionError(msg) from err
        if status >= 400:
            raise self._status_error(status, endpoint, raw)
        if content_type == "application/json" and raw:
            return status, json_loads(raw)
        return status, raw.decode(errors="replace")

    @staticmethod
    def _status_error(status: int, endpoint: str, raw: bytes) -> Exception:
        text = raw.decode(errors="replace")[:200]
        if endpoint == "auth/login":
            if status == 403:
                return Banned(f"qBittorrent has banned this IP address: {text}")
            if status == 401:
                return LoginFailed("qBittorrent refused the username or password")
        return http_error(status, f"{endpoint}: {status} {text}".rstrip())
