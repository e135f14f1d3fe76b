"""Listing and reading torrents: info, count, properties, pieces, export, rich objects."""

from __future__ import annotations

from collections.abc import AsyncIterator
import copy
import hashlib
import json
from pathlib import Path
import re
from typing import Any

import aiohttp
import pytest

from custom_components.qbittorrent_plus.api import Client, Dictionary, NotFound404Error
from custom_components.qbittorrent_plus.api.torrents import Torrent, TorrentInfoList
from custom_components.qbittorrent_plus.api.versions import parse_version
from tests.api.helpers import assert_absent, client_for, has, unique
from tests.servers import QbittorrentServer
from tests.torrents import PIECE_LENGTH, MadeTorrent, make_torrent
from tests.webui import WebUI, wait_for


async def complete(webui: WebUI, info_hash: str) -> dict[str, Any]:
    """Wait until the server has checked a seed's data and found it complete."""

    async def probe() -> dict[str, Any] | None:
        info = await webui.torrent(info_hash)
        if info is None or info["state"] == "checkingResumeData":
            return None
        return info if info["progress"] == 1 else None

    return await wait_for(probe)


async def remove(webui: WebUI, *torrents: MadeTorrent) -> None:
    """Delete torrents from the server (keeping the data) and wait until gone."""
    hashes = "|".join(t.info_hash for t in torrents)
    await webui.post("torrents/delete", {"hashes": hashes, "deleteFiles": "false"})

    async def gone() -> bool:
        return bool(await webui.get("torrents/info", hashes=hashes) == [])

    await wait_for(gone)


def info_segment(torrent: MadeTorrent) -> bytes:
    """Return the bencoded info dictionary of a made torrent (its hash's input)."""
    start = torrent.data.index(b"4:info") + len(b"4:info")
    # The info dictionary is the last value of the file's top dictionary.
    return torrent.data[start:-1]


@pytest.fixture(autouse=True)
async def quick_updates(webui: WebUI) -> None:
    """Let the server publish torrent changes every 0.1 s rather than every 1.5 s."""
    await webui.post(
        "app/setPreferences", {"json": json.dumps({"refresh_interval": 100})}
    )


@pytest.fixture
async def seed(webui: WebUI, tmp_path: Path) -> AsyncIterator[MadeTorrent]:
    """Add a complete two-file torrent; remove it afterwards."""
    torrent = make_torrent(
        tmp_path, unique("seed"), files={"a.bin": 20_000, "dir/b.bin": 40_000}
    )
    # The data is there: skip the hash check, and the seed is complete at once.
    form = aiohttp.FormData()
    form.add_field("torrents", torrent.data, filename=f"{torrent.name}.torrent")
    form.add_field("savepath", str(torrent.save_path))
    for name in ("seedMode", "skip_checking"):
        form.add_field(name, "true")
    await webui.post("torrents/add", form)
    await complete(webui, torrent.info_hash)
    yield torrent
    await remove(webui, torrent)


@pytest.fixture
async def stopped(webui: WebUI, tmp_path: Path) -> AsyncIterator[MadeTorrent]:
    """Add a torrent without its data, stopped; remove it afterwards."""
    torrent = make_torrent(tmp_path, unique("stopped"))
    await webui.add_torrent(torrent, stopped=True, seed=False)

    async def settled() -> bool:
        info = await webui.torrent(torrent.info_hash)
        return info is not None and info["state"] in {"pausedDL", "stoppedDL"}

    await wait_for(settled)
    yield torrent
    await remove(webui, torrent)


@pytest.mark.endpoints("torrents/info")
async def test_info_gives_torrents_that_match_the_server(
    client: Client, webui: WebUI, seed: MadeTorrent, stopped: MadeTorrent
) -> None:
    """Rich results are Torrent objects holding the server's fields."""
    hashes = [seed.info_hash, stopped.info_hash]

    torrents = await client.torrents_info(torrent_hashes=hashes, sort="name")

    assert isinstance(torrents, TorrentInfoList)
    assert all(isinstance(t, Torrent) for t in torrents)
    on_server = await webui.get("torrents/info", hashes="|".join(hashes), sort="name")
    assert [t.hash for t in torrents] == [t["hash"] for t in on_server]
    by_hash = {t.hash: t for t in torrents}
    assert by_hash[seed.info_hash].name == seed.name
    assert by_hash[seed.info_hash]["total_size"] == seed.size
    assert by_hash[seed.info_hash].info_hash == seed.info_hash
    # The namespace is the same method under a shorter name.
    again = await client.torrents.info(torrent_hashes=stopped.info_hash)
    assert [t.hash for t in again] == [stopped.info_hash]


@pytest.mark.endpoints("torrents/info")
async def test_info_status_filters_use_the_new_names_on_every_server(
    client: Client, webui: WebUI, seed: MadeTorrent, stopped: MadeTorrent
) -> None:
    """stopped/running work on every server, and so do the old paused/resumed."""
    hashes = [seed.info_hash, stopped.info_hash]

    for name in ("stopped", "paused"):
        found = await client.torrents_info(status_filter=name, torrent_hashes=hashes)
        assert [t.hash for t in found] == [stopped.info_hash], name
    for name in ("running", "resumed"):
        found = await client.torrents_info(status_filter=name, torrent_hashes=hashes)
        assert [t.hash for t in found] == [seed.info_hash], name
    # The server itself only knows one of each pair: an unknown filter lists all.
    old_name = "stopped" if has(webui.server, "torrents/stop") else "paused"
    raw = await webui.get("torrents/info", filter=old_name, hashes="|".join(hashes))
    assert [t["hash"] for t in raw] == [stopped.info_hash]


@pytest.mark.endpoints("torrents/info")
async def test_states_read_stopped_on_every_server(
    qbittorrent: QbittorrentServer,
    client: Client,
    webui: WebUI,
    stopped: MadeTorrent,
) -> None:
    """The 4.x state pausedDL reads stoppedDL, in rich and in simple results."""
    raw = await webui.torrent(stopped.info_hash)
    assert raw is not None
    assert raw["state"] == (
        "stoppedDL" if has(qbittorrent, "torrents/stop") else "pausedDL"
    )

    (rich,) = await client.torrents_info(torrent_hashes=stopped.info_hash)
    (simple,) = await client.torrents_info(
        torrent_hashes=stopped.info_hash, simple_responses=True
    )

    assert rich.state == "stoppedDL"
    assert type(simple) is dict
    assert simple["state"] == "stoppedDL"
    assert simple == {**raw, "state": "stoppedDL"} | {
        key: simple[key] for key in ("time_active", "last_activity", "added_on")
    }


@pytest.mark.endpoints("torrents/info")
async def test_simple_responses_for_the_whole_client(
    qbittorrent: QbittorrentServer, stopped: MadeTorrent
) -> None:
    """A client made with simple_responses answers plain JSON unless told otherwise."""
    async with client_for(qbittorrent, simple_responses=True) as client:
        (plain,) = await client.torrents_info(torrent_hashes=stopped.info_hash)
        (rich,) = await client.torrents_info(
            torrent_hashes=stopped.info_hash, simple_responses=False
        )
        properties = await client.torrents_properties(stopped.info_hash)

    assert type(plain) is dict
    assert plain["state"] == "stoppedDL"
    assert isinstance(rich, Torrent)
    assert type(properties) is dict


@pytest.mark.endpoints("torrents/info", "torrents/properties")
async def test_a_torrent_is_a_mapping_over_the_server_json(
    client: Client, webui: WebUI, stopped: MadeTorrent
) -> None:
    """A Torrent reads, compares and copies like the JSON object the server sent."""
    (torrent,) = await client.torrents_info(torrent_hashes=stopped.info_hash)
    raw = await webui.torrent(stopped.info_hash)
    assert raw is not None
    # The server's fields, with the state's new name, and the clocks as the client
    # read them (they may move between the two requests).
    expected = {**raw, "state": "stoppedDL"} | {
        key: torrent[key] for key in ("time_active", "last_activity", "added_on")
    }

    assert torrent == expected
    assert expected == torrent
    assert torrent != {**expected, "name": "other"}
    assert torrent != list(expected)
    plain = dict(torrent)
    assert type(plain) is dict
    assert json.loads(json.dumps(plain)) == expected
    assert len(torrent) == len(raw)
    assert list(torrent) == list(torrent.keys()) == list(raw)
    assert list(torrent.values()) == list(expected.values())
    assert dict(torrent.items()) == expected
    assert "name" in torrent
    assert "nothing" not in torrent
    assert torrent.get("name") == torrent.name == torrent["name"] == stopped.name
    assert torrent.get("nothing") is None
    assert torrent.get("nothing", 0) == 0
    with pytest.raises(KeyError):
        _ = torrent["nothing"]
    with pytest.raises(AttributeError, match="nothing"):
        _ = torrent.nothing
    assert repr(torrent) == f"Torrent({plain!r})"
    with pytest.raises(TypeError, match="unhashable"):
        hash(torrent)

    # Copies are torrents of the same client, over fields of their own.
    for clone in (torrent.copy(), copy.copy(torrent), copy.deepcopy(torrent)):
        assert type(clone) is Torrent
        assert clone == torrent
        clone["name"] = "clone"
        assert torrent.name == stopped.name
        assert (await clone.properties()).total_size == stopped.size

    # Changing a torrent changes this object, not the server; refresh reads it again.
    torrent["name"] = "local"
    del torrent["category"]
    assert torrent.name == "local"
    assert "category" not in torrent
    assert (await webui.torrent(stopped.info_hash) or {})["name"] == stopped.name
    await torrent.refresh()
    assert torrent.name == stopped.name
    assert "category" in torrent


@pytest.mark.endpoints("torrents/info")
async def test_refresh_keeps_a_torrent_the_server_no_longer_has(
    client: Client, webui: WebUI, stopped: MadeTorrent
) -> None:
    """Refreshing a removed torrent leaves its fields as they were."""
    (torrent,) = await client.torrents_info(torrent_hashes=stopped.info_hash)
    before = dict(torrent)
    await remove(webui, stopped)

    await torrent.refresh()

    assert torrent == before


@pytest.mark.endpoints("torrents/info")
async def test_info_filters_category_tag_sort_and_paging(
    client: Client, webui: WebUI, tmp_path: Path
) -> None:
    """category, tag, sort, reverse, limit and offset filter on every server.

    Servers before Web API 2.8.3 ignore ``tag``: the client filters, then pages.
    """
    category, tag = unique("cat"), unique("tag")
    await webui.post("torrents/createCategory", {"category": category})
    made = [make_torrent(tmp_path, f"{unique('page')}-{n}") for n in range(4)]
    for number, torrent in enumerate(made):
        await webui.add_torrent(
            torrent,
            stopped=True,
            seed=False,
            category=category if number else None,
            tags=tag if number >= 2 else None,
        )
    hashes = [t.info_hash for t in made]
    names = sorted(t.name for t in made)
    try:
        in_category = await client.torrents_info(
            category=category, torrent_hashes=hashes
        )
        uncategorized = await client.torrents_info(category="", torrent_hashes=hashes)
        tagged = await client.torrents_info(tag=tag, torrent_hashes=hashes)
        untagged = await client.torrents_info(tag="", torrent_hashes=hashes)
        tagged_pages = [
            await client.torrents_info(
                tag=tag, torrent_hashes=hashes, sort="name", offset=offset, limit=limit
            )
            for offset, limit in ((1, 1), (-1, None))
        ]
        descending = await client.torrents_info(
            torrent_hashes=hashes, sort="name", reverse=True
        )
        page = await client.torrents_info(
            torrent_hashes=hashes, sort="name", limit=1, offset=1
        )
    finally:
        await remove(webui, *made)
        await webui.post("torrents/removeCategories", {"categories": category})
        await webui.post("torrents/deleteTags", {"tags": tag})

    assert {t.hash for t in in_category} == set(hashes[1:])
    assert [t.hash for t in uncategorized] == [made[0].info_hash]
    assert {t.hash for t in tagged} == set(hashes[2:])
    assert {t.hash for t in untagged} == set(hashes[:2])
    tagged_names = sorted(t.name for t in made[2:])
    assert [[t.name for t in page] for page in tagged_pages] == [
        tagged_names[1:],
        tagged_names[1:],
    ]
    assert [t.name for t in descending] == names[::-1]
    assert [t.name for t in page] == [names[1]]


@pytest.mark.endpoints("torrents/info")
async def test_info_options_that_older_servers_would_ignore(
    qbittorrent: QbittorrentServer, client: Client, seed: MadeTorrent
) -> None:
    """Files (5.2+), trackers (5.1+) and the private filter (5.0+), or a refusal.

    Older servers would ignore these options and answer as if none was given.
    """
    version = parse_version(qbittorrent.api_version)
    needs_files = "includeFiles needs Web API 2.11.8 (qBittorrent 5.2.0 or newer)"
    needs_trackers = "includeTrackers needs Web API 2.11.4 (qBittorrent 5.1.0 or newer)"
    for option, key, since, needs in (
        ("include_files", "files", (2, 11, 8), needs_files),
        ("include_trackers", "trackers", (2, 11, 4), needs_trackers),
    ):
        if version < since:
            with pytest.raises(NotImplementedError, match=re.escape(needs)):
                await client.torrents_info(
                    torrent_hashes=seed.info_hash,
                    **{option: True},  # type: ignore[arg-type]
                )
            continue
        (torrent,) = await client.torrents_info(
            torrent_hashes=seed.info_hash,
            **{option: True},  # type: ignore[arg-type]
        )
        assert isinstance(torrent[key], list)
        assert all(isinstance(item, Dictionary) for item in torrent[key])
        if key == "files":
            names = [file.name for file in torrent["files"]]
            assert names == [f"{seed.name}/a.bin", f"{seed.name}/dir/b.bin"]
    refusal = "torrents/info private needs Web API 2.11.1 (qBittorrent 5.0.0 or newer)"
    for private in (False, True):
        if version < (2, 11, 1):
            with pytest.raises(NotImplementedError, match=re.escape(refusal)):
                await client.torrents_info(
                    torrent_hashes=seed.info_hash, private=private
                )
        else:
            found = await client.torrents_info(
                torrent_hashes=seed.info_hash, private=private
            )
            assert [t.hash for t in found] == ([] if private else [seed.info_hash])
    # Left off or False, the include options are no options at all.
    (plain,) = await client.torrents_info(
        torrent_hashes=seed.info_hash, include_files=False, include_trackers=None
    )
    assert "files" not in plain


@pytest.mark.endpoints("torrents/count")
async def test_count(
    qbittorrent: QbittorrentServer,
    client: Client,
    strict: Client,
    webui: WebUI,
    stopped: MadeTorrent,
) -> None:
    """5.x counts the torrents; 4.5 has no count endpoint."""
    if not has(qbittorrent, "torrents/count"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.9.3 (qBittorrent 4.6.1 or newer)",
            {"torrents/count": lambda api: api.torrents_count()},
        )
        return
    count = await client.torrents_count()

    assert count == len(await webui.get("torrents/info")) >= 1
    assert await client.torrents.count() == count


@pytest.mark.endpoints("torrents/properties")
async def test_properties(client: Client, webui: WebUI, seed: MadeTorrent) -> None:
    """Properties come back as a Dictionary; an unknown hash is a 404."""
    properties = await client.torrents_properties(seed.info_hash)

    assert isinstance(properties, Dictionary)
    on_server = await webui.get("torrents/properties", hash=seed.info_hash)
    assert properties.save_path == on_server["save_path"]
    assert properties.total_size == seed.size == on_server["total_size"]
    assert properties.pieces_num == on_server["pieces_num"]
    plain = await client.torrents.properties(seed.info_hash, simple_responses=True)
    assert type(plain) is dict
    with pytest.raises(NotFound404Error):
        await client.torrents_properties("0" * 40)


@pytest.mark.endpoints(
    "torrents/pieceStates", "torrents/pieceHashes", "torrents/pieceAvailability"
)
async def test_pieces(
    qbittorrent: QbittorrentServer,
    client: Client,
    strict: Client,
    seed: MadeTorrent,
    stopped: MadeTorrent,
) -> None:
    """Piece hashes are the data's SHA-1s; a seed has every piece, others none yet."""
    data = b"".join(
        (seed.save_path / seed.name / name).read_bytes()
        for name in ("a.bin", "dir/b.bin")
    )
    expected = [
        hashlib.sha1(data[i : i + PIECE_LENGTH], usedforsecurity=False).hexdigest()
        for i in range(0, len(data), PIECE_LENGTH)
    ]

    assert await client.torrents_piece_hashes(seed.info_hash) == expected
    assert await client.torrents_piece_states(seed.info_hash) == [2] * len(expected)
    pieces = -(-stopped.size // PIECE_LENGTH)
    assert await client.torrents.piece_states(stopped.info_hash) == [0] * pieces
    # Counted among peers: without any, each piece of a download is at 0.
    if has(qbittorrent, "torrents/pieceAvailability"):
        availability = await client.torrents_piece_availability(stopped.info_hash)
        assert availability == [0] * pieces
    else:
        await assert_absent(
            client,
            strict,
            "needs Web API 2.15.1 (qBittorrent 5.2.0 or newer)",
            {
                "torrents/pieceAvailability": lambda api: (
                    api.torrents_piece_availability(stopped.info_hash)
                )
            },
        )


@pytest.mark.endpoints("torrents/export")
async def test_export_gives_the_torrent_file(
    qbittorrent: QbittorrentServer, client: Client, strict: Client, seed: MadeTorrent
) -> None:
    """The exported file holds the same info dictionary, byte for byte.

    4.x labels the file as text; it still arrives untouched.
    """
    if not has(qbittorrent, "torrents/export"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.8.14 (qBittorrent 4.5.0 or newer)",
            {"torrents/export": lambda api: api.torrents_export(seed.info_hash)},
        )
        return
    exported = await client.torrents_export(seed.info_hash)

    assert isinstance(exported, bytes)
    assert exported.startswith(b"d")
    segment = info_segment(seed)
    assert hashlib.sha1(segment, usedforsecurity=False).hexdigest() == seed.info_hash
    assert segment in exported


@pytest.mark.endpoints(
    "torrents/info",
    "torrents/properties",
    "torrents/trackers",
    "torrents/webseeds",
    "torrents/files",
    "torrents/pieceStates",
    "torrents/pieceHashes",
    "torrents/export",
    "torrents/downloadLimit",
    "torrents/uploadLimit",
)
async def test_torrent_object_reads_about_itself(
    client: Client, webui: WebUI, seed: MadeTorrent
) -> None:
    """A Torrent reads its properties, trackers, files, pieces and limits."""
    (torrent,) = await client.torrents_info(torrent_hashes=seed.info_hash)

    assert (await torrent.properties()).total_size == seed.size
    trackers = await torrent.trackers()
    assert [t.url for t in trackers] == ["** [DHT] **", "** [PeX] **", "** [LSD] **"]
    assert await torrent.webseeds() == []
    assert [f.size for f in await torrent.files()] == [20_000, 40_000]
    assert len(await torrent.piece_hashes()) == len(await torrent.piece_states())
    if has(webui.server, "torrents/export"):
        assert info_segment(seed) in (await torrent.export() or b"")
    assert await torrent.download_limit() == 0
    assert await torrent.upload_limit() == 0

    await webui.post("torrents/rename", {"hash": seed.info_hash, "name": "renamed"})

    async def renamed() -> bool:
        await torrent.refresh()
        return bool(torrent.name == "renamed")

    assert await wait_for(renamed)
