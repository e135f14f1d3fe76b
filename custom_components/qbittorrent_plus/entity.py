"""The base entity: one device per qBittorrent server, and the boundary for actions."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, override

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import QbittorrentCoordinator
from .errors import translated_errors


class QbittorrentEntity(CoordinatorEntity[QbittorrentCoordinator]):
    """An entity of a qBittorrent server, written only when what it shows changed."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: QbittorrentCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the server's device."""
        super().__init__(coordinator)
        self.entity_description = description
        entry = coordinator.config_entry
        runtime = entry.runtime_data
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, str(entry.unique_id))},
            entry_type=DeviceEntryType.SERVICE,
            manufacturer="qBittorrent project",
            model=f"qBittorrent (Web API {runtime.api_version})",
            name=entry.title,
            sw_version=runtime.version.removeprefix("v"),
            configuration_url=str(coordinator.client.url),
        )
        self._written: Any = None

    def _shown(self) -> Any:
        """Return what the entity shows; a change of it is what makes a write."""
        return None

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        # The platform writes the first state right after this; remember it, so the
        # next poll writes only if something it shows has changed since.
        self._written = (self.available, self._shown())

    @override
    def _handle_coordinator_update(self) -> None:
        shown = (self.available, self._shown())
        if shown != self._written:
            self._written = shown
            self.async_write_ha_state()


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
