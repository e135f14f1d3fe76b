"""Sensors of a qBittorrent server, and of the torrents with devices of their own.

The server's: transfer, totals, connection and torrent counts. A torrent's:
progress, state, speeds, ETA, ratio and size.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
import re
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfDataRate,
    UnitOfInformation,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .api import INFINITE_ETA, TORRENT_STATES as STATE_NAMES
from .coordinator import QbittorrentData
from .data import QbittorrentConfigEntry
from .entity import QbittorrentEntity, QbittorrentTorrentEntity

# Entities only read the coordinator's data; the coordinator does all the polling.
PARALLEL_UPDATES = 0

CONNECTION_STATUSES = ["connected", "firewalled", "disconnected"]

# A torrent's state as qBittorrent names it (the client renames 4.x's paused states
# to 5.x's stopped ones), and as the state sensor names it.
TORRENT_STATES: Mapping[str, str] = {
    state: re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", state).lower()
    for state in STATE_NAMES
}


@dataclass(frozen=True, kw_only=True)
class QbittorrentSensorEntityDescription(SensorEntityDescription):
    """A sensor and how to read its value from a poll's data."""

    value_fn: Callable[[QbittorrentData], StateType]


def _number(values: Mapping[str, Any], key: str) -> StateType:
    """Return a number the server sent; None when it did not send one."""
    number = values.get(key)
    return number if isinstance(number, int | float) else None


def _server_value(key: str) -> Callable[[QbittorrentData], StateType]:
    """Read a number from ``server_state``."""
    return lambda data: _number(data.server_state, key)


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


@dataclass(frozen=True, kw_only=True)
class QbittorrentTorrentSensorEntityDescription(SensorEntityDescription):
    """A sensor of one torrent and how to read its value from the torrent."""

    value_fn: Callable[[Mapping[str, Any]], StateType]


def _torrent_number(key: str) -> Callable[[Mapping[str, Any]], StateType]:
    return lambda torrent: _number(torrent, key)


def _torrent_progress(torrent: Mapping[str, Any]) -> float | None:
    progress = torrent.get("progress")
    if not isinstance(progress, int | float):
        return None
    # The server sends a whole 0 or 1 without a fraction.
    return round(float(progress) * 100, 2)


def _torrent_state(torrent: Mapping[str, Any]) -> str | None:
    # ``unknown`` and any state a newer server may bring show as unknown.
    return TORRENT_STATES.get(torrent.get("state", ""))


def _torrent_eta(torrent: Mapping[str, Any]) -> int | None:
    eta = torrent.get("eta")
    return eta if isinstance(eta, int) and 0 <= eta < INFINITE_ETA else None


def _torrent_ratio(torrent: Mapping[str, Any]) -> float | None:
    # -1 when the ratio is past qBittorrent's maximum (shown there as infinite).
    ratio = torrent.get("ratio")
    return ratio if isinstance(ratio, int | float) and ratio >= 0 else None


def _torrent_speed(key: str, source: str) -> QbittorrentTorrentSensorEntityDescription:
    return QbittorrentTorrentSensorEntityDescription(
        key=key,
        translation_key=f"torrent_{key}",
        device_class=SensorDeviceClass.DATA_RATE,
        native_unit_of_measurement=UnitOfDataRate.BYTES_PER_SECOND,
        suggested_unit_of_measurement=UnitOfDataRate.MEBIBYTES_PER_SECOND,
        suggested_display_precision=2,
        value_fn=_torrent_number(source),
    )


# Torrent devices come and go with their torrents, and a sensor with a state class
# leaves long-term statistics behind that the recorder then reports as having no
# entity. Only the ratio has one: without a unit or a state class, history would show
# it as text rather than as a graph.
TORRENT_SENSORS: tuple[QbittorrentTorrentSensorEntityDescription, ...] = (
    QbittorrentTorrentSensorEntityDescription(
        key="progress",
        translation_key="torrent_progress",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=1,
        value_fn=_torrent_progress,
    ),
    QbittorrentTorrentSensorEntityDescription(
        key="state",
        translation_key="torrent_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(TORRENT_STATES.values()),
        value_fn=_torrent_state,
    ),
    _torrent_speed("download_speed", "dlspeed"),
    _torrent_speed("upload_speed", "upspeed"),
    QbittorrentTorrentSensorEntityDescription(
        key="eta",
        translation_key="torrent_eta",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        value_fn=_torrent_eta,
    ),
    QbittorrentTorrentSensorEntityDescription(
        key="ratio",
        translation_key="torrent_ratio",
        suggested_display_precision=2,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_torrent_ratio,
    ),
    QbittorrentTorrentSensorEntityDescription(
        key="size",
        translation_key="torrent_size",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIBIBYTES,
        suggested_display_precision=2,
        value_fn=_torrent_number("size"),
    ),
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
    """Add the server's sensors, and those of the torrents with devices."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        QbittorrentSensorEntity(coordinator, description) for description in SENSORS
    )
    entry.runtime_data.torrent_devices.async_add_platform(
        QbittorrentTorrentSensorEntity, TORRENT_SENSORS, async_add_entities
    )


class QbittorrentSensorEntity(QbittorrentEntity, SensorEntity):
    """A value of the server's main data."""

    entity_description: QbittorrentSensorEntityDescription

    @property
    @override
    def native_value(self) -> StateType:
        return self.entity_description.value_fn(self.coordinator.data)


class QbittorrentTorrentSensorEntity(QbittorrentTorrentEntity, SensorEntity):
    """A value of one torrent."""

    entity_description: QbittorrentTorrentSensorEntityDescription

    @property
    @override
    def native_value(self) -> StateType:
        return self.entity_description.value_fn(self.torrent)
