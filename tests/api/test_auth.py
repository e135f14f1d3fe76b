"""Authentication: passwords, API keys, no credentials, re-login, bans and refusals.

Logins are counted at a proxy in front of the server (or, where there is none, in the
calls the client sends), so "one login" is checked on the wire.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from http.cookies import SimpleCookie

import pytest

from custom_components.qbittorrent_plus.api import (
    Banned,
    Client,
    Forbidden403Error,
    HTTPError,
    LoginFailed,
    Unauthorized401Error,
)
from custom_components.qbittorrent_plus.api.auth import AuthAPI
from custom_components.qbittorrent_plus.api.errors import APIKeyRefused
from custom_components.qbittorrent_plus.api.namespace import Delegate
from tests.api.helpers import (
    client_for,
    forget_session,
    session_cookie,
    session_is_valid,
)
from tests.proxy import Proxy
from tests.servers import QbittorrentServer
from tests.webui import WebUI

# Username and password ----------------------------------------------------------


@pytest.mark.endpoints("auth/login", "app/webapiVersion")
async def test_login_keeps_whatever_cookie_the_server_names(
    proxy: Proxy, qbittorrent: QbittorrentServer
) -> None:
    """4.x answers 200 Ok. with SID, 5.2+ 204 with QBT_SID_<port>; both log in."""
    async with client_for(qbittorrent, proxy.url) as client:
        assert not client.is_logged_in
        await client.auth.log_in()

        assert client.is_logged_in
        assert client.auth.is_logged_in
        assert client.session_generation == 1
        name, value = session_cookie(client)
        expected = (
            "SID" if qbittorrent.version < "5.2" else f"QBT_SID_{qbittorrent.port}"
        )
        assert name == expected
        sent = SimpleCookie(proxy.last("app/webapiVersion").headers["Cookie"])
        assert {key: morsel.value for key, morsel in sent.items()} == {name: value}
        # The form carries the credentials; no header does.
        assert "Authorization" not in proxy.last("auth/login").headers
        assert await client.api_version() == tuple(
            int(part) for part in qbittorrent.api_version.split(".")
        )


@pytest.mark.endpoints("auth/login", "app/version")
async def test_first_call_logs_in(proxy: Proxy, qbittorrent: QbittorrentServer) -> None:
    """Nothing is sent before the first call, which logs in once for all calls."""
    client = client_for(qbittorrent, proxy.url)
    async with client:
        assert proxy.requests == []

        versions = await asyncio.gather(*(client.app_version() for _ in range(8)))

        assert set(versions) == {f"v{qbittorrent.version}"}
        assert proxy.count("auth/login") == 1
        assert proxy.count("app/webapiVersion") == 1


@pytest.mark.endpoints("auth/login")
async def test_refused_password(proxy: Proxy, qbittorrent: QbittorrentServer) -> None:
    """A refused password raises LoginFailed; calls failing together try once."""
    async with Client(proxy.url, qbittorrent.username, "not-the-password") as client:
        with pytest.raises(LoginFailed) as direct:
            await client.auth_log_in()
        assert proxy.count("auth/login") == 1

        results = await asyncio.gather(
            *(client.app_version() for _ in range(6)), return_exceptions=True
        )

        assert all(type(result) is LoginFailed for result in results)
        assert proxy.count("auth/login") == 2
        assert proxy.count("app/version") == 0
        assert not client.is_logged_in
        # A later call tries again, and new credentials are used from then on.
        await client.auth_log_in(password=qbittorrent.password)
        assert await client.app_version() == f"v{qbittorrent.version}"
    assert type(direct.value) is LoginFailed
    assert "not-the-password" not in str(direct.value)
    assert proxy.count("auth/login") == 3


@pytest.mark.endpoints("auth/login", "auth/logout", "app/version")
async def test_log_out(qbittorrent: QbittorrentServer) -> None:
    """Logging out ends the session on the server; the next call logs in again."""
    async with client_for(qbittorrent) as client:
        await client.auth_log_in()
        name, value = session_cookie(client)

        await client.auth.log_out()

        assert not client.is_logged_in
        assert not await session_is_valid(qbittorrent, name, value)
        # Logging out twice sends nothing more.
        await client.auth_log_out()
        assert await client.app_version() == f"v{qbittorrent.version}"
        assert client.session_generation == 2
        name, value = session_cookie(client)
        assert await session_is_valid(qbittorrent, name, value)
    # Leaving the block gives the session back.
    assert not await session_is_valid(qbittorrent, name, value)


@pytest.mark.endpoints("auth/login", "auth/logout")
async def test_leaving_the_block_survives_a_dead_server(
    qbittorrent: QbittorrentServer,
) -> None:
    """A server that cannot be reached at the end does not break leaving the block."""
    client = client_for(qbittorrent)
    async with client:
        await client.auth_log_in()
        client.url = client.url.with_port(1)
    assert client._session is None


# Re-login --------------------------------------------------------------------


@pytest.mark.endpoints("auth/login", "app/version")
async def test_relogin_after_the_server_forgets_the_session(
    proxy: Proxy, qbittorrent: QbittorrentServer
) -> None:
    """Calls after the session ended behind the client's back succeed, after one login."""
    async with client_for(qbittorrent, proxy.url) as client:
        await client.auth_log_in()
        await forget_session(qbittorrent, client)

        versions = await asyncio.gather(*(client.app_version() for _ in range(10)))

        assert set(versions) == {f"v{qbittorrent.version}"}
        assert proxy.count("auth/login") == 2
        assert client.session_generation == 2
        # Each call was sent at most twice: once with the old session, once after.
        assert 10 < proxy.count("app/version") <= 20


@pytest.mark.endpoints("auth/login", "app/version")
async def test_relogin_after_a_restart(
    private_server: QbittorrentServer, endpoint_calls: list[str]
) -> None:
    """After the server restarts (forgetting every session), one login repairs it."""
    async with client_for(private_server) as client:
        assert await client.app_version() == f"v{private_server.version}"
        await asyncio.to_thread(private_server.restart)

        versions = await asyncio.gather(*(client.app_version() for _ in range(5)))

        assert set(versions) == {f"v{private_server.version}"}
        assert endpoint_calls.count("auth/login") == 2


@pytest.mark.endpoints("auth/login")
async def test_banned_ip_is_never_retried(private_webui: WebUI) -> None:
    """A login answered 403 (banned) raises Banned, after exactly one attempt."""
    server = private_webui.server
    # The ban outlasts the test however slowly it runs.
    await private_webui.set_preferences(
        web_ui_max_auth_fail_count=2, web_ui_ban_duration=3600
    )
    async with Client(server.url, server.username, "not-the-password") as wrong:
        for _ in range(2):
            with pytest.raises(LoginFailed) as refused:
                await wrong.auth_log_in()
            assert not isinstance(refused.value, Banned)

    async with (
        Proxy(server.url) as proxy,
        client_for(server, proxy.url) as client,
    ):
        with pytest.raises(Banned) as banned:
            await client.app_version()
        assert proxy.count("auth/login") == 1
        # Calls failing together share the one attempt.
        results = await asyncio.gather(
            *(client.app_version() for _ in range(4)), return_exceptions=True
        )

        assert all(isinstance(result, Banned) for result in results)
        assert proxy.count("auth/login") == 2
        assert proxy.count("app/version") == 0
    assert isinstance(banned.value, LoginFailed)
    assert banned.value.http_status_code == 403
    assert "banned this IP address" in str(banned.value)


# Refusals that are not about the password ---------------------------------------


@pytest.mark.endpoints("auth/login", "app/version")
async def test_host_header_refusal_says_what_to_change(
    qbittorrent: QbittorrentServer, endpoint_calls: list[str]
) -> None:
    """A 401 from the Host-header check is Unauthorized401Error, and no re-login."""
    async with client_for(qbittorrent) as client:
        await client.auth_log_in()

        with pytest.raises(Unauthorized401Error) as caught:
            await client.app_version(
                headers={"Host": f"127.0.0.1:{qbittorrent.port + 1}"}
            )

        assert "Host-header or CSRF check" in str(caught.value)
        assert "port qBittorrent itself listens on" in str(caught.value)
        assert endpoint_calls.count("auth/login") == 1
        # A wrong Referer trips the CSRF check the same way.
        with pytest.raises(Unauthorized401Error):
            await client.app_version(headers={"Referer": "http://example.com/"})
        assert await client.app_version() == f"v{qbittorrent.version}"


@pytest.mark.endpoints("auth/login")
async def test_host_header_refusal_at_login(qbittorrent: QbittorrentServer) -> None:
    """At login a 401 is LoginFailed, and its message names the Host-header check."""
    async with client_for(qbittorrent, extra_headers={"Host": "127.0.0.1:1"}) as client:
        with pytest.raises(LoginFailed) as caught:
            await client.auth_log_in()

    assert "Host-header or CSRF check" in str(caught.value)


@pytest.mark.endpoints("auth/login", "app/version")
async def test_no_credentials_on_a_server_that_wants_them(
    proxy: Proxy, qbittorrent: QbittorrentServer
) -> None:
    """Without credentials a 403 is an error saying what to give; no login is tried."""
    async with Client(proxy.url) as client:
        with pytest.raises(Forbidden403Error) as caught:
            await client.app_version()
        assert proxy.count("auth/login") == 0
        # Credentials given later are used from then on.
        await client.auth_log_in(qbittorrent.username, qbittorrent.password)
        assert await client.app_version() == f"v{qbittorrent.version}"

    assert type(caught.value) is Forbidden403Error
    assert "give a username and password or an API key" in str(caught.value)
    assert proxy.count("auth/login") == 1
    assert proxy.count("app/webapiVersion") == 2


@pytest.mark.endpoints("app/version", "app/webapiVersion")
async def test_no_credentials_with_local_bypass(private_webui: WebUI) -> None:
    """A server that skips authentication for local clients works without credentials."""
    server = private_webui.server
    await private_webui.set_preferences(bypass_local_auth=True)

    async with Proxy(server.url) as proxy, Client(proxy.url) as client:
        assert not client.uses_login
        versions = await asyncio.gather(*(client.app_version() for _ in range(3)))
        assert await client.app_web_api_version() == server.api_version

    assert set(versions) == {f"v{server.version}"}
    assert not [r for r in proxy.requests if r.path.startswith("auth/")]
    # One read of the version serves every call.
    assert proxy.count("app/webapiVersion") == 2
    assert client.session_generation == 0


# API keys ---------------------------------------------------------------------


@pytest.fixture
async def api_key(webui: WebUI) -> AsyncIterator[str]:
    """Return a fresh API key of the module's server (a made-up one before 5.2)."""
    if webui.server.version < "5.2":
        yield "qbt_" + "a" * 28
        return
    answer = await webui.post("app/rotateAPIKey")
    yield answer["apiKey"]
    await webui.post("app/deleteAPIKey")


@pytest.mark.endpoints("app/version", "app/webapiVersion")
async def test_api_key(
    proxy: Proxy,
    qbittorrent: QbittorrentServer,
    api_key: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An API key goes in a bearer header, never to auth/*, and nothing logs in."""
    monkeypatch.setenv("QBITTORRENTAPI_API_KEY", api_key)

    async with Client(proxy.url) as client:
        assert not client.uses_login
        if qbittorrent.version < "5.2":
            # No API keys before 5.2: the server wants a session, and says 403.
            with pytest.raises(APIKeyRefused) as caught:
                await client.app_version()
            assert caught.value.http_status_code == 403
            assert "5.2" in str(caught.value)
        else:
            await client.auth_log_in()
            assert await client.app_version() == f"v{qbittorrent.version}"
            await client.auth_log_out()
            assert not client.is_logged_in
        # auth/* never sees the key, even when called directly (nor a 403 there
        # is taken for a refused key).
        with pytest.raises(Forbidden403Error) as logout:
            await client._send("POST", "auth/logout")
        assert type(logout.value) is Forbidden403Error

    assert proxy.count("auth/login") == 0
    assert proxy.count("auth/logout") == 1
    assert "Authorization" not in proxy.last("auth/logout").headers
    bearer = f"Bearer {api_key}"
    assert proxy.last("app/webapiVersion").headers["Authorization"] == bearer
    assert "Cookie" not in proxy.last("app/webapiVersion").headers


@pytest.mark.endpoints("app/version", "app/webapiVersion")
async def test_refused_api_key_is_no_relogin(
    proxy: Proxy, qbittorrent: QbittorrentServer
) -> None:
    """A refused key raises at once, for every call, with no login."""
    key = "qbt_" + "z" * 28
    async with Client(
        proxy.url, qbittorrent.username, qbittorrent.password, api_key=key
    ) as client:
        with pytest.raises(APIKeyRefused) as first:
            await client.auth_log_in()
        results = await asyncio.gather(
            *(client.app_version() for _ in range(3)), return_exceptions=True
        )

    assert all(isinstance(result, APIKeyRefused) for result in results)
    assert isinstance(first.value, LoginFailed)
    assert isinstance(first.value, HTTPError)
    assert proxy.count("auth/login") == 0
    assert key not in str(first.value)


@pytest.mark.endpoints("app/webapiVersion")
async def test_caller_authorization_header_wins_over_the_key(
    proxy: Proxy, qbittorrent: QbittorrentServer
) -> None:
    """An Authorization header given by the caller is sent instead of the key."""
    async with Client(
        proxy.url, api_key="qbt_unused", extra_headers={"authorization": "Basic x"}
    ) as client:
        with pytest.raises(HTTPError):
            await client.api_version()

    assert proxy.last("app/webapiVersion").headers.getall("Authorization") == [
        "Basic x"
    ]


def test_namespace_delegates_keep_the_flat_methods() -> None:
    """Namespaces hand out the flat methods bound to their client."""
    client = Client("127.0.0.1:1")

    assert isinstance(AuthAPI.log_in, Delegate)
    assert client.auth is client.auth
    assert client.auth.log_in.func is Client.auth_log_in  # type: ignore[attr-defined]
    assert client.auth.log_in.args == (client,)  # type: ignore[attr-defined]
