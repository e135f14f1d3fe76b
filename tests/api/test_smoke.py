"""Smoke tests: the client logs in to real servers and reads their versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from custom_components.qbittorrent_plus.api import Client, LoginFailed
from tests.api.helpers import client_for
from tests.servers import QbittorrentServer
from tests.torrents import make_torrent
from tests.webui import WebUI, wait_for

SEEDING_STATES = {"uploading", "stalledUP", "queuedUP", "stoppedUP", "pausedUP"}


@pytest.mark.endpoints("auth/login", "app/version", "app/webapiVersion")
async def test_login_and_versions(qbittorrent: QbittorrentServer) -> None:
    """Both servers accept the fixture's credentials and report their versions."""
    async with client_for(qbittorrent) as client:
        await client.auth_log_in()
        assert await client.app_version() == f"v{qbittorrent.version}"
        assert await client.app_web_api_version() == qbittorrent.api_version


async def test_wrong_password_is_refused(qbittorrent: QbittorrentServer) -> None:
    """A wrong password fails the same way on 4.x (200 Fails.) and 5.x (401)."""
    async with Client(qbittorrent.url, qbittorrent.username, "wrong") as client:
        with pytest.raises(LoginFailed) as caught:
            await client.auth_log_in()
    assert "wrong" not in str(caught.value)


@pytest.mark.parametrize(
    "files",
    [None, {"a.bin": 20_000, "sub/b.bin": 70_000}],
    ids=["single-file", "folder"],
)
async def test_made_torrent_seeds(
    webui: WebUI, tmp_path: Path, files: dict[str, int] | None
) -> None:
    """A locally made torrent added with its data becomes a complete seed."""
    torrent = make_torrent(tmp_path, f"smoke-{len(files or {})}", files=files)

    added = await webui.add_torrent(torrent)

    assert added["hash"] == torrent.info_hash
    assert added["name"] == torrent.name
    assert added["total_size"] == torrent.size

    async def seeding() -> bool:
        info = await webui.torrent(torrent.info_hash)
        return (
            info is not None
            and info["progress"] == 1
            and (info["state"] in SEEDING_STATES)
        )

    assert await wait_for(seeding)
    await webui.delete_torrents(torrent.info_hash)
    assert await webui.torrent(torrent.info_hash) is None


async def test_stopped_torrent_without_data(webui: WebUI, tmp_path: Path) -> None:
    """A torrent added stopped to the download folder stays stopped and incomplete."""
    torrent = make_torrent(tmp_path, "smoke-stopped")

    await webui.add_torrent(torrent, stopped=True, seed=False)

    async def settled() -> dict[str, Any] | None:
        info = await webui.torrent(torrent.info_hash)
        return info if info and info["state"] in {"stoppedDL", "pausedDL"} else None

    info = await wait_for(settled)
    assert info["progress"] == 0
    assert info["save_path"].rstrip("/") == str(webui.server.download_dir)
    await webui.delete_torrents(torrent.info_hash, delete_files=True)
