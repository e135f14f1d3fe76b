"""Actions on torrents: remove, start, stop, change and list them.

Each action checks everything it can before its first request (the torrents,
categories and tags it names against the last poll, the files it reads, the
endpoints it needs), so a refused call leaves the server as it was. Actions on
several torrents send their hashes, and ``all`` only when the call asks for all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import voluptuous as vol

from homeassistant.core import ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from ..api import INFINITE_ETA, Client, MainData, TorrentHashes, torrent_tags
from ..const import DOMAIN, KIB
from ..data import QbittorrentConfigEntry
from .action import (
    ATTR_DOWNLOAD_LIMIT,
    ATTR_TAGS,
    ATTR_UPLOAD_LIMIT,
    SPEED_LIMIT,
    QbittorrentAction,
    refused,
    require_endpoints,
)
from .targets import (
    TAGS,
    TARGET_FIELDS,
    RefusedByLastPollError,
    Targets,
    check_tags,
    known,
    require_known_category,
    resolve_targets,
    resolve_torrent,
)

# qBittorrent's largest share ratio limit, and seeding time limit (a year) in minutes.
MAX_RATIO: Final = 9998
MAX_SEEDING_MINUTES: Final = 525_600

ATTR_DELETE_FILES: Final = "delete_files"
ATTR_NEW_CATEGORY: Final = "new_category"
ATTR_LOCATION: Final = "location"
ATTR_RATIO_LIMIT: Final = "ratio_limit"
ATTR_SEEDING_TIME_LIMIT: Final = "seeding_time_limit"
ATTR_SHARE_LIMITS: Final = "share_limits"
ATTR_POSITION: Final = "position"
ATTR_TORRENT: Final = "torrent"
ATTR_FILES: Final = "files"
ATTR_PRIORITY: Final = "priority"

# Share limits qBittorrent takes as -2 (the global or category setting), -1 (none).
SHARE_LIMITS: Final = {"global": -2, "unlimited": -1}
FILE_PRIORITIES: Final = {"skip": 0, "normal": 1, "high": 6, "maximum": 7}

type _Send = Callable[[Client, TorrentHashes, Mapping[str, Any]], Awaitable[None]]

_QUEUE_MOVES: Final[Mapping[str, _Send]] = {
    "top": lambda client, hashes, _: client.torrents_top_priority(hashes),
    "bottom": lambda client, hashes, _: client.torrents_bottom_priority(hashes),
    "up": lambda client, hashes, _: client.torrents_increase_priority(hashes),
    "down": lambda client, hashes, _: client.torrents_decrease_priority(hashes),
}

_PATH = vol.All(cv.string, vol.Length(min=1))

LIMITS_FIELDS: Final[Mapping[Any, Any]] = {
    **TARGET_FIELDS,
    vol.Optional(ATTR_DOWNLOAD_LIMIT): SPEED_LIMIT,
    vol.Optional(ATTR_UPLOAD_LIMIT): SPEED_LIMIT,
    vol.Optional(ATTR_RATIO_LIMIT): vol.All(
        vol.Coerce(float), vol.Range(min=0, max=MAX_RATIO)
    ),
    vol.Optional(ATTR_SEEDING_TIME_LIMIT): vol.All(
        vol.Coerce(int), vol.Range(min=0, max=MAX_SEEDING_MINUTES)
    ),
    vol.Optional(ATTR_SHARE_LIMITS): vol.In(SHARE_LIMITS),
}

FILE_PRIORITY_FIELDS: Final[Mapping[Any, Any]] = {
    vol.Required(ATTR_TORRENT): cv.string,
    vol.Required(ATTR_FILES): vol.All(
        cv.ensure_list,
        vol.Length(min=1),
        [vol.Any(vol.All(int, vol.Range(min=0)), cv.string)],
    ),
    vol.Required(ATTR_PRIORITY): vol.In(FILE_PRIORITIES),
}


# Targets and the server's capabilities ------------------------------------------


def _on_torrents(
    name: str, send: _Send, fields: Mapping[Any, Any] | None = None
) -> QbittorrentAction:
    """Declare an action that sends one request for the torrents a call selects."""

    async def handle(entry: QbittorrentConfigEntry, call: ServiceCall) -> None:
        runtime = entry.runtime_data
        targets = await resolve_targets(runtime.coordinator, call.data)
        if targets:
            await send(runtime.client, targets.wire, call.data)

    return QbittorrentAction(
        name=name, fields={**TARGET_FIELDS, **(fields or {})}, handler=handle
    )


# Changing -------------------------------------------------------------------------


async def _set_category(entry: QbittorrentConfigEntry, call: ServiceCall) -> None:
    """Give torrents a category that exists (``""`` removes theirs)."""
    coordinator = entry.runtime_data.coordinator
    category: str = call.data[ATTR_NEW_CATEGORY]
    await require_known_category(coordinator, category)
    targets = await resolve_targets(coordinator, call.data)
    if targets:
        await entry.runtime_data.client.torrents_set_category(category, targets.wire)


async def _add_tags(entry: QbittorrentConfigEntry, call: ServiceCall) -> None:
    """Tag torrents; tags that do not exist yet are made."""
    tags: list[str] = call.data[ATTR_TAGS]
    check_tags(tags)
    targets = await resolve_targets(entry.runtime_data.coordinator, call.data)
    if targets:
        await entry.runtime_data.client.torrents_add_tags(tags, targets.wire)


async def _remove_tags(entry: QbittorrentConfigEntry, call: ServiceCall) -> None:
    """Take tags off torrents; without tags, every tag they have."""
    tags: list[str] | None = call.data.get(ATTR_TAGS)
    check_tags(tags or [])
    targets = await resolve_targets(entry.runtime_data.coordinator, call.data)
    if targets:
        await entry.runtime_data.client.torrents_remove_tags(tags, targets.wire)


async def _set_limits(entry: QbittorrentConfigEntry, call: ServiceCall) -> None:
    """Set torrents' speed and share limits, keeping those the call leaves out."""
    data = call.data
    coordinator, client = entry.runtime_data.coordinator, entry.runtime_data.client
    share = _share_limits(data)
    speeds = [key for key in (ATTR_DOWNLOAD_LIMIT, ATTR_UPLOAD_LIMIT) if key in data]
    if not share and not speeds:
        raise refused("torrent_limit_required")
    if share:
        await require_endpoints(client, "torrents/setShareLimits")
    targets = await resolve_targets(coordinator, data)
    if not targets:
        return
    groups: dict[tuple[tuple[str, Any], ...], list[str]] = {}
    if share:
        # Read before the first change, so a failed read leaves the torrents as
        # they were; and rather than taken from the polls: qBittorrent 5 leaves
        # changed limits of a stopped torrent out of its main data.
        current = await client.torrents_info(
            torrent_hashes=None if targets.everything else targets.hashes,
            simple_responses=True,
        )
        groups = _share_limit_groups(current, share)
    if ATTR_DOWNLOAD_LIMIT in data:
        limit = data[ATTR_DOWNLOAD_LIMIT] * KIB
        await client.torrents_set_download_limit(limit, targets.wire)
    if ATTR_UPLOAD_LIMIT in data:
        limit = data[ATTR_UPLOAD_LIMIT] * KIB
        await client.torrents_set_upload_limit(limit, targets.wire)
    for limits, hashes in groups.items():
        await client.torrents_set_share_limits(**dict(limits), torrent_hashes=hashes)


def _share_limits(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the share limits a call sets, in the client's terms."""
    if (preset := data.get(ATTR_SHARE_LIMITS)) is not None:
        if ATTR_RATIO_LIMIT in data or ATTR_SEEDING_TIME_LIMIT in data:
            raise refused("torrent_share_limits_conflict")
        value = SHARE_LIMITS[preset]
        return {
            "ratio_limit": value,
            "seeding_time_limit": value,
            "inactive_seeding_time_limit": value,
        }
    return {
        key: data[key]
        for key in (ATTR_RATIO_LIMIT, ATTR_SEEDING_TIME_LIMIT)
        if key in data
    }


# The torrents' own fields for the share limits; qBittorrent sets all of them at once.
_SHARE_FIELDS: Final = (
    "ratio_limit",
    "seeding_time_limit",
    "inactive_seeding_time_limit",
    "share_limit_action",
    "share_limits_mode",
)


def _share_limit_groups(
    torrents: Iterable[Mapping[str, Any]], changes: Mapping[str, Any]
) -> dict[tuple[tuple[str, Any], ...], list[str]]:
    """Group torrents by the share limits they get: the changes, and what they had.

    The server sets every share limit of a torrent at once, so the limits a call
    leaves out are sent as each torrent has them (fields a server does not list
    stay out, and the client sends what that server requires).
    """
    groups: dict[tuple[tuple[str, Any], ...], list[str]] = {}
    for torrent in torrents:
        limits: dict[str, Any] = {
            key: torrent[key] for key in _SHARE_FIELDS if key in torrent
        }
        limits.update(changes)
        groups.setdefault(tuple(sorted(limits.items())), []).append(torrent["hash"])
    return groups


async def _set_queue_position(entry: QbittorrentConfigEntry, call: ServiceCall) -> None:
    """Move torrents in the download queue."""
    coordinator = entry.runtime_data.coordinator
    await known(coordinator, _check_queueing)
    targets = await resolve_targets(coordinator, call.data)
    if targets:
        move = _QUEUE_MOVES[call.data[ATTR_POSITION]]
        await move(entry.runtime_data.client, targets.wire, call.data)


def _check_queueing(maindata: MainData) -> None:
    """Refuse to move torrents in a queue that is turned off."""
    if not maindata.server_state.get("queueing", True):
        raise RefusedByLastPollError(
            translation_domain=DOMAIN, translation_key="torrent_queueing_disabled"
        )


async def _set_file_priority(entry: QbittorrentConfigEntry, call: ServiceCall) -> None:
    """Set the download priority of some of a torrent's files."""
    coordinator, client = entry.runtime_data.coordinator, entry.runtime_data.client
    info_hash = await resolve_torrent(coordinator, call.data[ATTR_TORRENT])
    await require_endpoints(client, "torrents/files", "torrents/filePrio")
    files = await client.torrents_files(info_hash, simple_responses=True)
    if not files:
        raise refused("torrent_metadata_missing", torrent=info_hash)
    indexes = _file_indexes(info_hash, files, call.data[ATTR_FILES])
    await client.torrents_file_priority(
        info_hash, indexes, FILE_PRIORITIES[call.data[ATTR_PRIORITY]]
    )


def _file_indexes(
    info_hash: str, files: Sequence[Mapping[str, Any]], given: Iterable[int | str]
) -> list[int]:
    """Return the indexes of files given by index or by path inside the torrent.

    A path is as the WebUI lists it, with the torrent's folder; text that is no
    path of the torrent but a number is an index.
    """
    by_path = {
        file["name"]: file.get("index", position) for position, file in enumerate(files)
    }
    indexes, unknown = [], []
    for item in given:
        if isinstance(item, str) and item in by_path:
            indexes.append(by_path[item])
        elif str(item).isdecimal() and int(item) < len(files):
            indexes.append(int(item))
        else:
            unknown.append(str(item))
    if unknown:
        raise refused(
            "torrent_files_not_found", torrent=info_hash, files=", ".join(unknown)
        )
    return indexes


# Listing --------------------------------------------------------------------------


async def _get_torrents(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    """Describe the torrents a call selects (all without a target), by hash.

    The answer comes from the last poll, so it costs no request.
    """
    coordinator = entry.runtime_data.coordinator
    targets: Targets = await resolve_targets(
        coordinator, call.data, everything_by_default=True
    )
    torrents = coordinator.data.maindata.torrents
    return {
        "torrents": {
            info_hash: _describe(torrents[info_hash]) for info_hash in targets.hashes
        }
    }


def _describe(torrent: Mapping[str, Any]) -> dict[str, Any]:
    """Return a torrent's main fields; its tracker and magnet link (passkeys) stay out."""
    eta = torrent.get("eta")
    completed = torrent.get("completion_on") or 0
    return {
        "name": torrent.get("name"),
        "state": torrent.get("state"),
        "progress": round(torrent.get("progress", 0) * 100, 2),
        "size": torrent.get("size"),
        "total_size": torrent.get("total_size"),
        "downloaded": torrent.get("downloaded"),
        "uploaded": torrent.get("uploaded"),
        "amount_left": torrent.get("amount_left"),
        "download_speed": torrent.get("dlspeed"),
        "upload_speed": torrent.get("upspeed"),
        "eta": None if eta is None or eta >= INFINITE_ETA else eta,
        "ratio": round(torrent.get("ratio", 0), 3),
        "category": torrent.get("category") or None,
        "tags": sorted(torrent_tags(torrent)),
        "save_path": torrent.get("save_path"),
        "content_path": torrent.get("content_path"),
        "added_on": _timestamp(torrent.get("added_on") or 0),
        "completed_on": _timestamp(completed),
    }


def _timestamp(seconds: int) -> str | None:
    """Return a Unix time as ISO 8601; None for qBittorrent's "never" (0 or -1)."""
    return dt_util.utc_from_timestamp(seconds).isoformat() if seconds > 0 else None


TORRENT_ACTIONS: Final[tuple[QbittorrentAction, ...]] = (
    _on_torrents(
        "remove_torrents",
        lambda client, hashes, data: client.torrents_delete(
            delete_files=data[ATTR_DELETE_FILES], torrent_hashes=hashes
        ),
        {vol.Optional(ATTR_DELETE_FILES, default=False): cv.boolean},
    ),
    _on_torrents(
        "start_torrents", lambda client, hashes, _: client.torrents_start(hashes)
    ),
    _on_torrents(
        "stop_torrents", lambda client, hashes, _: client.torrents_stop(hashes)
    ),
    _on_torrents(
        "force_start_torrents",
        lambda client, hashes, _: client.torrents_set_force_start(True, hashes),
    ),
    _on_torrents(
        "recheck_torrents", lambda client, hashes, _: client.torrents_recheck(hashes)
    ),
    _on_torrents(
        "reannounce_torrents",
        lambda client, hashes, _: client.torrents_reannounce(hashes),
    ),
    _on_torrents(
        "set_location",
        lambda client, hashes, data: client.torrents_set_location(
            data[ATTR_LOCATION], hashes
        ),
        {vol.Required(ATTR_LOCATION): _PATH},
    ),
    QbittorrentAction(
        name="set_category",
        fields={**TARGET_FIELDS, vol.Required(ATTR_NEW_CATEGORY): cv.string},
        handler=_set_category,
    ),
    QbittorrentAction(
        name="add_tags",
        fields={**TARGET_FIELDS, vol.Required(ATTR_TAGS): TAGS},
        handler=_add_tags,
    ),
    QbittorrentAction(
        name="remove_tags",
        fields={**TARGET_FIELDS, vol.Optional(ATTR_TAGS): TAGS},
        handler=_remove_tags,
    ),
    QbittorrentAction(
        name="set_torrent_limits", fields=LIMITS_FIELDS, handler=_set_limits
    ),
    QbittorrentAction(
        name="set_queue_position",
        fields={
            **TARGET_FIELDS,
            vol.Required(ATTR_POSITION): vol.In(_QUEUE_MOVES),
        },
        handler=_set_queue_position,
    ),
    QbittorrentAction(
        name="set_file_priority",
        fields=FILE_PRIORITY_FIELDS,
        handler=_set_file_priority,
    ),
    QbittorrentAction(
        name="get_torrents",
        fields=TARGET_FIELDS,
        handler=_get_torrents,
        response=SupportsResponse.ONLY,
    ),
)
