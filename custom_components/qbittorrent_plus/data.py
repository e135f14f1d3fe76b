"""What a loaded config entry holds."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .api import Client
from .coordinator import QbittorrentCoordinator
from .torrents.devices import TorrentDevices

type QbittorrentConfigEntry = ConfigEntry[QbittorrentRuntimeData]


@dataclass(kw_only=True)
class QbittorrentRuntimeData:
    """The client, the coordinator that polls through it, and the torrents' devices."""

    client: Client
    coordinator: QbittorrentCoordinator
    torrent_devices: TorrentDevices

    @property
    def version(self) -> str:
        """Return qBittorrent's version, as the server's device shows it."""
        return self.coordinator.version

    @property
    def api_version(self) -> str:
        """Return the Web API's version."""
        return self.coordinator.api_version
