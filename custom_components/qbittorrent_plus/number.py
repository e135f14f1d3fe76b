"""Numbers of a qBittorrent server: the normal and the alternative speed limits."""

from __future__ import annotations

from typing import override

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfDataRate
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import KIB, MAX_SPEED_LIMIT
from .data import QbittorrentConfigEntry
from .entity import QbittorrentEntity, qbittorrent_action

# One action at a time per platform, so a server is never sent two at once.
PARALLEL_UPDATES = 1


def _limit(key: str, translation_key: str) -> NumberEntityDescription:
    """Describe a speed limit; ``key`` is its name in the preferences."""
    return NumberEntityDescription(
        key=key,
        translation_key=translation_key,
        device_class=NumberDeviceClass.DATA_RATE,
        entity_category=EntityCategory.CONFIG,
        mode=NumberMode.BOX,
        native_unit_of_measurement=UnitOfDataRate.KIBIBYTES_PER_SECOND,
        native_min_value=0,
        native_max_value=MAX_SPEED_LIMIT,
        native_step=1,
    )


LIMITS: tuple[NumberEntityDescription, ...] = (
    _limit("dl_limit", "download_limit"),
    _limit("up_limit", "upload_limit"),
    _limit("alt_dl_limit", "alternative_download_limit"),
    _limit("alt_up_limit", "alternative_upload_limit"),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: QbittorrentConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the server's speed limits."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        QbittorrentLimitEntity(coordinator, description) for description in LIMITS
    )


class QbittorrentLimitEntity(QbittorrentEntity, NumberEntity):
    """A global speed limit, in force or kept for the alternative mode."""

    @property
    @override
    def native_value(self) -> float | None:
        limit = self.coordinator.data.speed_limits.get(self.entity_description.key)
        return None if limit is None else limit // KIB

    @qbittorrent_action
    @override
    async def async_set_native_value(self, value: float) -> None:
        key = self.entity_description.key
        await self.coordinator.client.app_set_preferences({key: round(value * KIB)})
        # The main data shows only the limits in force; read the others too.
        self.coordinator.request_preferences()
