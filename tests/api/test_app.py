"""The app namespace against real servers: versions, preferences, paths, cookies, keys."""

from __future__ import annotations

from pathlib import Path
import re
import shutil
import time

import pytest

from custom_components.qbittorrent_plus.api import (
    Client,
    Dictionary,
    Forbidden403Error,
    NotFound404Error,
)
from tests.api.helpers import assert_absent, at_least, client_for, has
from tests.servers import QbittorrentServer, free_port
from tests.webui import WebUI, wait_for


@pytest.mark.endpoints("app/version", "app/webapiVersion", "app/buildInfo")
async def test_versions_and_build_info(
    qbittorrent: QbittorrentServer, client: Client, webui: WebUI
) -> None:
    """Versions are text; the build info is a Dictionary, or plain with simple."""
    assert await client.app_version() == f"v{qbittorrent.version}"
    assert await client.app.web_api_version() == qbittorrent.api_version

    info = await client.app.build_info()
    assert isinstance(info, Dictionary)
    assert info == await webui.get("app/buildInfo")
    assert info.libtorrent == info["libtorrent"]
    assert {"qt", "libtorrent", "boost", "openssl", "bitness"} <= set(info)

    plain = await client.app_build_info(simple_responses=True)
    assert type(plain) is dict
    assert plain == info


@pytest.mark.endpoints("app/processInfo")
async def test_process_info(
    qbittorrent: QbittorrentServer, client: Client, strict: Client, webui: WebUI
) -> None:
    """5.2+ tells when the process started, in seconds since the epoch."""
    if not has(qbittorrent, "app/processInfo"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.15.1 (qBittorrent 5.2.0 or newer)",
            {"app/processInfo": lambda api: api.app_process_info()},
        )
        return
    info = await client.app.process_info()

    assert isinstance(info, Dictionary)
    assert info == await webui.get("app/processInfo")
    assert time.time() - 3600 < info.launch_time <= time.time() + 5


@pytest.mark.endpoints("app/preferences", "app/setPreferences")
async def test_preferences_round_trip(client: Client, webui: WebUI) -> None:
    """Preferences read as the server has them; a partial change leaves the rest."""
    prefs = await client.app_preferences()
    assert isinstance(prefs, Dictionary)
    assert prefs == await webui.get("app/preferences")
    assert type(await client.app.preferences(simple_responses=True)) is dict
    old_uploads, old_torrents = prefs.max_active_uploads, prefs.max_active_torrents

    await client.app_set_preferences({"max_active_uploads": old_uploads + 7})
    changed = await webui.get("app/preferences")
    assert changed["max_active_uploads"] == old_uploads + 7
    assert changed["max_active_torrents"] == old_torrents

    await client.app.set_preferences(prefs={"max_active_uploads": old_uploads})
    restored = await webui.get("app/preferences")
    assert restored["max_active_uploads"] == old_uploads


@pytest.mark.endpoints("app/defaultSavePath")
async def test_default_save_path(
    qbittorrent: QbittorrentServer, client: Client
) -> None:
    """The default save path is the folder the server was configured with."""
    path = await client.app.default_save_path()

    assert Path(path) == qbittorrent.download_dir


@pytest.mark.endpoints("app/networkInterfaceList", "app/networkInterfaceAddressList")
async def test_network_interfaces(client: Client, webui: WebUI) -> None:
    """Interfaces are Dictionaries; addresses come for one interface or for all."""
    interfaces = await client.app_network_interface_list()
    assert interfaces == await webui.get("app/networkInterfaceList")
    assert interfaces is not None
    assert all(isinstance(iface, Dictionary) for iface in interfaces)
    assert "lo" in {iface.value for iface in interfaces}

    loopback = await client.app.network_interface_address_list("lo")
    everything = await client.app_network_interface_address_list()
    assert loopback == await webui.get("app/networkInterfaceAddressList", iface="lo")
    assert loopback is not None
    assert everything is not None
    assert "127.0.0.1" in loopback
    assert set(loopback) < set(everything)


@pytest.mark.endpoints("app/sendTestEmail")
async def test_send_test_email(
    qbittorrent: QbittorrentServer, client: Client, strict: Client, webui: WebUI
) -> None:
    """The server accepts at once and logs the failure to reach the mail server."""
    if not has(qbittorrent, "app/sendTestEmail"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.10.4 (qBittorrent 5.0.0 or newer)",
            {"app/sendTestEmail": lambda api: api.app_send_test_email()},
        )
        return
    # Nothing listens on the port, so the attempt fails fast and without a network.
    mail = {
        "mail_notification_enabled": True,
        "mail_notification_smtp": f"127.0.0.1:{free_port()}",
        "mail_notification_email": "to@example.com",
        "mail_notification_sender": "from@example.com",
    }
    async with webui.temporary_preferences(**mail):
        last_id = await webui.last_log_id()
        # The answer comes before the attempt, so it tells nothing of the outcome.
        await client.app.send_test_email()

        error = await wait_for(
            lambda: webui.logged_since(last_id, "Email Notification Error")
        )
        assert error["type"] == 4  # a warning


@pytest.mark.endpoints("app/getDirectoryContent")
async def test_directory_content(
    qbittorrent: QbittorrentServer, client: Client, strict: Client, tmp_path: Path
) -> None:
    """A folder lists as paths, filtered by kind, or as objects with metadata."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "file.txt").write_text("12345")
    if not has(qbittorrent, "app/getDirectoryContent"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.11 (qBittorrent 5.0.0 or newer)",
            {
                "app/getDirectoryContent": (
                    lambda api: api.app_get_directory_content(tmp_path)
                )
            },
        )
        return

    listed = await client.app_get_directory_content(tmp_path)
    dirs = await client.app.get_directory_content(str(tmp_path), mode="dirs")
    files = await client.app_get_directory_content(tmp_path, mode="files")

    assert sorted(listed or []) == [str(tmp_path / "file.txt"), str(tmp_path / "sub")]
    assert dirs == [str(tmp_path / "sub")]
    assert files == [str(tmp_path / "file.txt")]
    with pytest.raises(NotFound404Error):
        await client.app_get_directory_content(tmp_path / "missing")
    if not at_least(qbittorrent, "2.11.8"):
        # The server would list plain paths instead.
        with pytest.raises(
            NotImplementedError,
            match=re.escape(
                "app/getDirectoryContent withMetadata needs Web API 2.11.8 "
                "(qBittorrent 5.2.0 or newer); this server has Web API 2.11.4"
            ),
        ):
            await client.app_get_directory_content(tmp_path, with_metadata=True)
        return
    detailed = await client.app_get_directory_content(tmp_path, with_metadata=True)
    assert detailed is not None
    by_name = {entry.name: entry for entry in detailed if isinstance(entry, Dictionary)}
    assert by_name["file.txt"].type == "file"
    assert by_name["file.txt"].size == 5
    assert by_name["sub"].type == "dir"


@pytest.mark.endpoints("app/getFreeSpaceAtPath")
async def test_free_space(
    qbittorrent: QbittorrentServer, client: Client, strict: Client, tmp_path: Path
) -> None:
    """The free space is a byte count for the file system holding the path."""
    if not has(qbittorrent, "app/getFreeSpaceAtPath"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.15.2 (qBittorrent 5.3.0 or newer)",
            {
                "app/getFreeSpaceAtPath": (
                    lambda api: api.app_get_free_space_at_path(tmp_path)
                )
            },
        )
        return
    free = await client.app.get_free_space_at_path(tmp_path)

    assert isinstance(free, int)
    # Other tests write to the same file system meanwhile: compare loosely.
    assert abs(free - shutil.disk_usage(tmp_path).free) < 256 * 1024 * 1024


@pytest.mark.endpoints("app/cookies", "app/setCookies")
async def test_cookies(
    qbittorrent: QbittorrentServer, client: Client, strict: Client, webui: WebUI
) -> None:
    """Cookies set replace the server's list; setting none clears it."""
    if not has(qbittorrent, "app/cookies", "app/setCookies"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.11.3 (qBittorrent 5.1.0 or newer)",
            {
                "app/cookies": lambda api: api.app_cookies(),
                "app/setCookies": lambda api: api.app_set_cookies(),
            },
        )
        return
    cookies = [
        {
            "name": "session",
            "value": "abc",
            "domain": "tracker.example.com",
            "path": "/",
            "expirationDate": 4102444800,
        },
        {
            "name": "uid",
            "value": "42",
            "domain": "example.org",
            "path": "/rss",
            "expirationDate": 4102444801,
        },
    ]

    await client.app_set_cookies(cookies)
    on_server = await webui.get("app/cookies")
    read = await client.app.cookies()

    try:
        assert sorted(on_server, key=lambda c: c["name"]) == cookies
        assert read is not None
        assert all(isinstance(cookie, Dictionary) for cookie in read)
        assert {cookie.domain for cookie in read} == {
            "tracker.example.com",
            "example.org",
        }
    finally:
        await client.app.set_cookies([])
    assert await webui.get("app/cookies") == []


@pytest.mark.endpoints("app/shutdown")
async def test_shutdown(private_server: QbittorrentServer) -> None:
    """The server answers the shutdown, then its process exits."""
    async with client_for(private_server) as private:
        await private.auth_log_in()

        await private.app.shutdown()

    async def exited() -> bool:
        return not private_server.running

    assert await wait_for(exited)


@pytest.mark.endpoints("app/rotateAPIKey", "app/deleteAPIKey")
async def test_api_key(
    qbittorrent: QbittorrentServer,
    client: Client,
    strict: Client,
    private_webui: WebUI,
) -> None:
    """A rotated key authenticates calls; once deleted, calls with it are refused."""
    if not has(qbittorrent, "app/rotateAPIKey", "app/deleteAPIKey"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.14.1 (qBittorrent 5.2.0 or newer)",
            {
                "app/rotateAPIKey": lambda api: api.app_rotate_api_key(),
                "app/deleteAPIKey": lambda api: api.app_delete_api_key(),
            },
        )
        return
    server = private_webui.server
    async with client_for(server) as owner:
        first = await owner.app_rotate_api_key()
        key = await owner.app.rotate_api_key()
        assert key is not None
        assert first is not None
        assert key.startswith("qbt_")
        assert key != first
        held = (await private_webui.get("app/preferences"))["web_ui_api_key"]
        # Compared apart from the assert, so a failure does not print the keys.
        same = held == key
        assert same, "the server holds another key"

        async with Client(server.url, api_key=key) as keyed:
            assert await keyed.app_version() == f"v{server.version}"
        async with Client(server.url, api_key=first) as stale:
            with pytest.raises(Forbidden403Error):
                await stale.app_version()

        await owner.app.delete_api_key()
        assert (await private_webui.get("app/preferences"))["web_ui_api_key"] == ""
        async with Client(server.url, api_key=key) as revoked:
            with pytest.raises(Forbidden403Error):
                await revoked.app_version()
