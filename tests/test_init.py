"""Setting up and unloading a config entry against real servers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from http.cookies import SimpleCookie
from unittest.mock import patch

import aiohttp
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.qbittorrent_plus.const import DEFAULT_SCAN_INTERVAL, DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .common import entry_for, reauthenticate
from .proxy import Proxy, Recorded
from .servers import QbittorrentServer

# Past the poll interval, and short of the client's request timeout.
POLL_DUE = DEFAULT_SCAN_INTERVAL + timedelta(seconds=1)


async def test_setup_and_unload(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, socket_enabled: None
) -> None:
    """An entry loads against a real server, knows its versions, and unloads."""
    entry = entry_for(qbittorrent)
    entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.version == f"v{qbittorrent.version}"
    assert entry.runtime_data.api_version == qbittorrent.api_version
    client = entry.runtime_data.client
    cookies = {
        morsel.key: morsel.value
        for morsel in client._jar().filter_cookies(client.url).values()
    }
    assert await status_with_cookies(qbittorrent, cookies) == 200

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    # The entry gave its session back: the server no longer knows the cookie.
    assert await status_with_cookies(qbittorrent, cookies) == 403


async def status_with_cookies(
    server: QbittorrentServer, cookies: dict[str, str]
) -> int:
    """Return the status of an ``app/version`` request with only these cookies."""
    async with (
        aiohttp.ClientSession(cookies=cookies) as session,
        session.get(f"{server.url}/api/v2/app/version") as response,
    ):
        return response.status


async def test_wrong_password_starts_reauth(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, socket_enabled: None
) -> None:
    """Credentials the server refuses fail setup and ask the user for new ones."""
    entry = entry_for(qbittorrent, password="not-the-password")
    entry.add_to_hass(hass)

    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(entry.domain)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_stopped_server_retries_setup(
    hass: HomeAssistant,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
    socket_enabled: None,
) -> None:
    """A server that is down makes setup retry later instead of failing for good."""
    server = qbittorrent_factory("5.3.0")
    server.stop()
    entry: MockConfigEntry = entry_for(server)
    entry.add_to_hass(hass)

    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_malformed_answer_retries_setup(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, socket_enabled: None
) -> None:
    """An answer that is not what qBittorrent sends makes setup retry, and says so."""
    async with Proxy(qbittorrent.url) as proxy:
        proxy.answer("app/version", body=b"{", content_type="application/json")
        entry = entry_for(qbittorrent)
        entry.add_to_hass(hass)
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_URL: proxy.url}
        )

        assert not await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason is not None
    assert "malformed or truncated JSON" in entry.reason


def _session_cookies(recorded: Recorded) -> dict[str, str]:
    """Return the cookies a request the proxy recorded carried."""
    cookies = SimpleCookie(recorded.headers["Cookie"])
    return {name: morsel.value for name, morsel in cookies.items()}


def _through(entry: MockConfigEntry, proxy: Proxy) -> MockConfigEntry:
    """Return an entry like ``entry`` that reaches its server through ``proxy``."""
    return MockConfigEntry(
        domain=entry.domain,
        title=entry.title,
        unique_id=entry.unique_id,
        data={**entry.data, CONF_URL: proxy.url},
    )


async def test_unload_logs_out_after_the_last_poll(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, proxy: Proxy
) -> None:
    """A poll that falls due while the entry logs out does not log in again.

    The proxy makes the next poll due just as the server answers the logout.
    """
    entry = _through(entry_for(qbittorrent), proxy)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    cookies = _session_cookies(proxy.last("sync/maindata"))
    assert await status_with_cookies(qbittorrent, cookies) == 200

    async def poll_due() -> None:
        async_fire_time_changed(hass, dt_util.utcnow() + POLL_DUE)
        await hass.async_block_till_done(wait_background_tasks=True)

    proxy.before_answering("auth/logout", poll_due)
    assert await hass.config_entries.async_unload(entry.entry_id)
    async_fire_time_changed(hass, dt_util.utcnow() + POLL_DUE)
    await hass.async_block_till_done(wait_background_tasks=True)

    paths = [recorded.path for recorded in proxy.requests]
    assert paths.count("auth/login") == 1
    assert paths[-1] == "auth/logout"
    assert await status_with_cookies(qbittorrent, cookies) == 403


async def test_failed_unload_keeps_the_session(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, proxy: Proxy
) -> None:
    """While a platform cannot unload, its entities still need the session."""
    entry = _through(entry_for(qbittorrent), proxy)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    cookies = _session_cookies(proxy.last("sync/maindata"))

    with patch.object(
        hass.config_entries, "async_unload_platforms", return_value=False
    ):
        assert not await hass.config_entries.async_unload(entry.entry_id)

    assert entry.state is ConfigEntryState.FAILED_UNLOAD
    assert proxy.count("auth/logout") == 0
    assert await status_with_cookies(qbittorrent, cookies) == 200
    # The entry stays loaded until Home Assistant stops; end its session now.
    await entry.runtime_data.coordinator.async_shutdown()
    await entry.runtime_data.client.auth_log_out()


@pytest.mark.parametrize(
    ("path", "answer"),
    [("app/webapiVersion", b"1.9"), ("sync/maindata", b"")],
    ids=["unsupported_version", "first_poll_failed"],
)
async def test_failed_setup_logs_out(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    proxy: Proxy,
    path: str,
    answer: bytes,
) -> None:
    """A setup that fails after the login gives the session back before a retry."""
    proxy.rewrite(path, lambda _: answer)
    entry = _through(entry_for(qbittorrent), proxy)
    entry.add_to_hass(hass)

    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_RETRY
    paths = [recorded.path for recorded in proxy.requests]
    assert paths.count("auth/login") == 1
    assert paths[-1] == "auth/logout"
    cookies = _session_cookies(proxy.last("auth/logout"))
    assert await status_with_cookies(qbittorrent, cookies) == 403


async def test_login_required_at_setup_starts_reauth(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, socket_enabled: None
) -> None:
    """An entry without credentials that the WebUI no longer lets in asks for them.

    Reauthentication takes the WebUI's username and password, and the entry loads.
    """
    entry = entry_for(qbittorrent)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={CONF_URL: entry.data[CONF_URL], CONF_VERIFY_SSL: True}
    )

    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.error_reason_translation_key == "auth_required"
    await reauthenticate(hass, entry, qbittorrent)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_ban_at_setup_retries(
    hass: HomeAssistant, private_server: QbittorrentServer, socket_enabled: None
) -> None:
    """A ban at setup retries setup instead of asking for the password again.

    Once the ban is over, the entry with the right password loads by itself, and
    the one with a wrong password asks for a new one.
    """
    private_server.set_preferences(web_ui_max_auth_fail_count=2)
    right = entry_for(private_server)
    wrong = MockConfigEntry(
        domain=DOMAIN,
        unique_id="wrong",
        data={**entry_for(private_server, password="wrong").data},
    )
    for entry in (right, wrong):
        entry.add_to_hass(hass)
    async with aiohttp.ClientSession() as session:
        form = {"username": private_server.username, "password": "wrong"}
        for _ in range(2):
            url = f"{private_server.url}/api/v2/auth/login"
            async with session.post(url, data=form):
                pass

    # Setting up the integration sets up both entries.
    assert not await hass.config_entries.async_setup(right.entry_id)
    await hass.async_block_till_done()
    for entry in (right, wrong):
        assert entry.state is ConfigEntryState.SETUP_RETRY
        assert entry.error_reason_translation_key == "banned"
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)

    # qBittorrent keeps bans in memory: a restart lifts them.
    await hass.async_add_executor_job(private_server.restart)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=1))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert right.state is ConfigEntryState.LOADED
    assert wrong.state is ConfigEntryState.SETUP_ERROR
    assert wrong.error_reason_translation_key == "invalid_auth"
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [
        (flow["context"]["source"], flow["context"]["entry_id"]) for flow in flows
    ] == [(SOURCE_REAUTH, wrong.entry_id)]
    assert await hass.config_entries.async_unload(right.entry_id)
