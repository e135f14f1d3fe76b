"""Torrent counts by the groups qBittorrent's own WebUI filters by."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..api import STATE_GROUPS, MainDataChanges, is_active


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
        for group, members in STATE_GROUPS.items()
    }
    counts.update(all=total, active=active, inactive=total - active)
    return counts


def _groups(torrent: Mapping[str, Any]) -> Iterator[str]:
    """Yield the groups ``count_torrents`` counts a torrent in."""
    state = torrent.get("state", "unknown")
    yield from (group for group, members in STATE_GROUPS.items() if state in members)
    yield "active" if is_active(torrent) else "inactive"
    yield "all"


def recount_torrents(
    counts: Mapping[str, int],
    torrents: Mapping[str, Mapping[str, Any]],
    changes: MainDataChanges,
) -> dict[str, int]:
    """Update the counts of the state before ``changes`` to the state after them.

    The work grows with the number of torrents that changed, not with the library:
    a poll on 10,000 torrents of which a hundred changed costs a hundred lookups.
    Only ``state`` and ``upspeed`` decide a torrent's groups.
    """
    updated = dict(counts)
    for info_hash in changes.torrents_removed:
        for group in _groups(changes.previous[info_hash]):
            updated[group] -= 1
    for info_hash in changes.torrents_added:
        for group in _groups(torrents[info_hash]):
            updated[group] += 1
    for info_hash in changes.torrents_changed:
        before = changes.previous[info_hash]
        if "state" not in before and "upspeed" not in before:
            continue
        now = torrents[info_hash]
        old = {key: before.get(key, now.get(key)) for key in ("state", "upspeed")}
        for group in _groups(old):
            updated[group] -= 1
        for group in _groups(now):
            updated[group] += 1
    return updated
