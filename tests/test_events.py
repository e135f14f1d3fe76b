"""Torrent events: the transitions, and real ones on the bus against real servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
import shutil
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.qbittorrent_plus.api import MainData
from custom_components.qbittorrent_plus.const import DOMAIN
from custom_components.qbittorrent_plus.torrents.events import (
    EVENT_TYPES,
    SAVE_DELAY,
    StoredTorrents,
    TorrentEvents,
    TorrentTransitions,
    bus_event_type,
    storage_key,
)
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED, Platform
from homeassistant.core import CoreState, Event, HomeAssistant, callback

from .automations import (
    blueprint_automation,
    device_trigger_automation,
    install_blueprint,
    set_up_automations,
)
from .platforms import named_entry, poll, server_device, set_up, stop_path
from .server_torrents import SEEDING, seed
from .servers import QbittorrentServer, running_server
from .torrents import MadeTorrent, make_torrent
from .webui import WebUI, wait_for

pytestmark = pytest.mark.usefixtures("socket_enabled")

HASH = "a" * 40
OTHER = "b" * 40
EVENT_ENTITY = "event.qbittorrent_torrents"
DOWNLOADED = {"downloaded_session": 1000, "downloaded": 1000}

# --- The transitions, fed the way the server sends its deltas. ---


class Polls:
    """A server's main data and the transitions derived from its deltas."""

    def __init__(
        self,
        torrents: Mapping[str, Mapping[str, Any]] | None = None,
        stored: StoredTorrents | None = None,
    ) -> None:
        """Take in the first poll."""
        self.maindata = MainData()
        self.rid = 1
        self.maindata.apply(
            {"rid": 1, "full_update": True, "torrents": dict(torrents or {})}
        )
        self.transitions = TorrentTransitions()
        self.first = self._types(self.transitions.first(self.maindata.torrents, stored))

    def step(
        self,
        torrents: Mapping[str, Mapping[str, Any]] | None = None,
        removed: list[str] | None = None,
    ) -> list[tuple[str, str]]:
        """Apply one delta; return its events as (type, hash)."""
        self.rid += 1
        changes = self.maindata.apply(
            {
                "rid": self.rid,
                "torrents": dict(torrents or {}),
                "torrents_removed": removed or [],
            }
        )
        return self._types(self.transitions.update(self.maindata.torrents, changes))

    @staticmethod
    def _types(events: list[Any]) -> list[tuple[str, str]]:
        return [(event.type.value, event.attributes["hash"]) for event in events]


def torrent(state: str, **fields: Any) -> dict[str, Any]:
    """Return a torrent as the server first sends it."""
    return {
        "name": "t",
        "state": state,
        "downloaded": 0,
        "downloaded_session": 0,
        "completion_on": -1,
        **fields,
    }


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        pytest.param(["stalledDL", "stalledUP"], ["download_completed"], id="download"),
        pytest.param(
            ["queuedDL", "downloading", "uploading", "stalledUP"],
            ["download_completed"],
            id="once",
        ),
        pytest.param(
            ["stalledUP", "checkingUP", "stalledUP"], [], id="recheck-complete"
        ),
        pytest.param(
            ["stalledUP", "checkingDL", "stalledUP"], [], id="recheck-as-checkingDL"
        ),
        pytest.param(
            ["stalledUP", "checkingUP", "downloading", "stalledUP"],
            ["download_completed"],
            id="recheck-then-download-again",
        ),
        pytest.param(
            ["stoppedDL", "checkingDL", "stoppedUP"],
            ["download_completed"],
            id="recheck-finds-data",
        ),
        pytest.param(
            ["stalledDL", "moving", "stalledUP"],
            ["download_completed"],
            id="moved-on-completion",
        ),
        pytest.param(
            ["stalledUP", "stoppedUP", "stalledUP"],
            ["torrent_stopped", "torrent_started"],
            id="stop-start",
        ),
        pytest.param(
            ["stalledDL", "stoppedDL", "stalledUP"],
            ["torrent_stopped", "torrent_started", "download_completed"],
            id="stop-then-start-and-complete",
        ),
        pytest.param(
            ["downloading", "stoppedUP"],
            ["download_completed", "torrent_stopped"],
            id="completed-and-stopped-by-share-limit",
        ),
        pytest.param(
            ["stoppedUP", "checkingUP", "stoppedUP"], [], id="stopped-recheck"
        ),
        pytest.param(
            ["stoppedUP", "checkingUP", "stalledUP"],
            ["torrent_started"],
            id="started-while-checking",
        ),
        pytest.param(
            ["stalledUP", "checkingResumeData", "missingFiles"],
            ["torrent_errored"],
            id="files-missing-after-restart",
        ),
        pytest.param(
            ["missingFiles", "checkingResumeData", "missingFiles", "error"],
            [],
            id="still-errored",
        ),
        pytest.param(
            ["stalledDL", "error", "stoppedDL", "downloading", "stalledUP"],
            ["torrent_errored", "torrent_started", "download_completed"],
            id="error-then-download",
        ),
        pytest.param(
            ["checkingResumeData", "stoppedUP", "stalledUP"],
            ["torrent_started"],
            id="passing-at-first-poll",
        ),
        pytest.param(["checkingResumeData", "missingFiles"], ["torrent_errored"]),
        pytest.param(["stalledUP", "unknown", "stalledUP"], []),
        pytest.param(
            ["stalledUP", "checkingResumeData", "checkingUP", "stoppedUP"],
            ["torrent_stopped"],
            id="through-two-checks",
        ),
    ],
)
def test_transitions(states: list[str], expected: list[str]) -> None:
    """Each state sequence makes these events, from the second state on."""
    polls = Polls({HASH: torrent(states[0])})
    events = []
    for state in states[1:]:
        events += polls.step({HASH: {"state": state, **DOWNLOADED}})

    assert polls.first == []
    assert events == [(kind, HASH) for kind in expected]


def test_added_and_removed() -> None:
    """Torrents added after the first poll are added; removed ones removed."""
    polls = Polls({HASH: torrent("stalledUP")})

    assert polls.step({OTHER: torrent("metaDL")}, removed=[HASH]) == [
        ("torrent_removed", HASH),
        ("torrent_added", OTHER),
    ]
    assert polls.transitions.downloading == {OTHER}
    assert polls.step(removed=[OTHER]) == [("torrent_removed", OTHER)]
    # A removed torrent is forgotten: downloading again after a new add starts over.
    assert polls.transitions.downloading == set()
    assert polls.step({OTHER: torrent("stalledUP")}) == [("torrent_added", OTHER)]


@pytest.mark.parametrize(
    ("states", "fields", "expected"),
    [
        pytest.param(["stalledUP"], DOWNLOADED, ["download_completed"], id="done"),
        pytest.param(["stalledUP"], {"downloaded": 0}, [], id="seed"),
        pytest.param(
            ["checkingResumeData", "queuedUP"],
            {"downloaded_session": 5},
            ["download_completed"],
            id="checking-first",
        ),
        pytest.param(["checkingUP", "stalledUP"], {}, [], id="seed-checked"),
        pytest.param(["missingFiles"], {}, ["torrent_errored"], id="errored"),
        pytest.param(
            ["checkingResumeData", "error"], {}, ["torrent_errored"], id="then-errored"
        ),
    ],
)
def test_added_between_polls(
    states: list[str], fields: dict[str, int], expected: list[str]
) -> None:
    """A torrent first seen complete counts as a download if it downloaded data.

    qBittorrent counts ``downloaded_session`` at once, ``downloaded`` a second
    later; a torrent added with its data downloads nothing.
    """
    polls = Polls()
    events = polls.step({HASH: torrent(states[0], **fields)})
    for state in states[1:]:
        events += polls.step({HASH: {"state": state}})

    assert events == [(kind, HASH) for kind in ["torrent_added", *expected]]


def test_nothing_at_first_poll() -> None:
    """The first poll reports nothing; downloads and completion times are noted."""
    polls = Polls(
        {
            HASH: torrent("stalledDL"),
            OTHER: torrent("stalledUP", completion_on=1_700_000_000, **DOWNLOADED),
            "c" * 40: torrent("error"),
        }
    )

    assert polls.first == []
    assert polls.transitions.dirty
    assert polls.transitions.stored() == StoredTorrents(
        frozenset({HASH}), 1_700_000_000
    )
    assert not polls.transitions.dirty


def test_completed_while_not_watching() -> None:
    """The first poll after a restart reports what completed since, once."""
    stored = StoredTorrents(frozenset({HASH, "d" * 40, "e" * 40}), 1_700_000_000)
    later = 1_700_000_100
    polls = Polls(
        {
            # Seen downloading before, complete now.
            HASH: torrent("stalledUP", completion_on=later, **DOWNLOADED),
            # Added and downloaded while not watching.
            OTHER: torrent("queuedUP", completion_on=later + 1, downloaded=7),
            # Added with its data while not watching: no download.
            "c" * 40: torrent("stalledUP", completion_on=later + 2),
            # Seen downloading, now checking: its completion comes later.
            "d" * 40: torrent("checkingDL"),
            # Complete before the last run ended.
            "f" * 40: torrent("stoppedUP", completion_on=1_600_000_000, **DOWNLOADED),
        },
        stored,
    )

    assert polls.first == [("download_completed", HASH), ("download_completed", OTHER)]
    assert polls.transitions.stored() == StoredTorrents(
        frozenset({"d" * 40}), later + 2
    )
    assert polls.step({"d" * 40: {"state": "stalledUP"}}) == [
        ("download_completed", "d" * 40)
    ]


def test_unchanged_store_is_not_written() -> None:
    """A first poll that finds what was stored leaves nothing to write."""
    stored = StoredTorrents(frozenset({HASH}), 1_700_000_000)
    polls = Polls(
        {
            HASH: torrent("stalledDL"),
            OTHER: torrent("stalledUP", completion_on=1_700_000_000, **DOWNLOADED),
        },
        stored,
    )

    assert not polls.transitions.dirty
    # Only what is stored makes it to write: not speeds, not states.
    polls.step({HASH: {"dlspeed": 5}, OTHER: {"state": "stoppedUP"}})
    assert not polls.transitions.dirty
    polls.step({OTHER: {"completion_on": 1_700_000_001}})
    assert polls.transitions.dirty


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"downloading": "x", "completed_until": 0},
        {"downloading": [], "completed_until": "0"},
    ],
)
def test_stored_data_of_another_shape(data: object) -> None:
    """Stored data this version cannot read counts as none."""
    assert StoredTorrents.parse(data) is None


def test_event_attributes() -> None:
    """An event tells what automations need about its torrent."""
    polls = Polls()
    polls.maindata.apply(
        {
            "rid": 2,
            "torrents": {
                HASH: {
                    "name": "Big Buck Bunny",
                    "state": "stalledDL",
                    "category": "",
                    "tags": "films, 4k,",
                    "save_path": "/data",
                    "content_path": "/data/Big Buck Bunny",
                    "size": 1234,
                    "dlspeed": 0,
                }
            },
        }
    )
    changes = polls.maindata.apply({"rid": 3, "torrents_removed": [HASH]})

    [event] = polls.transitions.update(polls.maindata.torrents, changes)

    assert event.attributes == {
        "hash": HASH,
        "name": "Big Buck Bunny",
        "category": None,
        "tags": ["films", "4k"],
        "save_path": "/data",
        "content_path": "/data/Big Buck Bunny",
        "size": 1234,
    }


def test_bus_event_types() -> None:
    """Each event type has its bus event, named after the domain."""
    assert [bus_event_type(kind) for kind in EVENT_TYPES] == [
        "qbittorrent_plus_torrent_added",
        "qbittorrent_plus_download_completed",
        "qbittorrent_plus_torrent_removed",
        "qbittorrent_plus_torrent_errored",
        "qbittorrent_plus_torrent_stopped",
        "qbittorrent_plus_torrent_started",
    ]


async def test_held_until_started(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    bus_events: list[Event],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Events of polls while Home Assistant starts go, in order, once it has.

    A completion held is stored as still to report until it has gone.
    """
    entry = MockConfigEntry(domain=DOMAIN, unique_id="qbittorrent")
    entry.add_to_hass(hass)
    key = storage_key(entry.entry_id)
    hass_storage[key] = {
        "version": 1,
        "data": {"downloading": [HASH], "completed_until": 0},
    }
    events = TorrentEvents(hass, entry)
    await events.async_load()
    maindata = MainData()
    hass.set_state(CoreState.not_running)

    for delta in (
        {"full_update": True, "torrents": {HASH: torrent("stalledUP")}},
        {"torrents": {OTHER: torrent("stalledDL")}},
        {"server_state": {"dl_info_speed": 1}},
    ):
        changes = maindata.apply({"rid": 1, **delta})
        events.process(maindata.torrents, changes)
    await hass.async_block_till_done()
    assert bus_events == []
    await written_after_delay(hass, freezer)
    assert hass_storage[key]["data"]["downloading"] == [HASH, OTHER]

    await started(hass)

    assert [
        (e.event_type, e.data["hash"], e.data["device_id"]) for e in bus_events
    ] == [
        ("qbittorrent_plus_download_completed", HASH, None),
        ("qbittorrent_plus_torrent_added", OTHER, None),
    ]
    await written_after_delay(hass, freezer)
    assert hass_storage[key]["data"]["downloading"] == [OTHER]
    await events.async_shutdown()


async def written_after_delay(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Let a delayed write of the store happen."""
    freezer.tick(timedelta(seconds=SAVE_DELAY))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


# --- Real events from real servers. ---

WAITING = frozenset({"stalledDL", "queuedDL", "pausedDL", "stoppedDL"})
# TCP only (uTP handshakes over loopback sometimes never complete), and no queue:
# a queued torrent neither seeds nor downloads.
SWARM_PREFERENCES = {"bittorrent_protocol": 1, "queueing_enabled": False}


@pytest.fixture(scope="module")
def seeder() -> Iterator[QbittorrentServer]:
    """Run a server that seeds what the module's server downloads."""
    with running_server("5.3.0") as server:
        server.set_preferences(**SWARM_PREFERENCES)
        yield server


@dataclass(frozen=True)
class Swarm:
    """The integration's server, a session with it, and a server to download from."""

    server: QbittorrentServer
    webui: WebUI
    seeder: QbittorrentServer
    work_dir: Path

    def torrent(self, name: str) -> MadeTorrent:
        """Make a torrent and its data."""
        return make_torrent(self.work_dir, name)

    async def offer(self, made: MadeTorrent) -> None:
        """Have the seeder seed a torrent.

        It waits for the seeder's check: the leecher would otherwise fail to
        connect and wait a while before trying again.
        """
        async with WebUI(self.seeder) as seeding:
            await seed(seeding, made)

    async def add_download(
        self, made: MadeTorrent, *, stopped: bool = False, **options: Any
    ) -> None:
        """Add a torrent to download, and wait until the server is waiting for peers."""
        await self.webui.add_torrent(made, seed=False, stopped=stopped, **options)

        async def waiting() -> bool:
            found = await self.webui.torrent(made.info_hash)
            return found is not None and found["state"] in WAITING

        await wait_for(waiting)

    async def download(self, made: MadeTorrent) -> None:
        """Connect the torrent to the seeder and wait until it has downloaded it.

        Without DHT, PeX or trackers the peers meet only when told; a peer offered
        while the torrent is being checked can be dropped, so it is offered until
        the connection shows.
        """
        peer = {
            "hashes": made.info_hash,
            "peers": f"127.0.0.1:{self.seeder.torrent_port}",
        }

        seen: dict[str, Any] = {}

        async def downloaded() -> bool:
            found = await self.webui.torrent(made.info_hash)
            assert found is not None
            seen.update(found)
            if found["progress"] == 1:
                return True
            if found["num_seeds"] == 0:
                await self.webui.post("torrents/addPeers", peer)
            return False

        try:
            await wait_for(downloaded, timeout=60)
        except TimeoutError:
            fields = ("state", "progress", "num_seeds", "num_leechs", "dlspeed")
            pytest.fail(f"not downloaded: {[(key, seen.get(key)) for key in fields]}")

    async def start(self, made: MadeTorrent) -> None:
        """Start a stopped torrent."""
        path = "torrents/resume" if self.server.version < "5" else "torrents/start"
        await self.webui.post(path, {"hashes": made.info_hash})

    async def state_is(self, made: MadeTorrent, *states: str) -> bool:
        """Return whether the torrent is in one of these states."""
        found = await self.webui.torrent(made.info_hash)
        return found is not None and found["state"] in states


@pytest.fixture
async def swarm(
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    seeder: QbittorrentServer,
    tmp_path: Path,
) -> AsyncIterator[Swarm]:
    """Return the module's server (emptied and restored afterwards) and a seeder."""
    async with webui.temporary_preferences(**SWARM_PREFERENCES):
        yield Swarm(qbittorrent, webui, seeder, tmp_path)
        await webui.delete_torrents("all", delete_files=True)


@pytest.fixture
def bus_events(hass: HomeAssistant) -> list[Event]:
    """Capture every torrent event on the bus, in order."""
    events: list[Event] = []

    @callback
    def capture(event: Event) -> None:
        events.append(event)

    for kind in EVENT_TYPES:
        hass.bus.async_listen(bus_event_type(kind), capture)
    return events


def kinds(events: list[Event]) -> list[tuple[str, str]]:
    """Return the events' types (without the domain) and torrent names."""
    return [
        (str(event.event_type).removeprefix(f"{DOMAIN}_"), event.data["name"])
        for event in events
    ]


async def test_download_completed(
    hass: HomeAssistant,
    swarm: Swarm,
    freezer: FrozenDateTimeFactory,
    bus_events: list[Event],
) -> None:
    """A real download fires added, then exactly one completed, then removed.

    The server downloads the torrent from a second server over loopback; an
    automation on the device trigger runs once, and so does the blueprint's.
    """
    server = swarm.server
    made = swarm.torrent(f"download {server.version}")
    category = f"category {server.version}"
    await swarm.webui.post("torrents/createCategory", {"category": category})
    try:
        await swarm.offer(made)
        entry = named_entry(server)
        await set_up(hass, entry, Platform.EVENT)
        device_id = server_device(hass, entry).id
        notifications = async_mock_service(hass, "persistent_notification", "create")
        install_blueprint(hass, swarm.work_dir)
        calls = await set_up_automations(
            hass,
            device_trigger_automation(device_id, "download_completed"),
            blueprint_automation(entry.entry_id),
        )

        await swarm.add_download(made, category=category, tags="linux,night")
        await poll(hass, freezer)
        assert kinds(bus_events) == [("torrent_added", made.name)]

        await swarm.download(made)
        await poll(hass, freezer)
        await poll(hass, freezer)

        assert kinds(bus_events)[1:] == [("download_completed", made.name)]
        assert bus_events[1].data == {
            "entry_id": entry.entry_id,
            "device_id": device_id,
            "hash": made.info_hash,
            "name": made.name,
            "category": category,
            "tags": ["linux", "night"],
            "save_path": str(server.download_dir),
            "content_path": str(server.download_dir / made.name),
            "size": made.size,
        }
        assert [call.data for call in calls] == [
            {"name": made.name, "tags": ["linux", "night"]}
        ]
        assert [call.data["message"] for call in notifications] == [
            f"{made.name} is ready (48.1 KiB)."
        ]
        state = hass.states.get(EVENT_ENTITY)
        assert state is not None
        assert state.attributes["event_type"] == "download_completed"
        assert state.attributes["hash"] == made.info_hash

        await swarm.webui.delete_torrents(made.info_hash, delete_files=True)
        await poll(hass, freezer)
        assert kinds(bus_events)[2:] == [("torrent_removed", made.name)]
        assert len(calls) == 1
    finally:
        await swarm.webui.post("torrents/removeCategories", {"categories": category})


@pytest.fixture
def event_platform_only() -> Iterator[None]:
    """Set up and unload entries with only the event platform."""
    with patch("custom_components.qbittorrent_plus.PLATFORMS", [Platform.EVENT]):
        yield


async def set_up_starting(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set up the entry while Home Assistant starts."""
    hass.set_state(CoreState.not_running)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def started(hass: HomeAssistant) -> None:
    """Finish starting Home Assistant."""
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("event_platform_only")
async def test_completed_while_stopped(
    hass: HomeAssistant,
    swarm: Swarm,
    bus_events: list[Event],
    hass_storage: dict[str, Any],
) -> None:
    """A download completed while Home Assistant was stopped is reported once.

    It is reported after Home Assistant has started, when automations listen;
    never again at a later start.
    """
    server = swarm.server
    made = swarm.torrent(f"while stopped {server.version}")
    await swarm.offer(made)
    await swarm.add_download(made, stopped=True)
    entry = named_entry(server)
    await set_up(hass, entry, Platform.EVENT)
    calls = await set_up_automations(
        hass,
        device_trigger_automation(server_device(hass, entry).id, "download_completed"),
    )
    # Unloading writes what is pending at once (Home Assistant's stop does too).
    assert await hass.config_entries.async_unload(entry.entry_id)
    stored = hass_storage[storage_key(entry.entry_id)]["data"]
    assert stored["downloading"] == [made.info_hash]

    await swarm.start(made)
    await swarm.download(made)
    await set_up_starting(hass, entry)
    assert bus_events == []

    await started(hass)

    assert kinds(bus_events) == [("download_completed", made.name)]
    assert len(calls) == 1
    state = hass.states.get(EVENT_ENTITY)
    assert state is not None
    assert state.attributes["event_type"] == "download_completed"

    assert await hass.config_entries.async_unload(entry.entry_id)
    await set_up_starting(hass, entry)
    await started(hass)
    assert len(bus_events) == 1


@pytest.mark.usefixtures("event_platform_only")
async def test_unloaded_while_starting(
    hass: HomeAssistant,
    swarm: Swarm,
    bus_events: list[Event],
    hass_storage: dict[str, Any],
) -> None:
    """Events held until Home Assistant has started go when the entry does.

    A completion among them is kept as not yet reported: the next start reports it.
    """
    made = swarm.torrent(f"held {swarm.server.version}")
    await seed(swarm.webui, made)
    entry = named_entry(swarm.server)
    key = storage_key(entry.entry_id)
    hass_storage[key] = {
        "version": 1,
        "data": {"downloading": [made.info_hash], "completed_until": 0},
    }
    entry.add_to_hass(hass)
    await set_up_starting(hass, entry)

    assert await hass.config_entries.async_unload(entry.entry_id)
    await started(hass)

    assert bus_events == []
    assert hass_storage[key]["data"]["downloading"] == [made.info_hash]

    await set_up_starting(hass, entry)
    await started(hass)
    assert kinds(bus_events) == [("download_completed", made.name)]
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert hass_storage[key]["data"]["downloading"] == []


async def test_no_storm_at_startup(
    hass: HomeAssistant,
    swarm: Swarm,
    freezer: FrozenDateTimeFactory,
    bus_events: list[Event],
) -> None:
    """Torrents there at the first poll are not added, whatever their state."""
    await seed(swarm.webui, swarm.torrent("one"), swarm.torrent("two"))
    await swarm.add_download(swarm.torrent("wanted"))
    await set_up(hass, named_entry(swarm.server), Platform.EVENT)

    await poll(hass, freezer)
    await poll(hass, freezer)
    assert bus_events == []
    state = hass.states.get(EVENT_ENTITY)
    assert state is not None
    assert state.state == "unknown"

    await seed(swarm.webui, swarm.torrent("three"))
    await poll(hass, freezer)
    assert kinds(bus_events) == [("torrent_added", "three")]


async def test_stopped_and_started(
    hass: HomeAssistant,
    swarm: Swarm,
    freezer: FrozenDateTimeFactory,
    bus_events: list[Event],
) -> None:
    """Stopping and starting a torrent fire their events."""
    made = swarm.torrent("stop and start")
    await seed(swarm.webui, made)
    await set_up(hass, named_entry(swarm.server), Platform.EVENT)

    await swarm.webui.post(stop_path(swarm.server), {"hashes": made.info_hash})
    await wait_for(lambda: swarm.state_is(made, "stoppedUP", "pausedUP"))
    await poll(hass, freezer)
    await swarm.start(made)
    await wait_for(lambda: swarm.state_is(made, *SEEDING))
    await poll(hass, freezer)

    assert kinds(bus_events) == [
        ("torrent_stopped", made.name),
        ("torrent_started", made.name),
    ]


async def test_errored(
    hass: HomeAssistant,
    private_server: QbittorrentServer,
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
    bus_events: list[Event],
) -> None:
    """A torrent whose files went missing while the server was down has errored."""
    made = make_torrent(tmp_path, "missing")
    async with WebUI(private_server) as webui:
        await seed(webui, made)
    await set_up(hass, named_entry(private_server), Platform.EVENT)

    await hass.async_add_executor_job(private_server.stop)
    shutil.rmtree(made.save_path)
    await hass.async_add_executor_job(private_server.start)
    async with WebUI(private_server) as webui:

        async def missing() -> bool:
            found = await webui.torrent(made.info_hash)
            return found is not None and found["state"] == "missingFiles"

        await wait_for(missing)
    await poll(hass, freezer)

    assert kinds(bus_events) == [("torrent_errored", made.name)]


@pytest.mark.usefixtures("event_platform_only")
async def test_storage(
    hass: HomeAssistant,
    swarm: Swarm,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """The store is written after a delay and only on change; it goes with the entry.

    A poll in which nothing changed does not even look at the torrents.
    """
    made = swarm.torrent("stored")
    await seed(swarm.webui, swarm.torrent("seeding"))
    entry = named_entry(swarm.server)
    await set_up(hass, entry, Platform.EVENT)
    key = storage_key(entry.entry_id)
    assert key not in hass_storage

    await poll(hass, freezer, timedelta(seconds=SAVE_DELAY))
    written = hass_storage[key]
    assert written["data"]["downloading"] == []

    for _ in range(4):
        await poll(hass, freezer, timedelta(seconds=SAVE_DELAY))
    assert hass_storage[key] is written
    await swarm.add_download(made)
    await poll(hass, freezer)
    assert hass_storage[key] is written
    await poll(hass, freezer, timedelta(seconds=SAVE_DELAY))
    assert hass_storage[key]["data"]["downloading"] == [made.info_hash]

    coordinator = entry.runtime_data.coordinator
    with patch.object(
        TorrentEvents, "process", autospec=True, side_effect=TorrentEvents.process
    ) as process:
        # Poll until the server has nothing new (it may settle a moment first).
        for _ in range(10):
            data, calls = coordinator.data, process.call_count
            await poll(hass, freezer)
            if coordinator.data is data:
                break
        else:
            pytest.fail("the server never became idle")
        assert process.call_count == calls

    assert await hass.config_entries.async_remove(entry.entry_id)
    assert key not in hass_storage
