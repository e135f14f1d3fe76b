"""Transport: the HTTP session, logins, the Web API version, and the call path.

Every endpoint call goes through ``Transport._call``: it logs in when needed, checks the
endpoint against the server's Web API version, sends the request, and on a 403 logs in
again once (one login for all calls failing together) and repeats the call once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import logging
import os
import ssl
from types import TracebackType
from typing import Any, Self

import aiohttp
from yarl import URL

from .errors import (
    APIConnectionError,
    Banned,
    Forbidden403Error,
    LoginFailed,
    UnsupportedQbittorrentVersion,
    http_error,
)
from .versions import (
    ENDPOINTS,
    MAX_SUPPORTED,
    MIN_SUPPORTED,
    APIVersion,
    format_version,
    is_supported,
    parse_version,
)

try:
    from orjson import loads as json_loads
except ImportError:  # pragma: no cover - orjson is optional
    from json import loads as json_loads  # type: ignore[assignment]

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 10.0

ENV_HOST = "QBITTORRENTAPI_HOST"
ENV_USERNAME = "QBITTORRENTAPI_USERNAME"
ENV_PASSWORD = "QBITTORRENTAPI_PASSWORD"  # noqa: S105 - a variable's name
ENV_API_KEY = "QBITTORRENTAPI_API_KEY"
ENV_DO_NOT_VERIFY = "QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE"

type Params = Mapping[str, Any]


def base_url(host: str, port: int | None = None) -> URL:
    """Return the WebUI URL from what a user typed: scheme, host, port, proxy path.

    Without a scheme, http is assumed. The path is kept (a reverse proxy may serve the
    WebUI under one) and ends with a slash, so API paths are joined below it.
    """
    url = URL(host if "://" in host else f"http://{host}")
    if url.scheme not in ("http", "https") or not url.host:
        msg = f"not an http(s) URL with a host: {url.with_user(None)}"
        raise ValueError(msg)
    if port is not None:
        url = url.with_port(port)
    path = url.path if url.path.endswith("/") else f"{url.path}/"
    return url.with_user(None).with_path(path).with_query(None).with_fragment(None)


def encode_value(value: Any) -> str:
    """Encode one parameter the way the WebUI reads it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def encode_params(params: Params | None) -> dict[str, str]:
    """Drop unset parameters and encode the rest."""
    if not params:
        return {}
    return {
        key: encode_value(value) for key, value in params.items() if value is not None
    }


class Transport:
    """The connection to one WebUI; the endpoint namespaces build on it."""

    def __init__(
        self,
        host: str | None = None,
        username: str | None = None,
        password: str | None = None,
        *,
        port: int | None = None,
        api_key: str | None = None,
        session: aiohttp.ClientSession | None = None,
        verify_webui_certificate: bool | ssl.SSLContext | None = None,
        request_timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        extra_headers: Mapping[str, str] | None = None,
        simple_responses: bool = False,
        raise_notimplementederror_for_unimplemented_api_endpoints: bool = False,
        raise_error_for_unsupported_qbittorrent_versions: bool = False,
    ) -> None:
        """Describe the server; nothing is sent until the first call.

        Arguments left out are read from the environment variables that the
        synchronous qbittorrent-api reads (``QBITTORRENTAPI_HOST`` and so on). With an
        API key (qBittorrent 5.2+) the client never logs in; with neither credentials
        nor a key it relies on the server's local-network bypass.
        """
        host = host or os.environ.get(ENV_HOST) or "localhost:8080"
        self.url = base_url(host, port)
        self._username = (
            username if username is not None else os.environ.get(ENV_USERNAME)
        )
        self._password = (
            password if password is not None else os.environ.get(ENV_PASSWORD)
        )
        self._api_key = api_key if api_key is not None else os.environ.get(ENV_API_KEY)
        if verify_webui_certificate is None:
            verify_webui_certificate = ENV_DO_NOT_VERIFY not in os.environ
        self._ssl: bool | ssl.SSLContext = verify_webui_certificate
        self._timeout = aiohttp.ClientTimeout(
            total=request_timeout, connect=connect_timeout
        )
        self._headers = dict(extra_headers or {})
        if self._api_key and "Authorization" not in self._headers:
            self._headers["Authorization"] = f"Bearer {self._api_key}"
        self._session = session
        self._owns_session = session is None
        self.simple_responses = simple_responses
        self.raise_not_implemented = (
            raise_notimplementederror_for_unimplemented_api_endpoints
        )
        self.raise_unsupported_version = (
            raise_error_for_unsupported_qbittorrent_versions
        )
        self._login_lock = asyncio.Lock()
        self._version_lock = asyncio.Lock()
        # Counts sessions the server has given this client. Calls failing together
        # compare it to decide that one new login serves them all, and the sync
        # state notices a new session (whose rids start again) through it.
        self.session_generation = 0
        self._logged_in = False
        self._api_version: APIVersion | None = None

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
    def uses_login(self) -> bool:
        """Return whether the client logs in with a username and password."""
        return not self._api_key and bool(self._username or self._password)

    @property
    def is_logged_in(self) -> bool:
        """Return whether the client holds a session from a login."""
        return self._logged_in

    async def auth_log_in(
        self, username: str | None = None, password: str | None = None
    ) -> None:
        """Log in, with new credentials if given, and read the Web API version.

        Raises ``LoginFailed`` for wrong credentials and ``Banned`` when the server has
        banned this IP address; neither is retried. With an API key there is nothing
        to log in to: the call only checks that the key works.
        """
        if username is not None:
            self._username = username
        if password is not None:
            self._password = password
        if self._api_key:
            await self._read_api_version()
            return
        form = {"username": self._username or "", "password": self._password or ""}
        body = await self._send("POST", "auth/login", data=form)
        if body == "Fails.":
            raise LoginFailed("qBittorrent refused the username or password")
        self.session_generation += 1
        self._logged_in = True
        self._api_version = None
        await self._read_api_version()

    async def auth_log_out(self) -> None:
        """End the session on the server (nothing to end with an API key)."""
        if self._api_key or not self.is_logged_in:
            return
        await self._send("POST", "auth/logout")
        self.session_generation += 1
        self._logged_in = False

    async def api_version(self) -> APIVersion:
        """Return the server's Web API version, read once per session."""
        if self._api_version is None:
            async with self._version_lock:
                if self._api_version is None:
                    await self._ensure_session()
                    await self._read_api_version()
        return self._api_version  # type: ignore[return-value]  # set by the reads above

    async def has_endpoint(self, path: str) -> bool:
        """Return whether the server has the endpoint ``namespace/method``."""
        return ENDPOINTS[path].exists_in(await self.api_version())

    async def _read_api_version(self) -> None:
        # Sent directly: this runs inside a login, which holds the login lock.
        text = await self._send("GET", "app/webapiVersion")
        version = parse_version(text)
        if self.raise_unsupported_version and not is_supported(version):
            msg = (
                f"qBittorrent with Web API {format_version(version)} is not supported "
                f"(supported: {format_version(MIN_SUPPORTED)} to "
                f"{format_version(MAX_SUPPORTED)})"
            )
            raise UnsupportedQbittorrentVersion(msg)
        self._api_version = version

    def _simple(self, kwargs: dict[str, Any]) -> bool:
        """Take a call's ``simple_responses`` out of its arguments, or the default."""
        return bool(kwargs.pop("simple_responses", self.simple_responses))

    async def _call(
        self,
        path: str,
        params: Params | None = None,
        *,
        data: Any = None,
    ) -> Any:
        """Call an endpoint of the catalog; ``None`` when the server lacks it.

        GET endpoints take ``params`` in the query string; POST endpoints take them
        (or ``data``, for multipart uploads) in the body. ``params["headers"]``, when
        given, holds extra HTTP headers for this call only; every other unset (None)
        parameter is left out.
        """
        params = dict(params or {})
        headers = params.pop("headers", None)
        endpoint = ENDPOINTS[path]
        version = await self.api_version()
        if not endpoint.exists_in(version):
            reason = endpoint.describe_absence(version)
            if self.raise_not_implemented:
                raise NotImplementedError(reason)
            _LOGGER.debug("Not calling %s", reason)
            return None
        query, body = None, data
        if endpoint.http_method == "GET":
            query = encode_params(params)
        elif body is None:
            body = encode_params(params)
        return await self._send_with_relogin(
            endpoint.http_method, path, query, body, headers or {}
        )

    async def _ensure_session(self) -> None:
        if self.uses_login and not self._logged_in:
            await self._log_in_unless_done_since(self.session_generation)

    async def _send_with_relogin(
        self,
        method: str,
        path: str,
        query: dict[str, str] | None,
        body: Any,
        headers: Mapping[str, str],
    ) -> Any:
        generation = self.session_generation
        try:
            return await self._send(
                method, path, params=query, data=body, headers=headers
            )
        except Forbidden403Error:
            # Without a username and password there is no session to renew.
            if not self.uses_login:
                raise
            _LOGGER.debug("%s: the session has expired; logging in again", path)
            await self._log_in_unless_done_since(generation)
            return await self._send(
                method, path, params=query, data=body, headers=headers
            )

    async def _log_in_unless_done_since(self, generation: int) -> None:
        async with self._login_lock:
            if self.session_generation == generation:
                await self.auth_log_in()

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            # aiohttp's default jar drops cookies from IP-address hosts.
            self._session = aiohttp.ClientSession(
                cookie_jar=aiohttp.CookieJar(unsafe=True)
            )
        return self._session

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request; return JSON, text, or bytes for binary answers."""
        url = self.url.join(URL(f"api/v2/{path}"))
        request_headers = {**self._headers, **(headers or {})}
        if path.startswith("auth/"):
            # The server answers 403 to a bearer token on auth/*.
            request_headers.pop("Authorization", None)
        try:
            async with self._http().request(
                method,
                url,
                params=params,
                data=data,
                headers=request_headers,
                ssl=self._ssl,
                timeout=self._timeout,
            ) as response:
                raw = await response.read()
                status, content_type = response.status, response.content_type
        except aiohttp.ClientSSLError as err:
            msg = f"TLS failed with qBittorrent at {self.url}: {type(err).__name__}"
            raise APIConnectionError(msg) from err
        except (aiohttp.ClientError, TimeoutError) as err:
            msg = f"cannot reach qBittorrent at {self.url}: {type(err).__name__}"
            raise APIConnectionError(msg) from err
        if status >= 400:
            raise _status_error(status, path, raw)
        return _decode(path, content_type, raw)


def _decode(path: str, content_type: str, raw: bytes) -> Any:
    if content_type == "application/json":
        if not raw:
            return None
        try:
            return json_loads(raw)
        except ValueError as err:
            msg = f"{path}: the server sent malformed JSON ({len(raw)} bytes)"
            raise APIConnectionError(msg) from err
    if content_type.startswith("text/") or not content_type:
        return raw.decode(errors="replace")
    return raw


def _status_error(status: int, path: str, raw: bytes) -> Exception:
    text = raw.decode(errors="replace")[:200].strip()
    if path == "auth/login":
        if status == 403:
            return Banned(f"qBittorrent has banned this IP address: {text}")
        if status == 401:
            return LoginFailed("qBittorrent refused the username or password")
    return http_error(status, f"{path}: {status} {text}".rstrip())
