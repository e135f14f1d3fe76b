"""The log namespace against real servers: the main log and the peer log."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import pytest

from custom_components.qbittorrent_plus.api import Client, Dictionary
from tests.webui import WebUI, wait_for

NORMAL, INFO, WARNING, CRITICAL = 1, 2, 4, 8


@pytest.mark.endpoints("log/main")
async def test_main_log(client: Client, webui: WebUI) -> None:
    """Entries match the server's, as Dictionaries, with timestamps in seconds."""
    entries = await client.log_main()
    on_server = await webui.get("log/main")

    assert entries
    assert all(isinstance(entry, Dictionary) for entry in entries)
    # The server may log more between the two reads.
    assert entries == on_server[: len(entries)]
    assert [entry.id for entry in entries] == sorted(entry.id for entry in entries)
    # Seconds since the epoch on both servers (4.5.0+); milliseconds would be ~1000x.
    assert all(time.time() - 86400 < e.timestamp < time.time() + 5 for e in entries)
    assert any(f"qBittorrent v{webui.server.version}" in e.message for e in entries)

    later = await client.log.main(last_known_id=entries[0].id)
    assert later[: len(entries) - 1] == entries[1:]

    plain = await client.log_main(simple_responses=True)
    assert type(plain[0]) is dict


@pytest.mark.endpoints("log/main")
async def test_main_log_filters(client: Client, webui: WebUI) -> None:
    """The kind flags and the per-severity shortcuts ask the server for those kinds."""
    normal_only = await client.log_main(
        normal=True, info=False, warning=False, critical=False
    )
    assert normal_only
    assert {entry.type for entry in normal_only} == {NORMAL}

    everything_but_normal = await client.log_main(normal=False)
    assert NORMAL not in {entry.type for entry in everything_but_normal}

    shortcuts: dict[str, tuple[set[int], dict[str, str]]] = {
        "warning": ({WARNING, CRITICAL}, {"normal": "false", "info": "false"}),
        "critical": (
            {CRITICAL},
            {"normal": "false", "info": "false", "warning": "false"},
        ),
        "normal": ({NORMAL, WARNING, CRITICAL}, {"info": "false"}),
        "info": ({NORMAL, INFO, WARNING, CRITICAL}, {}),
    }
    for name, (kinds, flags) in shortcuts.items():
        found = await getattr(client.log.main, name)()
        on_server: list[dict[str, Any]] = await webui.get("log/main", **flags)
        assert found == on_server[: len(found)], name
        assert {entry.type for entry in found} <= kinds, name


@pytest.mark.endpoints("log/peers", "transfer/banPeers")
async def test_peer_log(client: Client, webui: WebUI) -> None:
    """A connection from a banned address shows in the peer log as blocked."""
    start = await client.log_peers()
    last_id = start[-1].id if start else -1

    async def blocked() -> list[Dictionary]:
        # Each attempt is refused by the ban and logged by the server.
        _, writer = await asyncio.open_connection(
            "127.0.0.1", webui.server.torrent_port
        )
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return await client.log.peers(last_known_id=last_id)

    async with webui.temporary_preferences("banned_IPs"):
        await client.transfer_ban_peers("127.0.0.1:1")
        entries = await wait_for(blocked)

    assert all(isinstance(entry, Dictionary) for entry in entries)
    assert all(entry.id > last_id for entry in entries)
    assert entries[0].ip == "127.0.0.1"
    assert entries[0].blocked is True
    assert time.time() - 3600 < entries[0].timestamp < time.time() + 5
    on_server = await webui.get("log/peers", last_known_id=str(last_id))
    assert entries == on_server[: len(entries)]
    plain = await client.log_peers(last_known_id=last_id, simple_responses=True)
    assert type(plain[0]) is dict
