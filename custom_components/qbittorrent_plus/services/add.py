"""The action that adds torrents, from links and .torrent files, and what it added.

Everything a call names is checked before anything is sent: the links, the files
(only where Home Assistant may read), the category and the tags. A torrent the
server has already is named apart; a call that adds nothing new is refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import voluptuous as vol

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers import config_validation as cv

from ..api import Client, MainData
from ..const import KIB
from ..data import QbittorrentConfigEntry
from .action import (
    ATTR_CATEGORY,
    ATTR_DOWNLOAD_LIMIT,
    ATTR_SAVE_PATH,
    ATTR_STOPPED,
    ATTR_TAGS,
    ATTR_UPLOAD_LIMIT,
    SPEED_LIMIT,
    QbittorrentAction,
    refused,
)
from .sources import (
    MAX_TORRENT_FILE_SIZE,
    TorrentSource,
    is_magnet,
    is_web_link,
    magnet_source,
    torrent_file_source,
)
from .targets import TAGS, check_tags, poll_now, require_known_category

# How long add_torrents asks the server for what it added, and how often: torrents from
# files and magnet links are there at once, those behind http(s) links once the
# server has downloaded their .torrent files. The pause doubles up to its longest.
ADD_WAIT: Final = 10.0
ADD_FIRST_PAUSE: Final = 0.05
ADD_LONGEST_PAUSE: Final = 1.0

ATTR_URLS: Final = "urls"
ATTR_TORRENT_FILES: Final = "torrent_files"
ATTR_SEQUENTIAL: Final = "sequential_download"
ATTR_FIRST_LAST: Final = "first_last_piece_priority"
ATTR_RENAME: Final = "rename"
ATTR_SKIP_CHECKING: Final = "skip_checking"
ATTR_CONTENT_LAYOUT: Final = "content_layout"
ATTR_AUTOMATIC: Final = "automatic_management"

CONTENT_LAYOUTS: Final = {
    "original": "Original",
    "subfolder": "Subfolder",
    "no_subfolder": "NoSubfolder",
}

_NAMES = vol.All(cv.ensure_list, [cv.string])

ADD_FIELDS: Final[Mapping[Any, Any]] = {
    vol.Optional(ATTR_URLS): _NAMES,
    vol.Optional(ATTR_TORRENT_FILES): _NAMES,
    vol.Optional(ATTR_SAVE_PATH): vol.All(cv.string, vol.Length(min=1)),
    vol.Optional(ATTR_CATEGORY): cv.string,
    vol.Optional(ATTR_TAGS): TAGS,
    vol.Optional(ATTR_STOPPED): cv.boolean,
    vol.Optional(ATTR_SEQUENTIAL): cv.boolean,
    vol.Optional(ATTR_FIRST_LAST): cv.boolean,
    vol.Optional(ATTR_DOWNLOAD_LIMIT): SPEED_LIMIT,
    vol.Optional(ATTR_UPLOAD_LIMIT): SPEED_LIMIT,
    vol.Optional(ATTR_RENAME): vol.All(cv.string, vol.Length(min=1)),
    vol.Optional(ATTR_SKIP_CHECKING): cv.boolean,
    vol.Optional(ATTR_CONTENT_LAYOUT): vol.In(CONTENT_LAYOUTS),
    vol.Optional(ATTR_AUTOMATIC): cv.boolean,
}


async def _add_torrents(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    """Add torrents from links and .torrent files; tell what was added.

    A category must exist already: qBittorrent would make a new one from a
    misspelt name (and, under automatic management, a new folder).
    """
    data = call.data
    coordinator, client = entry.runtime_data.coordinator, entry.runtime_data.client
    # qBittorrent takes magnet links only with the scheme in lower case.
    links = [
        f"magnet:{link[7:]}" if is_magnet(link) else link
        for link in data.get(ATTR_URLS, [])
    ]
    paths: list[str] = data.get(ATTR_TORRENT_FILES, [])
    if not links and not paths:
        raise refused("torrent_source_missing")
    from_links = [
        _link_source(position, link) for position, link in enumerate(links, 1)
    ]
    web_links = from_links.count(None)
    files = [
        await coordinator.hass.async_add_executor_job(
            _read_torrent_file, coordinator.hass, path
        )
        for path in paths
    ]
    sources = {
        source.info_hash: source
        for source in [*from_links, *(source for source, _ in files)]
        if source is not None
    }
    check_tags(data.get(ATTR_TAGS, []))
    if category := data.get(ATTR_CATEGORY):
        await require_known_category(coordinator, category)
    await poll_now(coordinator)
    before = set(coordinator.data.maindata.torrents)
    present = [info_hash for info_hash in sources if info_hash in before]
    if not web_links and len(present) == len(sources):
        raise refused("torrents_already_present", torrents=", ".join(present))
    result = await client.torrents_add(
        urls=links or None,
        torrent_files=[content for _, content in files] or None,
        **_add_options(data),
    )
    expected = set(sources) - before
    if result.added_torrent_ids is not None:
        # qBittorrent 5.2+ says which ones it added, so none is waited for in vain.
        expected &= set(result.added_torrent_ids)
    # Only web links may add torrents no source names; without them, only the
    # torrents the sources name are asked for.
    wanted = None if web_links else sorted(set(sources) - before)
    appeared, pending = await _wait_for_added(
        client, wanted, before, expected, web_links
    )
    # Once, so entities and events show the new torrents when the call returns.
    await poll_now(coordinator)
    maindata = coordinator.data.maindata
    return {
        "added": {h: _named(maindata, h, sources) for h in sorted(appeared)},
        "already_present": {h: _named(maindata, h, sources) for h in present},
        "pending_urls": pending,
    }


def _link_source(position: int, link: str) -> TorrentSource | None:
    """Return what a magnet link adds; None for an http(s) link (known only later)."""
    # The link itself is left out of the messages: it may hold a passkey.
    if is_magnet(link):
        if (source := magnet_source(link)) is None:
            raise refused("torrent_magnet_invalid", position=str(position))
        return source
    if is_web_link(link):
        return None
    raise refused("torrent_link_invalid", position=str(position))


def _read_torrent_file(hass: HomeAssistant, path: str) -> tuple[TorrentSource, bytes]:
    """Read a .torrent file Home Assistant may read, and say what it adds."""
    if not hass.config.is_allowed_path(path):
        raise refused("torrent_file_not_allowed", path=path)
    file = Path(path)
    try:
        # A file this large is no .torrent; reading it all would only cost memory.
        content = (
            b"" if file.stat().st_size > MAX_TORRENT_FILE_SIZE else file.read_bytes()
        )
    except FileNotFoundError as err:
        raise refused("torrent_file_not_found", path=path) from err
    except OSError as err:
        error = err.strerror or str(err)
        raise refused("torrent_file_unreadable", path=path, error=error) from err
    if (source := torrent_file_source(content)) is None:
        raise refused("torrent_file_invalid", path=path)
    return source, content


def _add_options(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the client's options of ``torrents_add`` for a call's fields."""
    options: dict[str, Any] = {
        option: data.get(field)
        for field, option in (
            (ATTR_SAVE_PATH, "save_path"),
            (ATTR_CATEGORY, "category"),
            (ATTR_TAGS, "tags"),
            (ATTR_STOPPED, "is_stopped"),
            (ATTR_SEQUENTIAL, "is_sequential_download"),
            (ATTR_FIRST_LAST, "is_first_last_piece_priority"),
            (ATTR_RENAME, "rename"),
            (ATTR_SKIP_CHECKING, "is_skip_checking"),
            (ATTR_AUTOMATIC, "use_auto_torrent_management"),
        )
    }
    if layout := data.get(ATTR_CONTENT_LAYOUT):
        options["content_layout"] = CONTENT_LAYOUTS[layout]
    for field in (ATTR_DOWNLOAD_LIMIT, ATTR_UPLOAD_LIMIT):
        if field in data:
            options[field] = data[field] * KIB
    return options


async def _wait_for_added(
    client: Client,
    wanted: list[str] | None,
    before: set[str],
    expected: set[str],
    web_links: int,
) -> tuple[set[str], int]:
    """Ask the server until what was added is listed; return it and the links pending.

    Torrents behind http(s) links have no hash until the server has
    fetched them: any torrent that appears meanwhile, and was not expected, counts
    as theirs. The server is asked directly, not through the coordinator, so a slow
    link costs one light request a pause rather than a full poll.
    """
    deadline = asyncio.get_running_loop().time() + ADD_WAIT
    pause = ADD_FIRST_PAUSE
    while True:
        listed = await client.torrents_info(
            torrent_hashes=wanted, simple_responses=True
        )
        appeared = {torrent["hash"] for torrent in listed} - before
        pending = max(web_links - len(appeared - expected), 0)
        done = expected <= appeared and not pending
        if done or asyncio.get_running_loop().time() >= deadline:
            return appeared, pending
        await asyncio.sleep(pause)
        pause = min(pause * 2, ADD_LONGEST_PAUSE)


def _named(
    maindata: MainData, info_hash: str, sources: Mapping[str, TorrentSource]
) -> dict[str, Any]:
    """Return a torrent's name as the server lists it, else as its source gives it."""
    source = sources.get(info_hash)
    listed = maindata.torrents.get(info_hash) or {}
    return {"name": listed.get("name", source and source.name)}


ADD_ACTIONS: Final[tuple[QbittorrentAction, ...]] = (
    QbittorrentAction(
        name="add_torrents",
        fields=ADD_FIELDS,
        handler=_add_torrents,
        response=SupportsResponse.OPTIONAL,
    ),
)
