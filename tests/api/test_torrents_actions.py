"""Acting on torrents: start, stop, delete, check, announce, move, limits, queue, peers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import aiohttp
from aiohttp import web
import pytest

from custom_components.qbittorrent_plus.api import Client, Conflict409Error, Dictionary
from tests.api.helpers import assert_absent, expect_share_fields, has, unique
from tests.servers import QbittorrentServer
from tests.torrents import MadeTorrent, make_torrent
from tests.webui import WebUI, wait_for

STOPPED = {"stoppedDL", "stoppedUP", "pausedDL", "pausedUP"}


async def set_preferences(webui: WebUI, **preferences: Any) -> None:
    """Change the server's preferences."""
    await webui.post("app/setPreferences", {"json": json.dumps(preferences)})


async def until(
    webui: WebUI, torrent: MadeTorrent, check: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Wait until the server's view of a torrent passes ``check``; return it."""

    async def probe() -> dict[str, Any] | None:
        info = await webui.torrent(torrent.info_hash)
        return info if info is not None and check(info) else None

    return await wait_for(probe)


async def add_made(
    webui: WebUI, torrent: MadeTorrent, *, stopped: bool, seed: bool
) -> dict[str, Any]:
    """Add a made torrent; a seed with its data, taken as complete without a check.

    Returns the torrent once the server has loaded it.
    """
    form = aiohttp.FormData()
    form.add_field("torrents", torrent.data, filename=f"{torrent.name}.torrent")
    # Each server reads its own names and ignores the others'.
    for name in ("stopped", "paused"):
        form.add_field(name, str(stopped).lower())
    if seed:
        form.add_field("savepath", str(torrent.save_path))
        for name in ("seedMode", "skip_checking"):
            form.add_field(name, "true")
    await webui.post("torrents/add", form)
    return await until(webui, torrent, lambda i: i["state"] != "checkingResumeData")


@pytest.fixture(autouse=True)
async def quick_updates(webui: WebUI) -> None:
    """Let the server publish torrent changes every 0.1 s rather than every 1.5 s."""
    await set_preferences(webui, refresh_interval=100)


type Adder = Callable[..., Awaitable[MadeTorrent]]


@pytest.fixture
async def add(webui: WebUI, tmp_path: Path) -> AsyncIterator[Adder]:
    """Add made torrents and wait until loaded; delete them and their data after.

    ``add(seed=True)`` adds a complete, running seed; ``add()`` a stopped torrent
    without data; ``add(seed=False, stopped=False)`` a running download.
    """
    made: list[MadeTorrent] = []

    async def adder(
        *, seed: bool = False, stopped: bool | None = None, **kwargs: Any
    ) -> MadeTorrent:
        torrent = make_torrent(tmp_path / str(len(made)), unique("act"), **kwargs)
        made.append(torrent)
        stop = not seed if stopped is None else stopped
        await add_made(webui, torrent, stopped=stop, seed=seed)
        return torrent

    yield adder
    if made:
        hashes = "|".join(t.info_hash for t in made)
        await webui.post("torrents/delete", {"hashes": hashes, "deleteFiles": "true"})

        async def gone() -> bool:
            return bool(await webui.get("torrents/info", hashes=hashes) == [])

        await wait_for(gone)


@pytest.mark.endpoints(
    "torrents/stop", "torrents/pause", "torrents/start", "torrents/resume"
)
async def test_stop_and_start_on_every_server(
    client: Client, webui: WebUI, add: Adder, endpoint_calls: list[str]
) -> None:
    """stop/start reach 5.x as stop/start and 4.x as pause/resume, as do the aliases."""
    torrent = await add(seed=True)

    await client.torrents_stop(torrent.info_hash)
    await until(webui, torrent, lambda i: i["state"] in STOPPED)
    await client.torrents_start([torrent.info_hash])
    await until(webui, torrent, lambda i: i["state"] not in STOPPED)
    await client.torrents.pause(torrent.info_hash)
    await until(webui, torrent, lambda i: i["state"] in STOPPED)
    await client.torrents.resume(torrent.info_hash)
    await until(webui, torrent, lambda i: i["state"] not in STOPPED)

    new = has(webui.server, "torrents/stop")
    names = {"torrents/stop", "torrents/start", "torrents/pause", "torrents/resume"}
    sent = [path for path in endpoint_calls if path in names]
    # Each is recorded at the version gate and again on the wire.
    expected = (
        ["torrents/stop", "torrents/start"]
        if new
        else ["torrents/pause", "torrents/resume"]
    )
    assert sent == [p for p in expected * 2 for _ in (1, 2)]


@pytest.mark.endpoints(
    "torrents/info",
    "torrents/stop",
    "torrents/pause",
    "torrents/start",
    "torrents/resume",
)
async def test_torrent_object_stops_and_starts_itself(
    client: Client, webui: WebUI, add: Adder
) -> None:
    """A Torrent from torrents_info stops and starts itself; "all" reaches all."""
    torrent = await add(seed=True)
    (rich,) = await client.torrents_info(torrent_hashes=torrent.info_hash)

    await rich.stop()
    await until(
        webui,
        torrent,
        lambda i: (
            i["state"]
            == ("stoppedUP" if has(webui.server, "torrents/stop") else "pausedUP")
        ),
    )
    await rich.refresh()
    assert rich.state == "stoppedUP"
    await rich.start()
    await until(webui, torrent, lambda i: i["state"] not in STOPPED)
    await client.torrents_stop("all")
    await until(webui, torrent, lambda i: i["state"] in STOPPED)
    await client.torrents_start("all")
    await until(webui, torrent, lambda i: i["state"] not in STOPPED)


@pytest.mark.endpoints("torrents/delete", "torrents/info")
async def test_delete_with_and_without_data(
    client: Client, webui: WebUI, add: Adder
) -> None:
    """Deleting keeps the data unless told to remove it too."""
    kept, removed, by_object = await asyncio.gather(*(add(seed=True) for _ in "123"))

    await client.torrents_delete(torrent_hashes=kept.info_hash)
    await client.torrents_delete(delete_files=True, torrent_hashes=[removed.info_hash])
    (rich,) = await client.torrents_info(torrent_hashes=by_object.info_hash)
    await rich.delete(delete_files=True)

    for torrent in (kept, removed, by_object):
        await wait_for(partial(_absent, webui, torrent))
    assert (kept.save_path / kept.name).exists()

    async def data_gone() -> bool:
        return not any((t.save_path / t.name).exists() for t in (removed, by_object))

    assert await wait_for(data_gone)


@pytest.mark.endpoints("torrents/recheck", "torrents/info")
async def test_recheck_finds_the_data(
    client: Client, webui: WebUI, tmp_path: Path
) -> None:
    """A stopped torrent is not checked when added; a recheck finds its data."""
    one, two = (make_torrent(tmp_path / n, unique("recheck")) for n in ("1", "2"))
    for torrent in (one, two):
        form = aiohttp.FormData()
        form.add_field("torrents", torrent.data, filename=f"{torrent.name}.torrent")
        form.add_field("savepath", str(torrent.save_path))
        form.add_field("stopped", "true")
        form.add_field("paused", "true")
        await webui.post("torrents/add", form)
    try:
        for torrent in (one, two):
            info = await until(
                webui, torrent, lambda i: i["state"] != "checkingResumeData"
            )
            assert info["progress"] == 0

        await client.torrents_recheck(one.info_hash)
        (rich,) = await client.torrents_info(torrent_hashes=two.info_hash)
        await rich.recheck()

        for torrent in (one, two):
            await until(webui, torrent, lambda i: i["progress"] == 1)
    finally:
        hashes = f"{one.info_hash}|{two.info_hash}"
        await webui.post("torrents/delete", {"hashes": hashes, "deleteFiles": "true"})


@pytest.mark.endpoints("torrents/reannounce", "torrents/info")
async def test_reannounce_reaches_the_tracker(
    client: Client, webui: WebUI, add: Adder
) -> None:
    """A reannounce makes the server ask its tracker again at once."""
    announces: list[dict[str, bytes]] = []

    async def announce(request: web.Request) -> web.Response:
        # info_hash is 20 raw bytes, percent-encoded: not text.
        fields = (f.partition("=") for f in request.rel_url.raw_query_string.split("&"))
        announces.append({key: unquote_to_bytes(value) for key, _, value in fields})
        # The answer's seed count numbers the announces; the server shows it.
        seeds = len(announces)
        body = b"d8:completei%de8:intervali1800e12:min intervali0e5:peers0:e" % seeds
        return web.Response(body=body, content_type="text/plain")

    app = web.Application()
    app.router.add_get("/announce", announce)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/announce"
    try:
        torrent = await add(seed=True)
        await webui.post(
            "torrents/addTrackers", {"hash": torrent.info_hash, "urls": url}
        )

        def forced() -> list[dict[str, bytes]]:
            return [a for a in announces if a.get("event") != b"started"]

        async def answered() -> bool:
            # A reannounce asked for while an announce awaits its answer is lost:
            # the answer then puts the next announce 30 minutes away.
            count = len(announces)
            trackers = await webui.get("torrents/trackers", hash=torrent.info_hash)
            return count > 0 and any(
                t["url"] == url and t["num_seeds"] >= count for t in trackers
            )

        await wait_for(answered)
        # The first announce (and any repeat of it) says "started"; a forced one
        # says nothing of the kind.
        assert all(a.get("event") == b"started" for a in announces)

        await client.torrents_reannounce(torrent.info_hash)

        await wait_for(lambda: asyncio.sleep(0, bool(forced())))
        await wait_for(answered)
        later = forced()
        (rich,) = await client.torrents_info(torrent_hashes=torrent.info_hash)
        await rich.reannounce()

        await wait_for(lambda: asyncio.sleep(0, len(forced()) > len(later)))
    finally:
        await runner.cleanup()
    assert later[0]["info_hash"] == bytes.fromhex(torrent.info_hash)


@pytest.mark.endpoints("torrents/setLocation", "torrents/info")
async def test_set_location_moves_the_data(
    client: Client, webui: WebUI, add: Adder, tmp_path: Path
) -> None:
    """The data moves to the new location, by flat method and by Torrent."""
    torrent = await add(seed=True)
    first, second = tmp_path / "moved", tmp_path / "moved again"

    await client.torrents_set_location(first, torrent.info_hash)
    await until(webui, torrent, lambda i: i["save_path"].rstrip("/") == str(first))
    await wait_for(lambda: asyncio.sleep(0, (first / torrent.name).exists()))
    (rich,) = await client.torrents_info(torrent_hashes=torrent.info_hash)
    await rich.set_location(second)

    await until(webui, torrent, lambda i: i["save_path"].rstrip("/") == str(second))
    await wait_for(lambda: asyncio.sleep(0, (second / torrent.name).exists()))


@pytest.mark.endpoints(
    "torrents/setSavePath", "torrents/setDownloadPath", "torrents/info"
)
async def test_set_save_and_download_paths(
    client: Client, webui: WebUI, add: Adder, tmp_path: Path
) -> None:
    """Save and download paths change for torrents not automatically managed."""
    one, two = await asyncio.gather(add(), add())
    save, download = tmp_path / "save", tmp_path / "download"

    await client.torrents_set_save_path(save, [one.info_hash, two.info_hash])
    await client.torrents.set_download_path(download, one.info_hash)

    for torrent in (one, two):
        await until(webui, torrent, lambda i: i["save_path"].rstrip("/") == str(save))
    await until(webui, one, lambda i: i["download_path"].rstrip("/") == str(download))
    info = await webui.torrent(two.info_hash)
    assert info is not None
    assert info["download_path"] == ""
    (rich,) = await client.torrents_info(torrent_hashes=two.info_hash)
    await rich.set_save_path(tmp_path / "other save")
    await rich.set_download_path(tmp_path / "other download")
    await until(
        webui,
        two,
        lambda i: (
            i["save_path"].rstrip("/") == str(tmp_path / "other save")
            and i["download_path"].rstrip("/") == str(tmp_path / "other download")
        ),
    )


@pytest.mark.endpoints("torrents/rename", "torrents/info")
async def test_rename(client: Client, webui: WebUI, add: Adder) -> None:
    """A torrent's display name changes; its files keep theirs."""
    torrent = await add()

    await client.torrents_rename(torrent.info_hash, "new name")
    await until(webui, torrent, lambda i: i["name"] == "new name")
    (rich,) = await client.torrents_info(torrent_hashes=torrent.info_hash)
    await rich.rename("newer name")

    await until(webui, torrent, lambda i: i["name"] == "newer name")


@pytest.mark.endpoints("torrents/setComment")
async def test_set_comment(
    qbittorrent: QbittorrentServer,
    client: Client,
    strict: Client,
    webui: WebUI,
    add: Adder,
) -> None:
    """5.2+ sets comments; older servers have no such endpoint."""
    one, two = await asyncio.gather(add(), add())

    await client.torrents_set_comment("a comment", [one.info_hash, two.info_hash])

    if has(qbittorrent, "torrents/setComment"):
        for torrent in (one, two):
            await until(webui, torrent, lambda i: i["comment"] == "a comment")
        (rich,) = await client.torrents_info(torrent_hashes=two.info_hash)
        await rich.set_comment("another")
        await until(webui, two, lambda i: i["comment"] == "another")
    else:
        info = await webui.torrent(one.info_hash)
        assert info is not None
        # 5.0 and 5.1 list the comment the torrent came with: none here.
        assert info.get("comment", "") == ""
        await assert_absent(
            client,
            strict,
            "needs Web API 2.12.1 (qBittorrent 5.2.0 or newer)",
            {
                "torrents/setComment": lambda api: api.torrents_set_comment(
                    "a comment", one.info_hash
                )
            },
        )


@pytest.mark.endpoints(
    "torrents/setAutoManagement",
    "torrents/toggleSequentialDownload",
    "torrents/toggleFirstLastPiecePrio",
    "torrents/setForceStart",
    "torrents/setSuperSeeding",
)
async def test_switches(client: Client, webui: WebUI, add: Adder) -> None:
    """Automatic management, sequential order, first/last pieces, force, super seeding."""
    download, seed = await asyncio.gather(add(), add(seed=True))

    await client.torrents_set_auto_management(True, download.info_hash)
    await client.torrents_toggle_sequential_download(download.info_hash)
    await client.torrents_toggle_first_last_piece_priority(download.info_hash)
    await client.torrents_set_force_start(True, seed.info_hash)
    await client.torrents_set_super_seeding(True, seed.info_hash)

    await until(
        webui,
        download,
        lambda i: i["auto_tmm"] and i["seq_dl"] and i["f_l_piece_prio"],
    )
    await until(webui, seed, lambda i: i["force_start"] and i["super_seeding"])

    (rich,) = await client.torrents_info(torrent_hashes=download.info_hash)
    await rich.set_auto_management(False)
    await rich.toggle_sequential_download()
    await rich.toggle_first_last_piece_priority()
    (rich_seed,) = await client.torrents_info(torrent_hashes=seed.info_hash)
    await rich_seed.set_force_start(False)
    await rich_seed.set_super_seeding(False)

    await until(
        webui,
        download,
        lambda i: not (i["auto_tmm"] or i["seq_dl"] or i["f_l_piece_prio"]),
    )
    await until(webui, seed, lambda i: not (i["force_start"] or i["super_seeding"]))


@pytest.mark.endpoints(
    "torrents/setDownloadLimit",
    "torrents/setUploadLimit",
    "torrents/downloadLimit",
    "torrents/uploadLimit",
)
async def test_speed_limits(client: Client, webui: WebUI, add: Adder) -> None:
    """Limits set per torrent read back by hash, from the server and the client."""
    one, two = await asyncio.gather(add(), add())
    both = [one.info_hash, two.info_hash]

    await client.torrents_set_download_limit(50_000, both)
    await client.torrents.set_upload_limit(60_000, one.info_hash)
    (rich,) = await client.torrents_info(torrent_hashes=two.info_hash)
    await rich.set_upload_limit(70_000)
    await rich.set_download_limit(55_000)

    on_server = await webui.get("torrents/uploadLimit", hashes="|".join(both))
    assert on_server == {one.info_hash: 60_000, two.info_hash: 70_000}
    downloads = await client.torrents_download_limit(both)
    assert isinstance(downloads, Dictionary)
    assert downloads == {one.info_hash: 50_000, two.info_hash: 55_000}
    assert await rich.download_limit() == 55_000
    assert await client.torrents_upload_limit(both) == on_server
    plain = await client.torrents_upload_limit(both, simple_responses=True)
    assert type(plain) is dict
    assert await rich.upload_limit() == 70_000

    await client.torrents_set_download_limit(0, both)

    assert await webui.get("torrents/downloadLimit", hashes="|".join(both)) == {
        one.info_hash: 0,
        two.info_hash: 0,
    }


@pytest.mark.endpoints("torrents/setShareLimits")
async def test_share_limits_fill_what_each_server_requires(
    qbittorrent: QbittorrentServer, client: Client, webui: WebUI, add: Adder
) -> None:
    """One limit alone works on every server: the rest become "use global"."""
    torrent = await add()

    await client.torrents_set_share_limits(
        ratio_limit=2, torrent_hashes=torrent.info_hash
    )

    info = await until(webui, torrent, lambda i: i["ratio_limit"] == 2)
    assert info["seeding_time_limit"] == -2
    expect_share_fields(qbittorrent, info, -2, "Default", "Default")

    await client.torrents_set_share_limits(
        ratio_limit=-1,
        seeding_time_limit=30,
        inactive_seeding_time_limit=20,
        share_limit_action="Stop",
        share_limits_mode="MatchAll",
        torrent_hashes=torrent.info_hash,
    )

    info = await until(webui, torrent, lambda i: i["seeding_time_limit"] == 30)
    assert info["ratio_limit"] == -1
    expect_share_fields(qbittorrent, info, 20, "Stop", "MatchAll")

    (rich,) = await client.torrents_info(torrent_hashes=torrent.info_hash)
    await rich.set_share_limits(seeding_time_limit=45)

    info = await until(webui, torrent, lambda i: i["seeding_time_limit"] == 45)
    assert info["ratio_limit"] == -2


@pytest.mark.endpoints(
    "torrents/increasePrio",
    "torrents/decreasePrio",
    "torrents/topPrio",
    "torrents/bottomPrio",
)
async def test_queue_positions(client: Client, webui: WebUI, add: Adder) -> None:
    """Queue moves need queueing on; without it the server refuses them (409)."""
    await set_preferences(webui, queueing_enabled=True)
    try:
        first, second, third = await add(), await add(), await add()
        hashes = [first.info_hash, second.info_hash, third.info_hash]

        async def order() -> list[str]:
            infos = await webui.get("torrents/info", hashes="|".join(hashes))
            return [i["hash"] for i in sorted(infos, key=lambda i: i["priority"])]

        async def becomes(expected: list[MadeTorrent]) -> None:
            want = [t.info_hash for t in expected]

            async def probe() -> bool:
                return await order() == want

            await wait_for(probe)

        await becomes([first, second, third])
        await client.torrents_top_priority(third.info_hash)
        await becomes([third, first, second])
        await client.torrents_bottom_priority(third.info_hash)
        await becomes([first, second, third])
        await client.torrents_increase_priority(third.info_hash)
        await becomes([first, third, second])
        await client.torrents_decrease_priority(first.info_hash)
        await becomes([third, first, second])
        (rich,) = await client.torrents_info(torrent_hashes=second.info_hash)
        await rich.top_priority()
        await becomes([second, third, first])
        await rich.bottom_priority()
        await rich.increase_priority()
        await becomes([third, second, first])
        await rich.decrease_priority()
        await becomes([third, first, second])

        await set_preferences(webui, queueing_enabled=False)
        with pytest.raises(Conflict409Error, match="queueing"):
            await client.torrents_top_priority(first.info_hash)
    finally:
        await set_preferences(webui, queueing_enabled=False)


@pytest.mark.endpoints("torrents/addPeers", "torrents/info")
async def test_add_peers_connects_to_them(
    client: Client, webui: WebUI, add: Adder
) -> None:
    """The server connects to added peers and greets each for its torrent."""
    greetings: dict[str, bytes] = {}

    async def listen(host: str) -> tuple[asyncio.Server, str]:
        async def peer(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter
        ) -> None:
            try:
                greetings[address] = await reader.readexactly(68)
            except asyncio.IncompleteReadError:
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(peer, host, 0)
        address = f"{host}:{server.sockets[0].getsockname()[1]}"
        return server, address

    # Plain handshakes, so the test can read which torrent the server asks for,
    # over TCP only (a first try over uTP would wait for its timeout).
    await set_preferences(webui, encryption=2, bittorrent_protocol=1)
    # One address each: a torrent treats peers on one IP address as one peer.
    listeners = [await listen(f"127.0.0.{n}") for n in (1, 2, 3)]
    first, second, third = (address for _, address in listeners)
    try:
        torrent, other = await asyncio.gather(
            add(seed=False, stopped=False), add(seed=False, stopped=False)
        )

        added = await client.torrents_add_peers(first, torrent.info_hash)
        (rich,) = await client.torrents_info(torrent_hashes=other.info_hash)
        by_object = await rich.add_peers([second, third])

        await wait_for(lambda: asyncio.sleep(0, len(greetings) == 3))
    finally:
        for server, _ in listeners:
            server.close()
        await set_preferences(webui, encryption=0, bittorrent_protocol=0)

    assert isinstance(added, Dictionary)
    assert added == {torrent.info_hash: {"added": 1, "failed": 0}}
    assert by_object == {other.info_hash: {"added": 2, "failed": 0}}
    asked = {peer: greeting[28:48].hex() for peer, greeting in greetings.items()}
    assert asked == {
        first: torrent.info_hash,
        second: other.info_hash,
        third: other.info_hash,
    }
    assert all(g.startswith(b"\x13BitTorrent protocol") for g in greetings.values())


async def _absent(webui: WebUI, torrent: MadeTorrent) -> bool:
    return await webui.torrent(torrent.info_hash) is None
