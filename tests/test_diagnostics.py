"""Diagnostics against real servers: what a bug report needs, and no secret."""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from custom_components.qbittorrent_plus.const import CONF_API_KEY
from homeassistant.const import CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant

from .common import entry_for
from .servers import QbittorrentServer
from .torrents import make_torrent
from .webui import WebUI, wait_for

pytestmark = pytest.mark.usefixtures("socket_enabled")

PASSKEY = "5ecre7pa55key0f7he7racker"
# A tracker on a closed local port: the server tries it without leaving the host.
TRACKER = f"http://127.0.0.1:9/{PASSKEY}/announce?passkey={PASSKEY}"

# What changes from run to run: ports, sizes of a real disk, times, the session.
VOLATILE = path_type(
    {
        r"entry\.title": (str,),
        r"entry\.data\.url": (str,),
        r"preferences\.(listen_port|ssl_listen_port|web_ui_port)": (int,),
        r"server_state\.(free_space_on_disk|connection_status|dht_nodes)": (
            int,
            str,
        ),
        (
            r"torrents_sample\.\d+\."
            r"(added_on|completion_on|last_activity|seen_complete|time_active"
            r"|reannounce|eta|popularity)"
        ): (int, float),
    },
    regex=True,
)


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def _session_cookies(entry: MockConfigEntry) -> list[str]:
    jar = entry.runtime_data.client._jar()
    return [cookie.value for cookie in jar]


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    *,
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    tmp_path: Path,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics show the server and its state; no secret is in them."""
    made = make_torrent(tmp_path, "diagnostics-torrent")
    torrent = await webui.add_torrent(made, stopped=True, category="linux")

    async def settled() -> bool:
        # A torrent added stopped is first checked against its resume data.
        state = (await webui.torrent(made.info_hash) or {}).get("state")
        return state in ("stoppedDL", "pausedDL")

    await wait_for(settled)
    await webui.post("torrents/addTrackers", {"hash": made.info_hash, "urls": TRACKER})
    addresses = {
        # The domain list also guards the Host header: this server stays reachable.
        "web_ui_domain_list": "127.0.0.1;qbt.home.example",
        "bypass_auth_subnet_whitelist": "192.168.77.0/24",
    }
    await webui.post(
        "app/setPreferences",
        {"json": json.dumps({"add_trackers": TRACKER, **addresses})},
    )
    secrets = [qbittorrent.password, PASSKEY, made.info_hash, torrent["save_path"]]
    secrets += ["qbt.home.example", "192.168.77.0"]
    if qbittorrent.version != "4.5.2":
        secrets.append((await webui.post("app/rotateAPIKey"))["apiKey"])
    entry = entry_for(qbittorrent)
    await _set_up(hass, entry)
    cookies = _session_cookies(entry)
    assert cookies
    secrets += cookies

    diagnostics: Any = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    serialized = json.dumps(diagnostics)
    for secret in secrets:
        assert secret not in serialized
    assert qbittorrent.username not in json.dumps(diagnostics["entry"])
    assert diagnostics["maindata"]["torrents"] == 1
    assert diagnostics["torrents_sample"][0]["magnet_uri"] == "**REDACTED**"
    assert diagnostics == snapshot(matcher=VOLATILE)


async def test_diagnostics_of_an_entry_with_an_api_key(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
) -> None:
    """An entry that logs in with an API key has it redacted, here and on the server."""
    server = qbittorrent_factory("5.3.0")
    async with WebUI(server) as webui:
        key = (await webui.post("app/rotateAPIKey"))["apiKey"]
    entry = entry_for(server)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry,
        data={CONF_URL: f"{server.url}/", CONF_API_KEY: key, CONF_VERIFY_SSL: True},
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    diagnostics: Any = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert key not in json.dumps(diagnostics)
    assert diagnostics["entry"]["data"][CONF_API_KEY] == "**REDACTED**"
    assert diagnostics["preferences"]["web_ui_api_key"] == "**REDACTED**"


async def test_diagnostics_when_the_server_is_gone(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
) -> None:
    """A server that stopped answering still gives diagnostics, with the error."""
    server = qbittorrent_factory("4.5.2")
    entry = entry_for(server)
    await _set_up(hass, entry)
    await hass.async_add_executor_job(server.stop)

    diagnostics: Any = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics["preferences"]["error"].startswith(
        "APIConnectionError: cannot reach"
    )
    assert server.password not in json.dumps(diagnostics)
