"""The server's sensors, against real servers of every supported version."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from pytest_homeassistant_custom_component.syrupy import StateSnapshot
from syrupy.assertion import SnapshotAssertion

from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .platforms import (
    all_enabled,
    named_entry,
    poll,
    set_up,
    state_of,
    stop_path,
    torrent_states,
)
from .servers import QbittorrentServer
from .torrents import MadeTorrent, make_torrent
from .webui import WebUI, wait_for

pytestmark = pytest.mark.usefixtures("socket_enabled")

# Free space follows whatever else uses the disk: the snapshots name it varying, and
# test_free_space compares it with the server's own figure.
VARYING = frozenset({"sensor.qbittorrent_free_disk_space"})

DISABLED_BY_DEFAULT = {
    "sensor.qbittorrent_checking_torrents",
    "sensor.qbittorrent_dht_nodes",
    "sensor.qbittorrent_download_speed_limit_in_force",
    "sensor.qbittorrent_downloaded_this_session",
    "sensor.qbittorrent_inactive_torrents",
    "sensor.qbittorrent_moving_torrents",
    "sensor.qbittorrent_peer_connections",
    "sensor.qbittorrent_queued_torrents",
    "sensor.qbittorrent_stalled_torrents",
    "sensor.qbittorrent_upload_speed_limit_in_force",
    "sensor.qbittorrent_uploaded_this_session",
}


def _normalise(*, data: Any, path: Any) -> Any:
    if isinstance(data, StateSnapshot) and data["entity_id"] in VARYING:
        return StateSnapshot(data | {"state": "<varies>"})
    return data


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Return the snapshot assertion, with the values that vary normalised."""
    return snapshot.with_defaults(matcher=_normalise)


@pytest.fixture
async def four_torrents(
    qbittorrent: QbittorrentServer, webui: WebUI, tmp_path: Path
) -> AsyncIterator[dict[str, MadeTorrent]]:
    """Add a forced seed, a stopped complete, a stopped partial and a downloading one.

    Queueing is off while they exist, so no torrent flips between queued and
    stalled; with no peer anywhere, every state then stays as it is. A forced seed
    counts as active even while nobody downloads from it.
    """
    await webui.post("app/setPreferences", {"json": '{"queueing_enabled": false}'})
    made = {name: make_torrent(tmp_path, name) for name in "abcd"}
    await webui.add_torrent(made["a"])
    await webui.post(
        "torrents/setForceStart", {"hashes": made["a"].info_hash, "value": "true"}
    )
    await webui.add_torrent(made["b"], stopped=True)
    await webui.post("torrents/recheck", {"hashes": made["b"].info_hash})
    await webui.add_torrent(made["c"], stopped=True, seed=False)
    await webui.add_torrent(made["d"], seed=False)
    expected = {"a": "forcedUP", "b": "stoppedUP", "c": "stoppedDL", "d": "stalledDL"}

    async def settled() -> bool:
        return await torrent_states(webui) == expected

    await wait_for(settled)
    yield made
    hashes = "|".join(torrent.info_hash for torrent in made.values())
    await webui.post("torrents/delete", {"hashes": hashes, "deleteFiles": "false"})
    await webui.post("app/setPreferences", {"json": '{"queueing_enabled": true}'})


@pytest.mark.usefixtures("four_torrents")
async def test_sensors(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every sensor, pinned on each server version, with torrents in four states.

    qBittorrent 4.x calls stopped torrents paused; they count as stopped all the same.
    """
    entry = named_entry(qbittorrent)
    with all_enabled():
        await set_up(hass, entry, Platform.SENSOR)

    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
    assert state_of(hass, "sensor.qbittorrent_stopped_torrents") == "2"
    assert state_of(hass, "sensor.qbittorrent_completed_torrents") == "2"
    assert state_of(hass, "sensor.qbittorrent_active_torrents") == "1"
    assert state_of(hass, "sensor.qbittorrent_global_ratio") == STATE_UNKNOWN


async def test_disabled_by_default(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    entity_registry: er.EntityRegistry,
) -> None:
    """Noisy and less used sensors are there, but disabled until a user wants them."""
    entry = named_entry(qbittorrent)
    await set_up(hass, entry, Platform.SENSOR)

    entries = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert {e.entity_id for e in entries if e.disabled_by} == DISABLED_BY_DEFAULT
    assert len(entries) == 25


async def test_free_space(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, webui: WebUI
) -> None:
    """Free disk space is the server's own figure for its download folder."""

    async def reported() -> int:
        data = await webui.get("sync/maindata")
        free: int = data["server_state"]["free_space_on_disk"]
        return free

    # qBittorrent 4.5 reports 0 until it has looked at the disk.
    await wait_for(reported)
    await set_up(hass, named_entry(qbittorrent), Platform.SENSOR)

    shown = float(state_of(hass, "sensor.qbittorrent_free_disk_space"))
    assert shown > 0
    # Shown in GiB; the disk may have changed a little since.
    assert shown == pytest.approx(await reported() / 2**30, rel=0.01)


async def test_counts_follow_the_server(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    four_torrents: dict[str, MadeTorrent],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A torrent stopped on the server moves between the counts at the next poll."""
    await set_up(hass, named_entry(qbittorrent), Platform.SENSOR)
    assert state_of(hass, "sensor.qbittorrent_seeding_torrents") == "1"

    await webui.post(stop_path(qbittorrent), {"hashes": four_torrents["a"].info_hash})

    async def stopped() -> bool:
        return (await torrent_states(webui))["a"] == "stoppedUP"

    await wait_for(stopped)
    await poll(hass, freezer)

    assert state_of(hass, "sensor.qbittorrent_seeding_torrents") == "0"
    assert state_of(hass, "sensor.qbittorrent_stopped_torrents") == "3"
    assert state_of(hass, "sensor.qbittorrent_completed_torrents") == "2"
    assert state_of(hass, "sensor.qbittorrent_all_torrents") == "4"


async def test_transfer(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A real download between two servers shows in the totals and the ratio."""
    seeder = qbittorrent_factory(qbittorrent.version)
    leecher = qbittorrent_factory(qbittorrent.version)
    made = make_torrent(tmp_path, "shared", size=2_000_000)
    with all_enabled():
        await set_up(hass, named_entry(leecher), Platform.SENSOR)
    assert float(state_of(hass, "sensor.qbittorrent_all_time_downloaded")) == 0

    async with WebUI(seeder) as seeding, WebUI(leecher) as leeching:
        await seeding.add_torrent(made)

        async def seeded() -> bool:
            return (await torrent_states(seeding))["shared"] == "stalledUP"

        await wait_for(seeded)
        await leeching.add_torrent(made, seed=False)

        async def ready() -> bool:
            return (await torrent_states(leeching))["shared"] == "stalledDL"

        # A peer added while the torrent still loads is forgotten.
        await wait_for(ready)
        peer = f"127.0.0.1:{seeder.torrent_port}"
        await leeching.post(
            "torrents/addPeers", {"hashes": made.info_hash, "peers": peer}
        )

        async def downloaded() -> dict[str, Any] | None:
            state: dict[str, Any] = (await leeching.get("sync/maindata"))[
                "server_state"
            ]
            torrent = await leeching.torrent(made.info_hash)
            assert torrent is not None
            # The totals count a moment after the last piece.
            return state if state["dl_info_data"] >= made.size else None

        server_state = await wait_for(downloaded)
        await poll(hass, freezer)
        server_state = (await leeching.get("sync/maindata"))["server_state"]

    session = float(state_of(hass, "sensor.qbittorrent_downloaded_this_session"))
    alltime = float(state_of(hass, "sensor.qbittorrent_all_time_downloaded"))
    ratio = float(state_of(hass, "sensor.qbittorrent_global_ratio"))
    # Shown in GiB.
    assert session == pytest.approx(server_state["dl_info_data"] / 2**30)
    assert alltime == pytest.approx(server_state["alltime_dl"] / 2**30, rel=0.01)
    assert alltime >= session > 0
    assert ratio == pytest.approx(float(server_state["global_ratio"]), abs=0.01)
