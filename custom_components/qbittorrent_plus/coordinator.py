"""The coordinator: one sync/maindata request per poll, merged from deltas."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    APIConnectionError,
    APIError,
    Banned,
    Client,
    LoginFailed,
    MainData,
    MainDataChanges,
)
from .const import (
    CONF_SCAN_INTERVAL,
    DEFAULT_BAN_DURATION,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
)

type QbittorrentConfigEntry = ConfigEntry[QbittorrentRuntimeData]

# The groups qBittorrent's own WebUI filters by, from the torrent states (the client
# reports the newest names on every server version, so 4.x and 5.x count alike).
DOWNLOADING = frozenset(
    {
        "downloading",
        "forcedDL",
        "metaDL",
        "forcedMetaDL",
        "stalledDL",
        "checkingDL",
        "queuedDL",
        "stoppedDL",
    }
)
SEEDING = frozenset({"uploading", "forcedUP", "stalledUP", "checkingUP", "queuedUP"})
COMPLETED = SEEDING | {"stoppedUP"}
STOPPED = frozenset({"stoppedDL", "stoppedUP"})
STALLED = frozenset({"stalledDL", "stalledUP"})
CHECKING = frozenset({"checkingDL", "checkingUP", "checkingResumeData"})
QUEUED = frozenset({"queuedDL", "queuedUP"})
MOVING = frozenset({"moving"})
ERRORED = frozenset({"error", "missingFiles"})
_ALWAYS_ACTIVE = frozenset(
    {
        "downloading",
        "forcedDL",
        "metaDL",
        "forcedMetaDL",
        "uploading",
        "forcedUP",
        "moving",
    }
)
TORRENT_GROUPS: Mapping[str, frozenset[str]] = {
    "downloading": DOWNLOADING,
    "seeding": SEEDING,
    "completed": COMPLETED,
    "stopped": STOPPED,
    "stalled": STALLED,
    "checking": CHECKING,
    "queued": QUEUED,
    "moving": MOVING,
    "errored": ERRORED,
}


def is_active(torrent: Mapping[str, Any]) -> bool:
    """Return whether qBittorrent counts a torrent as active (moving data)."""
    state = torrent.get("state")
    if state in _ALWAYS_ACTIVE:
        return True
    return state == "stalledDL" and bool(torrent.get("upspeed"))


def count_torrents(torrents: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Count torrents per group, as the WebUI's status filters do."""
    states: Counter[str] = Counter()
    total = active = 0
    for torrent in torrents:
        total += 1
        states[torrent.get("state", "unknown")] += 1
        active += is_active(torrent)
    counts = {
        group: sum(states[state] for state in members)
        for group, members in TORRENT_GROUPS.items()
    }
    counts.update(all=total, active=active, inactive=total - active)
    return counts


@dataclass(frozen=True, eq=False)
class QbittorrentData:
    """What one poll produced; a new object only when something changed.

    The coordinator compares data by identity, so an idle poll hands back the same
    object and no entity is asked to write its state.
    """

    maindata: MainData
    changes: MainDataChanges
    torrent_counts: Mapping[str, int]

    @property
    def server_state(self) -> Mapping[str, Any]:
        """Return the transfer and session values (speeds, limits, free space ...)."""
        return self.maindata.server_state


@dataclass(kw_only=True)
class QbittorrentRuntimeData:
    """What a loaded config entry holds."""

    client: Client
    coordinator: QbittorrentCoordinator
    version: str
    api_version: str


class QbittorrentCoordinator(DataUpdateCoordinator[QbittorrentData]):
    """Polls one server's main data."""

    config_entry: QbittorrentConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: QbittorrentConfigEntry, client: Client
    ) -> None:
        """Prepare the poll; nothing is fetched until the first refresh."""
        interval = entry.options.get(CONF_SCAN_INTERVAL)
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=(
                DEFAULT_SCAN_INTERVAL
                if interval is None
                else timedelta(seconds=interval)
            ),
            always_update=False,
        )
        self.client = client
        self.maindata = MainData(client)

    @override
    async def _async_update_data(self) -> QbittorrentData:
        try:
            changes = await self.maindata.update()
        except Banned as err:
            # Every attempt during a ban is refused and may prolong it.
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="banned",
                retry_after=DEFAULT_BAN_DURATION.total_seconds(),
            ) from err
        except LoginFailed as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except APIConnectionError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"error": str(err)},
            ) from err
        except APIError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="unknown_error",
                translation_placeholders={"error": str(err)},
            ) from err
        if self.data is not None and not changes:
            return self.data
        counts = (
            self.data.torrent_counts
            if self.data is not None and not _torrents_changed(changes)
            else count_torrents(self.maindata.torrents.values())
        )
        return QbittorrentData(self.maindata, changes, counts)


def _torrents_changed(changes: MainDataChanges) -> bool:
    return bool(
        changes.full_update
        or changes.torrents_added
        or changes.torrents_changed
        or changes.torrents_removed
    )
