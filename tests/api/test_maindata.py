"""Offline tests of the sync delta merge, on responses recorded from qBittorrent 5.3.0.

The recorded sequence (``fixtures/sync_maindata_*.json``) is: a full update (rid 1)
with one stopped torrent, categories ``cat1`` and ``movies``, tags ``hass`` and
``tagA`` and one tracker; an idle poll (rid 2); the torrent started (rid 3); the
torrent stopped while ``cat1``, ``tagA`` and the tracker were removed (rid 4); and a
poll with a rid the server did not know, which gave a full update (rid 5).
"""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
import sys
from typing import Any, cast

import orjson
import pytest

from custom_components.qbittorrent_plus.api.maindata import (
    MainData,
    MainDataChanges,
    TorrentPeers,
    TorrentPeersChanges,
)
from custom_components.qbittorrent_plus.api.sync import SyncAPIMixIn

FIXTURES = Path(__file__).parent / "fixtures"
HASH = "a14553bd936a6d496402082454a70ea7a9521adc"
TRACKER = "http://127.0.0.1:9/announce"


def recorded(name: str) -> dict[str, Any]:
    """Return the body of a recorded response."""
    body: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())["body"]
    return body


def state_of(maindata: MainData) -> dict[str, Any]:
    """Return the merged state in the shape of a full update's body."""
    return {
        "torrents": maindata.torrents,
        "categories": maindata.categories,
        "tags": maindata.tags,
        "trackers": maindata.trackers,
        "server_state": maindata.server_state,
    }


def as_state(full: dict[str, Any]) -> dict[str, Any]:
    """Return what the state must be after a full update: absent keys are empty."""
    return {
        "torrents": {h: {"hash": h, **t} for h, t in full.get("torrents", {}).items()},
        "categories": full.get("categories", {}),
        "tags": set(full.get("tags", [])),
        "trackers": full.get("trackers", {}),
        "server_state": full.get("server_state", {}),
    }


def loaded(**extra: Any) -> MainData:
    """Return a state holding two torrents, a category, tags, a tracker and values."""
    maindata = MainData()
    maindata.apply(
        {
            "rid": 7,
            "full_update": True,
            "torrents": {
                "h1": {"name": "one", "state": "stalledUP", "progress": 1.0},
                "h2": {"name": "two", "state": "downloading", "progress": 0.5},
            },
            "categories": {"films": {"name": "films", "savePath": "/films"}},
            "tags": ["a", "b"],
            "trackers": {"http://t/announce": ["h1", "h2"]},
            "server_state": {"session_state": True, "dl_info_speed": 5},
            **extra,
        }
    )
    return maindata


class ScriptedClient:
    """Stands in for the client: answers with given responses and records the rids."""

    def __init__(self, *responses: dict[str, Any]) -> None:
        """Answer with ``responses`` in order."""
        self.responses = list(responses)
        self.sent: list[dict[str, Any]] = []
        self.session_generation = 1

    async def sync_maindata(self, rid: int = 0, **kwargs: Any) -> dict[str, Any]:
        """Record the request and return the next response."""
        self.sent.append({"rid": rid, **kwargs})
        await asyncio.sleep(0)
        return self.responses.pop(0)

    async def sync_torrent_peers(
        self, torrent_hash: str, rid: int = 0, **kwargs: Any
    ) -> dict[str, Any]:
        """Record the request and return the next response."""
        self.sent.append({"hash": torrent_hash, "rid": rid, **kwargs})
        return self.responses.pop(0)

    def bound(self) -> SyncAPIMixIn:
        """Return this object typed as what the states bind to."""
        return cast("SyncAPIMixIn", self)


# -- the recorded sequence -------------------------------------------------------------


def test_recorded_full_update() -> None:
    """A full update fills every part; the hash is added to each torrent."""
    full = recorded("sync_maindata_full")
    maindata = MainData()

    changes = maindata.apply(full)

    assert maindata.rid == 1
    assert state_of(maindata) == as_state(full)
    assert maindata.torrents[HASH]["hash"] == HASH
    assert maindata.tags == {"hass", "tagA"}
    assert maindata.trackers == {TRACKER: [HASH]}
    assert changes.full_update
    assert changes.torrents_added == {HASH}
    assert not changes.torrents_changed
    assert not changes.torrents_removed
    assert changes.categories_changed
    assert changes.tags_changed
    assert changes.trackers_changed
    assert changes.server_state_changed
    assert changes
    assert "hash" not in full["torrents"][HASH], "the response was modified"


def test_torrents_are_held_compactly() -> None:
    """New torrents are string-key dicts that share the values they repeat.

    A 10,000-torrent library is held for as long as the entry is loaded, so the
    dicts orjson decodes (tables for keys of any type) are not kept as they are.
    """
    full = recorded("sync_maindata_full")
    other = "b" * 40
    full["torrents"][other] = full["torrents"][HASH] | {"infohash_v1": other}
    decoded = orjson.loads(orjson.dumps(full))
    maindata = MainData()

    maindata.apply(decoded)

    first, second = maindata.torrents[HASH], maindata.torrents[other]
    assert first["save_path"] is second["save_path"]
    assert first["state"] is second["state"]
    assert second["infohash_v1"] is second["hash"]
    assert sys.getsizeof(first) < sys.getsizeof(decoded["torrents"][HASH])


def test_recorded_idle_poll_changes_nothing_and_copies_nothing() -> None:
    """``{"rid": N}`` moves the rid and leaves every object of the state in place."""
    maindata = MainData()
    maindata.apply(recorded("sync_maindata_full"))
    objects = {name: id(part) for name, part in state_of(maindata).items()}
    torrent = maindata.torrents[HASH]
    snapshot = copy.deepcopy(state_of(maindata))

    changes = maindata.apply(recorded("sync_maindata_delta_nochange"))

    assert maindata.rid == 2
    assert not changes
    assert not changes.changed
    assert not changes.full_update
    assert changes == MainDataChanges()
    assert {name: id(part) for name, part in state_of(maindata).items()} == objects
    assert maindata.torrents[HASH] is torrent
    assert state_of(maindata) == snapshot


def test_recorded_deltas_patch_fields_and_remove() -> None:
    """The started and stopped deltas patch the torrent and apply the removals."""
    maindata = MainData()
    maindata.apply(recorded("sync_maindata_full"))
    maindata.apply(recorded("sync_maindata_delta_nochange"))
    name = maindata.torrents[HASH]["name"]

    started = maindata.apply(recorded("sync_maindata_delta_started"))

    assert maindata.rid == 3
    assert started.torrents_changed == {HASH}
    assert started.previous[HASH] == {
        "has_other_announce_error": False,
        "reannounce": 0,
        "state": "stoppedDL",
        "time_active": 2,
    }
    assert maindata.torrents[HASH]["state"] == "stalledDL"
    assert maindata.torrents[HASH]["has_other_announce_error"] is True
    assert maindata.torrents[HASH]["name"] == name, "absent fields stay"
    assert not started.categories_changed
    assert not started.tags_changed
    assert not started.trackers_changed
    assert not started.server_state_changed

    stopped = maindata.apply(recorded("sync_maindata_delta_stopped_removals"))

    assert maindata.rid == 4
    assert maindata.torrents[HASH]["state"] == "stoppedDL"
    assert maindata.torrents[HASH]["has_other_announce_error"] is False
    assert maindata.torrents[HASH]["tracker"] == ""
    assert maindata.torrents[HASH]["trackers_count"] == 0
    assert stopped.previous[HASH]["state"] == "stalledDL"
    assert stopped.previous[HASH]["tags"] == "hass, tagA"
    assert set(maindata.categories) == {"movies"}
    assert maindata.tags == {"hass"}
    assert maindata.trackers == {}
    assert stopped.categories_changed
    assert stopped.tags_changed
    assert stopped.trackers_changed
    assert not stopped.server_state_changed


def test_recorded_full_update_after_deltas_matches_and_reports_no_change() -> None:
    """The merged deltas equal the server's next full picture, so nothing changed."""
    maindata = MainData()
    for name in (
        "sync_maindata_full",
        "sync_maindata_delta_nochange",
        "sync_maindata_delta_started",
        "sync_maindata_delta_stopped_removals",
    ):
        maindata.apply(recorded(name))
    full = recorded("sync_maindata_unknown_rid_full")
    assert state_of(maindata) == as_state(full)

    changes = maindata.apply(full)

    assert maindata.rid == 5
    assert changes.full_update
    assert not changes
    assert state_of(maindata) == as_state(full)


# -- each rule of the merge ------------------------------------------------------------


def test_full_update_resets_and_reports_the_difference() -> None:
    """A full update drops whatever it does not list and compares with the old state."""
    maindata = loaded()
    old_h1 = maindata.torrents["h1"]

    changes = maindata.apply(
        {
            "rid": 1,
            "full_update": True,
            "torrents": {
                "h1": {"name": "one", "state": "stoppedUP", "progress": 1.0},
                "h3": {"name": "three"},
            },
            "server_state": {"session_state": True, "dl_info_speed": 5},
        }
    )

    assert maindata.rid == 1
    assert set(maindata.torrents) == {"h1", "h3"}
    assert maindata.torrents["h1"] is not old_h1
    assert maindata.categories == {}
    assert maindata.tags == set()
    assert maindata.trackers == {}
    assert changes.full_update
    assert changes.torrents_added == {"h3"}
    assert changes.torrents_changed == {"h1"}
    assert changes.torrents_removed == {"h2"}
    assert changes.previous["h1"] == {"state": "stalledUP"}
    assert changes.previous["h2"]["name"] == "two"
    assert changes.categories_changed
    assert changes.tags_changed
    assert changes.trackers_changed
    assert not changes.server_state_changed


def test_full_update_reports_fields_that_disappeared() -> None:
    """A field missing from a torrent in a full update counts as changed."""
    maindata = loaded()

    changes = maindata.apply(
        {
            "rid": 2,
            "full_update": True,
            "torrents": {
                "h1": {"name": "one", "state": "stalledUP"},
                "h2": {"name": "two", "state": "downloading", "progress": 0.5},
            },
        }
    )

    assert changes.torrents_changed == {"h1"}
    assert changes.previous == {"h1": {"progress": 1.0}}
    assert "progress" not in maindata.torrents["h1"]


def test_absent_keys_leave_everything_unchanged() -> None:
    """Only the keys present in a delta change anything."""
    maindata = loaded()
    before = copy.deepcopy(state_of(maindata))

    changes = maindata.apply({"rid": 8, "torrents": {"h2": {"progress": 0.75}}})

    after = state_of(maindata)
    assert after["torrents"]["h2"] == {**before["torrents"]["h2"], "progress": 0.75}
    assert after["torrents"]["h1"] == before["torrents"]["h1"]
    for part in ("categories", "tags", "trackers", "server_state"):
        assert after[part] == before[part]
    assert changes.torrents_changed == {"h2"}
    assert changes.previous == {"h2": {"progress": 0.5}}


def test_false_zero_and_empty_are_values() -> None:
    """``False``, 0 and "" overwrite what was there: presence counts, not truth."""
    maindata = loaded()

    changes = maindata.apply(
        {
            "rid": 8,
            "torrents": {"h1": {"name": "", "progress": 0, "force_start": False}},
            "categories": {"films": {"savePath": ""}},
            "server_state": {"session_state": False, "dl_info_speed": 0},
        }
    )

    torrent = maindata.torrents["h1"]
    assert torrent["name"] == ""
    assert torrent["progress"] == 0
    assert torrent["force_start"] is False
    assert maindata.categories["films"] == {"name": "films", "savePath": ""}
    assert maindata.server_state == {"session_state": False, "dl_info_speed": 0}
    assert changes.torrents_changed == {"h1"}
    assert changes.previous["h1"] == {"name": "one", "progress": 1.0}
    assert changes.categories_changed
    assert changes.server_state_changed


def test_equal_values_change_nothing_but_keep_the_wire_types() -> None:
    """A patch repeating the values reports no change; the wire's values are kept."""
    maindata = loaded()

    changes = maindata.apply(
        {
            "rid": 8,
            "torrents": {"h1": {"progress": 1, "state": "stalledUP"}},
            "categories": {"films": {"savePath": "/films"}},
            "tags": ["a"],
            "tags_removed": ["zzz"],
            "trackers": {"http://t/announce": ["h1", "h2"]},
            "server_state": {"dl_info_speed": 5},
        }
    )

    assert not changes
    assert type(maindata.torrents["h1"]["progress"]) is int


def test_new_fields_count_as_changes_without_a_previous_value() -> None:
    """A field a torrent did not have is a change; ``previous`` has no entry for it."""
    maindata = loaded()

    changes = maindata.apply({"rid": 8, "torrents": {"h1": {"reannounce": 0}}})

    assert changes.torrents_changed == {"h1"}
    assert changes.previous == {"h1": {}}
    assert maindata.torrents["h1"]["reannounce"] == 0


def test_categories_merge_field_by_field() -> None:
    """A category edit carries only its changed fields; new ones come whole."""
    maindata = loaded()

    changes = maindata.apply(
        {
            "rid": 8,
            "categories": {
                "films": {"savePath": "/films2"},
                "music": {"name": "music", "savePath": "/music"},
            },
        }
    )

    assert maindata.categories == {
        "films": {"name": "films", "savePath": "/films2"},
        "music": {"name": "music", "savePath": "/music"},
    }
    assert changes.categories_changed
    assert not changes.torrents_touched


def test_tags_are_added_and_removed() -> None:
    """``tags`` lists added tags and ``tags_removed`` removed ones."""
    maindata = loaded()

    added = maindata.apply({"rid": 8, "tags": ["c"]})
    removed = maindata.apply({"rid": 9, "tags_removed": ["a", "unknown"]})
    nothing = maindata.apply({"rid": 10, "tags_removed": ["unknown"]})

    assert maindata.tags == {"b", "c"}
    assert added.tags_changed
    assert removed.tags_changed
    assert not nothing.tags_changed
    assert not nothing


def test_tracker_lists_are_replaced_whole() -> None:
    """A tracker's torrent list replaces the old one; it is never merged into it."""
    maindata = loaded()

    shrunk = maindata.apply({"rid": 8, "trackers": {"http://t/announce": ["h2"]}})

    assert maindata.trackers == {"http://t/announce": ["h2"]}
    assert shrunk.trackers_changed

    grown = maindata.apply(
        {"rid": 9, "trackers": {"http://u/announce": ["h1"], "http://t/announce": []}}
    )

    assert maindata.trackers == {"http://t/announce": [], "http://u/announce": ["h1"]}
    assert grown.trackers_changed

    removed = maindata.apply(
        {"rid": 10, "trackers_removed": ["http://t/announce", "http://none/"]}
    )

    assert maindata.trackers == {"http://u/announce": ["h1"]}
    assert removed.trackers_changed
    assert not maindata.apply({"rid": 11, "trackers_removed": ["http://none/"]})


def test_tracker_lists_are_not_shared_with_the_response() -> None:
    """The state holds its own lists: changing the response later changes nothing."""
    maindata = MainData()
    delta: dict[str, Any] = {"rid": 1, "trackers": {"http://t/announce": ["h1"]}}

    maindata.apply(delta)
    delta["trackers"]["http://t/announce"].append("h2")

    assert maindata.trackers == {"http://t/announce": ["h1"]}


def test_removals_come_after_additions() -> None:
    """Within one delta, removals are applied after additions and patches."""
    maindata = loaded()

    changes = maindata.apply(
        {
            "rid": 8,
            "torrents": {"h9": {"name": "brief"}, "h1": {"state": "stoppedUP"}},
            "torrents_removed": ["h9", "h1", "unknown"],
            "categories": {"tmp": {"name": "tmp"}},
            "categories_removed": ["tmp"],
            "tags": ["x"],
            "tags_removed": ["x"],
            "trackers": {"http://x/": ["h2"]},
            "trackers_removed": ["http://x/"],
        }
    )

    assert set(maindata.torrents) == {"h2"}
    assert "tmp" not in maindata.categories
    assert "x" not in maindata.tags
    assert "http://x/" not in maindata.trackers
    # The caller never saw h9, so it is neither added nor removed.
    assert changes.torrents_added == set()
    assert changes.torrents_removed == {"h1"}
    assert changes.torrents_changed == set()
    assert changes.previous["h1"]["name"] == "one"
    assert "h9" not in changes.previous


def test_removed_torrents_are_reported_with_their_last_fields() -> None:
    """A removal reports the torrent as it was, so a caller can name it."""
    maindata = loaded()

    changes = maindata.apply({"rid": 8, "torrents_removed": ["h2"]})

    assert changes.torrents_removed == {"h2"}
    assert changes.previous["h2"] == {
        "hash": "h2",
        "name": "two",
        "state": "downloading",
        "progress": 0.5,
    }
    assert changes.torrents_touched
    assert "h2" not in maindata.torrents


def test_removing_unknown_names_changes_nothing() -> None:
    """Removals of things the state does not hold are ignored."""
    maindata = loaded()

    changes = maindata.apply(
        {
            "rid": 8,
            "torrents_removed": ["nope"],
            "categories_removed": ["nope"],
            "tags_removed": ["nope"],
            "trackers_removed": ["nope"],
        }
    )

    assert not changes
    assert maindata.rid == 8


def test_paused_states_of_older_servers_are_renamed() -> None:
    """``pausedUP``/``pausedDL`` become ``stoppedUP``/``stoppedDL`` as they merge."""
    maindata = MainData()
    delta: dict[str, Any] = {
        "rid": 1,
        "full_update": True,
        "torrents": {"h1": {"state": "pausedUP"}, "h2": {"state": "pausedDL"}},
    }

    maindata.apply(delta)

    assert maindata.torrents["h1"]["state"] == "stoppedUP"
    assert maindata.torrents["h2"]["state"] == "stoppedDL"
    assert delta["torrents"]["h1"] == {"state": "pausedUP"}, "the response was kept"

    patch: dict[str, Any] = {"rid": 2, "torrents": {"h1": {"state": "pausedDL"}}}
    changes = maindata.apply(patch)

    assert maindata.torrents["h1"]["state"] == "stoppedDL"
    assert changes.previous["h1"] == {"state": "stoppedUP"}
    assert patch["torrents"]["h1"] == {"state": "pausedDL"}

    same = maindata.apply({"rid": 3, "torrents": {"h2": {"state": "pausedDL"}}})

    assert not same, "pausedDL is what stoppedDL was called"


def test_server_state_merges_changed_values() -> None:
    """``server_state`` carries only the values that changed."""
    maindata = loaded()

    changes = maindata.apply({"rid": 8, "server_state": {"dl_info_speed": 9}})

    assert maindata.server_state == {"session_state": True, "dl_info_speed": 9}
    assert changes.server_state_changed
    assert changes
    assert not changes.torrents_touched


def test_rid_wraps_after_a_million() -> None:
    """The rid cycles 1..1 000 000: after 1 000 000 comes 1, and that is a delta."""
    maindata = loaded(rid=999_999)

    maindata.apply({"rid": 1_000_000, "torrents": {"h1": {"progress": 0.9}}})
    assert maindata.rid == 1_000_000
    changes = maindata.apply({"rid": 1, "torrents": {"h1": {"progress": 0.95}}})

    assert maindata.rid == 1
    assert not changes.full_update
    assert changes.previous == {"h1": {"progress": 0.9}}
    assert set(maindata.torrents) == {"h1", "h2"}


def test_a_response_without_rid_makes_the_next_poll_full() -> None:
    """Without a rid to send back, the next request asks for everything."""
    maindata = loaded()

    maindata.apply({})

    assert maindata.rid == 0


def test_changes_truth_follows_each_part() -> None:
    """Any single kind of change makes the change set true."""
    assert not MainDataChanges(full_update=True)
    for kind in (
        {"torrents_added": {"h"}},
        {"torrents_changed": {"h"}},
        {"torrents_removed": {"h"}},
        {"categories_changed": True},
        {"tags_changed": True},
        {"trackers_changed": True},
        {"server_state_changed": True},
    ):
        assert MainDataChanges(**kind), kind
    assert not TorrentPeersChanges(full_update=True)
    for kind in (
        {"peers_added": {"p"}},
        {"peers_changed": {"p"}},
        {"peers_removed": {"p"}},
        {"show_flags_changed": True},
    ):
        assert TorrentPeersChanges(**kind), kind


def test_repr_summarises_the_state() -> None:
    """The representation counts the state; it carries no data."""
    assert repr(loaded()) == "MainData(rid=7, torrents=2, categories=1, tags=2)"
    assert repr(TorrentPeers(None, "abc")) == "TorrentPeers('abc', rid=0, peers=0)"


# -- polling through a client --------------------------------------------------------


async def test_update_sends_back_the_rid_it_got_across_the_wrap() -> None:
    """``update()`` returns the server's rid as it is, 1 000 000 and then 1 included."""
    scripted = ScriptedClient(
        {"rid": 1_000_000, "full_update": True, "torrents": {"h1": {"name": "one"}}},
        {"rid": 1, "torrents": {"h1": {"name": "uno"}}},
        {"rid": 2},
    )
    maindata = MainData(scripted.bound())

    first = await maindata.update()
    second = await maindata.update()
    third = await maindata.update()

    assert [sent["rid"] for sent in scripted.sent] == [0, 1_000_000, 1]
    assert all(sent["simple_responses"] is True for sent in scripted.sent)
    assert first.full_update
    assert first.torrents_added == {"h1"}
    assert not second.full_update
    assert second.torrents_changed == {"h1"}
    assert maindata.torrents["h1"]["name"] == "uno"
    assert not third
    assert maindata.rid == 2


async def test_update_starts_again_after_a_new_session() -> None:
    """A new session on the client (its generation moved) makes the poll ask for all."""
    scripted = ScriptedClient(
        {"rid": 1, "full_update": True},
        {"rid": 2},
        {"rid": 1, "full_update": True},
        {"rid": 2},
    )
    maindata = MainData(scripted.bound())

    await maindata.update()
    await maindata.update()
    scripted.session_generation += 1
    await maindata.update()
    await maindata.update(headers={"X-Test": "1"})

    assert [sent["rid"] for sent in scripted.sent] == [0, 1, 0, 1]
    assert scripted.sent[-1]["headers"] == {"X-Test": "1"}


async def test_concurrent_updates_run_one_after_the_other() -> None:
    """Two polls at once do not send the same rid twice."""
    scripted = ScriptedClient({"rid": 1, "full_update": True}, {"rid": 2})
    maindata = MainData(scripted.bound())

    await asyncio.gather(maindata.update(), maindata.update())

    assert [sent["rid"] for sent in scripted.sent] == [0, 1]
    assert maindata.rid == 2


async def test_reset_makes_the_next_update_full() -> None:
    """``reset()`` sends rid 0 next time."""
    scripted = ScriptedClient({"rid": 1, "full_update": True}, {"rid": 2})
    maindata = MainData(scripted.bound())
    await maindata.update()

    maindata.reset()
    await maindata.update()

    assert [sent["rid"] for sent in scripted.sent] == [0, 0]


async def test_unbound_states_cannot_poll() -> None:
    """Without a client, ``update()`` explains that only ``apply()`` works."""
    with pytest.raises(RuntimeError, match="not bound"):
        await MainData().update()
    with pytest.raises(RuntimeError, match="not bound"):
        await TorrentPeers(None, "abc").update()


# -- torrent peers ---------------------------------------------------------------------


def test_recorded_torrent_peers_full_update() -> None:
    """The recorded answer for a torrent without peers, then an idle poll."""
    peers = TorrentPeers(None, HASH)

    changes = peers.apply(recorded("sync_torrentPeers_full"))

    assert peers.rid == 1
    assert peers.peers == {}
    assert peers.show_flags is True
    assert changes.full_update
    assert changes.show_flags_changed
    assert changes

    idle = peers.apply({"rid": 2})

    assert peers.rid == 2
    assert not idle


def test_peers_merge_remove_and_reset() -> None:
    """Peers merge field by field, ``peers_removed`` removes, a full update resets."""
    peers = TorrentPeers(None, HASH)
    peers.apply(
        {
            "rid": 1,
            "full_update": True,
            "show_flags": True,
            "peers": {
                "1.2.3.4:5": {"ip": "1.2.3.4", "port": 5, "progress": 0.1},
                "6.7.8.9:10": {"ip": "6.7.8.9", "port": 10, "progress": 1},
            },
        }
    )

    delta = peers.apply(
        {
            "rid": 2,
            "peers": {
                "1.2.3.4:5": {"progress": 0.2, "up_speed": 0},
                "[::1]:11": {"ip": "::1", "port": 11},
            },
            "peers_removed": ["6.7.8.9:10", "unknown"],
        }
    )

    assert peers.peers == {
        "1.2.3.4:5": {"ip": "1.2.3.4", "port": 5, "progress": 0.2, "up_speed": 0},
        "[::1]:11": {"ip": "::1", "port": 11},
    }
    assert delta.peers_added == {"[::1]:11"}
    assert delta.peers_changed == {"1.2.3.4:5"}
    assert delta.peers_removed == {"6.7.8.9:10"}
    assert delta.previous["1.2.3.4:5"] == {"progress": 0.1}
    assert delta.previous["6.7.8.9:10"]["port"] == 10
    assert not delta.show_flags_changed

    full = peers.apply(
        {
            "rid": 3,
            "full_update": True,
            "show_flags": False,
            "peers": {"[::1]:11": {"ip": "::1", "port": 11}},
        }
    )

    assert peers.peers == {"[::1]:11": {"ip": "::1", "port": 11}}
    assert peers.show_flags is False
    assert full.full_update
    assert full.peers_removed == {"1.2.3.4:5"}
    assert not full.peers_added
    assert not full.peers_changed
    assert full.show_flags_changed


async def test_peers_follow_one_torrent_and_start_again_for_another() -> None:
    """Another hash, or a new session, makes the next poll a full update."""
    scripted = ScriptedClient(
        {"rid": 1, "full_update": True, "show_flags": True, "peers": {"a:1": {}}},
        {"rid": 2},
        {"rid": 3, "full_update": True, "show_flags": True, "peers": {}},
        {"rid": 4},
        {"rid": 1, "full_update": True, "show_flags": True, "peers": {}},
    )
    peers = TorrentPeers(scripted.bound(), "h1")

    await peers.update()
    await peers.update()
    assert peers.torrent_hash == "h1"
    peers.torrent_hash = "h1"
    assert peers.rid == 2, "the same hash keeps the rid"
    switched = await peers.update("h2")
    await peers.update()
    scripted.session_generation += 1
    await peers.update()

    assert [(sent["hash"], sent["rid"]) for sent in scripted.sent] == [
        ("h1", 0),
        ("h1", 1),
        ("h2", 0),
        ("h2", 3),
        ("h2", 0),
    ]
    assert peers.torrent_hash == "h2"
    assert switched.full_update
    # The peers of h1 were dropped with the switch, so nothing is "removed" from h2.
    assert not switched.peers_removed
    assert switched.show_flags_changed


async def test_peers_reset_makes_the_next_update_full() -> None:
    """``reset()`` sends rid 0 next time."""
    scripted = ScriptedClient({"rid": 1, "full_update": True}, {"rid": 2})
    peers = TorrentPeers(scripted.bound(), "h1")
    await peers.update()

    peers.reset()
    await peers.update()

    assert [sent["rid"] for sent in scripted.sent] == [0, 0]
