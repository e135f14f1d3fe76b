"""Torrents on a test server: added stopped or seeding, waited for, and checked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from .api.helpers import unique
from .torrents import MadeTorrent, make_torrent
from .webui import WebUI, wait_for

# Fields of torrents/info that only an action changes, for "nothing changed" checks.
KEPT_FIELDS = (
    "name",
    "state",
    "category",
    "tags",
    "save_path",
    "dl_limit",
    "up_limit",
    "ratio_limit",
    "seeding_time_limit",
    "force_start",
    "priority",
)
STOPPED_STATES = {"stoppedDL", "stoppedUP", "pausedDL", "pausedUP"}
SEEDING = frozenset({"stalledUP", "uploading", "queuedUP"})


async def server_state(webui: WebUI) -> dict[str, Any]:
    """Return what an action could change: torrents, categories and tags."""
    torrents: list[dict[str, Any]] = await webui.get("torrents/info")
    for torrent in torrents:
        # Before 5.0 the server lists a torrent's tags in no particular order.
        torrent["tags"] = sorted(torrent["tags"].split(", "))
    return {
        "torrents": {
            t["hash"]: {key: t.get(key) for key in KEPT_FIELDS} for t in torrents
        },
        "categories": sorted(await webui.get("torrents/categories")),
        "tags": sorted(await webui.get("torrents/tags")),
    }


async def add_stopped(
    webui: WebUI, torrent: MadeTorrent, **fields: str
) -> dict[str, Any]:
    """Add a torrent stopped, without its data, and wait until it is listed.

    Such a torrent stays as it is until an action changes it.
    """
    form = {"stopped": "true", "paused": "true", **fields}
    await webui.post("torrents/add", _upload(torrent, form))

    async def settled() -> dict[str, Any] | None:
        info = await webui.torrent(torrent.info_hash)
        return info if info and info["state"] in STOPPED_STATES else None

    return await wait_for(settled)


async def two_stopped(webui: WebUI, folder: Path) -> tuple[MadeTorrent, MadeTorrent]:
    """Make two torrents in ``folder`` and add them stopped, as ``add_stopped`` does."""
    one, two = (make_torrent(folder, unique(name)) for name in ("one", "two"))
    for torrent in (one, two):
        await add_stopped(webui, torrent)
    return one, two


def _upload(torrent: MadeTorrent, fields: dict[str, str]) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field(
        "torrents",
        torrent.data,
        filename=torrent.path.name,
        content_type="application/x-bittorrent",
    )
    for key, value in fields.items():
        form.add_field(key, value)
    return form


async def torrent_where(
    webui: WebUI, info_hash: str, test: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Wait until a torrent passes a test; return the torrent."""

    async def probe() -> dict[str, Any] | None:
        info = await webui.torrent(info_hash)
        return info if info is not None and test(info) else None

    return await wait_for(probe)


async def field_becomes(
    webui: WebUI, info_hash: str, key: str, wanted: Any
) -> dict[str, Any]:
    """Wait until a torrent's field has a value; return the torrent."""
    return await torrent_where(webui, info_hash, lambda info: info.get(key) == wanted)


async def tags_become(webui: WebUI, info_hash: str, tags: set[str]) -> None:
    """Wait until a torrent has these tags (listed in no particular order before 5.0)."""

    def has_them(info: dict[str, Any]) -> bool:
        return {tag.strip() for tag in info["tags"].split(",") if tag} == tags

    await torrent_where(webui, info_hash, has_them)


def is_stopped(info: dict[str, Any] | None) -> bool:
    """Return whether a listed torrent is stopped (paused, before 5.0)."""
    return info is not None and info["state"] in STOPPED_STATES


async def seed(webui: WebUI, *made: MadeTorrent) -> None:
    """Add torrents with their data and wait until they are checked and complete."""
    for torrent in made:
        await webui.add_torrent(torrent)

    async def complete() -> bool:
        found = await webui.get(
            "torrents/info", hashes="|".join(torrent.info_hash for torrent in made)
        )
        return len(found) == len(made) and all(t["state"] in SEEDING for t in found)

    await wait_for(complete)
