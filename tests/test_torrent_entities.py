"""Devices of single torrents, chosen in the options, against real servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.qbittorrent_plus import async_remove_config_entry_device
from custom_components.qbittorrent_plus.const import (
    CONF_SCAN_INTERVAL,
    CONF_TORRENT_CATEGORY,
    CONF_TORRENT_ENTITIES,
    CONF_TORRENT_LIMIT,
    CONF_TORRENT_TAG,
    DOMAIN,
    TORRENTS_ALL,
    TORRENTS_CATEGORY,
    TORRENTS_NONE,
    TORRENTS_TAG,
)
from custom_components.qbittorrent_plus.sensor import TORRENT_SENSORS
from custom_components.qbittorrent_plus.switch import TORRENT_SWITCHES
from homeassistant.components.button.const import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.components.switch.const import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    EVENT_STATE_CHANGED,
    EVENT_STATE_REPORTED,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .platforms import (
    named_entry,
    poll,
    server_device,
    set_up,
    state_of,
    torrent_states,
)
from .proxy import Proxy
from .servers import QbittorrentServer
from .torrents import MadeTorrent, make_torrent
from .webui import WebUI, wait_for

pytestmark = pytest.mark.usefixtures("socket_enabled")

PLATFORMS = (Platform.BUTTON, Platform.SENSOR, Platform.SWITCH)
# A fixed entry id, so the torrents' device identifiers are the same every run.
ENTRY_ID = "01TORRENTDEVICES"
ALL = {CONF_TORRENT_ENTITIES: TORRENTS_ALL, CONF_TORRENT_LIMIT: 50}
# Home Assistant polls at most once in this time after actions (its debouncer).
ACTION_COOLDOWN = timedelta(seconds=10)
ENTITIES_PER_TORRENT = 9


def torrent_entry(
    server: QbittorrentServer, options: dict[str, Any], url: str | None = None
) -> MockConfigEntry:
    """Return an entry named "qBittorrent" with these options."""
    base = named_entry(server, url)
    return MockConfigEntry(
        domain=DOMAIN,
        title=base.title,
        unique_id=base.unique_id,
        data=base.data,
        options=options,
        entry_id=ENTRY_ID,
    )


def torrent_devices(
    hass: HomeAssistant, entry: MockConfigEntry
) -> dict[str, dr.DeviceEntry]:
    """Return the entry's devices other than the server's, by name."""
    device_registry = dr.async_get(hass)
    server = server_device(hass, entry)
    return {
        str(device.name): device
        for device in dr.async_entries_for_config_entry(device_registry, entry.entry_id)
        if device.id != server.id
    }


def device_entities(
    entity_registry: er.EntityRegistry, device: dr.DeviceEntry
) -> list[er.RegistryEntry]:
    """Return a device's entities, sorted by entity id."""
    entries = er.async_entries_for_device(entity_registry, device.id)
    return sorted(entries, key=lambda entry: entry.entity_id)


async def settle(webui: WebUI, expected: dict[str, str]) -> None:
    """Wait until torrents are in these states (by name, 5.x names)."""

    async def settled() -> bool:
        states = await torrent_states(webui)
        return all(states.get(name) == state for name, state in expected.items())

    await wait_for(settled)


class ServerTorrents:
    """Torrents, categories and tags a test adds to the module's server."""

    def __init__(self, webui: WebUI, directory: Path) -> None:
        """Add to the server ``webui`` talks to, with data under ``directory``."""
        self.webui = webui
        self.directory = directory
        self.hashes: set[str] = set()
        self.categories: set[str] = set()
        self.tags: set[str] = set()

    async def add(self, name: str, **kwargs: Any) -> MadeTorrent:
        """Add a made torrent (see ``WebUI.add_torrent``)."""
        made = make_torrent(self.directory, name)
        self.hashes.add(made.info_hash)
        await self.webui.add_torrent(made, **kwargs)
        return made

    async def delete(self, *torrents: MadeTorrent) -> None:
        """Delete torrents, keeping their data."""
        await self.webui.delete_torrents(*(torrent.info_hash for torrent in torrents))
        self.hashes.difference_update(torrent.info_hash for torrent in torrents)

    async def create_category(self, name: str) -> None:
        """Create a category."""
        self.categories.add(name)
        await self.webui.post(
            "torrents/createCategory", {"category": name, "savePath": ""}
        )

    async def set_category(self, torrent: MadeTorrent, name: str) -> None:
        """Put a torrent in a category ("" for none)."""
        await self.webui.post(
            "torrents/setCategory", {"hashes": torrent.info_hash, "category": name}
        )

    async def add_tags(self, torrent: MadeTorrent, *tags: str) -> None:
        """Give a torrent tags, creating them as needed."""
        self.tags.update(tags)
        await self.webui.post(
            "torrents/addTags", {"hashes": torrent.info_hash, "tags": ",".join(tags)}
        )

    async def remove_tag(self, torrent: MadeTorrent, tag: str) -> None:
        """Take a tag from a torrent."""
        await self.webui.post(
            "torrents/removeTags", {"hashes": torrent.info_hash, "tags": tag}
        )

    async def rename(self, torrent: MadeTorrent, name: str) -> None:
        """Rename a torrent, and wait until the server lists it so.

        qBittorrent 5 sends a new name in the main data only once something else
        of the torrent changes; here a tag.
        """
        await self.webui.post(
            "torrents/rename", {"hash": torrent.info_hash, "name": name}
        )

        async def renamed() -> bool:
            return name in await torrent_states(self.webui)

        await wait_for(renamed)
        await self.add_tags(torrent, "te-renamed")

    async def settle(self, expected: dict[str, str]) -> None:
        """Wait until the torrents are in these states (by name, 5.x names)."""
        await settle(self.webui, expected)

    async def clean_up(self) -> None:
        """Remove what the test added."""
        if self.hashes:
            await self.webui.delete_torrents(*self.hashes)
        if self.categories:
            await self.webui.post(
                "torrents/removeCategories", {"categories": "\n".join(self.categories)}
            )
        if self.tags:
            await self.webui.post("torrents/deleteTags", {"tags": ",".join(self.tags)})


@pytest.fixture
async def torrents(webui: WebUI, tmp_path: Path) -> AsyncIterator[ServerTorrents]:
    """Add torrents, categories and tags for one test, and remove them after it.

    Queueing is off meanwhile, so no seed flips between queued and stalled.
    """
    added = ServerTorrents(webui, tmp_path)
    async with webui.temporary_preferences(queueing_enabled=False):
        yield added
        await added.clean_up()


@pytest.fixture
def written(hass: HomeAssistant) -> list[str]:
    """Collect the entity ids of every state written, changed or not."""
    entity_ids: list[str] = []

    @callback
    def collect(event: Event[Any]) -> None:
        entity_ids.append(event.data["entity_id"])

    @callback
    def every(data: Any) -> bool:
        return True

    hass.bus.async_listen(EVENT_STATE_CHANGED, collect)
    hass.bus.async_listen(EVENT_STATE_REPORTED, collect, event_filter=every)
    return entity_ids


async def test_entities(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    torrents: ServerTorrents,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Each torrent is a device under the server's, its entities pinned per version."""
    await torrents.add("te-alpha")
    await torrents.add("te-beta", stopped=True, seed=False)
    await torrents.settle({"te-alpha": "stalledUP", "te-beta": "stoppedDL"})
    entry = torrent_entry(qbittorrent, ALL)
    await set_up(hass, entry, *PLATFORMS)

    devices = torrent_devices(hass, entry)
    assert sorted(devices) == ["te-alpha", "te-beta"]
    for name, device in sorted(devices.items()):
        assert device == snapshot(name=f"{name}-device")
        assert device.via_device_id == server_device(hass, entry).id
        entities = device_entities(entity_registry, device)
        assert len(entities) == ENTITIES_PER_TORRENT
        for entity in entities:
            assert entity == snapshot(name=f"{entity.entity_id}-entry")
            assert hass.states.get(entity.entity_id) == snapshot(
                name=f"{entity.entity_id}-state"
            )
    assert state_of(hass, "sensor.te_alpha_progress") == "100.0"
    assert state_of(hass, "sensor.te_alpha_state") == "stalled_up"
    assert state_of(hass, "sensor.te_alpha_eta") == STATE_UNKNOWN
    assert state_of(hass, "switch.te_alpha_running") == STATE_ON
    assert state_of(hass, "sensor.te_beta_progress") == "0.0"
    assert state_of(hass, "sensor.te_beta_state") == "stopped_dl"
    assert state_of(hass, "switch.te_beta_running") == STATE_OFF


async def test_no_torrent_entities_by_default(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    torrents: ServerTorrents,
) -> None:
    """Without the option no torrent gets a device."""
    await torrents.add("te-default")
    entry = torrent_entry(qbittorrent, {})
    await set_up(hass, entry, *PLATFORMS)

    assert torrent_devices(hass, entry) == {}
    assert hass.states.get("sensor.te_default_progress") is None


async def test_eta_of_a_seed_with_a_seeding_time_limit(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    torrents: ServerTorrents,
) -> None:
    """A seed's ETA is its remaining seeding time once it has a seeding limit."""
    seed = await torrents.add("te-eta")
    await torrents.settle({"te-eta": "stalledUP"})
    await torrents.webui.post(
        "torrents/setShareLimits",
        {
            "hashes": seed.info_hash,
            "ratioLimit": "-2",
            "seedingTimeLimit": "60",
            "inactiveSeedingTimeLimit": "-2",
            "shareLimitAction": "Default",
            "shareLimitsMode": "Default",
        },
    )
    entry = torrent_entry(qbittorrent, ALL)
    await set_up(hass, entry, *PLATFORMS)

    eta = float(state_of(hass, "sensor.te_eta_eta"))
    assert 3000 < eta <= 3600
    state = hass.states.get("sensor.te_eta_eta")
    assert state is not None
    assert state.attributes["unit_of_measurement"] == "s"


async def test_running_switch(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    torrents: ServerTorrents,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The switch stops and starts its torrent on the server, and follows it."""
    made = await torrents.add("te-run")
    await torrents.settle({"te-run": "stalledUP"})
    await set_up(hass, torrent_entry(qbittorrent, ALL), *PLATFORMS)
    assert state_of(hass, "switch.te_run_running") == STATE_ON

    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_OFF,
        {ATTR_ENTITY_ID: "switch.te_run_running"},
        blocking=True,
    )

    await torrents.settle({"te-run": "stoppedUP"})
    await poll(hass, freezer)
    assert state_of(hass, "switch.te_run_running") == STATE_OFF
    assert state_of(hass, "sensor.te_run_state") == "stopped_up"

    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_ON,
        {ATTR_ENTITY_ID: "switch.te_run_running"},
        blocking=True,
    )

    async def running() -> bool:
        torrent = await torrents.webui.torrent(made.info_hash)
        assert torrent is not None
        return not torrent["state"].startswith(("paused", "stopped"))

    await wait_for(running)
    await poll(hass, freezer, ACTION_COOLDOWN)
    assert state_of(hass, "switch.te_run_running") == STATE_ON


async def test_recheck_button(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    torrents: ServerTorrents,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The button checks its torrent's data: a stopped torrent finds it complete."""
    made = await torrents.add("te-check", stopped=True)
    await torrents.settle({"te-check": "stoppedDL"})
    await set_up(hass, torrent_entry(qbittorrent, ALL), *PLATFORMS)
    assert state_of(hass, "sensor.te_check_progress") == "0.0"

    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: "button.te_check_force_recheck"},
        blocking=True,
    )

    await torrents.settle({"te-check": "stoppedUP"})
    torrent = await torrents.webui.torrent(made.info_hash)
    assert torrent is not None
    assert torrent["progress"] == 1
    await poll(hass, freezer, ACTION_COOLDOWN)
    assert state_of(hass, "sensor.te_check_progress") == "100.0"
    assert state_of(hass, "sensor.te_check_state") == "stopped_up"
    assert state_of(hass, "button.te_check_force_recheck") != STATE_UNKNOWN


async def test_torrents_of_a_category(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    torrents: ServerTorrents,
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A torrent gets its device at the poll after it joins, and loses it after."""
    await torrents.create_category("te-cat")
    first = await torrents.add("te-first", category="te-cat")
    other = await torrents.add("te-other")
    await torrents.settle({"te-first": "stalledUP"})
    entry = torrent_entry(
        qbittorrent,
        {
            **ALL,
            CONF_TORRENT_ENTITIES: TORRENTS_CATEGORY,
            CONF_TORRENT_CATEGORY: "te-cat",
        },
    )
    await set_up(hass, entry, *PLATFORMS)
    assert sorted(torrent_devices(hass, entry)) == ["te-first"]

    second = await torrents.add("te-second", category="te-cat")
    await poll(hass, freezer)
    assert sorted(torrent_devices(hass, entry)) == ["te-first", "te-second"]
    size = float(state_of(hass, "sensor.te_second_size"))
    assert size == pytest.approx(second.size / 2**30)

    await torrents.set_category(other, "te-cat")
    await poll(hass, freezer)
    assert sorted(torrent_devices(hass, entry)) == [
        "te-first",
        "te-other",
        "te-second",
    ]

    await torrents.set_category(first, "")
    await poll(hass, freezer)
    assert sorted(torrent_devices(hass, entry)) == ["te-other", "te-second"]
    assert hass.states.get("sensor.te_first_progress") is None
    assert not [
        entity
        for entity in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if first.info_hash in entity.unique_id
    ]

    await torrents.set_category(first, "te-cat")
    await poll(hass, freezer)
    assert "te-first" in torrent_devices(hass, entry)
    assert state_of(hass, "sensor.te_first_progress") == "100.0"

    await torrents.rename(second, "te-renamed")
    await poll(hass, freezer)
    assert sorted(torrent_devices(hass, entry)) == [
        "te-first",
        "te-other",
        "te-renamed",
    ]

    await torrents.delete(second)
    await poll(hass, freezer)
    assert sorted(torrent_devices(hass, entry)) == ["te-first", "te-other"]
    assert hass.states.get("sensor.te_second_progress") is None


async def test_torrents_with_a_tag(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    torrents: ServerTorrents,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A torrent has a device while it has the tag, among others."""
    tagged = await torrents.add("te-tagged")
    await torrents.add_tags(tagged, "te-more", "te-tag")
    untagged = await torrents.add("te-untagged")
    entry = torrent_entry(
        qbittorrent,
        {**ALL, CONF_TORRENT_ENTITIES: TORRENTS_TAG, CONF_TORRENT_TAG: "te-tag"},
    )
    await set_up(hass, entry, *PLATFORMS)
    assert sorted(torrent_devices(hass, entry)) == ["te-tagged"]

    await torrents.add_tags(untagged, "te-tag")
    await poll(hass, freezer)
    assert sorted(torrent_devices(hass, entry)) == [
        "te-tagged",
        "te-untagged",
    ]

    # Another tag changes nothing.
    await torrents.add_tags(untagged, "te-more")
    await poll(hass, freezer)
    assert sorted(torrent_devices(hass, entry)) == ["te-tagged", "te-untagged"]

    await torrents.remove_tag(tagged, "te-tag")
    await poll(hass, freezer)
    assert sorted(torrent_devices(hass, entry)) == ["te-untagged"]


async def test_limit_keeps_the_most_recently_added(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    torrents: ServerTorrents,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Beyond the limit, the newest torrents have devices; others take their place.

    Torrents added within one second have the same ``added_on``; the larger hash
    then counts as the newer.
    """

    async def newest(count: int) -> list[str]:
        listed: list[dict[str, Any]] = await torrents.webui.get(
            "torrents/info", hashes="|".join(torrents.hashes)
        )
        listed.sort(key=lambda t: (t["added_on"], t["hash"]), reverse=True)
        return sorted(t["name"] for t in listed[:count])

    made = [await torrents.add(f"te-limit-{number}") for number in range(3)]
    entry = torrent_entry(qbittorrent, {**ALL, CONF_TORRENT_LIMIT: 2})
    await set_up(hass, entry, *PLATFORMS)
    chosen = await newest(2)
    assert sorted(torrent_devices(hass, entry)) == chosen

    # One with a device goes: the third torrent takes its place.
    gone = next(torrent for torrent in made if torrent.name in chosen)
    await torrents.delete(gone)
    await poll(hass, freezer)
    remaining = sorted(torrent.name for torrent in made if torrent is not gone)
    assert sorted(torrent_devices(hass, entry)) == remaining

    await torrents.add("te-limit-3")
    await poll(hass, freezer)
    chosen = await newest(2)
    assert sorted(torrent_devices(hass, entry)) == chosen


async def test_options_change_removes_devices(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    torrents: ServerTorrents,
    entity_registry: er.EntityRegistry,
) -> None:
    """Options that no longer choose a torrent remove its device and entities."""
    await torrents.add("te-opt-a")
    await torrents.add("te-opt-b")
    entry = torrent_entry(qbittorrent, {CONF_SCAN_INTERVAL: 5, **ALL})
    await set_up(hass, entry, *PLATFORMS)
    assert sorted(torrent_devices(hass, entry)) == ["te-opt-a", "te-opt-b"]
    server_entities = len(
        [
            entity
            for entity in er.async_entries_for_config_entry(
                entity_registry, entry.entry_id
            )
            if entity.device_id == server_device(hass, entry).id
        ]
    )

    async def configure(options: dict[str, Any]) -> None:
        result = await hass.config_entries.options.async_init(entry.entry_id)
        await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_SCAN_INTERVAL: 5, **options}
        )
        await hass.async_block_till_done()

    await configure(
        {CONF_TORRENT_ENTITIES: TORRENTS_TAG, CONF_TORRENT_TAG: "te-no-such-tag"}
    )

    assert torrent_devices(hass, entry) == {}
    assert hass.states.get("sensor.te_opt_a_progress") is None
    entities = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert len(entities) >= server_entities
    assert all(entity.device_id == server_device(hass, entry).id for entity in entities)

    await configure({CONF_TORRENT_ENTITIES: TORRENTS_ALL, CONF_TORRENT_LIMIT: 1})
    assert len(torrent_devices(hass, entry)) == 1

    await configure({CONF_TORRENT_ENTITIES: TORRENTS_NONE})
    assert torrent_devices(hass, entry) == {}


@pytest.mark.usefixtures("normal_speed_limits")
async def test_idle_poll_writes_nothing(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    torrents: ServerTorrents,
    written: list[str],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A torrent's entities write only when what they show changed.

    Nothing is written at an idle poll, nor when only the server's state changed;
    a changed torrent writes the entities whose value changed, and no other.
    """
    seed = await torrents.add("te-idle-seed")
    await torrents.add("te-idle-stopped", stopped=True, seed=False)
    await torrents.settle({"te-idle-seed": "stalledUP", "te-idle-stopped": "stoppedDL"})
    await set_up(hass, torrent_entry(qbittorrent, ALL), *PLATFORMS)
    torrent_entities = [
        entity_id
        for entity_id in hass.states.async_entity_ids()
        if entity_id.split(".")[1].startswith("te_idle")
    ]
    assert len(torrent_entities) == 2 * ENTITIES_PER_TORRENT

    def torrent_writes() -> list[str]:
        return [entity_id for entity_id in written if entity_id in torrent_entities]

    written.clear()
    for _ in range(3):
        await poll(hass, freezer)
    assert torrent_writes() == []

    await torrents.webui.post("transfer/toggleSpeedLimitsMode")
    await poll(hass, freezer)
    await torrents.webui.post("transfer/toggleSpeedLimitsMode")
    await poll(hass, freezer)
    assert state_of(hass, "switch.qbittorrent_alternative_speed_limits") == STATE_OFF
    assert torrent_writes() == []

    await torrents.webui.post(
        "torrents/stop" if qbittorrent.version >= "5" else "torrents/pause",
        {"hashes": seed.info_hash},
    )
    await torrents.settle({"te-idle-seed": "stoppedUP"})
    await poll(hass, freezer)
    assert sorted(torrent_writes()) == [
        "sensor.te_idle_seed_state",
        "switch.te_idle_seed_running",
    ]


async def test_unavailable_and_full_update(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    torrents: ServerTorrents,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A failed poll makes torrents' entities unavailable; a full update rematches.

    A full update (after a new session, a restart) is compared with the state
    before: a torrent that went meanwhile loses its device.
    """
    await torrents.add("te-full-a")
    gone = await torrents.add("te-full-b")
    await torrents.settle({"te-full-a": "stalledUP"})
    async with Proxy(qbittorrent.url) as proxy:
        entry = torrent_entry(qbittorrent, ALL, proxy.url)
        await set_up(hass, entry, *PLATFORMS)
        proxy.answer("sync/maindata", status=500)
        await poll(hass, freezer)
        assert state_of(hass, "sensor.te_full_a_progress") == STATE_UNAVAILABLE
        assert state_of(hass, "button.te_full_a_force_recheck") == STATE_UNAVAILABLE

        proxy.clear()
        await poll(hass, freezer)
        assert state_of(hass, "sensor.te_full_a_progress") == "100.0"

        maindata = entry.runtime_data.coordinator.maindata
        maindata.reset()
        await poll(hass, freezer)
        assert sorted(torrent_devices(hass, entry)) == [
            "te-full-a",
            "te-full-b",
        ]

        await torrents.delete(gone)
        maindata.reset()
        await poll(hass, freezer)
        assert sorted(torrent_devices(hass, entry)) == ["te-full-a"]
        assert state_of(hass, "sensor.te_full_a_progress") == "100.0"


async def test_two_servers_with_the_same_torrent(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
    torrents: ServerTorrents,
) -> None:
    """The same torrent on two servers is two devices, one under each server."""
    made = await torrents.add("te-shared")
    await torrents.settle({"te-shared": "stalledUP"})
    other = qbittorrent_factory(qbittorrent.version)
    first = torrent_entry(qbittorrent, ALL)
    await set_up(hass, first, *PLATFORMS)
    async with WebUI(other) as other_webui:
        await other_webui.add_torrent(made)
        await settle(other_webui, {"te-shared": "stalledUP"})
    second_base = named_entry(other)
    second = MockConfigEntry(
        domain=DOMAIN,
        title="Other",
        unique_id="other",
        data=second_base.data,
        options=ALL,
    )
    await set_up(hass, second, *PLATFORMS)

    devices = [
        device
        for entry in (first, second)
        for device in torrent_devices(hass, entry).values()
    ]
    assert [device.name for device in devices] == ["te-shared", "te-shared"]
    assert devices[0].id != devices[1].id
    assert devices[0].via_device_id == server_device(hass, first).id
    assert devices[1].via_device_id == server_device(hass, second).id
    assert state_of(hass, "sensor.te_shared_progress") == "100.0"
    assert state_of(hass, "sensor.te_shared_progress_2") == "100.0"


async def test_removing_devices(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    torrents: ServerTorrents,
) -> None:
    """Only a torrent's device that the options no longer give one can be removed."""
    await torrents.add("te-remove")
    entry = torrent_entry(qbittorrent, ALL)
    await set_up(hass, entry, *PLATFORMS)
    server = server_device(hass, entry)
    chosen = torrent_devices(hass, entry)["te-remove"]
    stale = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, f"{entry.entry_id}_{'0' * 40}")},
        name="te-stale",
    )

    assert not await async_remove_config_entry_device(hass, entry, server)
    assert not await async_remove_config_entry_device(hass, entry, chosen)
    assert await async_remove_config_entry_device(hass, entry, stale)

    await hass.config_entries.async_unload(entry.entry_id)
    assert await async_remove_config_entry_device(hass, entry, chosen)
    assert not await async_remove_config_entry_device(hass, entry, server)


async def test_a_device_removed_elsewhere(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    torrents: ServerTorrents,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A torrent whose device is already gone is renamed and unchosen quietly."""
    made = await torrents.add("te-elsewhere")
    entry = torrent_entry(qbittorrent, ALL)
    await set_up(hass, entry, *PLATFORMS)
    device = torrent_devices(hass, entry)["te-elsewhere"]
    dr.async_get(hass).async_remove_device(device.id)
    await hass.async_block_till_done()

    await torrents.rename(made, "te-elsewhere-2")
    await poll(hass, freezer)
    await torrents.delete(made)
    await poll(hass, freezer)

    assert torrent_devices(hass, entry) == {}


# Values the server does not send, or that stand for "no value" -----------------


def _sensor(key: str) -> Callable[[dict[str, Any]], Any]:
    return next(d.value_fn for d in TORRENT_SENSORS if d.key == key)


@pytest.mark.parametrize(
    ("key", "torrent", "value"),
    [
        ("progress", {}, None),
        ("progress", {"progress": 0.12345}, 12.35),
        ("progress", {"progress": 1}, 100.0),
        ("state", {"state": "unknown"}, None),
        ("state", {"state": "forcedMetaDL"}, "forced_meta_dl"),
        ("download_speed", {"dlspeed": "fast"}, None),
        ("eta", {"eta": 8_640_000}, None),
        ("eta", {"eta": -1}, None),
        ("eta", {"eta": 90}, 90),
        ("ratio", {"ratio": -1}, None),
        ("ratio", {"ratio": 1.5}, 1.5),
        ("size", {}, None),
    ],
)
def test_sensor_values(key: str, torrent: dict[str, Any], value: Any) -> None:
    """Each sensor reads its field, and shows nothing for what is no value."""
    assert _sensor(key)(torrent) == value


def test_running_without_a_state() -> None:
    """A torrent without a state is neither running nor stopped."""
    assert TORRENT_SWITCHES[0].is_on_fn({}) is None
