"""What it costs to fetch and decode a big library: this client against its peers.

Run from the project folder, inside the project's environment::

    source scripts/common.sh
    in_env python -m benchmarks.client_decoding --sizes 1000,10000 --repeat 5

It starts one real qbittorrent-nox, fills it with tiny stopped torrents (see
``benchmarks/loading.py``) up to each size in turn, and at each size fetches and
decodes ``torrents/info`` and a full ``sync/maindata`` (rid=0) with every client on the
same server, the calls of all clients interleaved:

- this project's client, raw (``simple_responses=True``: plain JSON) and rich (its
  default result types); and its ``MainData``, once forced to a full update over the
  state it holds (what a re-login costs) and once polling changes only (what the
  integration pays on every poll once it has the state);
- qbittorrent-api, with ``SIMPLE_RESPONSES`` and with its rich responses, each call run
  in a worker thread as Home Assistant runs a synchronous client;
- aioqbt, with its typed results;
- two floors on a bare aiohttp session: a ``GET app/version`` (one round trip) and the
  same endpoint read as bytes without decoding (the server's and the network's share).

Each client keeps one logged-in session and its connection, warmed up before measuring;
the timed calls of all cases are shuffled anew in each round. The table shows, per
case, the medians over ``--repeat`` timed calls of:

- wall ms: from the call to its decoded result;
- CPU ms: CPU time of this process (every thread: the worker threads too);
- srv CPU: the server's CPU time during the call (from /proc, in 10 ms ticks);
- RSS+ MB: how far this process's resident set grew above its size before the call
  (at its highest; freed memory is handed back to the system before each call);

and, from one more call per case under tracemalloc:

- alloc MB: the peak of Python allocations during the call (orjson reserves a parse
  buffer of about 15 times the document here, which it mostly never touches: RSS+ is
  the better measure of memory really used);
- kept MB: what the result holds once the call is over;
- recv KB: the bytes the server sent (headers and the gzip-compressed body), counted
  by a relay in front of the server in one more, untimed call.

Then come the ratios of this client's medians to each peer's and to the floors'. The
``MainData delta`` rows compare one poll for changes with the others' full fetch: what
each poll costs once the state is held, against polling with rid=0 every time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
import ctypes
from dataclasses import dataclass, field
from functools import partial
import gc
import importlib.metadata
import os
from pathlib import Path
import platform
import random
import statistics
import time
import tracemalloc
from typing import Self

import aiohttp
from aioqbt.client import APIClient, create_client
import qbittorrentapi

from benchmarks.loading import TorrentLoader, run_from_command_line
from custom_components.qbittorrent_plus.api import Client
from custom_components.qbittorrent_plus.api.maindata import MainData
from tests.servers import QbittorrentServer
from tests.webui import WebUI

ENDPOINTS = ("torrents/info", "sync/maindata")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
MB = 1024 * 1024

type Call = Callable[[], Awaitable[object]]


# --- Measuring ---------------------------------------------------------------------


@dataclass
class Sample:
    """One timed call."""

    wall: float
    """Seconds."""
    cpu: float
    """Seconds of CPU time of this process, every thread."""
    server_cpu: float
    """Seconds of CPU time of the server."""
    rss: int
    """Bytes by which this process's resident set grew at its highest."""


@dataclass
class Result:
    """Everything measured for one case at one size."""

    samples: list[Sample] = field(default_factory=list)
    peak: int = 0
    kept: int = 0
    received: int = 0

    def median(self, name: str) -> float:
        """Return the median of one of the samples' fields."""
        return float(statistics.median(getattr(s, name) for s in self.samples))

    def ms(self, name: str) -> float:
        """Return the median of one of the samples' times, in milliseconds."""
        return self.median(name) * 1000


class ServerClock:
    """Reads the CPU time a qbittorrent-nox process has used, from /proc."""

    def __init__(self, server: QbittorrentServer) -> None:
        """Find the process serving ``server`` by its profile folder."""
        marker = f"--profile={server.profile_dir}".encode()
        for entry in Path("/proc").iterdir():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if marker in cmdline and cmdline[0].endswith(b"qbittorrent-nox"):
                self._stat = entry / "stat"
                return
        msg = f"no qbittorrent-nox process for {server.profile_dir}"
        raise RuntimeError(msg)

    def seconds(self) -> float:
        """Return the process's user and system CPU time so far."""
        # The command name in parentheses may hold spaces: split after it.
        fields = self._stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class ResidentMemory:
    """This process's resident set: its size now, and its high-water mark since reset.

    Before each reset, freed memory goes back to the system where it can (Python's
    collector, then C's ``malloc_trim``), so that growth means memory the call needed
    and could not take from what earlier calls left free.
    """

    def __init__(self) -> None:
        """Find C's allocator, when it can give memory back."""
        try:
            self._trim: Callable[[int], int] | None = ctypes.CDLL(None).malloc_trim
        except AttributeError:
            self._trim = None

    def reset(self) -> int:
        """Return memory to the system, reset the high-water mark, return the size."""
        gc.collect()
        if self._trim is not None:
            self._trim(0)
        Path("/proc/self/clear_refs").write_text("5")
        return self._read("VmRSS:")

    def peak(self) -> int:
        """Return the high-water mark since the last reset."""
        return self._read("VmHWM:")

    @staticmethod
    def _read(key: str) -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) * 1024
        msg = f"no {key} in /proc/self/status"
        raise RuntimeError(msg)


async def timed(call: Call, clock: ServerClock, memory: ResidentMemory) -> Sample:
    """Run one call and measure it; the result is dropped afterwards."""
    rss_before = memory.reset()
    server_before = clock.seconds()
    cpu_before = time.process_time()
    wall_before = time.perf_counter()
    result = await call()
    wall = time.perf_counter() - wall_before
    cpu = time.process_time() - cpu_before
    server_cpu = clock.seconds() - server_before
    rss = memory.peak() - rss_before
    del result
    return Sample(wall, cpu, server_cpu, rss)


async def traced(call: Call) -> tuple[int, int]:
    """Run one call under tracemalloc; return its peak and what its result holds."""
    gc.collect()
    tracemalloc.start()
    try:
        result = await call()
        peak = tracemalloc.get_traced_memory()[1]
        # Responses held only by reference cycles go with the next collection.
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del result
    return peak, kept


class CountingRelay:
    """A TCP relay to the server that counts the bytes it passes back to clients.

    It listens on another loopback address with the server's own port number: the
    server checks that the port in the Host header is its own.
    """

    address = "127.0.0.2"

    def __init__(self, host: str, port: int) -> None:
        """Relay to ``host:port``; start it with ``async with``."""
        self._upstream = (host, port)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.received = 0

    @property
    def url(self) -> str:
        """Return the relay's base URL."""
        if self._server is None:
            raise RuntimeError("the relay is not listening")
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def __aenter__(self) -> Self:
        """Start listening."""
        self._server = await asyncio.start_server(
            self._serve, self.address, self._upstream[1]
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Close the listener and every relayed connection."""
        if self._server is None:
            return
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            reader, writer = await asyncio.open_connection(*self._upstream)
            try:
                await asyncio.gather(
                    self._pump(client_reader, writer, count=False),
                    self._pump(reader, client_writer, count=True),
                )
            finally:
                writer.close()
        except OSError:
            pass
        finally:
            client_writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, count: bool
    ) -> None:
        while chunk := await reader.read(65536):
            if count:
                self.received += len(chunk)
            writer.write(chunk)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()


# --- The contenders ------------------------------------------------------------------


class Contender:
    """One client library, logged in to one URL, with its calls for each case."""

    async def open(self, server: QbittorrentServer, url: str) -> None:
        """Log in to ``url`` (the server itself, or a relay in front of it)."""
        raise NotImplementedError

    async def close(self) -> None:
        """Close the session."""
        raise NotImplementedError

    def cases(self) -> dict[str, dict[str, Call]]:
        """Return, for each case name, the call that does each endpoint."""
        raise NotImplementedError


class Floor(Contender):
    """A bare aiohttp session: the round trip, and the bytes without decoding."""

    async def open(self, server: QbittorrentServer, url: str) -> None:
        """Log in with a plain form post."""
        self._session = aiohttp.ClientSession(
            base_url=f"{url}/api/v2/", cookie_jar=aiohttp.CookieJar(unsafe=True)
        )
        form = {"username": server.username, "password": server.password}
        async with self._session.post("auth/login", data=form) as response:
            response.raise_for_status()

    async def close(self) -> None:
        """Close the session."""
        await self._session.close()

    async def _read(self, path: str, **params: str) -> bytes:
        async with self._session.get(path, params=params) as response:
            response.raise_for_status()
            return await response.read()

    def cases(self) -> dict[str, dict[str, Call]]:
        """Return the floors."""
        version = lambda: self._read("app/version")  # noqa: E731
        return {
            "floor: app/version": dict.fromkeys(ENDPOINTS, version),
            "floor: bytes only": {
                "torrents/info": lambda: self._read("torrents/info"),
                "sync/maindata": lambda: self._read("sync/maindata", rid="0"),
            },
        }


class Ours(Contender):
    """This project's client, raw (plain JSON) and rich (its result types)."""

    async def open(self, server: QbittorrentServer, url: str) -> None:
        """Log in."""
        self._client = Client(url, server.username, server.password)
        await self._client.auth_log_in()

    async def close(self) -> None:
        """Close the session."""
        await self._client.close()

    def cases(self) -> dict[str, dict[str, Call]]:
        """Return the raw and rich calls."""
        client = self._client
        return {
            "ours raw": {
                "torrents/info": partial(client.torrents_info, simple_responses=True),
                "sync/maindata": partial(
                    client.sync_maindata, rid=0, simple_responses=True
                ),
            },
            "ours rich": {
                "torrents/info": client.torrents_info,
                "sync/maindata": partial(client.sync_maindata, rid=0),
            },
        }


class OursMainData(Contender):
    """This project's ``MainData``, polling on a session of its own.

    Its own session, because the server keeps one rid per session: another full
    request on the same session would turn every delta poll into a full one.
    """

    full = True
    """Whether every poll starts again (``reset()``) rather than asking for changes."""

    async def open(self, server: QbittorrentServer, url: str) -> None:
        """Log in."""
        self._client = Client(url, server.username, server.password)
        await self._client.auth_log_in()
        self._main_data = MainData(self._client)

    async def close(self) -> None:
        """Close the session."""
        await self._client.close()

    async def _update(self) -> object:
        if self.full:
            # A full update over the state already held: what a re-login costs.
            self._main_data.reset()
        return await self._main_data.update()

    def cases(self) -> dict[str, dict[str, Call]]:
        """Return the poll."""
        name = "ours MainData full" if self.full else "ours MainData delta"
        return {name: {"sync/maindata": self._update}}


class OursMainDataDelta(OursMainData):
    """``MainData`` polling changes only, as the integration does between polls."""

    full = False


class QbittorrentAPI(Contender):
    """qbittorrent-api, each call in a worker thread."""

    async def open(self, server: QbittorrentServer, url: str) -> None:
        """Log in (in a worker thread, as every call)."""
        self._client = qbittorrentapi.Client(
            host=url, username=server.username, password=server.password
        )
        await asyncio.to_thread(self._client.auth_log_in)

    async def close(self) -> None:
        """Close the HTTP session, as the client does when it is deleted."""
        self._client._trigger_session_initialization()  # noqa: SLF001

    def cases(self) -> dict[str, dict[str, Call]]:
        """Return the simple and the rich calls."""
        client = self._client
        return {
            "qbittorrent-api simple": {
                "torrents/info": lambda: asyncio.to_thread(
                    client.torrents_info, SIMPLE_RESPONSES=True
                ),
                "sync/maindata": lambda: asyncio.to_thread(
                    client.sync_maindata, 0, SIMPLE_RESPONSES=True
                ),
            },
            "qbittorrent-api rich": {
                "torrents/info": lambda: asyncio.to_thread(client.torrents_info),
                "sync/maindata": lambda: asyncio.to_thread(client.sync_maindata, 0),
            },
        }


class AioQbt(Contender):
    """aioqbt, with its typed results."""

    async def open(self, server: QbittorrentServer, url: str) -> None:
        """Log in; its own session would drop the cookie of an IP-address host."""
        self._http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self._client: APIClient = await create_client(
            f"{url}/api/v2/", server.username, server.password, http=self._http
        )

    async def close(self) -> None:
        """Close the client and its session."""
        await self._client.close()
        await self._http.close()

    def cases(self) -> dict[str, dict[str, Call]]:
        """Return the typed calls."""
        client = self._client
        return {
            "aioqbt": {
                "torrents/info": client.torrents.info,
                "sync/maindata": lambda: client.sync.maindata(0),
            }
        }


CONTENDERS: tuple[type[Contender], ...] = (
    Floor,
    Ours,
    OursMainData,
    OursMainDataDelta,
    QbittorrentAPI,
    AioQbt,
)


# --- The run -------------------------------------------------------------------------

PEERS = ("qbittorrent-api simple", "qbittorrent-api rich", "aioqbt")
FLOORS = ("floor: app/version", "floor: bytes only")


@dataclass
class SizeReport:
    """The results at one number of torrents."""

    size: int
    added: int
    load_seconds: float
    json_bytes: dict[str, int]
    results: dict[tuple[str, str], Result]


@dataclass
class Bench:
    """One server, its clients, and how they are measured."""

    loader: TorrentLoader
    clock: ServerClock
    memory: ResidentMemory
    relay: CountingRelay | None
    direct: dict[str, dict[str, Call]]
    """Case name -> endpoint -> call, straight to the server."""
    relayed: dict[str, dict[str, Call]]
    """The same through the counting relay, by other sessions of the same clients
    (empty without a relay)."""
    repeat: int


async def measure_size(bench: Bench, size: int) -> SizeReport:
    """Fill the server to ``size`` torrents and measure every case there."""
    before = bench.loader.made
    load_seconds = await bench.loader.fill(size)
    json_bytes = {}
    for path, read in bench.direct["floor: bytes only"].items():
        body = await read()
        json_bytes[path] = len(body) if isinstance(body, bytes) else 0
    keys = [(case, path) for case, calls in bench.direct.items() for path in calls]
    results = {key: Result() for key in keys}
    for case, path in keys:
        result = results[case, path]
        # Warm up: logins, version reads, threads, MainData's first full update.
        await bench.direct[case][path]()
        if bench.relay is not None:
            await bench.relayed[case][path]()
            received = bench.relay.received
            await bench.relayed[case][path]()
            result.received = bench.relay.received - received
        result.peak, result.kept = await traced(bench.direct[case][path])
    order = random.Random(size)
    for _ in range(bench.repeat):
        # A new order each round, so that no case always follows the same one.
        order.shuffle(keys)
        for case, path in keys:
            sample = await timed(bench.direct[case][path], bench.clock, bench.memory)
            results[case, path].samples.append(sample)
    added = bench.loader.made - before
    return SizeReport(size, added, load_seconds, json_bytes, results)


def cpu_model() -> str:
    """Return the processor's model name."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


async def describe_machine(webui: WebUI) -> list[str]:
    """Return what the numbers were measured on."""
    model = cpu_model()
    build = await webui.get("app/buildInfo")
    packages = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("aiohttp", "orjson", "qbittorrent-api", "requests", "aioqbt")
    )
    qbittorrent = (
        f"qBittorrent {await webui.get('app/version')} (Web API "
        f"{await webui.get('app/webapiVersion')}, libtorrent {build['libtorrent']}, "
        f"Qt {build['qt']})"
    )
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"load average before the run: {load}",
        f"CPU: {model}, {os.cpu_count()} cores; {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}; {packages}",
        qbittorrent,
    ]


def render_size(report: SizeReport, repeat: int) -> str:
    """Return the table of one size, and the ratios of ours to each other case."""
    sizes = ", ".join(
        f"{path} {length / MB:.1f} MB" for path, length in report.json_bytes.items()
    )
    title = (
        f"== {report.size:,} torrents: added {report.added:,} in "
        f"{report.load_seconds:.1f} s; JSON: {sizes} =="
    )
    header = (
        f"{'endpoint':<14} {'case':<26} {'wall ms':>8} {'CPU ms':>7} "
        f"{'srv CPU':>7} {'RSS+ MB':>7} {'alloc MB':>8} {'kept MB':>7} {'recv KB':>7}"
    )
    lines = ["", title, header]
    cases = list(dict.fromkeys(case for case, _ in report.results))
    for path in ENDPOINTS:
        for case in cases:
            result = report.results.get((case, path))
            if result is None:
                continue
            lines.append(
                f"{path:<14} {case:<26} {result.ms('wall'):8.1f} "
                f"{result.ms('cpu'):7.1f} {result.ms('server_cpu'):7.0f} "
                f"{result.median('rss') / MB:7.1f} {result.peak / MB:8.1f} "
                f"{result.kept / MB:7.1f} {result.received / 1024:7.0f}"
            )
    lines.append(
        f"ratios of medians, wall / CPU (below 1: ours is faster; {repeat} runs each)"
    )
    ours = [case for case in cases if case.startswith("ours")]
    for path in ENDPOINTS:
        for mine in ours:
            if (mine, path) not in report.results:
                continue
            mine_result = report.results[mine, path]
            for other in (*PEERS, *FLOORS):
                other_result = report.results[other, path]
                lines.append(
                    f"{path:<14} {mine + ' / ' + other:<62} "
                    f"{ratio(mine_result, other_result, 'wall'):>7} / "
                    f"{ratio(mine_result, other_result, 'cpu'):>7}"
                )
    return "\n".join(lines)


def ratio(mine: Result, other: Result, name: str) -> str:
    """Return ``mine / other`` of one median, formatted."""
    denominator = other.ms(name)
    if denominator <= 0:
        return "-"
    value = mine.ms(name) / denominator
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


async def open_bench(
    stack: AsyncExitStack,
    server: QbittorrentServer,
    webui: WebUI,
    relay: CountingRelay | None,
    *,
    repeat: int,
    paths: tuple[str, ...] = ENDPOINTS,
) -> Bench:
    """Log every contender in for ``paths``; a second time through ``relay`` if any.

    Without a relay, no bytes are counted, and each contender holds one session.
    """
    direct: dict[str, dict[str, Call]] = {}
    relayed: dict[str, dict[str, Call]] = {}
    urls = [(server.url, direct)]
    if relay is not None:
        urls.append((relay.url, relayed))
    for kind in CONTENDERS:
        for url, cases in urls:
            contender = kind()
            await contender.open(server, url)
            stack.push_async_callback(contender.close)
            for case, calls in contender.cases().items():
                wanted = {path: call for path, call in calls.items() if path in paths}
                if wanted:
                    cases[case] = wanted
    return Bench(
        TorrentLoader(webui),
        ServerClock(server),
        ResidentMemory(),
        relay,
        direct,
        relayed,
        repeat,
    )


async def run(server: QbittorrentServer, sizes: list[int], repeat: int) -> None:
    """Run the whole benchmark on one server, printing each size as it is done."""
    async with AsyncExitStack() as stack:
        webui = await stack.enter_async_context(WebUI(server))
        relay = await stack.enter_async_context(CountingRelay(server.host, server.port))
        bench = await open_bench(stack, server, webui, relay, repeat=repeat)
        print("\n".join(await describe_machine(webui)), flush=True)
        for size in sorted(sizes):
            print(render_size(await measure_size(bench, size), repeat), flush=True)


def main() -> None:
    """Parse the command line and run the benchmark on a fresh server."""
    run_from_command_line(
        run,
        description=__doc__.split("\n", 1)[0],
        default_sizes="1000,10000",
        repeat_help="timed calls per case",
    )


if __name__ == "__main__":
    main()
