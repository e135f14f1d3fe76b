"""The sync namespace and the merged sync states, against real servers.

Every change is made through the independent ``webui`` session; the merged state is
then compared with a fresh full snapshot that session takes (``rid=0``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import json
from pathlib import Path
import pickle
from typing import Any

import pytest

from custom_components.qbittorrent_plus.api import (
    Client,
    Dictionary,
    JSONObject,
    NotFound404Error,
)
from custom_components.qbittorrent_plus.api.maindata import (
    MainData,
    MainDataChanges,
    TorrentPeers,
)
from tests.api.helpers import client_for, unique
from tests.servers import QbittorrentServer
from tests.torrents import make_torrent
from tests.webui import POLL_INTERVAL, WebUI, wait_for

STOPPED_STATES = {"stoppedUP", "stoppedDL"}
# Older servers' names for the stopped states, which the client renames.
OLD_STATE_NAMES = {"pausedUP": "stoppedUP", "pausedDL": "stoppedDL"}
# Each session's sync state reads the free disk space itself, at most every 30 s
# (SyncController's free-space checker), so two sessions may disagree on it for that
# long; every other server_state value is the same for all sessions.
SESSION_OWN_SERVER_STATE = frozenset({"free_space_on_disk"})
CONVERGE_TIMEOUT = 15.0
UNREACHABLE_TRACKER = "http://127.0.0.1:9/announce"


def is_old(server: QbittorrentServer) -> bool:
    """Return whether the server predates the stop/start names (qBittorrent 5.0)."""
    return server.version.startswith("4.")


def expected_state(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Return what a merged state must hold, from a full update taken by ``webui``."""
    torrents = {}
    for torrent_hash, torrent in snapshot.get("torrents", {}).items():
        state = torrent.get("state")
        torrents[torrent_hash] = {
            "hash": torrent_hash,
            **torrent,
            "state": OLD_STATE_NAMES.get(state, state),
        }
    return {
        "rid_and_full_update_left_out": True,
        "torrents": torrents,
        "categories": snapshot.get("categories", {}),
        "tags": set(snapshot.get("tags", [])),
        "trackers": snapshot.get("trackers", {}),
        "server_state": without_session_own(snapshot["server_state"]),
    }


def merged_state(maindata: MainData) -> dict[str, Any]:
    """Return the merged state in the shape of ``expected_state``."""
    return {
        "rid_and_full_update_left_out": True,
        "torrents": maindata.torrents,
        "categories": maindata.categories,
        "tags": maindata.tags,
        "trackers": maindata.trackers,
        "server_state": without_session_own(maindata.server_state),
    }


def without_session_own(server_state: dict[str, Any]) -> dict[str, Any]:
    """Return the server_state values that every session sees alike."""
    return {
        key: value
        for key, value in server_state.items()
        if key not in SESSION_OWN_SERVER_STATE
    }


def differences(merged: dict[str, Any], expected: dict[str, Any]) -> str:
    """Describe where two states differ, down to the field."""
    lines = []
    for part, want in expected.items():
        have = merged[part]
        if have == want:
            continue
        if not isinstance(want, dict):
            lines.append(f"{part}: merged {have!r}, server {want!r}")
            continue
        for key in sorted(have.keys() | want.keys()):
            mine, theirs = have.get(key), want.get(key)
            if mine == theirs:
                continue
            if isinstance(mine, dict) and isinstance(theirs, dict):
                fields = sorted(
                    name
                    for name in mine.keys() | theirs.keys()
                    if mine.get(name) != theirs.get(name)
                )
                mine = {name: mine.get(name) for name in fields}
                theirs = {name: theirs.get(name) for name in fields}
            lines.append(f"{part}[{key!r}]: merged {mine!r}, server {theirs!r}")
    return "\n".join(lines)


@dataclass
class Seen:
    """Everything the polls of one ``converge`` reported."""

    polls: list[MainDataChanges] = field(default_factory=list)
    added: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    previous: dict[str, dict[str, Any]] = field(default_factory=dict)

    def record(self, changes: MainDataChanges) -> None:
        """Add one poll's changes."""
        self.polls.append(changes)
        self.added |= changes.torrents_added
        self.changed |= changes.torrents_changed
        self.removed |= changes.torrents_removed
        for torrent_hash, values in changes.previous.items():
            # The oldest value is the one from before the whole operation.
            self.previous[torrent_hash] = {
                **values,
                **self.previous.get(torrent_hash, {}),
            }

    def any(self, name: str) -> bool:
        """Return whether any poll reported the flag ``name``."""
        return any(getattr(changes, name) for changes in self.polls)


async def converge(
    maindata: MainData,
    webui: WebUI,
    until: Callable[[MainData], bool] = lambda _: True,
    *,
    timeout: float = CONVERGE_TIMEOUT,
) -> Seen:
    """Poll until the merged state equals a full snapshot taken right after the poll.

    Torrents settle on their own (checking, then seeding) and a few values tick
    every second (``time_active``, ``seeding_time``), so a single pair of requests
    may straddle a change; the next poll then catches up. A merge that lost a change
    never catches up, because the server does not send a change twice.
    """
    seen = Seen()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        seen.record(await maindata.update())
        expected = expected_state(await webui.get("sync/maindata", rid="0"))
        if merged_state(maindata) == expected and until(maindata):
            return seen
        if loop.time() > deadline:
            assert merged_state(maindata) == expected, differences(
                merged_state(maindata), expected
            )
            assert until(maindata), "the merged state never reached the condition"
        await asyncio.sleep(POLL_INTERVAL)


async def delete_torrents(webui: WebUI, *hashes: str) -> None:
    """Delete torrents (keeping their data) and wait until the server lists none."""
    await webui.post(
        "torrents/delete", {"hashes": "|".join(hashes), "deleteFiles": "false"}
    )

    async def gone() -> bool:
        listed = await webui.get("torrents/info", hashes="|".join(hashes))
        return not listed

    await wait_for(gone)


async def torrent_where(
    webui: WebUI, torrent_hash: str, condition: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Wait until the server lists the torrent in a state meeting ``condition``."""

    async def probe() -> dict[str, Any] | None:
        torrent = await webui.torrent(torrent_hash)
        return torrent if torrent is not None and condition(torrent) else None

    return await wait_for(probe)


def stopped(torrent: dict[str, Any]) -> bool:
    """Return whether a torrent as the server lists it is stopped."""
    return OLD_STATE_NAMES.get(torrent["state"], torrent["state"]) in STOPPED_STATES


# -- the flat methods ------------------------------------------------------------------


@pytest.mark.endpoints("sync/maindata")
async def test_sync_maindata_returns_full_updates_then_deltas(
    client: Client, webui: WebUI, tmp_path: Path
) -> None:
    """A full update for rid 0, a delta for the rid it gave; states are renamed."""
    made = make_torrent(tmp_path, unique("flat"))
    await webui.add_torrent(made, stopped=True, seed=False)
    listed = await torrent_where(webui, made.info_hash, stopped)
    try:
        full = await client.sync_maindata()

        assert isinstance(full, Dictionary)
        assert full.full_update is True
        assert full.rid >= 1
        assert isinstance(full.torrents, Dictionary)
        torrent = full.torrents[made.info_hash]
        assert isinstance(torrent, JSONObject)
        assert torrent.name == made.name
        # An entry is no dict, but a plain copy of it is, and it survives pickling.
        assert json.loads(json.dumps(dict(torrent))) == torrent
        assert pickle.loads(pickle.dumps(torrent)) == torrent  # noqa: S301 - our own bytes
        copied = torrent.copy()
        copied["name"] = "copy"
        assert type(copied) is JSONObject
        assert torrent.name == made.name
        # The server itself still says pausedDL on 4.x; the client says stoppedDL.
        assert listed["state"] == ("pausedDL" if is_old(webui.server) else "stoppedDL")
        assert torrent.state == "stoppedDL"
        assert isinstance(full.server_state, Dictionary)
        assert full.server_state.connection_status in {
            "connected",
            "firewalled",
            "disconnected",
        }

        delta = await client.sync.maindata(rid=full.rid, simple_responses=True)

        assert type(delta) is dict
        assert delta["rid"] == full.rid + 1
        assert "full_update" not in delta
        assert made.info_hash not in delta.get("torrents", {})
    finally:
        await delete_torrents(webui, made.info_hash)


@pytest.mark.endpoints("sync/torrentPeers")
async def test_sync_torrent_peers_full_update_then_rid(
    client: Client, webui: WebUI, tmp_path: Path
) -> None:
    """A torrent with no peers: a full update with no peers, then only a rid."""
    made = make_torrent(tmp_path, unique("peers"))
    await webui.add_torrent(made, stopped=True)
    try:
        full = await client.sync_torrent_peers(made.info_hash)

        assert isinstance(full, Dictionary)
        assert full.full_update is True
        assert full.peers == {}
        assert isinstance(full.show_flags, bool)

        delta = await client.sync.torrent_peers(
            made.info_hash, rid=full.rid, simple_responses=True
        )

        assert delta == {"rid": full.rid + 1}
    finally:
        await delete_torrents(webui, made.info_hash)


@pytest.mark.endpoints("sync/torrentPeers")
async def test_sync_torrent_peers_of_an_unknown_hash_is_not_found(
    client: Client,
) -> None:
    """The server answers 404 for a hash it does not have."""
    with pytest.raises(NotFound404Error):
        await client.sync_torrent_peers("0" * 40)
    with pytest.raises(NotFound404Error):
        await TorrentPeers(client, "f" * 40).update()


# -- MainData against a real server ----------------------------------------------------


@pytest.mark.endpoints("sync/maindata")
async def test_maindata_follows_every_kind_of_change(
    client: Client, webui: WebUI, tmp_path: Path
) -> None:
    """Full update, then deltas for each change made on the server, all merged."""
    old = is_old(webui.server)
    made = make_torrent(tmp_path, unique("follow"))
    torrent_hash = made.info_hash
    category, tag = unique("cat"), unique("tag")
    maindata = MainData(client)

    first = await maindata.update()

    assert first.full_update
    assert maindata.rid >= 1
    await converge(maindata, webui)

    try:
        await webui.post(
            "torrents/createCategory", {"category": category, "savePath": ""}
        )
        seen = await converge(maindata, webui, lambda m: category in m.categories)
        assert seen.any("categories_changed")

        await webui.add_torrent(made, stopped=True)
        await torrent_where(webui, torrent_hash, stopped)
        seen = await converge(maindata, webui, lambda m: torrent_hash in m.torrents)
        assert torrent_hash in seen.added
        assert maindata.torrents[torrent_hash]["hash"] == torrent_hash
        assert maindata.torrents[torrent_hash]["state"] in STOPPED_STATES

        await webui.post(
            "torrents/resume" if old else "torrents/start", {"hashes": torrent_hash}
        )
        await torrent_where(webui, torrent_hash, lambda t: not stopped(t))
        seen = await converge(maindata, webui)
        assert torrent_hash in seen.changed
        assert seen.previous[torrent_hash]["state"] in STOPPED_STATES
        assert maindata.torrents[torrent_hash]["state"] not in STOPPED_STATES

        await webui.post(
            "torrents/pause" if old else "torrents/stop", {"hashes": torrent_hash}
        )
        await torrent_where(webui, torrent_hash, stopped)
        seen = await converge(maindata, webui)
        assert torrent_hash in seen.changed
        assert maindata.torrents[torrent_hash]["state"] in STOPPED_STATES

        await webui.post(
            "torrents/setCategory", {"hashes": torrent_hash, "category": category}
        )
        seen = await converge(
            maindata, webui, lambda m: m.torrents[torrent_hash]["category"] == category
        )
        assert seen.previous[torrent_hash]["category"] == ""

        await webui.post("torrents/addTags", {"hashes": torrent_hash, "tags": tag})
        seen = await converge(maindata, webui, lambda m: tag in m.tags)
        assert seen.any("tags_changed")
        assert maindata.torrents[torrent_hash]["tags"] == tag

        await webui.post(
            "torrents/addTrackers", {"hash": torrent_hash, "urls": UNREACHABLE_TRACKER}
        )
        seen = await converge(
            maindata, webui, lambda m: UNREACHABLE_TRACKER in m.trackers
        )
        assert seen.any("trackers_changed")
        assert maindata.trackers[UNREACHABLE_TRACKER] == [torrent_hash]

        await webui.post(
            "torrents/removeTrackers",
            {"hash": torrent_hash, "urls": UNREACHABLE_TRACKER},
        )
        seen = await converge(
            maindata, webui, lambda m: UNREACHABLE_TRACKER not in m.trackers
        )
        assert seen.any("trackers_changed")

        # A category in use can be removed: its torrents lose it (the server sends "").
        await webui.post("torrents/removeCategories", {"categories": category})
        seen = await converge(maindata, webui, lambda m: category not in m.categories)
        assert seen.any("categories_changed")
        assert maindata.torrents[torrent_hash]["category"] == ""

        await webui.post("torrents/deleteTags", {"tags": tag})
        seen = await converge(maindata, webui, lambda m: tag not in m.tags)
        assert seen.any("tags_changed")
        assert maindata.torrents[torrent_hash]["tags"] == ""

        await delete_torrents(webui, torrent_hash)
        seen = await converge(maindata, webui)
        assert torrent_hash in seen.removed
        assert seen.previous[torrent_hash]["name"] == made.name
        assert torrent_hash not in maindata.torrents
    finally:
        await delete_torrents(webui, torrent_hash)
        await webui.post("torrents/removeCategories", {"categories": category})
        await webui.post("torrents/deleteTags", {"tags": tag})


@pytest.mark.endpoints("sync/maindata")
async def test_tracker_lists_are_replaced_as_the_server_sends_them(
    client: Client, webui: WebUI, tmp_path: Path
) -> None:
    """A tracker shared by two torrents loses one: its list shrinks, not merges."""
    one = make_torrent(tmp_path, unique("tracker-a"))
    two = make_torrent(tmp_path, unique("tracker-b"))
    tracker = f"http://127.0.0.1:9/{unique('announce')}"
    maindata = MainData(client)
    try:
        for made in (one, two):
            await webui.add_torrent(made, stopped=True)
            await webui.post(
                "torrents/addTrackers", {"hash": made.info_hash, "urls": tracker}
            )
        await converge(maindata, webui, lambda m: len(m.trackers.get(tracker, ())) == 2)
        assert sorted(maindata.trackers[tracker]) == sorted(
            [one.info_hash, two.info_hash]
        )

        await webui.post(
            "torrents/removeTrackers", {"hash": one.info_hash, "urls": tracker}
        )
        seen = await converge(
            maindata, webui, lambda m: m.trackers.get(tracker) == [two.info_hash]
        )
        assert seen.any("trackers_changed")

        await delete_torrents(webui, two.info_hash)
        seen = await converge(maindata, webui, lambda m: tracker not in m.trackers)
        assert seen.any("trackers_changed")
        assert two.info_hash in seen.removed
    finally:
        await delete_torrents(webui, one.info_hash, two.info_hash)


@pytest.mark.endpoints("sync/maindata")
async def test_idle_poll_reports_nothing(
    client: Client, webui: WebUI, tmp_path: Path
) -> None:
    """Once everything has settled, a poll changes nothing and copies nothing."""
    made = make_torrent(tmp_path, unique("idle"))
    await webui.add_torrent(made, stopped=True)
    await torrent_where(webui, made.info_hash, stopped)
    maindata = MainData(client)
    try:
        await converge(maindata, webui)
        torrents, torrent = maindata.torrents, maindata.torrents[made.info_hash]

        async def idle() -> bool:
            return not await maindata.update()

        await wait_for(idle)

        assert maindata.torrents is torrents
        assert maindata.torrents[made.info_hash] is torrent
        await converge(maindata, webui)
    finally:
        await delete_torrents(webui, made.info_hash)


@pytest.mark.endpoints("sync/maindata")
async def test_maindata_starts_again_in_a_new_session(
    client: Client, webui: WebUI, tmp_path: Path
) -> None:
    """After a re-login the old rid means nothing: the next poll is a full update.

    A second poller on the same client opens the new session's sync state and
    polls until the server's rid reaches the first poller's old rid. Sending that
    rid would make the server answer with a delta against the second poller's
    picture, hiding the torrent added meanwhile; the first poller must ask for
    everything instead.
    """
    maindata = MainData(client)
    await converge(maindata, webui)
    made = make_torrent(tmp_path, unique("relogin"))
    await webui.add_torrent(made, stopped=True)
    generation = client.session_generation

    await client.auth_log_out()
    other = MainData(client)
    while other.rid < maindata.rid:
        await other.update()
    assert other.rid == maindata.rid
    assert client.session_generation > generation
    assert made.info_hash not in maindata.torrents

    try:
        changes = await maindata.update()

        assert changes.full_update
        assert made.info_hash in changes.torrents_added
        assert made.info_hash in maindata.torrents
        await converge(maindata, webui)
    finally:
        await delete_torrents(webui, made.info_hash)


@pytest.mark.endpoints("sync/maindata")
async def test_maindata_survives_a_server_restart(
    qbittorrent: QbittorrentServer,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
    tmp_path: Path,
) -> None:
    """A restart ends every session: the client logs in again and starts over."""
    server = qbittorrent_factory(qbittorrent.version)
    made = make_torrent(tmp_path, unique("restart"))
    async with (
        client_for(server) as client,
        WebUI(server) as webui,
    ):
        maindata = MainData(client)
        await webui.add_torrent(made, stopped=True)
        await converge(maindata, webui, lambda m: made.info_hash in m.torrents)
        generation = client.session_generation

        await asyncio.to_thread(server.restart)
        await webui.login()
        changes = await maindata.update()

        assert changes.full_update
        assert client.session_generation > generation
        await converge(maindata, webui, lambda m: made.info_hash in m.torrents)


# -- TorrentPeers against real servers -------------------------------------------------


@pytest.mark.endpoints("sync/torrentPeers")
async def test_torrent_peers_state_follows_one_torrent(
    client: Client, webui: WebUI, tmp_path: Path
) -> None:
    """A full update, then nothing; another torrent starts with a full update."""
    first = make_torrent(tmp_path, unique("peers-a"))
    second = make_torrent(tmp_path, unique("peers-b"))
    await webui.add_torrent(first, stopped=True)
    await webui.add_torrent(second, stopped=True)
    peers = TorrentPeers(client, first.info_hash)
    try:
        full = await peers.update()

        assert full.full_update
        assert peers.peers == {}
        assert peers.show_flags is not None

        idle = await peers.update()

        assert not idle
        assert not idle.full_update

        switched = await peers.update(second.info_hash)

        assert switched.full_update
        assert peers.torrent_hash == second.info_hash
        snapshot = await webui.get("sync/torrentPeers", hash=second.info_hash, rid="0")
        assert peers.peers == snapshot["peers"]
    finally:
        await delete_torrents(webui, first.info_hash, second.info_hash)


@pytest.mark.endpoints("sync/torrentPeers")
async def test_torrent_peers_tracks_a_real_peer(
    qbittorrent: QbittorrentServer,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
    client: Client,
    webui: WebUI,
    tmp_path: Path,
) -> None:
    """A second server downloads from the first: its peer appears, then goes."""
    made = make_torrent(tmp_path, unique("swarm"), size=4 * 1024 * 1024)
    downloader = qbittorrent_factory(qbittorrent.version)
    await webui.add_torrent(made)
    await torrent_where(webui, made.info_hash, lambda t: t["progress"] == 1)
    peers = TorrentPeers(client, made.info_hash)
    try:
        assert (await peers.update()).full_update
        async with WebUI(downloader) as leecher:
            # TCP only: uTP handshakes over loopback sometimes never complete.
            await leecher.post(
                "app/setPreferences", {"json": '{"bittorrent_protocol": 1}'}
            )
            await leecher.add_torrent(made, seed=False)
            # A slow download keeps the connection open while the test looks at it.
            await leecher.post(
                "torrents/setDownloadLimit",
                {"hashes": made.info_hash, "limit": "16384"},
            )
            seeder = {
                "hashes": made.info_hash,
                "peers": f"127.0.0.1:{qbittorrent.torrent_port}",
            }

            async def connected() -> bool:
                # A peer added while the torrent is still being checked can be
                # dropped, so it is offered again until the connection shows.
                await leecher.post("torrents/addPeers", seeder)
                await peers.update()
                return bool(peers.peers)

            await wait_for(connected)
            (key,) = peers.peers
            peer = peers.peers[key]
            assert peer["ip"] == "127.0.0.1"
            assert key == f"127.0.0.1:{peer['port']}"

            # While the download trickles, deltas patch the peer's fields; the
            # merged peers must then equal a full snapshot taken right after a poll.
            changed: set[str] = set()

            async def agrees() -> bool:
                changes = await peers.update()
                assert not changes.full_update
                changed.update(changes.peers_changed)
                snapshot = await webui.get(
                    "sync/torrentPeers", hash=made.info_hash, rid="0"
                )
                assert peers.show_flags == snapshot["show_flags"]
                return key in changed and peers.peers == snapshot["peers"]

            await wait_for(agrees)

            await delete_torrents(leecher, made.info_hash)

            removed: set[str] = set()

            async def gone() -> bool:
                removed.update((await peers.update()).peers_removed)
                return not peers.peers

            await wait_for(gone)
            assert removed == {key}
    finally:
        await delete_torrents(webui, made.info_hash)
