"""Sensors of a qBittorrent server: transfer, totals, connection and torrent counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfDataRate, UnitOfInformation
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .coordinator import QbittorrentConfigEntry, QbittorrentData
from .entity import QbittorrentEntity

# Entities only read the coordinator's data; the coordinator does all the polling.
PARALLEL_UPDATES = 0

CONNECTION_STATUSES = ["connected", "firewalled", "disconnected"]


@dataclass(frozen=True, kw_only=True)
class QbittorrentSensorEntityDescription(SensorEntityDescription):
    """A sensor and how to read its value from a poll's data."""

    value_fn: Callable[[QbittorrentData], StateType]


def _server_value(key: str) -> Callable[[QbittorrentData], StateType]:
    """Read a number from ``server_state``; None when the server does not send it."""

    def value(data: QbittorrentData) -> StateType:
        number = data.server_state.get(key)
        return number if isinstance(number, int | float) else None

    return value


def _ratio(data: QbittorrentData) -> float | None:
    """Parse the global ratio: the server sends text, "-" while it is undefined."""
    try:
        return float(data.server_state["global_ratio"])
    except KeyError, TypeError, ValueError:
        return None


def _connection_status(data: QbittorrentData) -> str | None:
    status = data.server_state.get("connection_status")
    return status if status in CONNECTION_STATUSES else None


def _count(group: str) -> Callable[[QbittorrentData], StateType]:
    def value(data: QbittorrentData) -> StateType:
        return data.torrent_counts[group]

    return value


def _speed(key: str, source: str) -> QbittorrentSensorEntityDescription:
    return QbittorrentSensorEntityDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.DATA_RATE,
        native_unit_of_measurement=UnitOfDataRate.BYTES_PER_SECOND,
        suggested_unit_of_measurement=UnitOfDataRate.MEBIBYTES_PER_SECOND,
        suggested_display_precision=2,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_server_value(source),
    )


def _limit(key: str, source: str) -> QbittorrentSensorEntityDescription:
    # The limit in force (normal or alternative); 0 is unlimited, as in qBittorrent.
    return QbittorrentSensorEntityDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.DATA_RATE,
        native_unit_of_measurement=UnitOfDataRate.BYTES_PER_SECOND,
        # The server keeps limits in whole KiB/s, as its WebUI shows them.
        suggested_unit_of_measurement=UnitOfDataRate.KIBIBYTES_PER_SECOND,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_server_value(source),
    )


def _total(
    key: str, source: str, *, enabled: bool = True
) -> QbittorrentSensorEntityDescription:
    return QbittorrentSensorEntityDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIBIBYTES,
        suggested_display_precision=2,
        # Session totals start again at 0 when qBittorrent restarts: a new cycle.
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_registry_enabled_default=enabled,
        value_fn=_server_value(source),
    )


def _torrents(
    group: str, *, enabled: bool = True
) -> QbittorrentSensorEntityDescription:
    return QbittorrentSensorEntityDescription(
        key=f"{group}_torrents",
        translation_key=f"{group}_torrents",
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=enabled,
        value_fn=_count(group),
    )


SENSORS: tuple[QbittorrentSensorEntityDescription, ...] = (
    _speed("download_speed", "dl_info_speed"),
    _speed("upload_speed", "up_info_speed"),
    _limit("download_speed_limit", "dl_rate_limit"),
    _limit("upload_speed_limit", "up_rate_limit"),
    _total("session_downloaded", "dl_info_data", enabled=False),
    _total("session_uploaded", "up_info_data", enabled=False),
    _total("alltime_downloaded", "alltime_dl"),
    _total("alltime_uploaded", "alltime_ul"),
    QbittorrentSensorEntityDescription(
        key="global_ratio",
        translation_key="global_ratio",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=_ratio,
    ),
    QbittorrentSensorEntityDescription(
        key="free_space",
        translation_key="free_space",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIBIBYTES,
        suggested_display_precision=1,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_server_value("free_space_on_disk"),
    ),
    QbittorrentSensorEntityDescription(
        key="connection_status",
        translation_key="connection_status",
        device_class=SensorDeviceClass.ENUM,
        options=CONNECTION_STATUSES,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_connection_status,
    ),
    QbittorrentSensorEntityDescription(
        key="dht_nodes",
        translation_key="dht_nodes",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_server_value("dht_nodes"),
    ),
    QbittorrentSensorEntityDescription(
        key="peer_connections",
        translation_key="peer_connections",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_server_value("total_peer_connections"),
    ),
    _torrents("all"),
    _torrents("downloading"),
    _torrents("seeding"),
    _torrents("completed"),
    _torrents("stopped"),
    _torrents("active"),
    _torrents("inactive", enabled=False),
    _torrents("stalled", enabled=False),
    _torrents("checking", enabled=False),
    _torrents("queued", enabled=False),
    _torrents("moving", enabled=False),
    _torrents("errored"),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: QbittorrentConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the server's sensors."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        QbittorrentSensorEntity(coordinator, description) for description in SENSORS
    )


class QbittorrentSensorEntity(QbittorrentEntity, SensorEntity):
    """A value of the server's main data."""

    entity_description: QbittorrentSensorEntityDescription

    @property
    @override
    def native_value(self) -> StateType:
        return self.entity_description.value_fn(self.coordinator.data)

    @override
    def _shown(self) -> Any:
        return self.native_value
