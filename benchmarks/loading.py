"""Fill a real qbittorrent-nox with many small torrents made locally, fast and offline.

The torrents have no data: each is a bencoded info dictionary with random piece hashes
and a unique name, added stopped, many per ``torrents/add`` request. A stopped torrent
whose files do not exist is never checked and never announced, so the server does no
disk or network work for it beyond keeping it in its session. The trackers named in
the torrents are loopback addresses that nothing listens on, so the server's tracker
lists look like a real library's without any traffic.

Typical use::

    with running_server("5.3.0") as server:
        async with WebUI(server) as webui:
            loader = TorrentLoader(webui)
            seconds = await loader.fill(10_000)
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import hashlib
import itertools
import os
import random
import secrets
import time

import aiohttp

from tests.servers import QbittorrentServer, running_server
from tests.torrents import Bencodable, bencode
from tests.webui import WebUI

# Large pieces keep every .torrent small whatever its size: at most 64 piece hashes.
PIECE_LENGTH = 16 * 1024 * 1024
MAX_SIZE = 64 * PIECE_LENGTH
MIN_SIZE = 1024 * 1024

DEFAULT_BATCH = 250
DEFAULT_CATEGORIES = ("movies", "series", "music", "linux", "books")
DEFAULT_TAGS = ("hd", "archive", "favourite", "new")
DEFAULT_TRACKERS = tuple(f"http://127.0.0.1:9/announce/{index}" for index in range(8))
POLL_INTERVAL = 0.1
FILL_TIMEOUT = 600.0


@dataclass(frozen=True)
class TinyTorrent:
    """A .torrent file that describes data nobody has."""

    name: str
    info_hash: str
    """Version 1 info hash, lower-case hex."""
    data: bytes
    """The .torrent file's content."""


def tiny_torrent(
    name: str, rng: random.Random, *, tracker: str | None = None
) -> TinyTorrent:
    """Make a single-file torrent named ``name`` with a random size and piece hashes."""
    size = rng.randint(MIN_SIZE, MAX_SIZE)
    pieces = -(-size // PIECE_LENGTH)
    info: dict[str, Bencodable] = {
        "name": name,
        "length": size,
        "piece length": PIECE_LENGTH,
        "pieces": rng.randbytes(20 * pieces),
    }
    metainfo: dict[str, Bencodable] = {"info": info}
    if tracker is not None:
        metainfo["announce"] = tracker
    return TinyTorrent(
        name=name,
        info_hash=hashlib.sha1(bencode(info), usedforsecurity=False).hexdigest(),
        data=bencode(metainfo),
    )


@dataclass
class TorrentLoader:
    """Adds tiny torrents to one server until it holds as many as asked.

    Torrents are spread over ``categories`` and ``tags`` (one of each per request, in
    turn) and ``trackers``, so ``sync/maindata`` carries those sections as a real
    library's would. Names are ``<prefix>-<number>``, unique on the server.
    """

    webui: WebUI
    batch: int = DEFAULT_BATCH
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    tags: tuple[str, ...] = DEFAULT_TAGS
    trackers: tuple[str, ...] = DEFAULT_TRACKERS
    seed: int = 0
    prefix: str = field(default_factory=lambda: f"bench-{secrets.token_hex(3)}")
    made: int = 0
    """How many torrents this loader has sent so far."""
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Seed the random sizes and hashes, so a run can be repeated."""
        self._rng = random.Random(self.seed)

    async def count(self) -> int:
        """Return how many torrents the server has."""
        try:
            return int(await self.webui.get("torrents/count"))
        except aiohttp.ClientResponseError as err:
            # torrents/count came with Web API 2.9.3; older servers list them all.
            if err.status != 404:
                raise
            return len(await self.webui.get("torrents/info"))

    async def fill(self, total: int) -> float:
        """Add torrents until the server holds ``total``; return the seconds it took.

        The server adds torrents in the background after answering, so this waits
        until it reports them all.
        """
        started = time.monotonic()
        async with asyncio.timeout(FILL_TIMEOUT):
            await self._create_categories()
            missing = total - await self.count()
            groups = itertools.cycle(
                itertools.product(self.categories or (None,), self.tags or (None,))
            )
            while missing > 0:
                size = min(self.batch, missing)
                category, tag = next(groups)
                await self._add([self._next() for _ in range(size)], category, tag)
                missing -= size
            # The server signals nothing when it is done: poll.
            while await self.count() < total:  # noqa: ASYNC110
                await asyncio.sleep(POLL_INTERVAL)
        return time.monotonic() - started

    def _next(self) -> TinyTorrent:
        name = f"{self.prefix}-{self.made:06d}"
        tracker = (
            self.trackers[self.made % len(self.trackers)] if self.trackers else None
        )
        self.made += 1
        return tiny_torrent(name, self._rng, tracker=tracker)

    async def _create_categories(self) -> None:
        existing = await self.webui.get("torrents/categories")
        for name in self.categories:
            if name not in existing:
                await self.webui.post("torrents/createCategory", {"category": name})

    async def _add(
        self, torrents: list[TinyTorrent], category: str | None, tag: str | None
    ) -> None:
        form = aiohttp.FormData()
        for torrent in torrents:
            # The server keys uploads by file name, so each must be unique.
            form.add_field(
                "torrents",
                torrent.data,
                filename=f"{torrent.name}.torrent",
                content_type="application/x-bittorrent",
            )
        # 4.x knows "paused", 5.x "stopped"; each ignores the other.
        form.add_field("paused", "true")
        form.add_field("stopped", "true")
        if category is not None:
            form.add_field("category", category)
        if tag is not None:
            form.add_field("tags", tag)
        await self.webui.post("torrents/add", form)


def run_from_command_line(
    run: Callable[[QbittorrentServer, list[int], int], Awaitable[None]],
    *,
    description: str,
    default_sizes: str,
    repeat_help: str,
) -> None:
    """Parse a benchmark's command line and run it on a fresh server, then stop it."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--sizes",
        default=default_sizes,
        type=lambda text: [int(part) for part in text.split(",")],
        help=f"numbers of torrents to measure at, comma-separated (default {default_sizes})",
    )
    parser.add_argument(
        "--repeat", default=5, type=int, help=f"{repeat_help} (default 5)"
    )
    parser.add_argument(
        "--version", default="5.3.0", help="qBittorrent version to run (default 5.3.0)"
    )
    args = parser.parse_args()
    started = time.monotonic()
    with running_server(args.version) as server:
        asyncio.run(run(server, args.sizes, args.repeat))
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\ntotal run time {time.monotonic() - started:.0f} s; load average {load}")
