"""What a poll costs in Home Assistant: this integration against core's qbittorrent.

Run from the project folder, inside the project's environment::

    source scripts/common.sh
    in_env python -m benchmarks.integration_poll --sizes 100,1000,10000 --repeat 5

It starts one real qbittorrent-nox and one Home Assistant instance (the test harness's,
outside pytest), fills the server with tiny stopped torrents (``benchmarks/loading.py``)
up to each size in turn, and at each size sets up a config entry of this integration
(``qbittorrent_plus``) and one of core's ``qbittorrent`` (its ``qbittorrent-api`` calls
run in the executor, as Home Assistant runs them), each with all its platforms. Their
coordinators' timers are switched off: every poll is an ``async_refresh()`` made here.
Each round then measures, with the cases' order shuffled:

- churn: 1% of the torrents changed by an independent session (half started or
  stopped, half moved to another category; see ``Churn``), then, once the server
  publishes the changes, one poll of each coordinator (each sees the same changes);
- idle: one more poll of each, with nothing changed since.

The floor is one bare aiohttp ``GET app/version`` on a kept-alive, logged-in session.
Per case the table shows the medians over ``--repeat`` rounds of:

- wall ms: the poll, listeners and state writes included;
- CPU ms: CPU time of this process, every thread (the executor's too);
- srv CPU: the server's CPU time during the poll (from /proc, 10 ms ticks: the mean,
  since the median of such coarse readings is mostly 0);
- recv KB: bytes the server sent, counted by a relay in front of it for a second
  config entry of the same integration, polled right after the timed one;
- writes: ``async_write_ha_state`` calls during the poll; events: ``state_changed``.

and, per integration and size, medians over ``--repeat`` setups of a config entry:
its setup time, and the Python memory it holds once set up (tracemalloc, in a setup
of its own); and the process's resident memory with both integrations set up. Last
come the client core's figures for one full ``sync/maindata`` fetched and decoded
(``benchmarks/client_decoding.py``): what core's integration pays on every poll,
and this one only at setup.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
import gc
import importlib.metadata
import logging
import random
import statistics
import time
import tracemalloc
from typing import Any
from unittest.mock import patch

from aiohttp.resolver import AsyncResolver
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from benchmarks import client_decoding
from benchmarks.client_decoding import (
    MB,
    CountingRelay,
    Floor,
    ResidentMemory,
    ServerClock,
    describe_machine,
)
from benchmarks.loading import TorrentLoader, run_from_command_line
from custom_components.qbittorrent_plus.const import DOMAIN
from homeassistant import loader
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    EVENT_STATE_CHANGED,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from tests.servers import QbittorrentServer
from tests.webui import WebUI

CORE_DOMAIN = "qbittorrent"
OURS = "ours"
CORE = "core"
FLOOR = "floor"
CASES = (OURS, CORE, FLOOR)
KINDS = ("idle", "churn")
CHURN_SHARE = 0.01
CHURN_CATEGORIES = ("churn-a", "churn-b")
WRITE_METHOD = "async_write_ha_state"
PUBLISH_TIMEOUT = 30.0
PUBLISH_POLL = 0.02
MAINDATA = "sync/maindata"

type Poll = Callable[[], Awaitable[object]]


# --- Counting state writes -----------------------------------------------------------


class WriteCounter:
    """Counts ``Entity.async_write_ha_state`` calls and ``state_changed`` events."""

    def __init__(self) -> None:
        """Start at zero; ``install`` starts counting."""
        self.writes = 0
        self.written: list[str] = []
        """The entity ids written, in order."""
        self.events = 0

    @contextmanager
    def installed(self, hass: HomeAssistant) -> Iterator[None]:
        """Count while the block runs."""
        original = entity.Entity.async_write_ha_state

        def counting(this: entity.Entity) -> None:
            self.writes += 1
            self.written.append(this.entity_id)
            original(this)

        @callback
        def on_state_changed(_event: Event[Any]) -> None:
            self.events += 1

        # The method is final: replacing it on the class is the one way to count it.
        setattr(entity.Entity, WRITE_METHOD, counting)
        unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, on_state_changed)
        try:
            yield
        finally:
            unsubscribe()
            setattr(entity.Entity, WRITE_METHOD, original)


# --- Measuring -----------------------------------------------------------------------


@dataclass
class Sample:
    """One timed poll."""

    wall: float
    cpu: float
    server_cpu: float
    writes: int
    events: int
    received: int
    written: tuple[str, ...] = ()
    """The entity ids whose state was written during the poll."""


@dataclass
class Result:
    """The samples of one case and kind at one size."""

    samples: list[Sample] = field(default_factory=list)

    def median(self, name: str) -> float:
        """Return the median of one of the samples' fields."""
        return float(statistics.median(getattr(s, name) for s in self.samples))

    def mean(self, name: str) -> float:
        """Return the mean of one of the samples' fields."""
        return float(statistics.fmean(getattr(s, name) for s in self.samples))


@dataclass
class Setup:
    """What setting up one config entry cost, once per cycle of set up and remove."""

    seconds: list[float] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    """Python memory allocated during setup and still held once it is done."""

    def median(self, name: str) -> float:
        """Return the median of ``seconds`` or ``held``."""
        return float(statistics.median(getattr(self, name)))


@dataclass
class Case:
    """One contender: its timed poll and its poll through the counting relay."""

    direct: Poll
    relayed: Poll


@dataclass
class Bench:
    """The server, Home Assistant and the instruments."""

    hass: HomeAssistant
    server: QbittorrentServer
    webui: WebUI
    loader: TorrentLoader
    clock: ServerClock
    memory: ResidentMemory
    relay: CountingRelay
    counter: WriteCounter
    floor: tuple[Poll, Poll]
    decoding: client_decoding.Bench
    """The client core's benchmark of a full ``sync/maindata`` fetch and decode."""
    repeat: int


@dataclass
class SizeReport:
    """Everything measured at one number of torrents."""

    size: int
    load_seconds: float
    changed: int
    setups: dict[str, Setup]
    results: dict[tuple[str, str], Result]
    decoding: client_decoding.SizeReport
    rss: int
    """The process's resident memory with both integrations' entries set up."""


def entry_data(server: QbittorrentServer, url: str) -> dict[str, Any]:
    """Return a config entry's data, the same keys for both integrations."""
    return {
        CONF_URL: f"{url}/",
        CONF_USERNAME: server.username,
        CONF_PASSWORD: server.password,
        CONF_VERIFY_SSL: True,
    }


def coordinator_of(entry: MockConfigEntry) -> DataUpdateCoordinator[Any]:
    """Return the coordinator an entry's runtime data holds."""
    runtime = entry.runtime_data
    coordinator = runtime if entry.domain == CORE_DOMAIN else runtime.coordinator
    if not isinstance(coordinator, DataUpdateCoordinator):
        msg = f"no coordinator in {entry.domain}'s runtime data"
        raise TypeError(msg)
    return coordinator


async def set_up(
    hass: HomeAssistant, domain: str, data: dict[str, Any]
) -> tuple[MockConfigEntry, Poll]:
    """Add and set up a config entry; return it and its refresh, timer off."""
    # The unique id the config flows give: the URL.
    entry = MockConfigEntry(
        domain=domain, title=data[CONF_URL], unique_id=data[CONF_URL], data=data
    )
    entry.add_to_hass(hass)
    if not await hass.config_entries.async_setup(entry.entry_id):
        msg = f"{domain} did not set up: {entry.state}"
        raise RuntimeError(msg)
    await hass.async_block_till_done()
    coordinator = coordinator_of(entry)
    # No scheduled poll may take the changes a timed poll is meant to see; the next
    # refresh cancels the timer already set.
    coordinator.update_interval = None
    await coordinator.async_refresh()
    return entry, coordinator.async_refresh


async def remove(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Remove a config entry, with its entities, devices and server session.

    qBittorrent 5.3 keeps at most 15 sessions and drops the least recently used one
    for a new login. Core's integration leaves its session behind; ending it here
    keeps the sessions the benchmark still uses from being dropped.
    """
    if entry.domain == CORE_DOMAIN:
        await hass.async_add_executor_job(entry.runtime_data.client.auth_log_out)
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()


async def remove_all(hass: HomeAssistant) -> None:
    """Remove every config entry of both integrations."""
    for entry in hass.config_entries.async_entries():
        if entry.domain in (DOMAIN, CORE_DOMAIN):
            await remove(hass, entry)


async def set_up_measured(bench: Bench, domain: str) -> tuple[Setup, Case]:
    """Set up and remove an entry ``repeat`` times, measured; then keep two.

    Each round sets an entry up twice: once timed, once under tracemalloc for the
    memory its objects hold once set up (the process's resident size barely moves
    for one entry: the allocator keeps what earlier entries freed). The kept
    entries, one to the server and one through the relay, are the ones polled.
    """
    setup = Setup()
    data = entry_data(bench.server, bench.server.url)
    for _ in range(bench.repeat):
        started = time.perf_counter()
        entry, _ = await set_up(bench.hass, domain, data)
        setup.seconds.append(time.perf_counter() - started)
        await remove(bench.hass, entry)
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            entry, _ = await set_up(bench.hass, domain, data)
            gc.collect()
            setup.held.append(tracemalloc.get_traced_memory()[0] - before)
        finally:
            tracemalloc.stop()
        await remove(bench.hass, entry)
    _, direct = await set_up(bench.hass, domain, data)
    _, relayed = await set_up(
        bench.hass, domain, entry_data(bench.server, bench.relay.url)
    )
    return setup, Case(direct, relayed)


async def timed(bench: Bench, case: Case) -> Sample:
    """Poll once, measured; then once through the relay, for the bytes."""
    writes, events = bench.counter.writes, bench.counter.events
    server_before = bench.clock.seconds()
    cpu_before = time.process_time()
    wall_before = time.perf_counter()
    await case.direct()
    wall = time.perf_counter() - wall_before
    cpu = time.process_time() - cpu_before
    server_cpu = bench.clock.seconds() - server_before
    # state_changed listeners run in later turns of the loop.
    await bench.hass.async_block_till_done()
    written = tuple(bench.counter.written[writes:])
    writes = bench.counter.writes - writes
    events = bench.counter.events - events
    received = bench.relay.received
    await case.relayed()
    await bench.hass.async_block_till_done()
    return Sample(
        wall, cpu, server_cpu, writes, events, bench.relay.received - received, written
    )


class Churn:
    """Changes a share of the torrents through its own session, as a user would.

    Half the picked torrents are started or stopped: with queueing on and no active
    slots, a started torrent waits in the queue (``queuedDL``), so it changes the
    counts the entities show and then stays still; the other half move to another
    category, which changes no entity. Each round picks anew.
    """

    def __init__(self, webui: WebUI, torrents: list[dict[str, Any]], seed: int) -> None:
        """Remember every torrent's category and whether it is queued."""
        self._webui = webui
        self._categories = {t["hash"]: t["category"] for t in torrents}
        self._queued = {t["hash"] for t in torrents if t["state"].startswith("queued")}
        self._rng = random.Random(seed)
        self._round = 0
        self._rid = 0

    async def prepare(self) -> None:
        """Queue started torrents, create the categories, start following changes."""
        await self._webui.set_preferences(
            queueing_enabled=True,
            max_active_downloads=0,
            max_active_uploads=0,
            max_active_torrents=0,
        )
        existing = await self._webui.get("torrents/categories")
        for name in CHURN_CATEGORIES:
            if name not in existing:
                await self._webui.post("torrents/createCategory", {"category": name})
        self._rid = (await self._webui.get("sync/maindata", rid="0"))["rid"]

    async def _wait_until_published(self, expected: dict[str, tuple[str, str]]) -> None:
        """Wait until this session's own sync/maindata reports every change.

        The server publishes changes to sync/maindata some time after it made them:
        a poll right after the request could miss them. ``expected`` maps each hash
        to a field and the value it must reach.
        """
        pending = dict(expected)
        async with asyncio.timeout(PUBLISH_TIMEOUT):
            while True:
                delta = await self._webui.get("sync/maindata", rid=str(self._rid))
                self._rid = delta["rid"]
                for info_hash, fields in delta.get("torrents", {}).items():
                    if info_hash in pending:
                        name, value = pending[info_hash]
                        if fields.get(name, "").startswith(value):
                            del pending[info_hash]
                if not pending:
                    return
                await asyncio.sleep(PUBLISH_POLL)

    async def change(self) -> int:
        """Change 1% of the torrents (at least one); return how many changed."""
        target = CHURN_CATEGORIES[self._round % len(CHURN_CATEGORIES)]
        self._round += 1
        count = max(1, round(len(self._categories) * CHURN_SHARE))
        candidates = [h for h, c in self._categories.items() if c != target]
        picked = self._rng.sample(candidates, count)
        half = (count + 1) // 2
        toggled, moved = picked[:half], picked[half:]
        expected: dict[str, tuple[str, str]] = {}
        to_start = [h for h in toggled if h not in self._queued]
        to_stop = [h for h in toggled if h in self._queued]
        if to_start:
            await self._webui.post(
                self._endpoint("start", "resume"), {"hashes": "|".join(to_start)}
            )
            self._queued.update(to_start)
            expected.update(dict.fromkeys(to_start, ("state", "queued")))
        if to_stop:
            await self._webui.post(
                self._endpoint("stop", "pause"), {"hashes": "|".join(to_stop)}
            )
            self._queued.difference_update(to_stop)
            stopped = self._endpoint("stopped", "paused").removeprefix("torrents/")
            expected.update(dict.fromkeys(to_stop, ("state", stopped)))
        if moved:
            await self._webui.post(
                "torrents/setCategory", {"hashes": "|".join(moved), "category": target}
            )
            for info_hash in moved:
                self._categories[info_hash] = target
            expected.update(dict.fromkeys(moved, ("category", target)))
        await self._wait_until_published(expected)
        return count

    def _endpoint(self, new: str, old: str) -> str:
        """Return the 5.x name, or the 4.x one on an older server."""
        return f"torrents/{new if self._webui.server.version >= '5' else old}"


async def measure_size(bench: Bench, size: int) -> SizeReport:
    """Fill the server to ``size`` torrents, set both integrations up, poll them."""
    load_seconds = await bench.loader.fill(size)
    churn = Churn(bench.webui, await bench.webui.get("torrents/info"), size)
    await churn.prepare()
    setups: dict[str, Setup] = {}
    cases: dict[str, Case] = {FLOOR: Case(*bench.floor)}
    for name, domain in ((OURS, DOMAIN), (CORE, CORE_DOMAIN)):
        setups[name], cases[name] = await set_up_measured(bench, domain)
    rss = bench.memory.reset()
    results = {(case, kind): Result() for case in CASES for kind in KINDS}
    order = list(CASES)
    shuffler = random.Random(size)
    changed = 0
    for _ in range(bench.repeat):
        changed = await churn.change()
        # The churn poll first: it takes the changes, the idle poll finds none left.
        for kind in ("churn", "idle"):
            shuffler.shuffle(order)
            for case in order:
                results[case, kind].samples.append(await timed(bench, cases[case]))
    await remove_all(bench.hass)
    # The client core's figures, on the same server and library.
    decoding = await client_decoding.measure_size(bench.decoding, size)
    return SizeReport(size, load_seconds, changed, setups, results, decoding, rss)


# --- Reporting -----------------------------------------------------------------------


def render_size(report: SizeReport) -> str:
    """Return the table of one size."""
    lines = [
        "",
        (
            f"== {report.size:,} torrents (filled in {report.load_seconds:.1f} s); churn: "
            f"{report.changed} torrents started, stopped or moved before each churn poll =="
        ),
        (
            f"{'poll':<6} {'case':<6} {'wall ms':>8} {'CPU ms':>8} {'srv CPU ms':>10} "
            f"{'recv KB':>8} {'writes':>6} {'events':>6}"
        ),
    ]
    for kind in KINDS:
        for case in CASES:
            result = report.results[case, kind]
            lines.append(
                f"{kind:<6} {case:<6} {result.median('wall') * 1000:8.2f} "
                f"{result.median('cpu') * 1000:8.2f} "
                f"{result.mean('server_cpu') * 1000:10.1f} "
                f"{result.median('received') / 1024:8.1f} "
                f"{result.median('writes'):6.0f} {result.median('events'):6.0f}"
            )
    lines.append("ratios of medians, wall / CPU (below 1: ours is cheaper)")
    for kind in KINDS:
        mine = report.results[OURS, kind]
        for other in (CORE, FLOOR):
            theirs = report.results[other, kind]
            lines.append(
                f"{kind:<6} ours / {other:<6} {ratio(mine, theirs, 'wall'):>8} / "
                f"{ratio(mine, theirs, 'cpu'):>8}"
            )
    lines.append(
        f"{'setup':<6} {'case':<6} {'seconds':>8} {'held MB':>8} {'KB/torrent':>10}"
        f"   (process RSS with both set up: {report.rss / MB:.0f} MB)"
    )
    for case, setup in report.setups.items():
        held = setup.median("held")
        lines.append(
            f"{'entry':<6} {case:<6} {setup.median('seconds'):8.3f} "
            f"{held / MB:8.1f} {held / 1024 / report.size:10.2f}"
        )
    lines.extend(render_decoding(report.decoding))
    return "\n".join(lines)


def render_decoding(report: client_decoding.SizeReport) -> list[str]:
    """Return the client core's rows: one full ``sync/maindata``, fetched and decoded.

    A full fetch is what core's integration makes on every poll, and what this one
    makes once, at setup or after the server lost the session.
    """
    megabytes = report.json_bytes[MAINDATA] / MB
    title = (
        f"full sync/maindata fetched and decoded ({megabytes:.1f} MB of JSON), "
        "by the clients alone (benchmarks/client_decoding.py)"
    )
    lines = [title]
    for case, path in report.results:
        result = report.results[case, path]
        lines.append(
            f"{'full':<6} {case:<30} {result.ms('wall'):8.2f} {result.ms('cpu'):8.2f} "
            f"{result.ms('server_cpu'):10.1f}"
        )
    return lines


def ratio(mine: Result, other: Result, name: str) -> str:
    """Return ``mine / other`` of one median, formatted."""
    denominator = other.median(name)
    if denominator <= 0:
        return "-"
    value = mine.median(name) / denominator
    return f"{value:.3f}" if value < 100 else f"{value:.0f}"


def render_goals(reports: list[SizeReport]) -> str:
    """Return the goals of the issue against the largest size measured."""
    last = reports[-1]
    idle = last.results[OURS, "idle"]
    churn = last.results[OURS, "churn"]
    floor = last.results[FLOOR, "idle"]
    idle_polls = [(r.size, s) for r in reports for s in r.results[OURS, "idle"].samples]
    idle_writes = sum(s.writes for _, s in idle_polls)
    idle_written = sorted(
        {
            f"{entity_id} at {size:,}"
            for size, s in idle_polls
            for entity_id in s.written
        }
    )

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    wall_ratio = idle.median("wall") / floor.median("wall")
    lines = [
        "",
        f"== goals at {last.size:,} torrents ==",
        (
            f"idle poll CPU {idle.median('cpu') * 1000:.2f} ms (goal <= 1 ms): "
            f"{verdict(idle.median('cpu') <= 0.001)}"
        ),
        (
            f"idle poll wall {wall_ratio:.2f}x the floor (goal <= 2x): "
            f"{verdict(wall_ratio <= 2)}"
        ),
        (
            f"churn poll CPU {churn.median('cpu') * 1000:.2f} ms (goal < 5 ms): "
            f"{verdict(churn.median('cpu') < 0.005)}"
        ),
        (
            f"entity writes in all {len(idle_polls)} idle polls at all sizes: "
            f"{idle_writes} (goal 0): {verdict(idle_writes == 0)}"
        ),
    ]
    if idle_written:
        lines.append(f"  written on idle polls: {', '.join(idle_written)}")
    if len(reports) > 1:
        # The two largest sizes: at the smallest, fixed costs hide the growth.
        first = reports[-2]
        growth = last.size / first.size
        for case in (OURS, CORE):
            before, after = first.setups[case], last.setups[case]
            setup_growth = after.median("seconds") / before.median("seconds")
            held_growth = after.median("held") / max(before.median("held"), 1)
            lines.append(
                f"{case}: from {first.size:,} to {last.size:,} torrents ({growth:.0f}x)"
                f" setup time grew {setup_growth:.1f}x, memory {held_growth:.1f}x "
                f"(goal: no faster than linear): "
                f"{verdict(setup_growth <= growth and held_growth <= growth)}"
            )
    return "\n".join(lines)


# --- The run -------------------------------------------------------------------------


async def run(server: QbittorrentServer, sizes: list[int], repeat: int) -> None:
    """Run the whole benchmark on one server, printing each size as it is done."""
    logging.basicConfig(level=logging.WARNING)
    async with AsyncExitStack() as stack:
        webui = await stack.enter_async_context(WebUI(server))
        relay = await stack.enter_async_context(CountingRelay(server.host, server.port))
        floors = []
        for url in (server.url, relay.url):
            floor = Floor()
            await floor.open(server, url)
            stack.push_async_callback(floor.close)
            floors.append(floor.cases()["floor: app/version"][MAINDATA])
        # What the harness's mock_zeroconf_resolver fixture does: Home Assistant's
        # sessions would resolve names through zeroconf, which is not set up here.
        stack.enter_context(
            patch(
                "homeassistant.helpers.aiohttp_client._async_make_resolver",
                return_value=AsyncResolver(),
            )
        )
        hass = await stack.enter_async_context(async_test_home_assistant())
        # What the harness's enable_custom_integrations fixture does.
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        counter = WriteCounter()
        stack.enter_context(counter.installed(hass))
        machine = await describe_machine(webui)
        versions = ", ".join(
            f"{name} {importlib.metadata.version(name)}"
            for name in ("homeassistant", "qbittorrent-api")
        )
        print("\n".join([*machine, versions]), flush=True)
        bench = Bench(
            hass,
            server,
            webui,
            TorrentLoader(webui),
            ServerClock(server),
            ResidentMemory(),
            relay,
            counter,
            (floors[0], floors[1]),
            await client_decoding.open_bench(
                # No relay: qBittorrent 5.3 keeps at most 15 sessions.
                stack,
                server,
                webui,
                None,
                repeat=repeat,
                paths=(MAINDATA,),
            ),
            repeat,
        )
        # Import both integrations and their platforms before anything is measured.
        for domain in (DOMAIN, CORE_DOMAIN):
            await set_up(hass, domain, entry_data(server, server.url))
        await remove_all(hass)
        reports = []
        for size in sorted(sizes):
            reports.append(await measure_size(bench, size))
            print(render_size(reports[-1]), flush=True)
        print(render_goals(reports), flush=True)


def main() -> None:
    """Parse the command line and run the benchmark on a fresh server."""
    run_from_command_line(
        run,
        description=__doc__.split("\n", 1)[0],
        default_sizes="100,1000,10000",
        repeat_help="rounds per size",
    )


if __name__ == "__main__":
    main()
