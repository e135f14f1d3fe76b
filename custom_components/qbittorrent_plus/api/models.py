"""Shared pieces of the typed results: attribute-access dictionaries and torrent states."""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any

# qBittorrent 5.0 (Web API 2.11) renamed the paused states; older servers' names are
# mapped to the new ones so every caller sees one vocabulary.
STATE_RENAMES = {"pausedUP": "stoppedUP", "pausedDL": "stoppedDL"}


def normalize_states(torrents: Iterable[MutableMapping[str, Any]]) -> None:
    """Rename the paused states of older servers in place."""
    for torrent in torrents:
        state = torrent.get("state")
        if state in STATE_RENAMES:
            torrent["state"] = STATE_RENAMES[state]


class Dictionary(dict[str, Any]):
    """A JSON object whose keys can also be read as attributes: ``info.dl_speed``."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        """Return the value under ``name``."""
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None
