"""The server's event entity: the latest torrent event, with its torrent's details."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.qbittorrent_plus.const import DOMAIN
from custom_components.qbittorrent_plus.torrents.events import EVENT_TYPES, storage_key
from homeassistant.const import EVENT_STATE_CHANGED, Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations

from .platforms import named_entry, poll, set_up
from .server_torrents import seed
from .servers import QbittorrentServer
from .torrents import make_torrent
from .webui import WebUI

pytestmark = pytest.mark.usefixtures("socket_enabled")

TORRENTS = "event.qbittorrent_torrents"


def shown(hass: HomeAssistant, entity_id: str = TORRENTS) -> State:
    """Return the entity's state; fail when it has none."""
    state = hass.states.get(entity_id)
    assert state is not None, f"{entity_id} has no state"
    return state


async def test_event_entity(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The entity, pinned on each server version, before any event."""
    entry = named_entry(qbittorrent)
    await set_up(hass, entry, Platform.EVENT)

    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_each_event_is_shown(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Each poll's latest event is shown, with its torrent's details."""
    made = [make_torrent(tmp_path, name) for name in ("first", "second")]
    await set_up(hass, named_entry(qbittorrent), Platform.EVENT)
    writes = async_capture_events(hass, EVENT_STATE_CHANGED)
    fired = async_capture_events(hass, f"{DOMAIN}_torrent_added")

    await seed(webui, *made)
    await poll(hass, freezer)
    await webui.delete_torrents(*(torrent.info_hash for torrent in made))
    await poll(hass, freezer)

    states = [
        event.data["new_state"]
        for event in writes
        if event.data["entity_id"] == TORRENTS and event.data["new_state"] is not None
    ]
    names = {torrent.name for torrent in made}
    # One write per poll, however many events it had; the bus has each one.
    assert [state.attributes["event_type"] for state in states] == [
        "torrent_added",
        "torrent_removed",
    ]
    assert {event.data["name"] for event in fired} == names
    assert {state.attributes["name"] for state in states} <= names
    timestamps = [state.state for state in states]
    assert timestamps == sorted(set(timestamps))
    last: dict[str, Any] = dict(shown(hass).attributes)
    removed = next(torrent for torrent in made if torrent.name == last["name"])
    assert last == {
        "event_types": EVENT_TYPES,
        "event_type": "torrent_removed",
        "hash": removed.info_hash,
        "name": removed.name,
        "category": None,
        "tags": [],
        "save_path": str(removed.save_path),
        "content_path": str(removed.save_path / removed.name),
        "size": removed.size,
        "friendly_name": "qBittorrent Torrents",
    }


async def test_event_from_before_the_entity(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    tmp_path: Path,
    hass_storage: dict[str, Any],
) -> None:
    """A completion found at the first poll, before the entity existed, shows.

    The entity shows it once: added again under another id, it is the same event.
    """
    made = make_torrent(tmp_path, "completed while unloaded")
    await seed(webui, made)
    entry = named_entry(qbittorrent)
    hass_storage[storage_key(entry.entry_id)] = {
        "version": 1,
        "data": {"downloading": [made.info_hash], "completed_until": 0},
    }
    try:
        await set_up(hass, entry, Platform.EVENT)

        state = shown(hass)
        assert state.attributes["event_type"] == "download_completed"
        assert state.attributes["hash"] == made.info_hash

        er.async_get(hass).async_update_entity(
            TORRENTS, new_entity_id="event.downloads"
        )
        await hass.async_block_till_done()
        assert shown(hass, "event.downloads").state == state.state
    finally:
        await webui.delete_torrents(made.info_hash)


async def test_translations(hass: HomeAssistant) -> None:
    """Every event type has its name, as an entity state and as a trigger."""
    entity = await async_get_translations(hass, "en", "entity", {DOMAIN})
    triggers = await async_get_translations(hass, "en", "device_automation", {DOMAIN})

    prefix = f"component.{DOMAIN}"
    for kind in EVENT_TYPES:
        assert (
            f"{prefix}.entity.event.torrents.state_attributes.event_type.state.{kind}"
            in entity
        )
        assert f"{prefix}.device_automation.trigger_type.{kind}" in triggers
