"""The server's torrent events, the latest of them as an event entity."""

from __future__ import annotations

from collections.abc import Sequence
from typing import override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import QbittorrentConfigEntry
from .entity import QbittorrentEntity
from .torrents.events import EVENT_TYPES, TorrentEvent

# Entities only read the coordinator's data; the coordinator does all the polling.
PARALLEL_UPDATES = 0

TORRENTS = EventEntityDescription(
    key="torrents", translation_key="torrents", event_types=EVENT_TYPES
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: QbittorrentConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the server's event entity."""
    async_add_entities(
        [QbittorrentEventEntity(entry.runtime_data.coordinator, TORRENTS)]
    )


class QbittorrentEventEntity(QbittorrentEntity, EventEntity):
    """The server's latest torrent event of each poll, with its torrent's details."""

    _shown_event: TorrentEvent | None = None

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        events = self.coordinator.torrent_events
        self.async_on_remove(events.async_add_listener(self._handle_torrent_events))
        # The first poll's events (completions missed while Home Assistant was
        # stopped) can come before the entity; the platform writes this one.
        if events.last_event is not None and events.last_event is not self._shown_event:
            self._show(events.last_event)

    @callback
    def _handle_torrent_events(self, events: Sequence[TorrentEvent]) -> None:
        # The latest event of a poll only: stopping a library of 10,000 torrents
        # would otherwise write 10,000 states (and recorder rows) at once. Every
        # event reaches the bus, and so the device triggers and automations.
        self._show(events[-1])
        self.async_write_shown()

    def _show(self, event: TorrentEvent) -> None:
        self._shown_event = event
        self._trigger_event(event.type, dict(event.attributes))
