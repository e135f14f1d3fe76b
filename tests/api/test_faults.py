"""Faults a real server does not make on demand, injected by a proxy in front of one.

Every status maps to its exception class; broken answers and broken connections become
``APIConnectionError`` with a message that says what happened; and no secret reaches
an error message, a repr or a log line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import contextlib
import logging
import socket
import time
from typing import Any

import pytest

from custom_components.qbittorrent_plus.api import (
    APIConnectionError,
    APIError,
    BadRequest400Error,
    Client,
    Conflict409Error,
    Forbidden403Error,
    HTTP4XXError,
    HTTP5XXError,
    HTTPError,
    InternalServerError500Error,
    LoginFailed,
    MethodNotAllowed405Error,
    NotFound404Error,
    Unauthorized401Error,
    UnsupportedMediaType415Error,
)
from custom_components.qbittorrent_plus.api.errors import APIKeyRefused
from tests.api.helpers import client_for, forget_session, session_cookie
from tests.proxy import Proxy
from tests.servers import QbittorrentServer, free_port, real_sockets
from tests.torrents import make_torrent
from tests.webui import WebUI


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequest400Error),
        (401, Unauthorized401Error),
        (404, NotFound404Error),
        (405, MethodNotAllowed405Error),
        (409, Conflict409Error),
        (415, UnsupportedMediaType415Error),
        (418, HTTP4XXError),
        (500, InternalServerError500Error),
        (502, HTTP5XXError),
        (503, HTTP5XXError),
    ],
)
@pytest.mark.endpoints("app/version")
async def test_status_maps_to_its_error(
    proxy: Proxy,
    qbittorrent: QbittorrentServer,
    status: int,
    error: type[HTTPError],
) -> None:
    """Each status raises its own class, which knows the status code."""
    proxy.answer("app/version", status=status, body=b"injected")

    async with client_for(qbittorrent, proxy.url) as client:
        with pytest.raises(HTTPError) as caught:
            await client.app_version()

    assert type(caught.value) is error
    assert caught.value.http_status_code == status
    assert str(caught.value).startswith(f"app/version: {status} ")
    # Only a 403 means the session is gone; nothing else logs in again.
    assert proxy.count("auth/login") == 1
    assert proxy.count("app/version") == 1


@pytest.mark.endpoints("auth/login", "app/version")
async def test_403_logs_in_again_once_and_repeats_once(
    proxy: Proxy, qbittorrent: QbittorrentServer
) -> None:
    """A 403 that persists after a new login is raised, after one login and one repeat."""
    async with client_for(qbittorrent, proxy.url) as client:
        await client.auth_log_in()
        proxy.answer("app/version", status=403, body=b"Forbidden")

        with pytest.raises(Forbidden403Error) as caught:
            await client.app_version()

        assert caught.value.http_status_code == 403
        assert proxy.count("auth/login") == 2
        assert proxy.count("app/version") == 2
        # The server was never at fault: with the proxy out of the way all is well.
        proxy.clear()
        assert await client.app_version() == f"v{qbittorrent.version}"
    assert proxy.count("auth/login") == 2


@pytest.mark.endpoints("auth/login")
async def test_login_failing_for_another_reason(
    proxy: Proxy, qbittorrent: QbittorrentServer
) -> None:
    """A login that fails with a 5xx raises it, once for the calls failing together."""
    proxy.answer("auth/login", status=500, body=b"boom", times=1)

    async with client_for(qbittorrent, proxy.url) as client:
        results = await asyncio.gather(
            *(client.app_version() for _ in range(3)), return_exceptions=True
        )
        assert all(type(r) is InternalServerError500Error for r in results)
        assert proxy.count("auth/login") == 1
        assert str(results[0]) == "auth/login: 500 boom"
        # The next call logs in for real.
        assert await client.app_version() == f"v{qbittorrent.version}"
    assert proxy.count("auth/login") == 2


@pytest.mark.endpoints("app/version")
async def test_real_statuses(qbittorrent: QbittorrentServer) -> None:
    """Statuses the real server gives map the same way as injected ones."""
    async with client_for(qbittorrent) as client:
        with pytest.raises(NotFound404Error) as missing:
            await client._call("torrents/properties", {"hash": "0" * 40})
        with pytest.raises(BadRequest400Error) as bad:
            await client._call("torrents/properties")
        with pytest.raises(MethodNotAllowed405Error) as method:
            await client._send("GET", "auth/logout")
        with pytest.raises(Unauthorized401Error) as host:
            await client.app_version(headers={"Host": "127.0.0.1:1"})

    assert missing.value.http_status_code == 404
    assert bad.value.http_status_code == 400
    assert str(bad.value).startswith("torrents/properties: 400 ")
    assert method.value.http_status_code == 405
    assert host.value.http_status_code == 401


@pytest.mark.parametrize(
    "inject",
    [
        lambda proxy: proxy.answer(
            "app/buildInfo", body=b'{"qt": "6', content_type="application/json"
        ),
        lambda proxy: proxy.truncate("app/buildInfo"),
    ],
    ids=["malformed", "truncated"],
)
@pytest.mark.endpoints("app/buildInfo")
async def test_broken_json(
    proxy: Proxy, qbittorrent: QbittorrentServer, webui: WebUI, inject: Any
) -> None:
    """Malformed or cut JSON is a connection error that says so, not a ValueError."""
    inject(proxy)

    async with client_for(qbittorrent, proxy.url) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.app_build_info()

        assert not isinstance(caught.value, ValueError)
        assert "app/buildInfo: the server sent malformed or truncated JSON" in str(
            caught.value
        )
        proxy.clear()
        assert await client.app_build_info() == await webui.get("app/buildInfo")


@pytest.mark.parametrize("fault", ["break_off", "reset"])
@pytest.mark.endpoints("app/buildInfo")
async def test_broken_connection(
    proxy: Proxy, qbittorrent: QbittorrentServer, webui: WebUI, fault: str
) -> None:
    """A connection that breaks off midway or is reset is a connection error."""
    async with client_for(qbittorrent, proxy.url) as client:
        await client.auth_log_in()
        # Every time: aiohttp itself tries again once on a reused connection.
        getattr(proxy, fault)("app/buildInfo")

        with pytest.raises(APIConnectionError) as caught:
            await client.app_build_info()

        assert str(caught.value).startswith(
            f"cannot reach qBittorrent at {proxy.url} (app/buildInfo): "
        )
        assert not isinstance(caught.value, HTTPError)
        # Once the connection behaves, the next call works on the same session.
        proxy.clear()
        assert await client.app_build_info() == await webui.get("app/buildInfo")
    assert proxy.count("auth/login") == 1


@pytest.mark.endpoints("transfer/toggleSpeedLimitsMode")
async def test_connection_closed_unanswered_is_sent_again_once(
    proxy: Proxy, qbittorrent: QbittorrentServer, webui: WebUI
) -> None:
    """A request the server never read goes once more, so a POST is done once."""
    before = int(await webui.get("transfer/speedLimitsMode"))
    async with client_for(qbittorrent, proxy.url) as client:
        await client.auth_log_in()
        proxy.close("transfer/toggleSpeedLimitsMode", times=1)
        try:
            await client.transfer_toggle_speed_limits_mode()

            assert proxy.count("transfer/toggleSpeedLimitsMode") == 2
            assert int(await webui.get("transfer/speedLimitsMode")) == 1 - before
            # Closed every time: given up after the second attempt.
            proxy.close("transfer/toggleSpeedLimitsMode")
            with pytest.raises(APIConnectionError):
                await client.transfer_toggle_speed_limits_mode()
            assert proxy.count("transfer/toggleSpeedLimitsMode") == 4
        finally:
            proxy.clear()
            if int(await webui.get("transfer/speedLimitsMode")) != before:
                await webui.post("transfer/toggleSpeedLimitsMode")


@pytest.mark.endpoints("torrents/add")
async def test_multipart_upload_is_not_sent_again(
    proxy: Proxy, qbittorrent: QbittorrentServer, webui: WebUI
) -> None:
    """An upload whose connection closed unanswered fails rather than repeat."""
    made = make_torrent(qbittorrent.download_dir, "closed-upload")
    async with client_for(qbittorrent, proxy.url) as client:
        await client.auth_log_in()
        proxy.close("torrents/add", times=1)

        with pytest.raises(APIConnectionError):
            await client.torrents_add(torrent_files=made.data)

    assert proxy.count("torrents/add") == 1
    assert await webui.torrent(made.info_hash) is None


async def test_refused_connection() -> None:
    """Nothing listening on the port is a connection error naming the server."""
    url = f"http://127.0.0.1:{free_port()}/"

    async with Client(url, "admin", "secret-password") as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.app_version()

    assert str(caught.value).startswith(f"cannot reach qBittorrent at {url} ")
    assert "ClientConnectorError" in str(caught.value)


@pytest.mark.endpoints("app/version")
async def test_request_timeout(proxy: Proxy, qbittorrent: QbittorrentServer) -> None:
    """An answer slower than the request timeout is a connection error, on time."""
    # The timeout also bounds the login, which a loaded server can take long over.
    async with client_for(qbittorrent, proxy.url, request_timeout=2.0) as client:
        await client.auth_log_in()
        proxy.hang("app/version", times=1)
        started = time.monotonic()

        with pytest.raises(APIConnectionError) as caught:
            await client.app_version()

        elapsed = time.monotonic() - started
        assert 2 <= elapsed < 6
        assert str(caught.value) == (
            f"qBittorrent at {proxy.url} did not answer app/version in time "
            "(connect timeout 10.0 s, request timeout 2.0 s)"
        )
        assert await client.app_version() == f"v{qbittorrent.version}"


@pytest.fixture
def unaccepting_port() -> Iterator[int]:
    """Return a port whose listener never accepts, so connecting there hangs."""
    with real_sockets():
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port: int = listener.getsockname()[1]
        # Fill the accept queue; the kernel drops further connection attempts.
        fillers = [socket.socket() for _ in range(3)]
        for filler in fillers:
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
    yield port
    for sock in [listener, *fillers]:
        sock.close()


async def test_connect_timeout(unaccepting_port: int) -> None:
    """A connection that is not accepted in the connect timeout is a connection error."""
    async with Client(
        f"127.0.0.1:{unaccepting_port}",
        "admin",
        "secret-password",
        connect_timeout=0.3,
        request_timeout=20,
    ) as client:
        started = time.monotonic()
        with pytest.raises(APIConnectionError) as caught:
            await client.app_version()

    assert 0.3 <= time.monotonic() - started < 5
    assert "did not answer auth/login in time (connect timeout 0.3 s" in str(
        caught.value
    )


@pytest.mark.endpoints("auth/login", "app/version")
async def test_concurrent_faults_stay_separate(
    proxy: Proxy, qbittorrent: QbittorrentServer
) -> None:
    """A fault in one call leaves calls made at the same time alone."""
    async with client_for(qbittorrent, proxy.url) as client:
        await client.auth_log_in()
        proxy.answer("app/buildInfo", status=500, body=b"boom")

        results = await asyncio.gather(
            client.app_build_info(), client.app_version(), return_exceptions=True
        )

    assert isinstance(results[0], InternalServerError500Error)
    assert results[1] == f"v{qbittorrent.version}"


@pytest.mark.endpoints("auth/login", "auth/logout", "app/version")
async def test_no_secret_in_errors_reprs_or_logs(
    proxy: Proxy, qbittorrent: QbittorrentServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Passwords, API keys and session cookies stay out of messages, reprs and logs."""
    caplog.set_level(logging.DEBUG)
    api_key = "qbt_" + "k" * 28
    seen: list[object] = []

    async def failing(call: Any) -> None:
        try:
            await call
        except APIError as err:
            seen.extend([err, err.__cause__, err.__context__])
        else:  # pragma: no cover - every call below fails
            pytest.fail("the call did not fail")

    # Short for the hung call below, yet long enough for the real logins on the way.
    async with client_for(qbittorrent, proxy.url, request_timeout=2.0) as client:
        await client.app_version()
        _, cookie = session_cookie(client)
        seen.append(client)
        # The server forgets the session: the client logs in again.
        await forget_session(qbittorrent, client)
        await client.app_version()
        for status in (401, 403, 404, 500):
            proxy.answer("app/version", status=status, times=2)
            await failing(client.app_version())
        proxy.answer("app/buildInfo", body=b"{", content_type="application/json")
        await failing(client.app_build_info())
        proxy.reset("app/version")
        await failing(client.app_version())
        proxy.hang("app/version", times=1)
        await failing(client.app_version())
        proxy.clear()
    async with Client(proxy.url, api_key=api_key) as keyed:
        seen.append(keyed)
        # 5.x refuses the key; 4.x knows no keys and wants a session.
        await failing(keyed.app_version())
    async with Client(proxy.url, qbittorrent.username, "pw-" + api_key) as wrong:
        await failing(wrong.app_version())

    assert any(isinstance(item, LoginFailed) for item in seen)
    assert any(isinstance(item, APIKeyRefused) for item in seen)
    texts = [caplog.text]
    for item in seen:
        texts += [str(item), repr(item)]
    for secret in (qbittorrent.password, api_key, cookie):
        assert len(secret) > 8
        assert not [text for text in texts if secret in text]
