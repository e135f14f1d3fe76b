"""Setting up and unloading a config entry against real servers."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant

from .common import entry_for
from .proxy import Proxy
from .servers import QbittorrentServer


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
