"""Helpers for the tests of the entity platforms and the coordinator.

These tests freeze Home Assistant's clock (``freezer``) so a poll happens only when a
test moves time; ``tests.webui.wait_for`` still waits for the real server, since it
sleeps in a thread, which the frozen clock does not stop.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from unittest.mock import PropertyMock, patch

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.qbittorrent_plus.const import DEFAULT_SCAN_INTERVAL, DOMAIN
from homeassistant.const import CONF_URL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .common import entry_for
from .servers import QbittorrentServer
from .webui import WebUI


def named_entry(server: QbittorrentServer, url: str | None = None) -> MockConfigEntry:
    """Return an entry named "qBittorrent" with a fixed unique id, whatever the port.

    Entity ids and unique ids then do not depend on the port a server got, so
    snapshots stay the same from one run to the next. ``url`` reaches the server
    another way (through a proxy).
    """
    data = {**entry_for(server).data}
    if url is not None:
        data[CONF_URL] = url
    return MockConfigEntry(
        domain=DOMAIN, title="qBittorrent", unique_id="qbittorrent", data=data
    )


async def set_up(
    hass: HomeAssistant, entry: MockConfigEntry, *platforms: Platform
) -> None:
    """Add the entry and set it up with only the given platforms."""
    entry.add_to_hass(hass)
    with patch("custom_components.qbittorrent_plus.PLATFORMS", list(platforms)):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()


def server_device(hass: HomeAssistant, entry: MockConfigEntry) -> dr.DeviceEntry:
    """Return the server's device."""
    device_registry = dr.async_get(hass)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(entry.unique_id)), entry.entry_id
    )
    assert device is not None
    return device


@contextmanager
def all_enabled() -> Iterator[None]:
    """Create entities that are disabled by default as enabled (for snapshots)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


async def poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    interval: timedelta = DEFAULT_SCAN_INTERVAL,
) -> None:
    """Move the clock by ``interval`` and let the poll it starts finish."""
    freezer.tick(interval)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state; fail when the entity has none."""
    state = hass.states.get(entity_id)
    assert state is not None, f"{entity_id} has no state"
    return state.state


async def torrent_states(webui: WebUI) -> dict[str, str]:
    """Return each torrent's state by name, with 4.x names as 5.x names them."""
    torrents: list[dict[str, Any]] = await webui.get("torrents/info")
    return {t["name"]: t["state"].replace("paused", "stopped") for t in torrents}


def stop_path(server: QbittorrentServer) -> str:
    """Return the endpoint that stops torrents on this server's version."""
    return "torrents/pause" if server.version < "5" else "torrents/stop"
