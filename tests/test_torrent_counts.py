"""Torrent counts: updating them from a poll's changes equals counting afresh."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings, strategies as st

from custom_components.qbittorrent_plus.api import MainData
from custom_components.qbittorrent_plus.torrents.counts import (
    count_torrents,
    recount_torrents,
)

STATES = [
    "downloading",
    "stalledDL",
    "stoppedDL",
    "queuedDL",
    "checkingDL",
    "metaDL",
    "uploading",
    "stalledUP",
    "stoppedUP",
    "queuedUP",
    "checkingResumeData",
    "moving",
    "error",
    "missingFiles",
    "unknown",
]
HASHES = [f"{n:040x}" for n in range(6)]

# One delta as the server sends it: new or changed torrents (only some fields) and
# removed ones; the merge in MainData decides what is added and what changed.
patches = st.dictionaries(
    st.sampled_from(HASHES),
    st.fixed_dictionaries(
        {},
        optional={
            "state": st.sampled_from(STATES),
            "upspeed": st.sampled_from([0, 0, 1024]),
            "name": st.text(max_size=3),
        },
    ),
    max_size=4,
)
deltas = st.tuples(patches, st.lists(st.sampled_from(HASHES), max_size=2))


@settings(max_examples=300, deadline=None)
@given(st.lists(deltas, min_size=1, max_size=8))
def test_recount_equals_count(steps: list[tuple[dict[str, Any], list[str]]]) -> None:
    """After every delta, the updated counts equal a full count of the state."""
    maindata = MainData()
    maindata.apply({"rid": 1, "full_update": True})
    counts = count_torrents(maindata.torrents.values())
    for rid, (torrents, to_remove) in enumerate(steps, start=2):
        removed = [h for h in to_remove if h not in torrents]
        # A new torrent comes with every field; a known one with those that changed.
        for info_hash, patch in torrents.items():
            if info_hash not in maindata.torrents:
                patch.setdefault("state", "stalledDL")
                patch.setdefault("upspeed", 0)
        changes = maindata.apply(
            {"rid": rid, "torrents": torrents, "torrents_removed": removed}
        )

        counts = recount_torrents(counts, maindata.torrents, changes)

        assert counts == count_torrents(maindata.torrents.values())
