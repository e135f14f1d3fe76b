"""The torrentcreator namespace against real servers (Web API 2.10.4+, so 5.3.0)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from custom_components.qbittorrent_plus.api import (
    Client,
    Conflict409Error,
    Dictionary,
    NotFound404Error,
)
from custom_components.qbittorrent_plus.api.torrentcreator import TaskStatus
from tests.api.helpers import assert_absent, has
from tests.servers import QbittorrentServer
from tests.torrents import make_torrent
from tests.webui import WebUI, wait_for

ALL_ENDPOINTS = (
    "torrentcreator/addTask",
    "torrentcreator/status",
    "torrentcreator/torrentFile",
    "torrentcreator/deleteTask",
)
TRACKERS = ["http://127.0.0.1:1/announce", "", "http://127.0.0.1:2/announce"]
NEEDS = "needs Web API 2.10.4 (qBittorrent 5.0.0"


async def assert_all_absent(client: Client, strict: Client, source: Path) -> None:
    """Every torrentcreator method is absent from the server."""
    await assert_absent(
        client,
        strict,
        NEEDS,
        {
            "torrentcreator/addTask": lambda api: api.torrentcreator_add_task(source),
            "torrentcreator/status": lambda api: api.torrentcreator_status(),
            "torrentcreator/torrentFile": (
                lambda api: api.torrentcreator.torrent_file("id")
            ),
            "torrentcreator/deleteTask": (
                lambda api: api.torrentcreator_delete_task("id")
            ),
        },
    )


async def task_status(webui: WebUI, task_id: str) -> dict[str, Any] | None:
    """Return a task as the server lists it, or None when it is unknown."""
    tasks: list[dict[str, Any]] | None = await webui.get_or_none(
        "torrentcreator/status", taskID=task_id
    )
    return None if tasks is None else tasks[0]


async def wait_for_status(webui: WebUI, task_id: str, status: str) -> dict[str, Any]:
    """Wait until the task has reached ``status``; return it."""

    async def reached() -> dict[str, Any] | None:
        task = await task_status(webui, task_id)
        return task if task and task["status"] == status else None

    return await wait_for(reached)


def bdecode(data: bytes) -> tuple[Any, bytes]:
    """Decode a .torrent file; return it and the raw bytes of its info dictionary."""
    spans: dict[bytes, tuple[int, int]] = {}

    def decode(at: int, top: bool) -> tuple[Any, int]:
        kind = data[at : at + 1]
        if kind == b"i":
            end = data.index(b"e", at)
            return int(data[at + 1 : end]), end + 1
        if kind == b"l":
            items, at = [], at + 1
            while data[at : at + 1] != b"e":
                item, at = decode(at, False)
                items.append(item)
            return items, at + 1
        if kind == b"d":
            entries, at = {}, at + 1
            while data[at : at + 1] != b"e":
                key, at = decode(at, False)
                start = at
                entries[key], at = decode(at, False)
                if top:
                    spans[key] = (start, at)
            return entries, at + 1
        colon = data.index(b":", at)
        start = colon + 1
        end = start + int(data[at:colon])
        return data[start:end], end

    value, end = decode(0, True)
    assert end == len(data)
    start, stop = spans[b"info"]
    return value, data[start:stop]


@pytest.mark.endpoints(
    "torrentcreator/addTask",
    "torrentcreator/status",
    "torrentcreator/torrentFile",
    "torrentcreator/deleteTask",
)
async def test_create_torrent(
    client: Client,
    strict: Client,
    webui: WebUI,
    qbittorrent: QbittorrentServer,
    tmp_path: Path,
) -> None:
    """A task makes a valid torrent of a folder; the task is then deleted."""
    made = make_torrent(
        tmp_path, "plus-created", files={"a.bin": 20_000, "sub/b.bin": 70_000}
    )
    source = made.save_path / made.name
    if not has(qbittorrent, *ALL_ENDPOINTS):
        await assert_all_absent(client, strict, source)
        return

    task = await client.torrentcreator_add_task(
        source,
        format="v1",
        start_seeding=False,
        piece_size=16 * 1024,
        comment="made by qBittorrent Plus",
        trackers=TRACKERS,
        url_seeds=["http://127.0.0.1:3/seed/"],
    )
    assert isinstance(task, Dictionary)
    task_id = task.taskID

    finished = await wait_for_status(webui, task_id, "Finished")
    assert finished["sourcePath"] == str(source)
    assert finished["pieceSize"] == 16 * 1024
    assert finished["comment"] == "made by qBittorrent Plus"
    assert finished["trackers"] == TRACKERS
    assert finished["urlSeeds"] == ["http://127.0.0.1:3/seed/"]
    # Unless told otherwise the server would add the new torrent itself.
    assert await webui.torrent(made.info_hash) is None

    tasks = await client.torrentcreator_status(task_id)
    assert tasks is not None
    assert len(tasks) == 1
    assert tasks[0].status == TaskStatus.FINISHED
    assert tasks[0] == finished
    everything = await client.torrentcreator.status()
    assert everything is not None
    assert task_id in {item.taskID for item in everything}

    data = await client.torrentcreator_torrent_file(task_id)
    assert data is not None
    meta, info_bytes = bdecode(data)
    info = meta[b"info"]
    assert info[b"name"] == made.name.encode()
    assert info[b"piece length"] == 16 * 1024
    files = {b"/".join(entry[b"path"]): entry[b"length"] for entry in info[b"files"]}
    assert files == {b"a.bin": 20_000, b"sub/b.bin": 70_000}
    assert meta[b"comment"] == b"made by qBittorrent Plus"
    assert meta[b"announce-list"] == [
        [b"http://127.0.0.1:1/announce"],
        [b"http://127.0.0.1:2/announce"],
    ]
    assert meta[b"url-list"] in (
        [b"http://127.0.0.1:3/seed/"],
        b"http://127.0.0.1:3/seed/",
    )
    # The same data in the same pieces: the server's info dictionary hashes like
    # the one the test made itself.
    info_hash = hashlib.sha1(info_bytes, usedforsecurity=False).hexdigest()
    assert info_hash == made.info_hash

    # Added with its data, the torrent checks complete.
    form = aiohttp.FormData()
    form.add_field("torrents", data, filename="created.torrent")
    form.add_field("savepath", str(made.save_path))
    await webui.post("torrents/add", form)

    async def complete() -> dict[str, Any] | None:
        info = await webui.torrent(info_hash)
        return info if info and info["progress"] == 1 else None

    assert (await wait_for(complete))["total_size"] == made.size
    await webui.delete_torrents(info_hash)

    await client.torrentcreator_delete_task(task_id)
    assert await task_status(webui, task_id) is None
    with pytest.raises(NotFound404Error):
        await client.torrentcreator_torrent_file(task_id)
    with pytest.raises(NotFound404Error):
        await client.torrentcreator.delete_task(task_id)


@pytest.mark.endpoints(
    "torrentcreator/addTask",
    "torrentcreator/status",
    "torrentcreator/torrentFile",
    "torrentcreator/deleteTask",
)
async def test_unfinished_and_failed_tasks(
    client: Client,
    strict: Client,
    webui: WebUI,
    qbittorrent: QbittorrentServer,
    tmp_path: Path,
) -> None:
    """Unfinished and failed tasks have no torrent to fetch."""
    missing = tmp_path / "missing"
    if not has(qbittorrent, *ALL_ENDPOINTS):
        await assert_all_absent(client, strict, missing)
        return

    # 8 GiB of hole: nothing is written, but hashing it takes the server seconds.
    sparse = tmp_path / "sparse.bin"
    with sparse.open("wb") as file:
        file.truncate(8 * 1024**3)
    running = await client.torrentcreator_add_task(
        sparse, format="v1", start_seeding=False
    )
    assert running is not None
    with pytest.raises(Conflict409Error, match="still unfinished"):
        await client.torrentcreator_torrent_file(running.taskID)
    await client.torrentcreator_delete_task(running.taskID)
    assert await task_status(webui, running.taskID) is None

    task = await client.torrentcreator.add_task(missing)
    assert task is not None
    failed = await wait_for_status(webui, task.taskID, "Failed")
    assert failed["errorMessage"]
    with pytest.raises(Conflict409Error, match="Torrent creation failed"):
        await client.torrentcreator_torrent_file(task.taskID)
    tasks = await client.torrentcreator_status(task.taskID, simple_responses=True)
    assert tasks is not None
    assert type(tasks[0]) is dict
    assert tasks[0]["errorMessage"] == failed["errorMessage"]

    await client.torrentcreator_delete_task(task.taskID)
    assert await task_status(webui, task.taskID) is None
    with pytest.raises(NotFound404Error):
        await client.torrentcreator_status(task.taskID)


@pytest.mark.endpoints("torrentcreator/addTask", "torrentcreator/deleteTask")
async def test_task_starts_seeding(
    client: Client,
    strict: Client,
    webui: WebUI,
    qbittorrent: QbittorrentServer,
    tmp_path: Path,
) -> None:
    """With start_seeding the new torrent is added, seeding from its source."""
    made = make_torrent(tmp_path, "plus-seeded", files={"c.bin": 30_000})
    source = made.save_path / made.name
    # Dot files are left out by default.
    (source / ".hidden").write_bytes(b"not in the torrent")
    if not has(qbittorrent, *ALL_ENDPOINTS):
        await assert_absent(
            client,
            strict,
            NEEDS,
            {
                "torrentcreator/addTask": (
                    lambda api: api.torrentcreator_add_task(source, start_seeding=True)
                )
            },
        )
        return

    task = await client.torrentcreator_add_task(
        source, start_seeding=True, is_private=True
    )
    assert task is not None
    await wait_for_status(webui, task.taskID, "Finished")

    async def seeding() -> dict[str, Any] | None:
        torrents: list[dict[str, Any]] = await webui.get("torrents/info")
        found = [t for t in torrents if t["name"] == made.name]
        return found[0] if found and found[0]["progress"] == 1 else None

    added = await wait_for(seeding)
    assert Path(added["save_path"]) == made.save_path
    assert added["total_size"] == 30_000
    assert added["private"] is True
    files = await webui.get("torrents/files", hash=added["hash"])
    assert [file["name"] for file in files] == [f"{made.name}/c.bin"]

    await client.torrentcreator_delete_task(task.taskID)
    await webui.delete_torrents(added["hash"])
