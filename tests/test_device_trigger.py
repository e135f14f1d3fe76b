"""Device triggers of the server: the automation editor's torrent events."""

from __future__ import annotations

from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import async_get_device_automations

from custom_components.qbittorrent_plus import device_trigger
from custom_components.qbittorrent_plus.const import DOMAIN
from custom_components.qbittorrent_plus.torrents.events import EVENT_TYPES
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .automations import device_trigger_automation, set_up_automations
from .platforms import named_entry, poll, server_device, set_up
from .server_torrents import seed
from .servers import QbittorrentServer
from .torrents import make_torrent
from .webui import WebUI

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def test_triggers_of_the_server(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The server's device offers every torrent event; a torrent's device none."""
    entry = named_entry(qbittorrent)
    await set_up(hass, entry, Platform.EVENT)
    server = server_device(hass, entry).id
    torrent = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, "qbittorrent_" + "a" * 40)},
        via_device_id=server,
    )

    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, server
    )

    assert [
        {key: value for key, value in trigger.items() if key != "metadata"}
        for trigger in triggers
    ] == [
        {"platform": "device", "domain": DOMAIN, "device_id": server, "type": kind}
        for kind in EVENT_TYPES
    ]
    assert (
        await async_get_device_automations(
            hass, DeviceAutomationType.TRIGGER, torrent.id
        )
        == []
    )
    assert await device_trigger.async_get_triggers(hass, "no such device") == []


async def test_trigger_runs_automation(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An automation on "a torrent was added" runs for this server's torrents only."""
    made = make_torrent(tmp_path, "trigger")
    entry = named_entry(qbittorrent)
    await set_up(hass, entry, Platform.EVENT)
    calls = await set_up_automations(
        hass, device_trigger_automation(server_device(hass, entry).id, "torrent_added")
    )
    hass.bus.async_fire(
        "qbittorrent_plus_torrent_added",
        {"device_id": "another server", "name": "theirs", "tags": []},
    )

    try:
        await seed(webui, made)
        await poll(hass, freezer)
    finally:
        await webui.delete_torrents(made.info_hash)

    assert [call.data for call in calls] == [{"name": made.name, "tags": []}]
