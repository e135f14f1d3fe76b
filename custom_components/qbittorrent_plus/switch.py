"""Switches: a server's alternative speed limits and session, a torrent's running."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import STOPPED_STATES, Client
from .coordinator import QbittorrentData
from .data import QbittorrentConfigEntry
from .entity import QbittorrentEntity, QbittorrentTorrentEntity, qbittorrent_action

# One action at a time per platform, so a server is never sent two at once.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class QbittorrentSwitchEntityDescription(SwitchEntityDescription):
    """A switch, how to read it from a poll's data and how to turn it."""

    is_on_fn: Callable[[QbittorrentData], bool | None]
    set_fn: Callable[[Client, bool], Awaitable[None]]
    endpoint: str | None = None
    """An endpoint the server must have for the switch to exist."""


def _flag(key: str) -> Callable[[QbittorrentData], bool | None]:
    def is_on(data: QbittorrentData) -> bool | None:
        value = data.server_state.get(key)
        return value if isinstance(value, bool) else None

    return is_on


def _session_running(data: QbittorrentData) -> bool | None:
    # ``session_state`` is true while the session is paused.
    paused = _flag("session_state")(data)
    return None if paused is None else not paused


async def _set_session(client: Client, running: bool) -> None:
    if running:
        await client.transfer_resume_session()
    else:
        await client.transfer_pause_session()


SWITCHES: tuple[QbittorrentSwitchEntityDescription, ...] = (
    QbittorrentSwitchEntityDescription(
        key="alternative_speed_limits",
        translation_key="alternative_speed_limits",
        is_on_fn=_flag("use_alt_speed_limits"),
        set_fn=lambda client, on: client.transfer_set_speed_limits_mode(on),
    ),
    QbittorrentSwitchEntityDescription(
        key="session",
        translation_key="session",
        is_on_fn=_session_running,
        set_fn=_set_session,
        # Web API 2.16.2 (qBittorrent 5.3.0) pauses the session as a whole.
        endpoint="transfer/pauseSession",
    ),
)


@dataclass(frozen=True, kw_only=True)
class QbittorrentTorrentSwitchEntityDescription(SwitchEntityDescription):
    """A switch of one torrent, how to read it and how to turn it."""

    is_on_fn: Callable[[Mapping[str, Any]], bool | None]
    set_fn: Callable[[Client, str, bool], Awaitable[None]]


def _torrent_running(torrent: Mapping[str, Any]) -> bool | None:
    state = torrent.get("state")
    return None if state is None else state not in STOPPED_STATES


async def _set_torrent_running(client: Client, info_hash: str, running: bool) -> None:
    # The client sends torrents/resume and torrents/pause to servers before 5.0.
    if running:
        await client.torrents_start(info_hash)
    else:
        await client.torrents_stop(info_hash)


TORRENT_SWITCHES: tuple[QbittorrentTorrentSwitchEntityDescription, ...] = (
    QbittorrentTorrentSwitchEntityDescription(
        key="running",
        translation_key="torrent_running",
        is_on_fn=_torrent_running,
        set_fn=_set_torrent_running,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: QbittorrentConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches the server supports, and those of torrents with devices."""
    runtime = entry.runtime_data
    # The Web API version was read at setup; this asks the server nothing.
    async_add_entities(
        [
            QbittorrentSwitchEntity(runtime.coordinator, description)
            for description in SWITCHES
            if description.endpoint is None
            or await runtime.client.has_endpoint(description.endpoint)
        ]
    )
    entry.runtime_data.torrent_devices.async_add_platform(
        QbittorrentTorrentSwitchEntity, TORRENT_SWITCHES, async_add_entities
    )


class QbittorrentSwitchEntity(QbittorrentEntity, SwitchEntity):
    """A server-wide setting that is on or off."""

    entity_description: QbittorrentSwitchEntityDescription

    @property
    @override
    def is_on(self) -> bool | None:
        return self.entity_description.is_on_fn(self.coordinator.data)

    @qbittorrent_action
    @override
    async def async_turn_on(self, /, **kwargs: Any) -> None:
        await self.entity_description.set_fn(self.coordinator.client, True)

    @qbittorrent_action
    @override
    async def async_turn_off(self, /, **kwargs: Any) -> None:
        await self.entity_description.set_fn(self.coordinator.client, False)


class QbittorrentTorrentSwitchEntity(QbittorrentTorrentEntity, SwitchEntity):
    """A setting of one torrent that is on or off."""

    entity_description: QbittorrentTorrentSwitchEntityDescription

    @property
    @override
    def is_on(self) -> bool | None:
        return self.entity_description.is_on_fn(self.torrent)

    @qbittorrent_action
    @override
    async def async_turn_on(self, /, **kwargs: Any) -> None:
        await self.entity_description.set_fn(
            self.coordinator.client, self.info_hash, True
        )

    @qbittorrent_action
    @override
    async def async_turn_off(self, /, **kwargs: Any) -> None:
        await self.entity_description.set_fn(
            self.coordinator.client, self.info_hash, False
        )
