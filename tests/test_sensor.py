"""The server's sensors, against real servers of every supported version."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import PropertyMock, patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.syrupy import (
    HomeAssistantSnapshotExtension,
    StateSnapshot,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.qbittorrent_plus.const import DEFAULT_SCAN_INTERVAL, DOMAIN
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .common import entry_for
from .servers import QbittorrentServer
from .torrents import MadeTorrent, make_torrent
from .webui import WebUI, wait_for

pytestmark = pytest.mark.usefixtures("socket_enabled")

# Free space follows whatever else uses the disk: the snapshot names it varying and
# test_free_space checks the value against the server's own.
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


def named_entry(server: QbittorrentServer) -> MockConfigEntry:
    """Return an entry with the same name and unique id whatever the server's port."""
    made = entry_for(server)
    return MockConfigEntry(
        domain=DOMAIN, title="qBittorrent", unique_id="qbittorrent", data={**made.data}
    )


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set up an entry with the sensor platform only."""
    entry.add_to_hass(hass)
    with patch("custom_components.qbittorrent_plus.PLATFORMS", [Platform.SENSOR]):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()


async def poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let one poll interval pass and the poll it starts finish."""
    freezer.tick(DEFAULT_SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def value(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Return the snapshot assertion with Home Assistant's serializer."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def all_enabled() -> Iterator[None]:
    """Enable the entities that are disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


async def torrent_states(webui: WebUI) -> dict[str, str]:
    """Return the state of each torrent by name (4.x names mapped to 5.x ones)."""
    torrents: list[dict[str, Any]] = await webui.get("torrents/info")
    return {
        t["name"]: t["state"].replace("paused", "stopped") for t in torrents
    }


@pytest.fixture
async def four_torrents(
    qbittorrent: QbittorrentServer, webui: WebUI, tmp_path: Path
) -> AsyncIterator[dict[str, MadeTorrent]]:
    """Add a seed, a stopped complete, a stopped partial and a downloading torrent.

    Queueing is off while they exist, so no torrent flips between queued and
    stalled; with no peer anywhere every state then stays as it is.
    """
    await webui.post("app/setPreferences", {"json": '{"queueing_enabled": false}'})
    made = {name: make_torrent(tmp_path, name) for name in ("a", "b", "c", "d")}
    await webui.add_torrent(made["a"])
    await webui.add_torrent(made["b"], stopped=True)
    await webui.post("torrents/recheck", {"hashes": made["b"].info_hash})
    await webui.add_torrent(made["c"], stopped=True, seed=False)
    await webui.add_torrent(made["d"], seed=False)
    expected = {"a": "stalledUP", "b": "stoppedUP", "c": "stoppedDL", "d": "stalledDL"}

    async def settled() -> bool:
        return await torrent_states(webui) == expected

    await wait_for(settled)
    yield made
    hashes = "|".join(torrent.info_hash for torrent in made.values())
    await webui.post("torrents/delete", {"hashes": hashes, "deleteFiles": "false"})
    await webui.post("app/setPreferences", {"json": '{"queueing_enabled": true}'})


@pytest.mark.usefixtures("all_enabled", "four_torrents")
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
    await set_up(hass, entry)

    await snapshot_platform(
        hass,
        entity_registry,
        snapshot.with_defaults(matcher=_normalise),
        entry.entry_id,
    )
    assert value(hass, "sensor.qbittorrent_stopped_torrents") == "2"
    assert value(hass, "sensor.qbittorrent_completed_torrents") == "2"
    assert value(hass, "sensor.qbittorrent_global_ratio") == STATE_UNKNOWN


async def test_disabled_by_default(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    entity_registry: er.EntityRegistry,
) -> None:
    """Noisy and less used sensors are there, but disabled until a user wants them."""
    entry = named_entry(qbittorrent)
    await set_up(hass, entry)

    entries = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    disabled = {e.entity_id for e in entries if e.disabled_by is not None}
    assert disabled == DISABLED_BY_DEFAULT
    assert len(entries) == 29


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
    await set_up(hass, named_entry(qbittorrent))

    shown = int(value(hass, "sensor.qbittorrent_free_disk_space"))
    assert abs(shown - await reported()) < 64 * 1024 * 1024
    assert shown > 0


async def test_sensors_follow_the_server(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    four_torrents: dict[str, MadeTorrent],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A torrent stopped on the server moves between the counts at the next poll."""
    await set_up(hass, named_entry(qbittorrent))
    assert value(hass, "sensor.qbittorrent_seeding_torrents") == "1"

    stop = "torrents/stop" if qbittorrent.version >= "5" else "torrents/pause"
    await webui.post(stop, {"hashes": four_torrents["a"].info_hash})

    async def stopped() -> bool:
        return (await torrent_states(webui))["a"] == "stoppedUP"

    await wait_for(stopped)
    await poll(hass, freezer)

    assert value(hass, "sensor.qbittorrent_seeding_torrents") == "0"
    assert value(hass, "sensor.qbittorrent_stopped_torrents") == "3"
    assert value(hass, "sensor.qbittorrent_completed_torrents") == "2"
    assert value(hass, "sensor.qbittorrent_all_torrents") == "4"


@pytest.mark.usefixtures("all_enabled")
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
    await set_up(hass, named_entry(leecher))
    assert float(value(hass, "sensor.qbittorrent_all_time_downloaded")) == 0

    async with WebUI(seeder) as seeding, WebUI(leecher) as leeching:
        await seeding.add_torrent(made)

        async def seeded() -> bool:
            return (await torrent_states(seeding))["shared"] == "stalledUP"

        await wait_for(seeded)
        await leeching.add_torrent(made, seed=False)
        peer = f"127.0.0.1:{seeder.torrent_port}"
        await leeching.post(
            "torrents/addPeers", {"hashes": made.info_hash, "peers": peer}
        )

        async def downloaded() -> dict[str, Any] | None:
            data = await leeching.get("sync/maindata")
            state: dict[str, Any] = data["server_state"]
            torrent = await leeching.torrent(made.info_hash)
            assert torrent is not None
            return state if torrent["progress"] == 1 else None

        server_state = await wait_for(downloaded)

    await poll(hass, freezer)

    session = float(value(hass, "sensor.qbittorrent_downloaded_this_session"))
    alltime = float(value(hass, "sensor.qbittorrent_all_time_downloaded"))
    ratio = float(value(hass, "sensor.qbittorrent_global_ratio"))
    # Shown in GiB: at least the torrent's size, which the server counted.
    assert server_state["dl_info_data"] >= made.size
    assert session == pytest.approx(server_state["dl_info_data"] / 2**30)
    assert alltime == pytest.approx(server_state["alltime_dl"] / 2**30)
    assert ratio == float(server_state["global_ratio"])
