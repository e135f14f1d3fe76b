"""Transport: the HTTP session, logins, the Web API version, and the call path.

Every endpoint call goes through ``Transport._call``: it logs in when needed, checks the
endpoint against the server's Web API version, sends the request, and on a 403 logs in
again once (one login for all calls failing together) and repeats the call once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from functools import partial
import logging
import os
import ssl
from types import TracebackType
from typing import Any, NamedTuple, Self

import aiohttp
from yarl import URL

from .errors import (
    APIConnectionError,
    APIError,
    APIKeyRefused,
    Banned,
    Forbidden403Error,
    LoginFailed,
    Unauthorized401Error,
    UnsupportedQbittorrentVersion,
    http_error,
)
from .models import rich
from .versions import (
    ENDPOINTS,
    MAX_SUPPORTED,
    MIN_SUPPORTED,
    APIVersion,
    format_version,
    is_supported,
    needs_version,
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


class Upload(NamedTuple):
    """A file sent in a multipart form."""

    field: str
    """The form field, such as ``torrents``."""
    filename: str
    content: bytes
    content_type: str


def base_url(host: str, port: int | None = None) -> URL:
    """Return the WebUI URL from what a user typed: scheme, host, port, proxy path.

    Without a scheme, http is assumed. The path is kept (a reverse proxy may serve the
    WebUI under one) and ends with a slash, so API paths are joined below it. User
    info, query and fragment are dropped. Raises ValueError for anything else, with
    a message that never repeats a password.
    """
    try:
        url = URL(host if "://" in host else f"http://{host}")
        if port is not None:
            url = url.with_port(port)
    except ValueError as err:
        raise ValueError(f"not a valid URL: {err}") from None
    if url.scheme not in ("http", "https") or not url.host:
        shown = url.with_user(None) if url.absolute else url
        msg = f"not an http(s) URL with a host: {shown}"
        raise ValueError(msg)
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

        Args:
            host: The WebUI's URL (``https://nas:8080/qbt/``) or ``host:port``; http
                when the scheme is left out; a path is kept for reverse proxies.
            username: The WebUI's username.
            password: The WebUI's password.
            port: The port, when ``host`` does not name it.
            api_key: An API key (``qbt_...``), sent as ``Authorization: Bearer``.
            session: An aiohttp session to use; the client leaves it open.
            verify_webui_certificate: False to accept any certificate, or an
                ``ssl.SSLContext`` that trusts the server's.
            request_timeout: Seconds a whole request may take.
            connect_timeout: Seconds connecting may take.
            extra_headers: HTTP headers for every request.
            simple_responses: Return plain JSON rather than rich results.
            raise_notimplementederror_for_unimplemented_api_endpoints: Raise
                NotImplementedError, rather than return None, for an endpoint the
                server's version lacks.
            raise_error_for_unsupported_qbittorrent_versions: Raise
                UnsupportedQbittorrentVersion for a server outside the supported
                Web API versions.
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
        self._session = session
        self._owns_session = session is None
        # Made on first use, inside the event loop.
        self._cookies: aiohttp.CookieJar | None = None
        self.simple_responses = simple_responses
        self.raise_not_implemented = (
            raise_notimplementederror_for_unimplemented_api_endpoints
        )
        self.raise_unsupported_version = (
            raise_error_for_unsupported_qbittorrent_versions
        )
        self._login_lock = asyncio.Lock()
        self._logins_finished = 0
        self._login_error: APIError | None = None
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
        """Use the client in ``async with``; nothing is sent until the first call."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """End the session on the server, and close the HTTP session the client made.

        qBittorrent keeps a bounded number of sessions (15 from 5.3 on), so a client
        that is done gives its own back. A server that cannot be reached any more
        does not stop the client from closing.
        """
        try:
            await self.auth_log_out()
        except APIError as err:
            _LOGGER.debug("Could not log out of %s: %s", self.url, err)
        finally:
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

        Raises ``LoginFailed`` for refused credentials and ``Banned`` when the server
        has banned this IP address; neither is retried. With an API key there is
        nothing to log in to: the call only checks that the key works (and raises
        ``APIKeyRefused`` when it does not).
        """
        if username is not None:
            self._username = username
        if password is not None:
            self._password = password
        if self._api_key:
            await self._read_api_version()
            return
        self._logged_in = False
        # With a valid session cookie the server would accept any credentials.
        self._jar().clear()
        form = {"username": self._username or "", "password": self._password or ""}
        body = await self._send("POST", "auth/login", data=form)
        # Before 5.2 a refusal is 200 "Fails."; from 5.2 on it is a 401.
        if body == "Fails.":
            raise LoginFailed("qBittorrent refused the username or password")
        self.session_generation += 1
        self._logged_in = True
        self._api_version = None
        _LOGGER.debug("Logged in to %s", self.url)
        await self._read_api_version()

    async def auth_log_out(self) -> None:
        """End the session on the server (nothing to end with an API key)."""
        if self._api_key or not self._logged_in:
            return
        self._logged_in = False
        try:
            await self._send("POST", "auth/logout")
        finally:
            self._jar().clear()

    async def api_version(self) -> APIVersion:
        """Return the server's Web API version, read once per session."""
        await self._ensure_session()
        version = self._api_version
        if version is None:
            async with self._version_lock:
                version = self._api_version
                if version is None:
                    answer = await self._send_with_relogin(
                        "GET", "app/webapiVersion", None, None, {}
                    )
                    version = self._set_api_version(answer)
        return version

    async def has_endpoint(self, path: str) -> bool:
        """Return whether the server has the endpoint ``namespace/method``."""
        return ENDPOINTS[path].exists_in(await self.api_version())

    async def _refuse_ignored(
        self, path: str, parameter: str, introduced: APIVersion
    ) -> None:
        """Refuse a parameter the server has the endpoint for but would ignore.

        An ignored filter or option would answer something else than asked, so the
        call raises ``NotImplementedError`` naming the version needed, whatever
        ``raise_notimplementederror_for_unimplemented_api_endpoints`` says.
        """
        version = await self.api_version()
        if ENDPOINTS[path].exists_in(version) and version < introduced:
            raise NotImplementedError(
                needs_version(f"{path} {parameter}", introduced, version)
            )

    async def _read_api_version(self) -> None:
        # Sent directly: this runs inside a login, which holds the login lock.
        self._set_api_version(await self._send("GET", "app/webapiVersion"))

    def _set_api_version(self, answer: Any) -> APIVersion:
        try:
            version = parse_version(answer if isinstance(answer, str) else "")
        except ValueError:
            msg = (
                f"{self.url} answered app/webapiVersion with no Web API version; "
                "is this the URL of qBittorrent's WebUI?"
            )
            raise APIConnectionError(msg) from None
        if self.raise_unsupported_version and not is_supported(version):
            msg = (
                f"qBittorrent with Web API {format_version(version)} is not supported "
                f"(supported: {format_version(MIN_SUPPORTED)} to "
                f"{format_version(MAX_SUPPORTED)})"
            )
            raise UnsupportedQbittorrentVersion(msg)
        self._api_version = version
        return version

    def _simple(self, kwargs: dict[str, Any]) -> bool:
        """Take a call's ``simple_responses`` out of its arguments, or the default."""
        return bool(kwargs.pop("simple_responses", self.simple_responses))

    async def _call(
        self,
        path: str,
        params: Params | None = None,
        *,
        files: Iterable[Upload] | None = None,
        data: Any = None,
        binary: bool = False,
    ) -> Any:
        """Call an endpoint of the catalog; ``None`` when the server lacks it.

        GET endpoints take ``params`` in the query string; POST endpoints take them
        in the body: a multipart form with ``files``, else a plain form (``data``,
        when given, is sent instead of either). ``params["headers"]``, when given,
        holds extra HTTP headers for this call only; every other unset (None)
        parameter is left out. With ``binary`` the answer is the body's bytes,
        whatever its content type says.
        """
        params = dict(params or {})
        headers = params.pop("headers", None)
        # Flat methods with plain results leave the flag to here; it is no parameter.
        params.pop("simple_responses", None)
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
            if files is not None:
                body = _multipart(body, files)
        return await self._send_with_relogin(
            endpoint.http_method, path, query, body, headers or {}, binary=binary
        )

    async def _bytes(self, path: str, params: Params | None = None) -> bytes | None:
        """Call an endpoint that answers a file; return its bytes as they came.

        Whatever the content type says: before qBittorrent 5.0 the server labels
        .torrent files ``text/plain``.
        """
        data: bytes | None = await self._call(path, params, binary=True)
        return data

    async def _json(self, path: str, params: Params | None = None) -> Any:
        """Call an endpoint that answers JSON; return it rich, or plain if asked.

        Rich: every JSON object in the answer is a ``Dictionary``. The call's
        ``simple_responses`` (else the client's) asks for the plain JSON instead.
        """
        params = dict(params or {})
        simple = self._simple(params)
        answer = await self._call(path, params)
        return answer if simple else rich(answer)

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
        *,
        binary: bool = False,
    ) -> Any:
        generation = self.session_generation
        try:
            return await self._send(
                method, path, params=query, data=body, headers=headers, binary=binary
            )
        except Forbidden403Error:
            # With an API key, or without credentials, no login can help.
            if not self.uses_login:
                raise
            _LOGGER.debug("%s: the session has expired; logging in again", path)
            await self._log_in_unless_done_since(generation)
            return await self._send(
                method, path, params=query, data=body, headers=headers, binary=binary
            )

    async def _log_in_unless_done_since(self, generation: int) -> None:
        """Log in, unless a login since ``generation`` has already renewed the session.

        Calls that waited while a login failed get its error rather than trying
        again, so calls failing together make one attempt: a refused password or a
        ban is never hammered.
        """
        finished = self._logins_finished
        async with self._login_lock:
            if self.session_generation != generation:
                return
            if self._logins_finished != finished and self._login_error is not None:
                raise self._login_error
            self._login_error = None
            try:
                await self.auth_log_in()
            except APIError as err:
                self._login_error = err
                raise
            finally:
                self._logins_finished += 1

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            # The client keeps its cookies itself (see _jar).
            self._session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
        return self._session

    def _jar(self) -> aiohttp.CookieJar:
        if self._cookies is None:
            # A jar of the client's own, whatever the session's: aiohttp's default
            # jar drops cookies from IP-address hosts, a shared jar mixes up the
            # sessions of servers on one host (the cookie name ignores the port
            # before 5.2), and a Secure cookie must still reach a WebUI behind a
            # proxy that ends TLS.
            self._cookies = aiohttp.CookieJar(
                unsafe=True, treat_as_secure_origin=self.url.origin()
            )
        return self._cookies

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        binary: bool = False,
    ) -> Any:
        """Send one request; return JSON, text, bytes for binary answers, or None.

        None stands for an empty answer that is not text (such as a 204). With
        ``binary`` the body's bytes are returned as they are.
        """
        url = self.url.join(URL(f"api/v2/{path}"))
        request_headers = {**self._headers, **(headers or {})}
        # The server answers 403 to a bearer token on auth/*; a header given by the
        # caller wins over the key.
        if (
            self._api_key
            and not path.startswith("auth/")
            and "authorization" not in {name.lower() for name in request_headers}
        ):
            request_headers["Authorization"] = f"Bearer {self._api_key}"
        exchange = partial(
            self._exchange,
            method,
            url,
            params=params,
            data=data,
            headers=request_headers,
        )
        try:
            try:
                status, content_type, raw = await exchange()
            except aiohttp.ServerDisconnectedError:
                # qBittorrent closes a connection once it has been idle for about
                # 7 s; a request sent on it just then finds it closed, unread.
                # aiohttp sends a GET again by itself; a POST goes once more here,
                # on a new connection (a multipart body cannot be sent twice).
                if method == "GET" or isinstance(data, aiohttp.FormData):
                    raise
                status, content_type, raw = await exchange()
        except aiohttp.ClientSSLError as err:
            msg = (
                f"TLS failed with qBittorrent at {self.url}: {_describe(err)}. "
                "For a certificate no public authority signed, pass "
                "verify_webui_certificate=<an ssl.SSLContext that trusts it>, or "
                "False to skip the check"
            )
            raise APIConnectionError(msg) from err
        except TimeoutError as err:
            msg = (
                f"qBittorrent at {self.url} did not answer {path} in time "
                f"(connect timeout {self._timeout.connect} s, "
                f"request timeout {self._timeout.total} s)"
            )
            raise APIConnectionError(msg) from err
        except aiohttp.ClientError as err:
            msg = f"cannot reach qBittorrent at {self.url} ({path}): {_describe(err)}"
            if self.url.scheme == "http" and isinstance(
                err, aiohttp.ServerDisconnectedError
            ):
                # What a WebUI that speaks only HTTPS does to a plain request.
                msg += "; if the WebUI uses HTTPS, the URL must start with https://"
            raise APIConnectionError(msg) from err
        if status >= 400:
            raise self._status_error(status, path, raw)
        return raw if binary else _decode(path, content_type, raw)

    async def _exchange(
        self,
        method: str,
        url: URL,
        *,
        params: dict[str, str] | None,
        data: Any,
        headers: Mapping[str, str],
    ) -> tuple[int, str, bytes]:
        """Make one HTTP request with the client's cookies; return its answer."""
        jar = self._jar()
        cookies = {
            morsel.key: morsel.value for morsel in jar.filter_cookies(url).values()
        }
        async with self._http().request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            cookies=cookies or None,
            ssl=self._ssl,
            timeout=self._timeout,
        ) as response:
            raw = await response.read()
            jar.update_cookies(response.cookies, response.url)
            return response.status, response.content_type, raw

    def _status_error(self, status: int, path: str, raw: bytes) -> APIError:
        text = raw.decode(errors="replace")[:200].strip()
        if path == "auth/login":
            if status == 403:
                return Banned(
                    "auth/login: 403 qBittorrent has banned this IP address after "
                    "too many failed logins; log in again only after the WebUI's "
                    "ban duration (an hour by default)"
                )
            if status == 401:
                return LoginFailed(
                    "auth/login: 401 qBittorrent refused the username or password "
                    "(or, if they are right, its Host-header or CSRF check refused "
                    "the request)"
                )
        if status == 401:
            return Unauthorized401Error(
                f"{path}: 401 {text}: the WebUI's Host-header or CSRF check refused "
                "the request. Use a URL with the port qBittorrent itself listens on "
                "(behind a proxy or a port mapping, add the host name to the "
                "WebUI's server domains or turn its Host header validation off), "
                "and send no Host, Origin or Referer header that names another "
                "host or port"
            )
        if status == 403 and not path.startswith("auth/"):
            if self._api_key:
                return APIKeyRefused(
                    f"{path}: 403 qBittorrent refused the API key: it is not the "
                    "server's current key, or the server is older than 5.2, which "
                    "has no API keys"
                )
            if not self.uses_login:
                return Forbidden403Error(
                    f"{path}: 403 qBittorrent wants a login: give a username and "
                    "password or an API key, or let the WebUI skip authentication "
                    "for this client's network"
                )
        return http_error(status, f"{path}: {status} {text}".rstrip())


def _multipart(fields: dict[str, str], files: Iterable[Upload]) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for upload in files:
        form.add_field(
            upload.field,
            upload.content,
            filename=upload.filename,
            content_type=upload.content_type,
        )
    return form


def _describe(err: Exception) -> str:
    text = str(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _decode(path: str, content_type: str, raw: bytes) -> Any:
    if content_type == "application/json":
        if not raw:
            return None
        try:
            return json_loads(raw)
        except ValueError as err:
            msg = (
                f"{path}: the server sent malformed or truncated JSON "
                f"({len(raw)} bytes); a proxy in between may have cut or changed it"
            )
            raise APIConnectionError(msg) from err
    if content_type.startswith("text/"):
        return raw.decode(errors="replace")
    return raw or None
