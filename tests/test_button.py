"""The server's buttons, and how every action reports a failure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
import logging
from pathlib import Path

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.qbittorrent_plus.const import DOMAIN
from homeassistant.components.button.const import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .platforms import named_entry, poll, set_up, state_of, torrent_states
from .proxy import Proxy
from .servers import HA_VERSIONS, QbittorrentServer
from .torrents import make_torrent
from .webui import WebUI, wait_for

pytestmark = pytest.mark.usefixtures("socket_enabled")

START_ALL = "button.qbittorrent_start_all_torrents"
STOP_ALL = "button.qbittorrent_stop_all_torrents"
# Home Assistant polls at most once in this time after actions (its debouncer).
ACTION_COOLDOWN = timedelta(seconds=10)


async def press(hass: HomeAssistant, entity_id: str) -> None:
    """Press a button and wait for the action to finish."""
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


async def test_buttons(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The buttons, pinned on each server version."""
    entry = named_entry(qbittorrent)
    await set_up(hass, entry, Platform.BUTTON)

    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_stop_and_start_all(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The buttons stop and start every torrent; the counts follow."""
    for name in ("one", "two"):
        await webui.add_torrent(make_torrent(tmp_path, name))

    async def all_seeding() -> bool:
        states = await torrent_states(webui)
        return all(state.endswith("UP") for state in states.values())

    await wait_for(all_seeding)
    await set_up(hass, named_entry(qbittorrent), Platform.BUTTON, Platform.SENSOR)

    await press(hass, STOP_ALL)

    async def all_stopped() -> bool:
        states = await torrent_states(webui)
        return set(states.values()) == {"stoppedUP"}

    await wait_for(all_stopped)
    assert state_of(hass, STOP_ALL) == dt_util.utcnow().isoformat()
    await poll(hass, freezer)
    assert state_of(hass, "sensor.qbittorrent_stopped_torrents") == "2"

    await press(hass, START_ALL)

    async def all_started() -> bool:
        states = await torrent_states(webui)
        return "stoppedUP" not in states.values()

    await wait_for(all_started)
    await poll(hass, freezer, ACTION_COOLDOWN)
    assert state_of(hass, "sensor.qbittorrent_stopped_torrents") == "0"

    await webui.post("torrents/delete", {"hashes": "all", "deleteFiles": "false"})


async def test_server_down(
    hass: HomeAssistant,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An action on a stopped server fails with a translated error.

    The failed action polls, so the entities go unavailable with one log line.
    """
    server = qbittorrent_factory("5.3.0")
    await set_up(hass, named_entry(server), Platform.BUTTON)
    await hass.async_add_executor_job(server.stop)

    with pytest.raises(HomeAssistantError) as raised:
        await press(hass, STOP_ALL)

    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "cannot_connect"
    assert "Cannot connect to qBittorrent" in str(raised.value)
    assert state_of(hass, STOP_ALL) == STATE_UNAVAILABLE
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1


@pytest.mark.parametrize("version", HA_VERSIONS)
async def test_refused_credentials(
    hass: HomeAssistant,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
    version: str,
) -> None:
    """When the server no longer takes the password, an action asks for a new one."""
    server = qbittorrent_factory(version)
    entry = named_entry(server)
    await set_up(hass, entry, Platform.BUTTON)
    async with WebUI(server) as webui:
        await webui.post(
            "app/setPreferences", {"json": '{"web_ui_password": "another password"}'}
        )
    # The server's own check after the restart logs in with the new password.
    server.password = "another password"
    # qBittorrent keeps open sessions when the password changes; a restart ends them.
    await hass.async_add_executor_job(server.restart)

    with pytest.raises(HomeAssistantError) as raised:
        await press(hass, START_ALL)
    await hass.async_block_till_done()

    assert raised.value.translation_key == "invalid_auth"
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert entry.state is ConfigEntryState.LOADED


async def test_banned(
    hass: HomeAssistant,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
) -> None:
    """An action from a banned address says so, and tries no further login."""
    server = qbittorrent_factory("5.3.0")
    await set_up(hass, named_entry(server), Platform.BUTTON)
    async with WebUI(server) as webui:
        await webui.post(
            "app/setPreferences", {"json": '{"web_ui_max_auth_fail_count": 1}'}
        )
    await hass.async_add_executor_job(server.restart)
    async with aiohttp.ClientSession() as session:
        form = {"username": server.username, "password": "wrong"}
        async with session.post(f"{server.url}/api/v2/auth/login", data=form):
            pass

    with pytest.raises(HomeAssistantError) as raised:
        await press(hass, STOP_ALL)

    assert raised.value.translation_key == "action_banned"
    assert "banned" in str(raised.value)


async def test_unexpected_error(
    hass: HomeAssistant,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
) -> None:
    """A failure that is no connection problem is reported as the server's error.

    Here the server comes back (through a proxy) as a version the client, told to
    refuse such versions, does not support; it finds out at the login an action
    makes after the restart.
    """
    server = qbittorrent_factory("5.3.0")
    async with Proxy(server.url) as proxy:
        entry = named_entry(server, proxy.url)
        await set_up(hass, entry, Platform.BUTTON)
        entry.runtime_data.client.raise_unsupported_version = True
        proxy.answer("app/webapiVersion", body=b"2.99.0")
        await hass.async_add_executor_job(server.restart)

        with pytest.raises(HomeAssistantError) as raised:
            await press(hass, STOP_ALL)

    assert raised.value.translation_key == "unknown_error"
    assert "Web API 2.99 is not supported" in str(raised.value)
