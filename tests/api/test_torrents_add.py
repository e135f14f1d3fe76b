"""Adding torrents: magnet links, URLs, .torrent files and bytes, with every option."""

from __future__ import annotations

from collections.abc import AsyncIterator
import errno
from functools import partial
import json
import os
from pathlib import Path
from typing import Any

from aiohttp import web
import pytest

from custom_components.qbittorrent_plus.api import (
    Client,
    Conflict409Error,
    TorrentFileError,
    TorrentFileNotFoundError,
    TorrentFilePermissionError,
    UnsupportedMediaType415Error,
)
from custom_components.qbittorrent_plus.api.torrents import TorrentsAddResult
from tests.api.helpers import at_least, expect_share_fields, has, unique
from tests.servers import QbittorrentServer
from tests.torrents import MadeTorrent, make_torrent
from tests.webui import WebUI, wait_for

COUNTED_ADDS_SINCE = "2.14"
"""torrents/add answers with counts and ids (qBittorrent 5.2.0)."""
DUPLICATES_REFUSED_SINCE = "2.6"
"""torrents/add answers "Fails." for a torrent already there (qBittorrent 4.3)."""
FORCED_ADD_SINCE = "2.11.4"
"""torrents/add takes ``forced`` (qBittorrent 5.1.0)."""


@pytest.fixture(autouse=True)
async def quick_updates(webui: WebUI) -> None:
    """Let the server publish torrent changes every 0.1 s rather than every 1.5 s."""
    await webui.post(
        "app/setPreferences", {"json": json.dumps({"refresh_interval": 100})}
    )


@pytest.fixture
async def cleanup(webui: WebUI) -> AsyncIterator[list[MadeTorrent]]:
    """Collect torrents a test adds; delete them, and their data, afterwards."""
    made: list[MadeTorrent] = []
    yield made
    if made:
        hashes = "|".join(t.info_hash for t in made)
        await webui.post("torrents/delete", {"hashes": hashes, "deleteFiles": "true"})

        async def gone() -> bool:
            return bool(await webui.get("torrents/info", hashes=hashes) == [])

        await wait_for(gone)


async def listed(webui: WebUI, *torrents: MadeTorrent) -> list[dict[str, Any]]:
    """Wait until the server lists every torrent; return them in the given order."""
    return [await wait_for(partial(webui.torrent, t.info_hash)) for t in torrents]


async def settled(webui: WebUI, torrent: MadeTorrent) -> dict[str, Any]:
    """Wait until the server has loaded a torrent added with its .torrent file."""

    async def probe() -> dict[str, Any] | None:
        info = await webui.torrent(torrent.info_hash)
        return info if info and info["state"] != "checkingResumeData" else None

    return await wait_for(probe)


def expect_counts(
    server: QbittorrentServer, result: TorrentsAddResult, added: list[MadeTorrent]
) -> None:
    """5.2+ reports what was added; older servers report nothing to count."""
    assert isinstance(result, TorrentsAddResult)
    if at_least(server, COUNTED_ADDS_SINCE):
        assert result.success_count == len(added)
        assert result.failure_count == 0
        assert result.pending_count == 0
        assert sorted(result.added_torrent_ids or ()) == sorted(
            t.info_hash for t in added
        )
    else:
        assert result == TorrentsAddResult()


@pytest.mark.endpoints("torrents/add")
async def test_add_magnet_links(
    qbittorrent: QbittorrentServer,
    client: Client,
    webui: WebUI,
    tmp_path: Path,
    cleanup: list[MadeTorrent],
) -> None:
    """One magnet link, then several, each added (without metadata: no peers)."""
    first, second, third = (make_torrent(tmp_path, unique("magnet")) for _ in "123")
    cleanup += [first, second, third]

    one = await client.torrents_add(urls=first.magnet, is_stopped=True)
    several = await client.torrents.add(
        urls=[second.magnet, third.magnet], is_stopped=True
    )

    expect_counts(qbittorrent, one, [first])
    expect_counts(qbittorrent, several, [second, third])
    for torrent in (first, second, third):
        info = await settled(webui, torrent)
        assert info["state"] in {"stoppedDL", "pausedDL"}
        assert info["total_size"] <= 0


@pytest.mark.endpoints("torrents/add")
async def test_add_files_by_path(
    qbittorrent: QbittorrentServer,
    client: Client,
    webui: WebUI,
    tmp_path: Path,
    cleanup: list[MadeTorrent],
) -> None:
    """A path as str, as Path, and several at once (two with the same file name)."""
    made = [
        make_torrent(tmp_path / folder, unique("file"))
        for folder in ("one", "two", "three", "four")
    ]
    cleanup += made
    # The server keys uploads by file name: two files called the same must both go.
    same_name = [tmp_path / "same" / str(n) / "x.torrent" for n in (1, 2)]
    for path, torrent in zip(same_name, made[2:], strict=True):
        path.parent.mkdir(parents=True)
        path.write_bytes(torrent.data)

    by_str = await client.torrents_add(torrent_files=str(made[0].path), is_stopped=True)
    by_path = await client.torrents_add(torrent_files=made[1].path, is_stopped=True)
    several = await client.torrents_add(torrent_files=same_name, is_stopped=True)

    expect_counts(qbittorrent, by_str, made[:1])
    expect_counts(qbittorrent, by_path, made[1:2])
    expect_counts(qbittorrent, several, made[2:])
    infos = await listed(webui, *made)
    assert [info["name"] for info in infos] == [t.name for t in made]


@pytest.mark.endpoints("torrents/add")
async def test_add_bytes(
    qbittorrent: QbittorrentServer,
    client: Client,
    webui: WebUI,
    tmp_path: Path,
    cleanup: list[MadeTorrent],
) -> None:
    """Bytes in memory: one, several, and file names mapped to bytes or paths."""
    made = [make_torrent(tmp_path, unique("bytes")) for _ in range(5)]
    cleanup += made

    one = await client.torrents_add(torrent_files=made[0].data, is_stopped=True)
    several = await client.torrents_add(
        torrent_files=[made[1].data, made[2].data], is_stopped=True
    )
    mapping = await client.torrents_add(
        torrent_files={"first.torrent": made[3].data, "second.torrent": made[4].path},
        is_stopped=True,
    )

    expect_counts(qbittorrent, one, made[:1])
    expect_counts(qbittorrent, several, made[1:3])
    expect_counts(qbittorrent, mapping, made[3:])
    assert len(await listed(webui, *made)) == 5


@pytest.mark.endpoints("torrents/add")
async def test_add_links_and_files_together(
    client: Client,
    webui: WebUI,
    tmp_path: Path,
    cleanup: list[MadeTorrent],
) -> None:
    """Links and files go in one request."""
    link, file = (make_torrent(tmp_path, unique("mixed")) for _ in "12")
    cleanup += [link, file]

    await client.torrents_add(
        urls=link.magnet, torrent_files=file.data, is_stopped=True
    )

    assert len(await listed(webui, link, file)) == 2


@pytest.mark.endpoints("torrents/add")
async def test_add_from_an_http_url(
    qbittorrent: QbittorrentServer,
    client: Client,
    webui: WebUI,
    tmp_path: Path,
    cleanup: list[MadeTorrent],
) -> None:
    """The server downloads a .torrent from a URL; 5.2+ reports it as pending."""
    torrent = make_torrent(tmp_path, unique("url"))
    cleanup.append(torrent)
    requests: list[str] = []

    async def serve(request: web.Request) -> web.Response:
        requests.append(request.path)
        return web.Response(body=torrent.data, content_type="application/x-bittorrent")

    app = web.Application()
    app.router.add_get("/{name}", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        result = await client.torrents_add(
            urls=f"http://127.0.0.1:{port}/{torrent.name}.torrent", is_stopped=True
        )
        (info,) = await listed(webui, torrent)
    finally:
        await runner.cleanup()

    assert requests == [f"/{torrent.name}.torrent"]
    assert info["name"] == torrent.name
    if at_least(qbittorrent, COUNTED_ADDS_SINCE):
        assert result.pending_count == 1
        assert result.success_count == 0
    else:
        assert result.pending_count is None


@pytest.mark.endpoints("torrents/add")
async def test_add_options(
    qbittorrent: QbittorrentServer,
    client: Client,
    webui: WebUI,
    tmp_path: Path,
    cleanup: list[MadeTorrent],
) -> None:
    """The add options reach the server, under the names each version knows."""
    torrent = make_torrent(
        tmp_path, unique("options"), files={"a.bin": 1000, "b.bin": 2000}
    )
    cleanup.append(torrent)
    category, tags = unique("cat"), [unique("tag"), unique("tag")]
    await webui.post("torrents/createCategory", {"category": category})
    save_path = tmp_path / "save"
    download_path = tmp_path / "incomplete"
    try:
        await client.torrents_add(
            torrent_files=torrent.path,
            save_path=save_path,
            download_path=download_path,
            use_download_path=True,
            category=category,
            tags=tags,
            rename="renamed on add",
            upload_limit=30_000,
            download_limit=40_000,
            ratio_limit=1.5,
            seeding_time_limit=60,
            inactive_seeding_time_limit=30,
            share_limit_action="Stop",
            share_limits_mode="MatchAll",
            use_auto_torrent_management=False,
            is_sequential_download=True,
            is_first_last_piece_priority=True,
            content_layout="NoSubfolder",
            stop_condition="MetadataReceived",
            add_to_top_of_queue=True,
            is_stopped=True,
        )
        info = await settled(webui, torrent)
        files = await webui.get("torrents/files", hash=torrent.info_hash)
    finally:
        await webui.post(
            "torrents/delete", {"hashes": torrent.info_hash, "deleteFiles": "true"}
        )
        await wait_for(lambda: _absent(webui, torrent.info_hash))
        await webui.post("torrents/removeCategories", {"categories": category})
        await webui.post("torrents/deleteTags", {"tags": ",".join(tags)})

    assert info["save_path"].rstrip("/") == str(save_path)
    assert info["category"] == category
    assert sorted(info["tags"].split(", ")) == sorted(tags)
    assert info["name"] == "renamed on add"
    assert info["up_limit"] == 30_000
    assert info["dl_limit"] == 40_000
    assert info["ratio_limit"] == 1.5
    assert info["seeding_time_limit"] == 60
    assert info["auto_tmm"] is False
    assert info["seq_dl"] is True
    assert info["f_l_piece_prio"] is True
    assert info["state"] in {"stoppedDL", "pausedDL"}
    assert [f["name"] for f in files] == ["a.bin", "b.bin"]
    if has(qbittorrent, "torrents/setDownloadPath"):
        assert info["download_path"].rstrip("/") == str(download_path)
    else:
        assert "download_path" not in info
    expect_share_fields(qbittorrent, info, 30, "Stop", "MatchAll")


@pytest.mark.endpoints("torrents/add")
async def test_add_with_subfolder_layout_and_forced(
    qbittorrent: QbittorrentServer,
    client: Client,
    webui: WebUI,
    tmp_path: Path,
    cleanup: list[MadeTorrent],
) -> None:
    """The old is_root_folder becomes a content layout; forced force-starts (5.1+)."""
    torrent = make_torrent(tmp_path, unique("layout"))
    cleanup.append(torrent)

    await client.torrents_add(
        torrent_files=torrent.data,
        save_path=tmp_path / "elsewhere",
        is_root_folder=True,
        forced=True,
    )

    (info,) = await listed(webui, torrent)
    files = await webui.get("torrents/files", hash=torrent.info_hash)
    assert [f["name"] for f in files] == [f"{torrent.name}/{torrent.name}"]
    assert info["force_start"] is at_least(qbittorrent, FORCED_ADD_SINCE)


@pytest.mark.endpoints("torrents/add")
async def test_skip_checking_takes_data_as_complete(
    client: Client,
    webui: WebUI,
    tmp_path: Path,
    cleanup: list[MadeTorrent],
) -> None:
    """Skipping the check (seedMode or skip_checking) takes the data as complete.

    A torrent added stopped is not checked, so without the skip it would stay at
    0 % even with all its data in place.
    """
    skipped = make_torrent(tmp_path / "skipped", unique("seedmode"))
    checked = make_torrent(tmp_path / "checked", unique("seedmode"))
    cleanup += [skipped, checked]

    for torrent, skip in ((skipped, True), (checked, None)):
        await client.torrents_add(
            torrent_files=torrent.data,
            save_path=torrent.save_path,
            is_skip_checking=skip,
            is_stopped=True,
        )

    info = await settled(webui, skipped)
    assert info["progress"] == 1
    assert info["state"] in {"stoppedUP", "pausedUP"}
    info = await settled(webui, checked)
    assert info["progress"] == 0


@pytest.mark.endpoints("torrents/add")
async def test_nothing_added_raises_conflict(
    qbittorrent: QbittorrentServer,
    client: Client,
    webui: WebUI,
    tmp_path: Path,
    cleanup: list[MadeTorrent],
) -> None:
    """A torrent already there: 5.2+ answers 409, 4.3 to 5.1 "Fails."; both raise.

    qBittorrent 4.2 answers "Ok." as if it had added the torrent, and so the call
    returns as for one added.
    """
    torrent = make_torrent(tmp_path, unique("dup"))
    cleanup.append(torrent)
    await webui.add_torrent(torrent, stopped=True, seed=False)

    for source in ({"torrent_files": torrent.data}, {"urls": torrent.magnet}):
        if at_least(qbittorrent, DUPLICATES_REFUSED_SINCE):
            with pytest.raises(Conflict409Error, match="added none of the torrents"):
                await client.torrents_add(**source)
        else:
            assert await client.torrents_add(**source) == TorrentsAddResult()
    assert [t["hash"] for t in await webui.get("torrents/info")].count(
        torrent.info_hash
    ) == 1


@pytest.mark.endpoints("torrents/add")
async def test_invalid_torrent_file(client: Client) -> None:
    """A file that is no torrent is refused with 415 on both servers."""
    with pytest.raises(UnsupportedMediaType415Error, match="not a valid torrent"):
        await client.torrents_add(torrent_files={"bad.torrent": b"no torrent"})


async def test_missing_file_sends_nothing(
    client: Client,
    webui: WebUI,
    tmp_path: Path,
    endpoint_calls: list[str],
) -> None:
    """Every file is read first: one missing file and nothing is added at all."""
    present = make_torrent(tmp_path, unique("present"))
    missing = tmp_path / "missing.torrent"

    with pytest.raises(TorrentFileNotFoundError) as caught:
        await client.torrents_add(torrent_files=[present.path, missing])

    assert caught.value.filename == str(missing)
    assert caught.value.errno == errno.ENOENT
    assert "torrents/add" not in endpoint_calls
    assert await webui.torrent(present.info_hash) is None


async def test_unreadable_file_sends_nothing(
    client: Client, tmp_path: Path, endpoint_calls: list[str]
) -> None:
    """An unreadable file, or a folder, raises before anything is sent."""
    present = make_torrent(tmp_path, unique("present"))
    if os.geteuid() == 0:
        # Root reads every file mode; a write-only sysctl still refuses it.
        unreadable = Path("/proc/sys/vm/drop_caches")
    else:  # pragma: no cover - the test environment runs as root
        unreadable = tmp_path / "locked.torrent"
        unreadable.write_bytes(present.data)
        unreadable.chmod(0)

    with pytest.raises(TorrentFilePermissionError):
        await client.torrents_add(torrent_files=[present.path, unreadable])
    with pytest.raises(TorrentFileError) as caught:
        await client.torrents_add(torrent_files=[present.path, tmp_path])

    assert not isinstance(caught.value, TorrentFileNotFoundError)
    assert "torrents/add" not in endpoint_calls


async def test_add_needs_links_or_files(client: Client) -> None:
    """With nothing to add the call is refused before reaching the server."""
    with pytest.raises(ValueError, match="urls or torrent_files"):
        await client.torrents_add(category="nothing")


@pytest.mark.endpoints("torrents/add")
async def test_upload_is_sent_again_after_a_new_login(
    client: Client,
    webui: WebUI,
    tmp_path: Path,
    cleanup: list[MadeTorrent],
    endpoint_calls: list[str],
) -> None:
    """When the session has expired, the multipart upload goes again after login."""
    torrent = make_torrent(tmp_path, unique("relogin"))
    cleanup.append(torrent)
    await client.auth_log_in()
    # The server forgets this session: the next call gets 403 and logs in again.
    await client._send("POST", "auth/logout")
    endpoint_calls.clear()

    await client.torrents_add(torrent_files=torrent.data, is_stopped=True)

    assert await listed(webui, torrent)
    assert endpoint_calls.count("auth/login") == 1


async def _absent(webui: WebUI, info_hash: str) -> bool:
    return await webui.torrent(info_hash) is None
