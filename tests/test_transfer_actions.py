"""The transfer actions against real servers: limits, their mode, bans, the session.

Home Assistant reaches each server through a recording proxy, so a refused action can
be shown to have sent nothing that changes the server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from .actions import act, refusal, set_up_through
from .platforms import state_of
from .proxy import Proxy
from .servers import QbittorrentServer
from .webui import WebUI, wait_for

pytestmark = pytest.mark.usefixtures("socket_enabled")

KIB = 1024
LIMITS = ("dl_limit", "up_limit", "alt_dl_limit", "alt_up_limit")


@pytest.fixture
async def entry(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, proxy: Proxy
) -> MockConfigEntry:
    """Set up the integration, through the proxy, with the limit numbers."""
    return await set_up_through(hass, qbittorrent, proxy, Platform.NUMBER)


@pytest.fixture
async def limits(webui: WebUI) -> AsyncIterator[dict[str, int]]:
    """Return the server's four limits (bytes/s); put them back after the test."""
    preferences = await webui.get("app/preferences")
    before = {key: preferences[key] for key in LIMITS}
    yield before
    await webui.set_preferences(**before)


async def test_set_speed_limits(
    hass: HomeAssistant, entry: MockConfigEntry, webui: WebUI, limits: dict[str, int]
) -> None:
    """The four limits are set in KiB/s; the numbers follow, even those not in force."""
    await act(
        hass,
        "set_speed_limits",
        {
            "download_limit": 400,
            "upload_limit": 300,
            "alternative_download_limit": 200,
            "alternative_upload_limit": 100,
        },
    )

    preferences = await webui.get("app/preferences")
    assert {key: preferences[key] for key in LIMITS} == {
        "dl_limit": 400 * KIB,
        "up_limit": 300 * KIB,
        "alt_dl_limit": 200 * KIB,
        "alt_up_limit": 100 * KIB,
    }
    # The alternative limits are not in force, so only the preferences have them.
    assert state_of(hass, "number.qbittorrent_download_limit") == "400"
    assert state_of(hass, "number.qbittorrent_alternative_download_limit") == "200"
    assert state_of(hass, "number.qbittorrent_alternative_upload_limit") == "100"

    # Limits left out keep their values; 0 is unlimited.
    await act(hass, "set_speed_limits", {"upload_limit": 0})

    preferences = await webui.get("app/preferences")
    assert {key: preferences[key] for key in LIMITS} == {
        "dl_limit": 400 * KIB,
        "up_limit": 0,
        "alt_dl_limit": 200 * KIB,
        "alt_up_limit": 100 * KIB,
    }


async def test_set_speed_limits_refused(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    proxy: Proxy,
    webui: WebUI,
    limits: dict[str, int],
) -> None:
    """Without any limit the action is refused and nothing changes."""
    error = await refusal(hass, proxy, "set_speed_limits")

    assert error.translation_key == "speed_limit_required"
    assert "at least one speed limit" in str(error)
    preferences = await webui.get("app/preferences")
    assert {key: preferences[key] for key in LIMITS} == limits


@pytest.mark.usefixtures("normal_speed_limits")
async def test_alternative_speed_limits(
    hass: HomeAssistant, entry: MockConfigEntry, webui: WebUI
) -> None:
    """The alternative limits are put in force and back, on the entry named."""
    await act(
        hass,
        "set_alternative_speed_limits",
        {"config_entry_id": entry.entry_id, "enabled": True},
    )
    assert await webui.get("transfer/speedLimitsMode") == "1"

    await act(hass, "set_alternative_speed_limits", {"enabled": False})
    assert await webui.get("transfer/speedLimitsMode") == "0"


async def test_ban_peers(
    hass: HomeAssistant, entry: MockConfigEntry, webui: WebUI
) -> None:
    """Peers given as IPv4 and IPv6 addresses with ports are banned."""
    async with webui.temporary_preferences("banned_IPs"):
        await act(
            hass,
            "ban_peers",
            {"peers": ["10.1.2.3:6881", " [2001:db8::1]:6882 ", "10.9.8.7:51413"]},
        )

        banned = (await webui.get("app/preferences"))["banned_IPs"].split("\n")
        assert set(banned) == {"10.1.2.3", "2001:db8::1", "10.9.8.7"}

        # One peer alone, as a plain string.
        await act(hass, "ban_peers", {"peers": "192.0.2.44:1"})
        banned = (await webui.get("app/preferences"))["banned_IPs"].split("\n")
        assert "192.0.2.44" in banned


@pytest.mark.parametrize(
    "peer",
    [
        "10.1.2.3",
        "tracker.example.org:6881",
        "10.1.2.3:0",
        "10.1.2.3:65536",
        "10.1.2.3:port",
        "10.1.2.3:+80",
        "2001:db8::1:6881",
        "[10.1.2.3]:6881",
        "[2001:db8::1]",
        "",
    ],
)
async def test_ban_peers_refused(
    hass: HomeAssistant, entry: MockConfigEntry, proxy: Proxy, webui: WebUI, peer: str
) -> None:
    """A peer that is no IP address and port refuses the whole list."""
    before = (await webui.get("app/preferences"))["banned_IPs"]

    error = await refusal(hass, proxy, "ban_peers", {"peers": ["10.4.4.4:80", peer]})

    assert error.translation_key == "invalid_peer"
    assert error.translation_placeholders == {"peer": peer}
    assert "is not a peer address" in str(error)
    assert (await webui.get("app/preferences"))["banned_IPs"] == before


async def session_paused(webui: WebUI) -> bool:
    """Return whether the server's whole session is paused."""
    maindata = await webui.get("sync/maindata")
    paused: bool = maindata["server_state"].get("session_state", False)
    return paused


@pytest.mark.parametrize("action", ["pause_session", "resume_session"])
@pytest.mark.usefixtures("entry")
async def test_pause_and_resume_session(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    proxy: Proxy,
    webui: WebUI,
    action: str,
) -> None:
    """5.3 pauses and resumes its session; 4.5 refuses, naming the version needed."""
    if qbittorrent.version < "5.3":
        error = await refusal(hass, proxy, action)
        assert error.translation_key == "unsupported_by_server"
        assert "(qBittorrent 5.3.0 or newer)" in str(error)
        return

    pausing = action == "pause_session"

    async def done() -> bool:
        return await session_paused(webui) == pausing

    try:
        if not pausing:
            await webui.post("transfer/pauseSession")
            assert await wait_for(lambda: session_paused(webui))
        await act(hass, action)
        assert await wait_for(done)
    finally:
        await webui.post("transfer/resumeSession")
