"""Plain helpers for the client's tests (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
import re
import secrets
from typing import Any

import aiohttp
import pytest

from custom_components.qbittorrent_plus.api import ENDPOINTS, Client
from custom_components.qbittorrent_plus.api.versions import APIVersion, parse_version
from tests.servers import QbittorrentServer


def client_for(
    server: QbittorrentServer, url: str | None = None, **options: Any
) -> Client:
    """Return a client with the server's credentials, at ``url`` (else the server's).

    ``url`` is, for example, a proxy's in front of the server; ``options`` are the
    client's keyword arguments.
    """
    return Client(url or server.url, server.username, server.password, **options)


def unique(prefix: str) -> str:
    """Return a name no other test uses (for torrents, categories, tags, keys)."""
    return f"{prefix}-{secrets.token_hex(4)}"


def at_least(server: QbittorrentServer, version: APIVersion | str) -> bool:
    """Return whether the server's Web API is ``version`` (``(2, 11, 4)``, "2.11") or newer."""
    wanted = parse_version(version) if isinstance(version, str) else version
    return parse_version(server.api_version) >= wanted


def has(server: QbittorrentServer, *paths: str) -> bool:
    """Return whether the server's Web API version has every one of the endpoints."""
    version = parse_version(server.api_version)
    return all(ENDPOINTS[path].exists_in(version) for path in paths)


def expect_share_fields(
    server: QbittorrentServer,
    torrent: Mapping[str, Any],
    inactive_seeding_time_limit: int,
    share_limit_action: str,
    share_limits_mode: str,
) -> None:
    """The share-limit fields a torrent lists hold these, where its server has them."""
    expected = (
        ("inactive_seeding_time_limit", inactive_seeding_time_limit, "2.9.2"),
        ("share_limit_action", share_limit_action, "2.15.1"),
        ("share_limits_mode", share_limits_mode, "2.16.2"),
    )
    for field, value, since in expected:
        if at_least(server, since):
            assert torrent[field] == value, field
        else:
            assert field not in torrent, field


async def assert_absent(
    client: Client,
    strict: Client,
    needs: str,
    calls: Mapping[str, Callable[[Client], Awaitable[object]]],
) -> None:
    """Each call returns None; with ``strict`` it raises, saying what it needs.

    ``calls`` maps endpoint paths to calls of them. ``client`` is the lenient client,
    ``strict`` one made with
    ``raise_notimplementederror_for_unimplemented_api_endpoints=True`` (the fixtures
    of those names), and the NotImplementedError must say ``f"{path} {needs}"``: with
    ``needs="needs Web API 2.11.3 (qBittorrent 5.1.0 or newer)"``, for example, or
    ``needs="was removed in Web API 2.6; use search/plugins"``.
    """
    for path, call in calls.items():
        assert await call(client) is None, path
        with pytest.raises(NotImplementedError, match=re.escape(f"{path} {needs}")):
            await call(strict)


# Sessions on the server -----------------------------------------------------------


def session_cookie(client: Client) -> tuple[str, str]:
    """Return the name and value of the session cookie the client holds."""
    cookies = client._jar().filter_cookies(client.url)
    assert len(cookies) == 1, "one session cookie"
    morsel = next(iter(cookies.values()))
    return morsel.key, morsel.value


async def session_is_valid(server: QbittorrentServer, name: str, value: str) -> bool:
    """Return whether the server still knows a session cookie."""
    return await _status_with(server, name, value, "GET", "app/version") == 200


async def forget_session(server: QbittorrentServer, client: Client) -> None:
    """End the client's session on the server, behind the client's back."""
    name, value = session_cookie(client)
    assert await _status_with(server, name, value, "POST", "auth/logout") == 200
    assert not await session_is_valid(server, name, value)


async def _status_with(
    server: QbittorrentServer, name: str, value: str, method: str, path: str
) -> int:
    """Call an endpoint with only a session cookie; return the answer's status."""
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, f"{server.url}/api/v2/{path}", headers={"Cookie": f"{name}={value}"}
        ) as response,
    ):
        return response.status
