"""Property: whatever happens on the server, the merged state equals a full snapshot.

Hypothesis draws sequences of real operations (add, stop, start, set a category, add
or remove a tag, delete a tag, add or remove a tracker, delete), which run through the
independent ``webui`` session on a live server. After each one has taken effect on
the server, ``MainData.update()`` polls until its merged state equals a fresh full
snapshot (see ``converge``: ``free_space_on_disk`` is left out because each session
reads it on its own every 30 s), and the changes it reported must name the torrent
the operation touched.

Every example starts a new client and state, begins with whatever the server holds
(categories and tags of earlier examples stay), and deletes its torrents at the end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings, strategies as st
import pytest

from custom_components.qbittorrent_plus.api.maindata import MainData
from tests.api.helpers import client_for
from tests.api.test_sync import (
    UNREACHABLE_TRACKER,
    Seen,
    converge,
    delete_torrents,
    is_old,
    stopped,
)
from tests.servers import QbittorrentServer
from tests.torrents import MadeTorrent, make_torrent
from tests.webui import WebUI, wait_for

POOL_SIZE = 3
CATEGORIES = ("prop-films", "prop-music")
TAGS = ("prop-red", "prop-blue")


@dataclass(frozen=True)
class Operation:
    """One change made on the server."""

    kind: str
    index: int = 0
    value: Any = None


TORRENT = st.integers(0, POOL_SIZE - 1)
OPERATIONS = st.one_of(
    # value: (stopped, with the tracker), so torrents often share the tracker.
    st.builds(
        Operation, st.just("add"), TORRENT, st.tuples(st.booleans(), st.booleans())
    ),
    st.builds(Operation, st.just("stop"), TORRENT),
    st.builds(Operation, st.just("start"), TORRENT),
    st.builds(
        Operation, st.just("set_category"), TORRENT, st.sampled_from(("", *CATEGORIES))
    ),
    st.builds(Operation, st.just("add_tag"), TORRENT, st.sampled_from(TAGS)),
    st.builds(Operation, st.just("remove_tag"), TORRENT, st.sampled_from(TAGS)),
    st.builds(Operation, st.just("delete_tag"), st.just(0), st.sampled_from(TAGS)),
    st.builds(Operation, st.just("add_tracker"), TORRENT),
    st.builds(Operation, st.just("remove_tracker"), TORRENT),
    st.builds(Operation, st.just("delete"), TORRENT),
)


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> list[MadeTorrent]:
    """Return the torrents the operations pick from."""
    directory = tmp_path_factory.mktemp("pool")
    return [make_torrent(directory, f"prop-{index}") for index in range(POOL_SIZE)]


@dataclass
class Example:
    """One example's sessions and what it expects of the server."""

    webui: WebUI
    maindata: MainData
    pool: list[MadeTorrent]
    present: set[int] = field(default_factory=set)

    def hash_of(self, index: int) -> str:
        """Return the hash of a pool torrent."""
        return self.pool[index].info_hash

    async def torrent(self, index: int) -> dict[str, Any] | None:
        """Return a pool torrent as the server lists it."""
        return await self.webui.torrent(self.hash_of(index))

    async def until(
        self, index: int, condition: Callable[[dict[str, Any]], bool]
    ) -> None:
        """Wait until the server lists the torrent in a state meeting ``condition``."""

        async def probe() -> bool:
            torrent = await self.torrent(index)
            return torrent is not None and condition(torrent)

        await wait_for(probe)

    def resolve(self, operation: Operation) -> Operation | None:
        """Aim an operation at a torrent it can change, or return None.

        Adding a torrent that is there adds the next absent one instead; any other
        operation on an absent torrent goes to a present one (picked by the index),
        or adds it when none is present. The same drawn list always becomes the
        same operations, so a failing example replays as reported.
        """
        index = operation.index
        if operation.kind == "delete_tag":
            return operation
        if operation.kind == "add":
            if index in self.present:
                absent = sorted(set(range(POOL_SIZE)) - self.present)
                if not absent:
                    return None
                return Operation("add", absent[0], operation.value)
            return operation
        if index in self.present:
            return operation
        if not self.present:
            return Operation("add", index, (False, True))
        present = sorted(self.present)
        return Operation(operation.kind, present[index % len(present)], operation.value)

    async def run(self, operation: Operation) -> str | None:
        """Make a resolved change on the server and wait for it; return its hash."""
        old = is_old(self.webui.server)
        index, value = operation.index, operation.value
        torrent_hash = self.hash_of(index)
        post = self.webui.post
        match operation.kind:
            case "delete_tag":
                await post("torrents/deleteTags", {"tags": value})

                async def deleted() -> bool:
                    tags: list[str] = await self.webui.get("torrents/tags")
                    return value not in tags

                await wait_for(deleted)
                return None
            case "add":
                is_stopped, with_tracker = value
                await self.webui.add_torrent(self.pool[index], stopped=is_stopped)
                self.present.add(index)
                if with_tracker:
                    await post(
                        "torrents/addTrackers",
                        {"hash": torrent_hash, "urls": UNREACHABLE_TRACKER},
                    )
                await self.until(
                    index,
                    lambda t: (
                        stopped(t) == is_stopped
                        and t["trackers_count"] == int(with_tracker)
                    ),
                )
            case "stop":
                await post(
                    "torrents/pause" if old else "torrents/stop",
                    {"hashes": torrent_hash},
                )
                await self.until(index, stopped)
            case "start":
                await post(
                    "torrents/resume" if old else "torrents/start",
                    {"hashes": torrent_hash},
                )
                await self.until(index, lambda t: not stopped(t))
            case "set_category":
                await post(
                    "torrents/setCategory", {"hashes": torrent_hash, "category": value}
                )
                await self.until(index, lambda t: t["category"] == value)
            case "add_tag":
                await post("torrents/addTags", {"hashes": torrent_hash, "tags": value})
                await self.until(index, lambda t: value in tags_of(t))
            case "remove_tag":
                await post(
                    "torrents/removeTags", {"hashes": torrent_hash, "tags": value}
                )
                await self.until(index, lambda t: value not in tags_of(t))
            case "add_tracker":
                await post(
                    "torrents/addTrackers",
                    {"hash": torrent_hash, "urls": UNREACHABLE_TRACKER},
                )
                await self.until(index, lambda t: t["trackers_count"] == 1)
            case "remove_tracker":
                await post(
                    "torrents/removeTrackers",
                    {"hash": torrent_hash, "urls": UNREACHABLE_TRACKER},
                )
                await self.until(index, lambda t: t["trackers_count"] == 0)
            case "delete":
                await delete_torrents(self.webui, torrent_hash)
                self.present.discard(index)
        return torrent_hash


def tags_of(torrent: dict[str, Any]) -> set[str]:
    """Return a listed torrent's tags (the server joins them with ", ")."""
    return {tag for tag in torrent["tags"].split(", ") if tag}


def check_reported(
    operation: Operation, torrent_hash: str | None, before: Any, seen: Seen
) -> None:
    """Check that the polls after an operation reported the torrent it touched."""
    if torrent_hash is None:
        return
    if operation.kind == "add":
        assert torrent_hash in seen.added
    elif operation.kind == "delete":
        assert torrent_hash in seen.removed
        assert seen.previous[torrent_hash]["hash"] == torrent_hash
    elif before is not None and operation.kind in {"set_category", "add_tag"}:
        field_name = "category" if operation.kind == "set_category" else "tags"
        changed = (
            before["category"] != operation.value
            if field_name == "category"
            else operation.value not in tags_of(before)
        )
        if changed:
            assert torrent_hash in seen.changed
            assert seen.previous[torrent_hash][field_name] == before[field_name]


async def run_example(
    server: QbittorrentServer, pool: list[MadeTorrent], operations: list[Operation]
) -> None:
    """Run one example against the server, with its own sessions."""
    async with (
        client_for(server) as client,
        WebUI(server) as webui,
    ):
        categories: dict[str, Any] = await webui.get("torrents/categories")
        for category in CATEGORIES:
            if category not in categories:
                await webui.post(
                    "torrents/createCategory", {"category": category, "savePath": ""}
                )
        example = Example(webui, MainData(client), pool)
        try:
            first = await example.maindata.update()
            assert first.full_update
            await converge(example.maindata, webui)
            for drawn in operations:
                operation = example.resolve(drawn)
                if operation is None:
                    # Nothing to change: the poll must report nothing either.
                    seen = await converge(example.maindata, webui)
                    assert not seen.added
                    assert not seen.removed
                    continue
                before = await example.torrent(operation.index)
                torrent_hash = await example.run(operation)
                seen = await converge(example.maindata, webui)
                check_reported(operation, torrent_hash, before, seen)
        finally:
            hashes = [example.hash_of(index) for index in range(POOL_SIZE)]
            await delete_torrents(webui, *hashes)


@pytest.mark.endpoints("sync/maindata")
@settings(
    max_examples=15,
    deadline=None,
    # A failing example shows at most 8 operations, readable as it is; shrinking
    # would replay many examples against the server, each waiting for a timeout.
    phases=(Phase.explicit, Phase.generate),
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=st.lists(OPERATIONS, min_size=3, max_size=8))
def test_merged_state_equals_the_server_after_any_operations(
    qbittorrent: QbittorrentServer, pool: list[MadeTorrent], operations: list[Operation]
) -> None:
    """Any sequence of operations leaves the merged state equal to a full snapshot."""
    asyncio.run(run_example(qbittorrent, pool, operations))
