"""The transfer namespace against real servers: speeds, limits, the session, bans."""

from __future__ import annotations

import pytest

from custom_components.qbittorrent_plus.api import Client, Dictionary
from tests.api.helpers import assert_absent, has
from tests.servers import QbittorrentServer
from tests.webui import WebUI, wait_for

KIB = 1024


async def alternative_mode(webui: WebUI) -> str:
    """Return the server's speed limits mode as it answers: ``1`` or ``0``."""
    mode: str = await webui.get("transfer/speedLimitsMode")
    return mode


@pytest.mark.endpoints("transfer/info")
async def test_info(client: Client, webui: WebUI) -> None:
    """The transfer info carries the status bar's keys."""
    info = await client.transfer.info()
    on_server = await webui.get("transfer/info")

    assert isinstance(info, Dictionary)
    assert set(info) == set(on_server)
    assert info.connection_status == on_server["connection_status"]
    assert {"dl_info_speed", "up_info_data", "dl_rate_limit", "dht_nodes"} <= set(info)
    assert type(await client.transfer_info(simple_responses=True)) is dict


@pytest.mark.endpoints(
    "transfer/speedLimitsMode",
    "transfer/toggleSpeedLimitsMode",
    "transfer/setSpeedLimitsMode",
)
async def test_speed_limits_mode(client: Client, webui: WebUI) -> None:
    """The mode reads as a bool; setting it is idempotent; toggling flips it."""
    assert await alternative_mode(webui) == "0"
    assert await client.transfer_speed_limits_mode() is False
    try:
        await client.transfer_set_speed_limits_mode(True)
        assert await alternative_mode(webui) == "1"
        assert await client.transfer.speed_limits_mode() is True

        await client.transfer.set_speed_limits_mode(intended_state=True)
        assert await alternative_mode(webui) == "1"

        await client.transfer_toggle_speed_limits_mode()
        assert await alternative_mode(webui) == "0"
        await client.transfer.set_speed_limits_mode(False)
        assert await alternative_mode(webui) == "0"

        # No state means toggle, as in qbittorrent-api.
        await client.transfer_set_speed_limits_mode()
        assert await alternative_mode(webui) == "1"
    finally:
        await webui.post("transfer/setSpeedLimitsMode", {"mode": "0"})


@pytest.mark.endpoints("transfer/speedLimitsMode", "transfer/toggleSpeedLimitsMode")
async def test_speed_limits_mode_before_set_existed(
    client: Client, webui: WebUI, endpoint_calls: list[str]
) -> None:
    """Toward a server older than 2.8.14 the mode is read, then toggled if it differs."""
    await client.auth_log_in()
    client._api_version = (2, 8, 13)  # what qBittorrent 4.4.5 answers with

    def toggles() -> int:
        return endpoint_calls.count("transfer/toggleSpeedLimitsMode")

    try:
        await client.transfer_set_speed_limits_mode(True)
        assert await alternative_mode(webui) == "1"
        first = toggles()
        assert first > 0

        await client.transfer_set_speed_limits_mode(True)
        assert await alternative_mode(webui) == "1"
        assert toggles() == first

        await client.transfer_set_speed_limits_mode(False)
        assert await alternative_mode(webui) == "0"
        assert toggles() > first
        assert "transfer/setSpeedLimitsMode" not in endpoint_calls
    finally:
        await webui.post("transfer/setSpeedLimitsMode", {"mode": "0"})


@pytest.mark.endpoints(
    "transfer/downloadLimit",
    "transfer/uploadLimit",
    "transfer/setDownloadLimit",
    "transfer/setUploadLimit",
)
async def test_global_limits(client: Client, webui: WebUI) -> None:
    """Limits are set and read in bytes per second, kept in whole KiB/s."""
    try:
        await client.transfer_set_download_limit(20 * KIB)
        await client.transfer.set_upload_limit(limit=10 * KIB)
        prefs = await webui.get("app/preferences")
        assert (prefs["dl_limit"], prefs["up_limit"]) == (20 * KIB, 10 * KIB)
        assert await client.transfer_download_limit() == 20 * KIB
        assert await client.transfer.upload_limit() == 10 * KIB

        await client.transfer_set_download_limit(5000)
        assert await webui.get("transfer/downloadLimit") == str(4 * KIB)
        await client.transfer_set_upload_limit(-1)
        assert await webui.get("transfer/uploadLimit") == "0"
    finally:
        await webui.post("transfer/setDownloadLimit", {"limit": "0"})
        await webui.post("transfer/setUploadLimit", {"limit": "0"})
    assert await client.transfer_download_limit() == 0


@pytest.mark.endpoints("transfer/getSpeedLimits", "transfer/setSpeedLimits")
async def test_speed_limits(
    qbittorrent: QbittorrentServer, client: Client, strict: Client, webui: WebUI
) -> None:
    """Both limit sets are read and set in one call; left-out limits keep values."""
    if not has(qbittorrent, "transfer/getSpeedLimits", "transfer/setSpeedLimits"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.16 (qBittorrent 5.3.0 or newer)",
            {
                "transfer/getSpeedLimits": lambda api: api.transfer_get_speed_limits(),
                "transfer/setSpeedLimits": (
                    lambda api: api.transfer_set_speed_limits(dl_limit=KIB)
                ),
            },
        )
        return
    before = await client.transfer_get_speed_limits()
    assert isinstance(before, Dictionary)
    assert before == await webui.get("transfer/getSpeedLimits")
    try:
        await client.transfer.set_speed_limits(
            dl_limit=4 * KIB, up_limit=3 * KIB, alt_dl_limit=2 * KIB, alt_up_limit=KIB
        )
        assert await webui.get("transfer/getSpeedLimits") == {
            "dl_limit": 4 * KIB,
            "up_limit": 3 * KIB,
            "alt_dl_limit": 2 * KIB,
            "alt_up_limit": KIB,
        }

        await client.transfer_set_speed_limits(alt_up_limit=8 * KIB)
        assert await webui.get("transfer/getSpeedLimits") == {
            "dl_limit": 4 * KIB,
            "up_limit": 3 * KIB,
            "alt_dl_limit": 2 * KIB,
            "alt_up_limit": 8 * KIB,
        }
        plain = await client.transfer.get_speed_limits(simple_responses=True)
        assert type(plain) is dict
        assert plain["alt_up_limit"] == 8 * KIB
    finally:
        await webui.post(
            "transfer/setSpeedLimits",
            {key: str(value) for key, value in before.items()},
        )
    assert await webui.get("transfer/getSpeedLimits") == before


@pytest.mark.endpoints("transfer/pauseSession", "transfer/resumeSession")
async def test_pause_and_resume_session(
    qbittorrent: QbittorrentServer, client: Client, strict: Client, webui: WebUI
) -> None:
    """Pausing the session shows in maindata's session_state until resumed."""
    if not has(qbittorrent, "transfer/pauseSession", "transfer/resumeSession"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.16.2 (qBittorrent 5.3.0 or newer)",
            {
                "transfer/pauseSession": lambda api: api.transfer_pause_session(),
                "transfer/resumeSession": lambda api: api.transfer.resume_session(),
            },
        )
        return

    async def session_paused() -> bool:
        maindata = await webui.get("sync/maindata")
        paused: bool = maindata["server_state"]["session_state"]
        return paused

    async def session_running() -> bool:
        return not await session_paused()

    assert await session_running()
    try:
        await client.transfer_pause_session()
        assert await wait_for(session_paused)
    finally:
        await client.transfer.resume_session()
    assert await wait_for(session_running)


@pytest.mark.endpoints("transfer/banPeers")
async def test_ban_peers(client: Client, webui: WebUI) -> None:
    """Banned peers' addresses join the banned_IPs preference."""
    async with webui.temporary_preferences("banned_IPs"):
        await client.transfer_ban_peers(["10.1.2.3:6881", "[2001:db8::1]:6882"])
        await client.transfer.ban_peers("10.9.8.7:51413")

        banned = (await webui.get("app/preferences"))["banned_IPs"].split("\n")
        assert set(banned) == {"10.1.2.3", "2001:db8::1", "10.9.8.7"}
