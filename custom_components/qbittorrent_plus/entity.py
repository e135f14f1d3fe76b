"""The base entities: the server's device and torrents' devices, and the action boundary."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Concatenate, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import QbittorrentCoordinator
from .errors import translated_errors
from .helpers import server_identifier, server_model, server_sw_version


def server_unique_id(entry: ConfigEntry, key: str) -> str:
    """Return the unique id of the server's entity with this description key."""
    return f"{entry.unique_id}_{key}"


def server_device_info(coordinator: QbittorrentCoordinator) -> DeviceInfo:
    """Return the device of the server a coordinator polls."""
    entry = coordinator.config_entry
    return DeviceInfo(
        identifiers={server_identifier(entry)},
        entry_type=DeviceEntryType.SERVICE,
        manufacturer="qBittorrent project",
        model=server_model(coordinator.api_version),
        name=entry.title,
        sw_version=server_sw_version(coordinator.version),
        configuration_url=str(coordinator.client.url),
    )


class QbittorrentEntity(CoordinatorEntity[QbittorrentCoordinator]):
    """An entity of a qBittorrent server, written only when what it shows changed."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: QbittorrentCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the server's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = server_unique_id(
            coordinator.config_entry, description.key
        )
        self._attr_device_info = server_device_info(coordinator)
        self._written: tuple[bool, Any] = (False, None)

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        # The platform writes the first state right after this; remember it, so the
        # next poll writes only if what the entity shows has changed since.
        self._written = (self.available, self.state)

    @callback
    def async_write_shown(self) -> None:
        """Write the state, and remember what it showed."""
        self._written = (self.available, self.state)
        self.async_write_ha_state()

    @override
    def _handle_coordinator_update(self) -> None:
        if (self.available, self.state) != self._written:
            self.async_write_shown()


class QbittorrentTorrentEntity(QbittorrentEntity):
    """An entity of one torrent, on the torrent's own device.

    A poll usually changes a few torrents of many, so the entity looks at what it
    shows only when the poll changed its torrent (or brought everything anew).
    """

    def __init__(
        self,
        coordinator: QbittorrentCoordinator,
        description: EntityDescription,
        info_hash: str,
        device_info: DeviceInfo,
    ) -> None:
        """Attach the entity to the torrent's device."""
        super().__init__(coordinator, description)
        self.info_hash = info_hash
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.unique_id}_{info_hash}_{description.key}"
        self._attr_device_info = device_info

    @property
    def torrent(self) -> Mapping[str, Any]:
        """Return the torrent's fields; none once the server no longer has it."""
        return self.coordinator.data.maindata.torrents.get(self.info_hash, {})

    @property
    @override
    def available(self) -> bool:
        return (
            super().available
            and self.info_hash in self.coordinator.data.maindata.torrents
        )

    @override
    def _handle_coordinator_update(self) -> None:
        data = self.coordinator.data
        if self.info_hash not in data.maindata.torrents:
            # The torrent's device goes with it; nothing is left to show.
            return
        changes = data.changes
        if (
            changes.full_update
            or self.info_hash in changes.torrents_changed
            or self.available != self._written[0]
        ):
            super()._handle_coordinator_update()


def qbittorrent_action[EntityT: QbittorrentEntity, **P](
    func: Callable[Concatenate[EntityT, P], Coroutine[Any, Any, Any]],
) -> Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]]:
    """Run an entity's action with translated errors, then poll at once.

    The poll lets the entity follow the server without waiting for the interval.
    """

    async def handler(self: EntityT, /, *args: P.args, **kwargs: P.kwargs) -> None:
        async with translated_errors(self.coordinator):
            await func(self, *args, **kwargs)
        await self.coordinator.async_request_refresh()

    return handler
