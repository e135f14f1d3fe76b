"""Torrent states: their names on every server version, and the groups they form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any, Final

# qBittorrent 5.0 (Web API 2.11) renamed the paused states; older servers' names are
# mapped to the new ones so every caller sees one vocabulary.
STATE_RENAMES: Final = {"pausedUP": "stoppedUP", "pausedDL": "stoppedDL"}

# Every state a torrent can be in, by the names the client reports.
TORRENT_STATES: Final = (
    "allocating",
    "checkingDL",
    "checkingResumeData",
    "checkingUP",
    "downloading",
    "error",
    "forcedDL",
    "forcedMetaDL",
    "forcedUP",
    "metaDL",
    "missingFiles",
    "moving",
    "queuedDL",
    "queuedForChecking",
    "queuedUP",
    "stalledDL",
    "stalledUP",
    "stoppedDL",
    "stoppedUP",
    "uploading",
)

# The groups qBittorrent's own WebUI filters by.
DOWNLOADING: Final = frozenset(
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
SEEDING: Final = frozenset(
    {"uploading", "forcedUP", "stalledUP", "checkingUP", "queuedUP"}
)
COMPLETED: Final = SEEDING | {"stoppedUP"}
STOPPED_STATES: Final = frozenset({"stoppedDL", "stoppedUP"})
STALLED: Final = frozenset({"stalledDL", "stalledUP"})
CHECKING: Final = frozenset({"checkingDL", "checkingUP", "checkingResumeData"})
QUEUED: Final = frozenset({"queuedDL", "queuedUP"})
MOVING: Final = frozenset({"moving"})
ERRORED_STATES: Final = frozenset({"error", "missingFiles"})
STATE_GROUPS: Final[Mapping[str, frozenset[str]]] = {
    "downloading": DOWNLOADING,
    "seeding": SEEDING,
    "completed": COMPLETED,
    "stopped": STOPPED_STATES,
    "stalled": STALLED,
    "checking": CHECKING,
    "queued": QUEUED,
    "moving": MOVING,
    "errored": ERRORED_STATES,
}
_ALWAYS_ACTIVE: Final = frozenset(
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


def is_active(torrent: Mapping[str, Any]) -> bool:
    """Return whether qBittorrent counts a torrent as active (moving data)."""
    state = torrent.get("state")
    if state in _ALWAYS_ACTIVE:
        return True
    return state == "stalledDL" and bool(torrent.get("upspeed"))


def normalize_states(torrents: Iterable[MutableMapping[str, Any]]) -> None:
    """Rename the paused states of older servers in place."""
    for torrent in torrents:
        state = torrent.get("state")
        if state in STATE_RENAMES:
            torrent["state"] = STATE_RENAMES[state]
