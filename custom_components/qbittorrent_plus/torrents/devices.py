"""Torrents with devices of their own: which torrents, and keeping their devices current.

The options choose them: none, every torrent, those of one category, or those with
one tag, and at most so many, the most recently added first. Each chosen torrent is
a device under the server's device, with entities from several platforms. The choice
follows the server at each poll: a torrent that starts to match gets its device and
entities, one that stops matching (or is removed) loses its device, and with it its
entities.

Only what a poll changed is looked at: the torrents it added or removed, and those
whose category or tags changed; a poll that changed nothing is not looked at at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
import heapq
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..api import torrent_tags
from ..const import (
    CONF_TORRENT_CATEGORY,
    CONF_TORRENT_ENTITIES,
    CONF_TORRENT_LIMIT,
    CONF_TORRENT_TAG,
    DEFAULT_TORRENT_LIMIT,
    DOMAIN,
    TORRENTS_ALL,
    TORRENTS_CATEGORY,
    TORRENTS_NONE,
    TORRENTS_TAG,
)
from ..coordinator import QbittorrentCoordinator, QbittorrentData
from ..entity import QbittorrentTorrentEntity, server_device_info

type TorrentPlatform = tuple[
    type[QbittorrentTorrentEntity],
    Sequence[EntityDescription],
    AddConfigEntryEntitiesCallback,
]
"""A platform's entity class, its descriptions, and how it adds entities."""


@dataclass(frozen=True, kw_only=True)
class TorrentSelection:
    """Which torrents get devices, as an entry's options say."""

    kind: str = TORRENTS_NONE
    name: str = ""
    """The category or the tag."""
    limit: int = DEFAULT_TORRENT_LIMIT

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> TorrentSelection:
        """Read the selection from an entry's options."""
        kind = options.get(CONF_TORRENT_ENTITIES, TORRENTS_NONE)
        name_key = (
            CONF_TORRENT_CATEGORY if kind == TORRENTS_CATEGORY else CONF_TORRENT_TAG
        )
        return cls(
            kind=kind,
            name=options.get(name_key, ""),
            limit=int(options.get(CONF_TORRENT_LIMIT, DEFAULT_TORRENT_LIMIT)),
        )

    @property
    def fields(self) -> frozenset[str]:
        """Return the torrent fields whose change can change a match."""
        if self.kind == TORRENTS_CATEGORY:
            return frozenset({"category"})
        if self.kind == TORRENTS_TAG:
            return frozenset({"tags"})
        return frozenset()

    def matches(self, torrent: Mapping[str, Any]) -> bool:
        """Return whether a torrent is one of those chosen (before the limit)."""
        if self.kind == TORRENTS_CATEGORY:
            return bool(torrent.get("category") == self.name)
        if self.kind == TORRENTS_TAG:
            return self.name in torrent_tags(torrent)
        return self.kind == TORRENTS_ALL


def torrent_identifier(entry: ConfigEntry, info_hash: str) -> str:
    """Return the device identifier of a torrent: two servers may share a torrent."""
    return f"{entry.entry_id}_{info_hash}"


def torrent_hash_of(entry: ConfigEntry, device: dr.AnyDeviceEntry) -> str | None:
    """Return the hash of the torrent a device of the entry is, or None."""
    prefix = torrent_identifier(entry, "")
    for domain, identifier in device.identifiers:
        if domain == DOMAIN and identifier.startswith(prefix):
            return identifier.removeprefix(prefix)
    return None


class TorrentDevices:
    """The chosen torrents of one loaded entry, and their devices and entities."""

    def __init__(
        self, hass: HomeAssistant, coordinator: QbittorrentCoordinator
    ) -> None:
        """Read the selection; ``async_start`` looks at the server's torrents."""
        self.hass = hass
        self.entry = entry = coordinator.config_entry
        self.coordinator = coordinator
        self.selection = TorrentSelection.from_options(entry.options)
        self.selected: set[str] = set()
        """The hashes of the torrents that have a device."""
        self._matching: set[str] = set()
        self._data: QbittorrentData | None = None
        self._platforms: list[TorrentPlatform] = []
        self._server_device_id = ""

    @callback
    def async_start(self) -> None:
        """Choose the torrents, remove the devices of others, and follow each poll."""
        if self.selection.kind != TORRENTS_NONE:
            # A torrent's device names the server's as the one it is reached through,
            # by its registry id, so the server's device must exist first.
            self._server_device_id = (
                dr.async_get(self.hass)
                .async_get_or_create(
                    config_entry_id=self.entry.entry_id,
                    **server_device_info(self.coordinator),
                )
                .id
            )
            self._data = data = self.coordinator.data
            self._matching = self._all_matching(data)
            self.selected = self._limited(data)
            self.entry.async_on_unload(
                self.coordinator.async_add_listener(self._async_update)
            )
        registry = dr.async_get(self.hass)
        for device in dr.async_entries_for_config_entry(registry, self.entry.entry_id):
            info_hash = torrent_hash_of(self.entry, device)
            if info_hash is not None and info_hash not in self.selected:
                registry.async_remove_device(device.id)

    @callback
    def async_add_platform(
        self,
        entity_class: type[QbittorrentTorrentEntity],
        descriptions: Sequence[EntityDescription],
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        """Add a platform's entities for each chosen torrent, now and as they come."""
        self._platforms.append((entity_class, descriptions, async_add_entities))
        if self.selected:
            async_add_entities(
                self._entities(entity_class, descriptions, self.selected)
            )

    @callback
    def _async_update(self) -> None:
        data = self.coordinator.data
        if data is self._data:
            # A failed poll, or the first good one after it, with nothing new.
            return
        self._data = data
        self._rename_devices(data)
        if not self._update_matching(data):
            return
        selected = self._limited(data)
        removed, added = self.selected - selected, selected - self.selected
        self.selected = selected
        registry = dr.async_get(self.hass)
        for info_hash in removed:
            if device := self._device(registry, info_hash):
                # The entity registry removes the device's entities with it.
                registry.async_remove_device(device.id)
        if added:
            for entity_class, descriptions, async_add_entities in self._platforms:
                async_add_entities(self._entities(entity_class, descriptions, added))

    def _all_matching(self, data: QbittorrentData) -> set[str]:
        return {
            info_hash
            for info_hash, torrent in data.maindata.torrents.items()
            if self.selection.matches(torrent)
        }

    def _update_matching(self, data: QbittorrentData) -> bool:
        """Follow a poll's changes; return whether the matching torrents changed."""
        changes = data.changes
        if changes.full_update:
            matching = self._all_matching(data)
            changed = matching != self._matching
            self._matching = matching
            return changed
        before = len(self._matching)
        self._matching -= changes.torrents_removed
        changed = len(self._matching) != before
        fields = self.selection.fields
        candidates = list(changes.torrents_added)
        if fields:
            candidates += (
                info_hash
                for info_hash in changes.torrents_changed
                if not fields.isdisjoint(changes.previous[info_hash])
            )
        torrents = data.maindata.torrents
        for info_hash in candidates:
            matches = self.selection.matches(torrents[info_hash])
            if matches != (info_hash in self._matching):
                changed = True
                if matches:
                    self._matching.add(info_hash)
                else:
                    self._matching.discard(info_hash)
        return changed

    def _limited(self, data: QbittorrentData) -> set[str]:
        """Return the matching torrents within the limit: the most recently added."""
        limit = self.selection.limit
        if len(self._matching) <= limit:
            return set(self._matching)
        torrents = data.maindata.torrents
        return set(
            heapq.nlargest(
                limit,
                self._matching,
                key=lambda info_hash: (
                    torrents[info_hash].get("added_on", 0),
                    info_hash,
                ),
            )
        )

    def _rename_devices(self, data: QbittorrentData) -> None:
        """Give a renamed torrent's device its new name."""
        changes = data.changes
        renamed = [
            info_hash
            for info_hash in changes.torrents_changed
            if info_hash in self.selected and "name" in changes.previous[info_hash]
        ]
        registry = dr.async_get(self.hass)
        for info_hash in renamed:
            if device := self._device(registry, info_hash):
                name = data.maindata.torrents[info_hash].get("name") or info_hash
                registry.async_update_device(device.id, name=name)

    def device_removable(self, device: dr.AnyDeviceEntry) -> bool:
        """Return whether the user may remove a device: a torrent's without entities.

        The server's device stays while the entry does, and so does the device of a
        torrent that is chosen (its entities would be gone until it stops matching).
        """
        info_hash = torrent_hash_of(self.entry, device)
        return info_hash is not None and info_hash not in self.selected

    def _device(
        self, registry: dr.DeviceRegistry, info_hash: str
    ) -> dr.DeviceEntry | None:
        identifier = (DOMAIN, torrent_identifier(self.entry, info_hash))
        return registry.async_get_device_by_identifier(identifier, self.entry.entry_id)

    def _entities(
        self,
        entity_class: type[QbittorrentTorrentEntity],
        descriptions: Sequence[EntityDescription],
        hashes: Iterable[str],
    ) -> list[QbittorrentTorrentEntity]:
        entities: list[QbittorrentTorrentEntity] = []
        # Sorted, so entities are added in the same order every time.
        for info_hash in sorted(hashes):
            device_info = self._device_info(info_hash)
            entities += (
                entity_class(self.coordinator, description, info_hash, device_info)
                for description in descriptions
            )
        return entities

    def _device_info(self, info_hash: str) -> DeviceInfo:
        torrent = self.coordinator.data.maindata.torrents[info_hash]
        return DeviceInfo(
            identifiers={(DOMAIN, torrent_identifier(self.entry, info_hash))},
            entry_type=DeviceEntryType.SERVICE,
            model="Torrent",
            name=torrent.get("name") or info_hash,
            serial_number=info_hash,
            via_device_id=self._server_device_id,
        )
