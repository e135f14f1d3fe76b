"""Buttons of a qBittorrent server: start or stop every torrent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Client
from .coordinator import QbittorrentConfigEntry
from .entity import QbittorrentEntity, qbittorrent_action

# One action at a time per platform, so a server is never sent two at once.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class QbittorrentButtonEntityDescription(ButtonEntityDescription):
    """A button and what pressing it asks of the server."""

    press_fn: Callable[[Client], Awaitable[None]]


BUTTONS: tuple[QbittorrentButtonEntityDescription, ...] = (
    QbittorrentButtonEntityDescription(
        key="start_all",
        translation_key="start_all",
        press_fn=lambda client: client.torrents_start("all"),
    ),
    QbittorrentButtonEntityDescription(
        key="stop_all",
        translation_key="stop_all",
        press_fn=lambda client: client.torrents_stop("all"),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: QbittorrentConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the server's buttons."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        QbittorrentButtonEntity(coordinator, description) for description in BUTTONS
    )


class QbittorrentButtonEntity(QbittorrentEntity, ButtonEntity):
    """An action on every torrent of the server."""

    entity_description: QbittorrentButtonEntityDescription

    @qbittorrent_action
    @override
    async def async_press(self) -> None:
        await self.entity_description.press_fn(self.coordinator.client)
