"""The torrents namespace: listing, adding and changing torrents, categories and tags.

Callers use the newest vocabulary on every server; the methods translate for older
ones:

* ``torrents_stop``/``torrents_start`` call ``torrents/pause``/``torrents/resume``
  before Web API 2.11 (qBittorrent 5.0); ``torrents_pause``/``torrents_resume`` are
  aliases.
* ``torrents_info(status_filter="stopped" | "running")`` becomes ``paused``/``resumed``
  before 2.11, and the old names given by a caller become the new ones on newer
  servers. Torrent states ``pausedUP``/``pausedDL`` read ``stoppedUP``/``stoppedDL``.
* ``torrents_add(is_stopped=...)`` sends ``stopped`` (2.11+) or ``paused``;
  ``is_skip_checking`` sends ``seedMode`` (2.16+) or ``skip_checking``.
* ``torrents_edit_tracker`` sends ``url`` (2.13+) or ``origUrl``.
* ``torrents_set_share_limits`` sends every field the server requires, with "use the
  global setting" for those the caller leaves out, and none it does not know.
* ``torrents_edit_category`` keeps the save and download paths the caller leaves out on
  servers that would otherwise require or reset them.

Results are rich by default: ``torrents_info`` gives ``Torrent`` objects that act on
themselves (``await torrent.stop()``), other JSON objects are ``Dictionary``. With
``simple_responses=True`` (per call or on the client) the plain JSON comes back
instead, which is cheaper for large answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
import contextlib
from dataclasses import dataclass
from functools import cached_property
import os
from pathlib import Path
from typing import Any, Self, cast

from .errors import (
    Conflict409Error,
    NotFound404Error,
    TorrentFileError,
    TorrentFileNotFoundError,
    TorrentFilePermissionError,
)
from .models import Dictionary, JSONObject, rich
from .namespace import Delegate, Namespace
from .params import as_path, join
from .states import normalize_states
from .transport import Transport, Upload
from .versions import APIVersion

type TorrentHashes = str | Iterable[str]
"""One hash, several (joined with ``|``), or ``"all"`` where the endpoint takes it."""
type StrPath = str | os.PathLike[str]
type TorrentFile = StrPath | bytes
"""A .torrent file: a path to read, or its content."""
type TorrentFiles = TorrentFile | Mapping[str, TorrentFile] | Iterable[TorrentFile]
"""One .torrent file, several, or file names mapped to files."""

# Web API versions where the wire vocabulary changed.
STOP_START_SINCE: APIVersion = (2, 11, 0)
"""pause/resume became stop/start; paused/resumed filters and states became stopped."""
SEED_MODE_SINCE: APIVersion = (2, 16, 0)
"""torrents/add: ``skip_checking`` became ``seedMode``."""
CONTENT_LAYOUT_SINCE: APIVersion = (2, 7, 0)
"""torrents/add: ``root_folder`` became ``contentLayout``."""
COOKIE_REMOVED_IN: APIVersion = (2, 11, 3)
"""torrents/add: ``cookie`` was removed (``app/setCookies`` replaces it)."""
TRACKER_URL_SINCE: APIVersion = (2, 13, 0)
"""torrents/editTracker: ``origUrl`` became ``url``; ``tier`` arrived."""
RENAME_PATHS_SINCE: APIVersion = (2, 7, 0)
"""torrents/renameFile: ``id``/``name`` became ``oldPath``/``newPath``."""
EDIT_CATEGORY_KEEPS_OPTIONS_SINCE: APIVersion = (2, 16, 2)
"""torrents/editCategory no longer requires ``savePath`` nor resets what is left out."""
EDIT_CATEGORY_UNCHANGED_OK_SINCE: APIVersion = (2, 15, 1)
"""torrents/editCategory accepts an edit that changes nothing (404 for unknown)."""
TAG_FILTER_SINCE: APIVersion = (2, 8, 3)
"""torrents/info filters by ``tag``; older servers ignore it, so the client filters."""
FILE_INDEXES_SINCE: APIVersion = (2, 8, 2)
"""torrents/files takes ``indexes`` and names each file's ``index``."""
# torrents/info options that older servers ignore.
PRIVATE_FILTER_SINCE: APIVersion = (2, 11, 1)
INCLUDE_TRACKERS_SINCE: APIVersion = (2, 11, 4)
INCLUDE_FILES_SINCE: APIVersion = (2, 11, 8)
# torrents/setShareLimits: the fields each version requires.
INACTIVE_SEEDING_LIMIT_SINCE: APIVersion = (2, 9, 2)
SHARE_LIMIT_ACTION_SINCE: APIVersion = (2, 12, 0)
SHARE_LIMITS_MODE_SINCE: APIVersion = (2, 15, 3)

USE_GLOBAL_LIMIT = -2
"""Share limits: use the global (or category) setting."""
NO_LIMIT = -1
"""Share limits: no limit."""
DEFAULT_SHARE_LIMIT_ACTION = "Default"
DEFAULT_SHARE_LIMITS_MODE = "Default"

_OLD_FILTERS = {"stopped": "paused", "running": "resumed"}
_NEW_FILTERS = {old: new for new, old in _OLD_FILTERS.items()}
_TORRENT_CONTENT_TYPE = "application/x-bittorrent"


@dataclass(frozen=True, slots=True)
class TorrentsAddResult:
    """What ``torrents_add`` achieved.

    qBittorrent 5.2+ (Web API 2.14+) reports counts and the added torrents' ids;
    older servers only say that at least one torrent was added, so every field is
    None there. When nothing at all was added, ``torrents_add`` raises
    ``Conflict409Error`` instead, except on qBittorrent 4.2 and older, which answer
    a torrent already there as added.
    """

    success_count: int | None = None
    """Torrents added."""
    failure_count: int | None = None
    """Torrents refused, such as those already present."""
    pending_count: int | None = None
    """URLs still being downloaded; each may still fail."""
    added_torrent_ids: tuple[str, ...] | None = None
    """Ids (info hashes) of the torrents added."""


class Torrent(JSONObject):
    """One torrent as ``torrents/info`` lists it, able to act on itself.

    The keys are the wire fields (``torrent.name``, ``torrent["state"]``); states
    read ``stoppedUP``/``stoppedDL`` on every server. Keys that share a name with a
    method (``files``, ``trackers``, ``reannounce``, ``get``, ``keys`` ...) are read
    by subscription: ``torrent["reannounce"]``.

    A torrent holds the JSON object the server sent rather than a copy (see
    ``JSONObject``), so that listing ten thousand torrents costs next to nothing
    beyond decoding them. It reads and writes like a dict and equals the server's
    JSON for it; ``dict(torrent)`` is a plain ``dict``, for ``json.dumps`` and the
    like. Changing its fields changes nothing on the server: the actions do.
    """

    __slots__ = ("_client",)

    def __init__(self, client: TorrentsAPIMixIn, data: dict[str, Any]) -> None:
        """Hold the client that listed the torrent, and its JSON object (not a copy)."""
        super().__init__(data)
        self._client = client

    def _holding(self, data: dict[str, Any]) -> Self:
        return type(self)(self._client, data)

    @property
    def info_hash(self) -> str:
        """Return the torrent's id (hash), the key every action uses."""
        info_hash: str = self["hash"]
        return info_hash

    async def refresh(self) -> None:
        """Read the torrent again from the server and update its fields.

        A torrent the server no longer has keeps the fields it had.
        """
        found = await self._client.torrents_info(
            torrent_hashes=self.info_hash, simple_responses=True
        )
        if found:
            self._data.update(found[0])

    async def properties(self, **kwargs: Any) -> Dictionary:
        """Return the torrent's properties (``torrents/properties``)."""
        return await self._client.torrents_properties(self.info_hash, **kwargs)

    async def trackers(self, **kwargs: Any) -> list[Dictionary]:
        """Return the torrent's trackers."""
        return await self._client.torrents_trackers(self.info_hash, **kwargs)

    async def webseeds(self, **kwargs: Any) -> list[Dictionary]:
        """Return the torrent's web seeds."""
        return await self._client.torrents_webseeds(self.info_hash, **kwargs)

    async def files(self, **kwargs: Any) -> list[Dictionary]:
        """Return the torrent's files."""
        return await self._client.torrents_files(self.info_hash, **kwargs)

    async def piece_states(self, **kwargs: Any) -> list[int]:
        """Return each piece's state: 0 missing, 1 downloading, 2 complete."""
        return await self._client.torrents_piece_states(self.info_hash, **kwargs)

    async def piece_hashes(self, **kwargs: Any) -> list[str]:
        """Return each piece's SHA-1 hash, hex."""
        return await self._client.torrents_piece_hashes(self.info_hash, **kwargs)

    async def stop(self, **kwargs: Any) -> None:
        """Stop (pause) the torrent."""
        await self._client.torrents_stop(self.info_hash, **kwargs)

    async def start(self, **kwargs: Any) -> None:
        """Start (resume) the torrent."""
        await self._client.torrents_start(self.info_hash, **kwargs)

    pause = stop
    resume = start

    async def delete(self, delete_files: bool = False, **kwargs: Any) -> None:
        """Remove the torrent, and its data with ``delete_files``."""
        await self._client.torrents_delete(
            delete_files=delete_files, torrent_hashes=self.info_hash, **kwargs
        )

    async def recheck(self, **kwargs: Any) -> None:
        """Check the torrent's data again."""
        await self._client.torrents_recheck(self.info_hash, **kwargs)

    async def reannounce(self, **kwargs: Any) -> None:
        """Announce the torrent to its trackers now."""
        await self._client.torrents_reannounce(self.info_hash, **kwargs)

    async def increase_priority(self, **kwargs: Any) -> None:
        """Move the torrent one place up the queue."""
        await self._client.torrents_increase_priority(self.info_hash, **kwargs)

    async def decrease_priority(self, **kwargs: Any) -> None:
        """Move the torrent one place down the queue."""
        await self._client.torrents_decrease_priority(self.info_hash, **kwargs)

    async def top_priority(self, **kwargs: Any) -> None:
        """Move the torrent to the top of the queue."""
        await self._client.torrents_top_priority(self.info_hash, **kwargs)

    async def bottom_priority(self, **kwargs: Any) -> None:
        """Move the torrent to the bottom of the queue."""
        await self._client.torrents_bottom_priority(self.info_hash, **kwargs)

    async def set_location(self, location: StrPath, **kwargs: Any) -> None:
        """Move the torrent's data (this turns automatic management off)."""
        await self._client.torrents_set_location(location, self.info_hash, **kwargs)

    async def set_save_path(self, save_path: StrPath, **kwargs: Any) -> None:
        """Set the save path (ignored under automatic management)."""
        await self._client.torrents_set_save_path(save_path, self.info_hash, **kwargs)

    async def set_download_path(self, download_path: StrPath, **kwargs: Any) -> None:
        """Set the path for incomplete data (ignored under automatic management)."""
        await self._client.torrents_set_download_path(
            download_path, self.info_hash, **kwargs
        )

    async def set_category(self, category: str, **kwargs: Any) -> None:
        """Set the category; an empty string removes it."""
        await self._client.torrents_set_category(category, self.info_hash, **kwargs)

    async def add_tags(self, tags: str | Iterable[str], **kwargs: Any) -> None:
        """Add tags, creating those that do not exist."""
        await self._client.torrents_add_tags(tags, self.info_hash, **kwargs)

    async def remove_tags(
        self, tags: str | Iterable[str] | None = None, **kwargs: Any
    ) -> None:
        """Remove tags; without ``tags`` every tag of the torrent."""
        await self._client.torrents_remove_tags(tags, self.info_hash, **kwargs)

    async def set_tags(self, tags: str | Iterable[str], **kwargs: Any) -> None:
        """Replace the torrent's tags (qBittorrent 5.1+)."""
        await self._client.torrents_set_tags(tags, self.info_hash, **kwargs)

    async def download_limit(self, **kwargs: Any) -> int:
        """Return the download limit in bytes per second (0 or less: none)."""
        limits = await self._client.torrents_download_limit(self.info_hash, **kwargs)
        limit: int = limits[self.info_hash]
        return limit

    async def upload_limit(self, **kwargs: Any) -> int:
        """Return the upload limit in bytes per second (0 or less: none)."""
        limits = await self._client.torrents_upload_limit(self.info_hash, **kwargs)
        limit: int = limits[self.info_hash]
        return limit

    async def set_download_limit(self, limit: int, **kwargs: Any) -> None:
        """Limit downloads to ``limit`` bytes per second; 0 removes the limit."""
        await self._client.torrents_set_download_limit(limit, self.info_hash, **kwargs)

    async def set_upload_limit(self, limit: int, **kwargs: Any) -> None:
        """Limit uploads to ``limit`` bytes per second; 0 removes the limit."""
        await self._client.torrents_set_upload_limit(limit, self.info_hash, **kwargs)

    async def set_share_limits(
        self,
        ratio_limit: float | None = None,
        seeding_time_limit: int | None = None,
        inactive_seeding_time_limit: int | None = None,
        share_limit_action: str | None = None,
        share_limits_mode: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Set share limits; see ``TorrentsAPIMixIn.torrents_set_share_limits``."""
        await self._client.torrents_set_share_limits(
            ratio_limit=ratio_limit,
            seeding_time_limit=seeding_time_limit,
            inactive_seeding_time_limit=inactive_seeding_time_limit,
            share_limit_action=share_limit_action,
            share_limits_mode=share_limits_mode,
            torrent_hashes=self.info_hash,
            **kwargs,
        )

    async def rename(self, new_torrent_name: str, **kwargs: Any) -> None:
        """Rename the torrent (its display name, not its files)."""
        await self._client.torrents_rename(self.info_hash, new_torrent_name, **kwargs)

    async def set_comment(self, comment: str, **kwargs: Any) -> None:
        """Set the torrent's comment (qBittorrent 5.2+)."""
        await self._client.torrents_set_comment(comment, self.info_hash, **kwargs)

    async def set_auto_management(self, enable: bool = True, **kwargs: Any) -> None:
        """Turn automatic torrent management on or off."""
        await self._client.torrents_set_auto_management(
            enable, self.info_hash, **kwargs
        )

    async def toggle_sequential_download(self, **kwargs: Any) -> None:
        """Flip sequential downloading."""
        await self._client.torrents_toggle_sequential_download(self.info_hash, **kwargs)

    async def toggle_first_last_piece_priority(self, **kwargs: Any) -> None:
        """Flip first-and-last-piece priority."""
        await self._client.torrents_toggle_first_last_piece_priority(
            self.info_hash, **kwargs
        )

    async def set_force_start(self, enable: bool = True, **kwargs: Any) -> None:
        """Force-start the torrent (bypass the queue), or stop forcing it."""
        await self._client.torrents_set_force_start(enable, self.info_hash, **kwargs)

    async def set_super_seeding(self, enable: bool = True, **kwargs: Any) -> None:
        """Turn super seeding on or off."""
        await self._client.torrents_set_super_seeding(enable, self.info_hash, **kwargs)

    async def add_trackers(self, urls: str | Iterable[str], **kwargs: Any) -> None:
        """Add trackers."""
        await self._client.torrents_add_trackers(self.info_hash, urls, **kwargs)

    async def edit_tracker(
        self,
        original_url: str,
        new_url: str | None = None,
        tier: int | None = None,
        **kwargs: Any,
    ) -> None:
        """Change a tracker's URL (and, on qBittorrent 5.2+, its tier)."""
        await self._client.torrents_edit_tracker(
            self.info_hash, original_url, new_url, tier, **kwargs
        )

    async def remove_trackers(self, urls: str | Iterable[str], **kwargs: Any) -> None:
        """Remove trackers."""
        await self._client.torrents_remove_trackers(self.info_hash, urls, **kwargs)

    async def add_webseeds(self, urls: str | Iterable[str], **kwargs: Any) -> None:
        """Add web seeds (qBittorrent 5.1+)."""
        await self._client.torrents_add_webseeds(self.info_hash, urls, **kwargs)

    async def edit_webseed(self, orig_url: str, new_url: str, **kwargs: Any) -> None:
        """Change a web seed's URL (qBittorrent 5.1+)."""
        await self._client.torrents_edit_webseed(
            self.info_hash, orig_url, new_url, **kwargs
        )

    async def remove_webseeds(self, urls: str | Iterable[str], **kwargs: Any) -> None:
        """Remove web seeds (qBittorrent 5.1+)."""
        await self._client.torrents_remove_webseeds(self.info_hash, urls, **kwargs)

    async def add_peers(self, peers: str | Iterable[str], **kwargs: Any) -> Dictionary:
        """Connect to peers given as ``host:port``."""
        return await self._client.torrents_add_peers(peers, self.info_hash, **kwargs)

    async def file_priority(
        self, file_ids: int | Iterable[int], priority: int, **kwargs: Any
    ) -> None:
        """Set files' priority: 0 skip, 1 normal, 6 high, 7 maximum."""
        await self._client.torrents_file_priority(
            self.info_hash, file_ids, priority, **kwargs
        )

    async def rename_file(self, old_path: str, new_path: str, **kwargs: Any) -> None:
        """Rename or move a file inside the torrent."""
        await self._client.torrents_rename_file(
            self.info_hash, old_path=old_path, new_path=new_path, **kwargs
        )

    async def rename_folder(self, old_path: str, new_path: str, **kwargs: Any) -> None:
        """Rename or move a folder inside the torrent."""
        await self._client.torrents_rename_folder(
            self.info_hash, old_path, new_path, **kwargs
        )

    async def export(self, **kwargs: Any) -> bytes | None:
        """Return the torrent's .torrent file (qBittorrent 4.5+)."""
        return await self._client.torrents_export(self.info_hash, **kwargs)


class TorrentInfoList(list[Torrent]):
    """The torrents ``torrents_info`` lists."""

    __slots__ = ()


class TorrentsAPIMixIn(Transport):
    """``torrents/*`` endpoints as flat methods: ``client.torrents_stop(hashes)``."""

    @cached_property
    def torrents(self) -> TorrentsAPI:
        """Return the torrents namespace."""
        return TorrentsAPI(self)

    # Listing and reading

    async def torrents_info(
        self,
        /,
        status_filter: str | None = None,
        *,
        category: str | None = None,
        sort: str | None = None,
        reverse: bool | None = None,
        limit: int | None = None,
        offset: int | None = None,
        torrent_hashes: TorrentHashes | None = None,
        tag: str | None = None,
        private: bool | None = None,
        include_trackers: bool | None = None,
        include_files: bool | None = None,
        **kwargs: Any,
    ) -> TorrentInfoList:
        """List torrents, all or those matching every filter given.

        Args:
            status_filter: ``all``, ``downloading``, ``seeding``, ``completed``,
                ``stopped``, ``running``, ``active``, ``inactive``, ``stalled``,
                ``stalled_uploading``, ``stalled_downloading``, ``checking``,
                ``moving`` or ``errored``. ``stopped``/``running`` work on every
                server (they are ``paused``/``resumed`` before qBittorrent 5.0, and
                those old names are accepted too).
            category: Only this category; ``""`` for torrents without one.
            sort: A field to sort by, such as ``added_on``.
            reverse: Sort in descending order.
            limit: At most this many torrents.
            offset: Skip this many first (negative: count from the end).
            torrent_hashes: Only these torrents.
            tag: Only torrents with this tag; ``""`` for untagged ones. Servers
                before qBittorrent 4.4 ignore it, so the client filters (and then
                applies ``offset`` and ``limit`` itself).
            private: Only private (True) or public (False) torrents (5.0+).
            include_trackers: Add each torrent's ``trackers`` list (5.1+).
            include_files: Add each torrent's ``files`` list (5.2+).
            **kwargs: Further API parameters, ``headers``, or ``simple_responses``.

        Returns:
            ``Torrent`` objects; plain dicts with ``simple_responses``. States read
            ``stoppedUP``/``stoppedDL`` on every server.

        Raises:
            NotImplementedError: ``private``, ``include_trackers`` or
                ``include_files`` was given to a server that would ignore it.
        """
        simple = self._simple(kwargs)
        version = await self.api_version()
        if status_filter is not None:
            renames = _OLD_FILTERS if version < STOP_START_SINCE else _NEW_FILTERS
            status_filter = renames.get(status_filter, status_filter)
        for name, value, since in (
            ("private", private is not None, PRIVATE_FILTER_SINCE),
            ("includeTrackers", include_trackers, INCLUDE_TRACKERS_SINCE),
            ("includeFiles", include_files, INCLUDE_FILES_SINCE),
        ):
            if value:
                await self._refuse_ignored("torrents/info", name, since)
        # Filtered here, the tag must come before the page: the server pages.
        tag_here = tag if version < TAG_FILTER_SINCE else None
        if tag_here is not None:
            tag, page, limit, offset = None, (offset, limit), None, None
        params = {
            "filter": status_filter,
            "category": category,
            "sort": sort,
            "reverse": reverse,
            "limit": limit,
            "offset": offset,
            "hashes": join(torrent_hashes),
            "tag": tag,
            "private": private,
            "includeTrackers": include_trackers,
            "includeFiles": include_files,
            **kwargs,
        }
        torrents: list[dict[str, Any]] = await self._call("torrents/info", params)
        if tag_here is not None:
            torrents = _page(_tagged(torrents, tag_here), *page)
        if version < STOP_START_SINCE:
            normalize_states(torrents)
        if simple:
            return cast("TorrentInfoList", torrents)
        # The lists includeFiles/includeTrackers add are the only objects inside a
        # torrent; the torrents themselves are wrapped, not copied, which keeps
        # large lists cheap.
        for torrent in torrents:
            for key in ("files", "trackers"):
                if key in torrent:
                    torrent[key] = rich(torrent[key])
        return TorrentInfoList([Torrent(self, torrent) for torrent in torrents])

    async def torrents_count(self, /, **kwargs: Any) -> int | None:
        """Return how many torrents the server has (qBittorrent 4.6.1+)."""
        count = await self._call("torrents/count", kwargs)
        return None if count is None else int(count)

    async def torrents_properties(
        self, /, torrent_hash: str, **kwargs: Any
    ) -> Dictionary:
        """Return one torrent's properties: sizes, times, speeds, paths, comment...

        Raises ``NotFound404Error`` for an unknown hash.
        """
        answer: Dictionary = await self._json(
            "torrents/properties", {"hash": torrent_hash, **kwargs}
        )
        return answer

    async def torrents_trackers(
        self, /, torrent_hash: str, **kwargs: Any
    ) -> list[Dictionary]:
        """Return a torrent's trackers, starting with the DHT, PeX and LSD entries.

        ``status``: 0 disabled, 1 not contacted, 2 working, 3 updating, 4 not
        working, 5 tracker error and 6 unreachable (5.2+).
        """
        answer: list[Dictionary] = await self._json(
            "torrents/trackers", {"hash": torrent_hash, **kwargs}
        )
        return answer

    async def torrents_webseeds(
        self, /, torrent_hash: str, **kwargs: Any
    ) -> list[Dictionary]:
        """Return a torrent's web seeds: ``[{"url": ...}]``."""
        answer: list[Dictionary] = await self._json(
            "torrents/webseeds", {"hash": torrent_hash, **kwargs}
        )
        return answer

    async def torrents_files(
        self,
        /,
        torrent_hash: str,
        indexes: int | Iterable[int] | None = None,
        **kwargs: Any,
    ) -> list[Dictionary]:
        """Return a torrent's files, all or those at ``indexes``.

        Each has ``index``, ``name`` (the path inside the torrent), ``size``,
        ``progress``, ``priority``, ``piece_range`` and ``availability``. A torrent
        without metadata yet has none. Servers before qBittorrent 4.3.5 list every
        file without its index, so the client numbers and picks them.
        """
        if await self.api_version() >= FILE_INDEXES_SINCE:
            params = {"hash": torrent_hash, "indexes": join(indexes)}
            answer: list[Dictionary] = await self._json(
                "torrents/files", {**params, **kwargs}
            )
            return answer
        files: list[Dictionary] = await self._json(
            "torrents/files", {"hash": torrent_hash, **kwargs}
        )
        for index, file in enumerate(files):
            file["index"] = index
        if indexes is None:
            return files
        wanted = {indexes} if isinstance(indexes, int) else set(indexes)
        return [file for file in files if file["index"] in wanted]

    async def torrents_piece_states(
        self, /, torrent_hash: str, **kwargs: Any
    ) -> list[int]:
        """Return each piece's state: 0 missing, 1 downloading, 2 complete."""
        states: list[int] = await self._call(
            "torrents/pieceStates", {"hash": torrent_hash, **kwargs}
        )
        return states

    async def torrents_piece_hashes(
        self, /, torrent_hash: str, **kwargs: Any
    ) -> list[str]:
        """Return each piece's SHA-1 hash, hex."""
        hashes: list[str] = await self._call(
            "torrents/pieceHashes", {"hash": torrent_hash, **kwargs}
        )
        return hashes

    async def torrents_piece_availability(
        self, /, torrent_hash: str, **kwargs: Any
    ) -> list[int] | None:
        """Return how many peers have each piece (5.2+); ``[]`` for a complete torrent."""
        counts: list[int] | None = await self._call(
            "torrents/pieceAvailability", {"hash": torrent_hash, **kwargs}
        )
        return counts

    async def torrents_download_limit(
        self, /, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> Dictionary:
        """Return download limits by hash, in bytes per second (0 or less: none)."""
        params = {"hashes": join(torrent_hashes)}
        answer: Dictionary = await self._json(
            "torrents/downloadLimit", {**params, **kwargs}
        )
        return answer

    async def torrents_upload_limit(
        self, /, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> Dictionary:
        """Return upload limits by hash, in bytes per second (0 or less: none)."""
        params = {"hashes": join(torrent_hashes)}
        answer: Dictionary = await self._json(
            "torrents/uploadLimit", {**params, **kwargs}
        )
        return answer

    async def torrents_export(
        self, /, torrent_hash: str, **kwargs: Any
    ) -> bytes | None:
        """Return a torrent's .torrent file (qBittorrent 4.5+)."""
        return await self._bytes("torrents/export", {"hash": torrent_hash, **kwargs})

    async def torrents_ssl_parameters(
        self, /, torrent_hash: str, **kwargs: Any
    ) -> Dictionary | None:
        """Return the SSL torrent's certificate, private key and DH parameters (5.0+)."""
        answer: Dictionary | None = await self._json(
            "torrents/SSLParameters", {"hash": torrent_hash, **kwargs}
        )
        return answer

    async def torrents_download_file(
        self, /, torrent_hash: str, file: int | str, **kwargs: Any
    ) -> bytes | None:
        """Return a completed file of a torrent (qBittorrent 5.3+).

        Args:
            torrent_hash: The torrent.
            file: The file's index, or its path as ``torrents_files`` names it
                (``name``, which starts with the torrent's folder).
            **kwargs: Further API parameters or ``headers``.

        Returns:
            The whole file, read into memory. ``Conflict409Error`` when it is not
            complete.
        """
        return await self._bytes(
            "torrents/downloadFile", {"hash": torrent_hash, "file": file, **kwargs}
        )

    # Starting, stopping, removing

    async def torrents_stop(
        self, /, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Stop torrents (``"all"`` for every one); ``torrents/pause`` before 5.0."""
        path = await self._renamed("torrents/stop", "torrents/pause")
        await self._call(path, {"hashes": join(torrent_hashes), **kwargs})

    async def torrents_start(
        self, /, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Start torrents (``"all"`` for every one); ``torrents/resume`` before 5.0."""
        path = await self._renamed("torrents/start", "torrents/resume")
        await self._call(path, {"hashes": join(torrent_hashes), **kwargs})

    async def torrents_pause(
        self, /, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Stop torrents: ``torrents_stop`` under its name before qBittorrent 5.0."""
        await self.torrents_stop(torrent_hashes, **kwargs)

    async def torrents_resume(
        self, /, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Start torrents: ``torrents_start`` under its name before qBittorrent 5.0."""
        await self.torrents_start(torrent_hashes, **kwargs)

    async def torrents_delete(
        self,
        /,
        delete_files: bool = False,
        torrent_hashes: TorrentHashes | None = None,
        **kwargs: Any,
    ) -> None:
        """Remove torrents, and their downloaded data with ``delete_files``."""
        params = {"hashes": join(torrent_hashes), "deleteFiles": delete_files}
        await self._call("torrents/delete", {**params, **kwargs})

    async def torrents_recheck(
        self, /, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Check torrents' data again."""
        await self._call("torrents/recheck", {"hashes": join(torrent_hashes), **kwargs})

    async def torrents_reannounce(
        self,
        /,
        torrent_hashes: TorrentHashes,
        urls: str | Iterable[str] | None = None,
        **kwargs: Any,
    ) -> None:
        """Announce torrents to their trackers now; to some trackers only (5.2+)."""
        params = {"hashes": join(torrent_hashes), "urls": join(urls)}
        await self._call("torrents/reannounce", {**params, **kwargs})

    # Adding

    async def torrents_add(
        self,
        /,
        urls: str | Iterable[str] | None = None,
        torrent_files: TorrentFiles | None = None,
        *,
        save_path: StrPath | None = None,
        cookie: str | None = None,
        category: str | None = None,
        is_skip_checking: bool | None = None,
        is_paused: bool | None = None,
        is_root_folder: bool | None = None,
        rename: str | None = None,
        upload_limit: int | None = None,
        download_limit: int | None = None,
        use_auto_torrent_management: bool | None = None,
        is_sequential_download: bool | None = None,
        is_first_last_piece_priority: bool | None = None,
        tags: str | Iterable[str] | None = None,
        content_layout: str | None = None,
        ratio_limit: float | None = None,
        seeding_time_limit: int | None = None,
        download_path: StrPath | None = None,
        use_download_path: bool | None = None,
        stop_condition: str | None = None,
        add_to_top_of_queue: bool | None = None,
        inactive_seeding_time_limit: int | None = None,
        share_limit_action: str | None = None,
        share_limits_mode: str | None = None,
        ssl_certificate: str | None = None,
        ssl_private_key: str | None = None,
        ssl_dh_params: str | None = None,
        is_stopped: bool | None = None,
        forced: bool | None = None,
        file_priorities: Iterable[int] | None = None,
        downloader: str | None = None,
        **kwargs: Any,
    ) -> TorrentsAddResult:
        """Add torrents from links, .torrent files, or both at once.

        Every file is read before anything is sent, so a missing or unreadable
        file adds nothing. Options left out take the server's defaults; each goes
        under the name the server knows.

        Args:
            urls: Magnet links or http(s) URLs of .torrent files: one, or several.
            torrent_files: .torrent files: a path (str or ``Path``), the file's
                bytes, a mapping of file names to either, or several of them.
            save_path: Where to save the data.
            cookie: Cookie sent with URL downloads (before qBittorrent 5.1; later
                servers take cookies from ``app/setCookies``).
            category: Category to assign.
            is_skip_checking: Skip the hash check and take the data as complete
                (``seedMode`` from 5.3, ``skip_checking`` before).
            is_paused: Old name of ``is_stopped``.
            is_root_folder: Before qBittorrent 4.3.2: create the top folder; later
                servers get the matching ``content_layout``.
            rename: Name to give the torrent.
            upload_limit: Upload limit, bytes per second.
            download_limit: Download limit, bytes per second.
            use_auto_torrent_management: Automatic torrent management.
            is_sequential_download: Download pieces in order.
            is_first_last_piece_priority: Download first and last pieces first.
            tags: Tags, as a comma-separated string or several strings.
            content_layout: ``Original``, ``Subfolder`` or ``NoSubfolder``.
            ratio_limit: Share ratio limit (-2 global, -1 none).
            seeding_time_limit: Seeding time limit in minutes (-2 global, -1 none).
            download_path: Where incomplete data goes.
            use_download_path: Use ``download_path``.
            stop_condition: ``None``, ``MetadataReceived`` or ``FilesChecked``.
            add_to_top_of_queue: Put the torrents first in the queue.
            inactive_seeding_time_limit: Inactive seeding limit in minutes (4.6+).
            share_limit_action: ``Default``, ``Stop``, ``Remove``,
                ``RemoveWithContent`` or ``EnableSuperSeeding`` (5.0+).
            share_limits_mode: ``Default``, ``MatchAny`` or ``MatchAll`` (5.3+).
            ssl_certificate: PEM certificate for SSL torrents (5.0+).
            ssl_private_key: PEM private key for SSL torrents (5.0+).
            ssl_dh_params: PEM Diffie-Hellman parameters for SSL torrents (5.0+).
            is_stopped: Add the torrents stopped (``stopped`` from 5.0, ``paused``
                before).
            forced: Force-start the torrents (5.1+).
            file_priorities: Priority of each file, for one link whose metadata
                the server already has (5.2+).
            downloader: Search plugin that downloads the URLs (5.2+).
            **kwargs: Further API parameters, or ``headers``.

        Returns:
            The counts and ids of added torrents where the server reports them
            (qBittorrent 5.2+); an empty result otherwise.

        Raises:
            ValueError: Neither ``urls`` nor ``torrent_files`` was given.
            TorrentFileNotFoundError: A file does not exist.
            TorrentFilePermissionError: A file cannot be read.
            Conflict409Error: Nothing was added (each torrent failed or was
                already there). qBittorrent 4.2 and older answer a torrent
                already there as added, so nothing is raised for it there.
            UnsupportedMediaType415Error: A file is not a valid torrent.
        """
        # The result is the same small object either way.
        if urls is None and torrent_files is None:
            raise ValueError("torrents_add needs urls or torrent_files")
        files = await _read_torrent_files(torrent_files)
        version = await self.api_version()
        if is_stopped is None:
            is_stopped = is_paused
        if is_root_folder is not None and content_layout is None:
            if version >= CONTENT_LAYOUT_SINCE:
                content_layout = "Subfolder" if is_root_folder else "NoSubfolder"
        elif content_layout is not None and version < CONTENT_LAYOUT_SINCE:
            is_root_folder = content_layout != "NoSubfolder"
        new_names = version >= STOP_START_SINCE
        seed_mode = version >= SEED_MODE_SINCE
        params = {
            "urls": join(urls, "\n"),
            "savepath": as_path(save_path),
            "cookie": cookie if version < COOKIE_REMOVED_IN else None,
            "category": category,
            "seedMode" if seed_mode else "skip_checking": is_skip_checking,
            "stopped" if new_names else "paused": is_stopped,
            "root_folder": None if version >= CONTENT_LAYOUT_SINCE else is_root_folder,
            "contentLayout": content_layout
            if version >= CONTENT_LAYOUT_SINCE
            else None,
            "rename": rename,
            "upLimit": upload_limit,
            "dlLimit": download_limit,
            "ratioLimit": ratio_limit,
            "seedingTimeLimit": seeding_time_limit,
            "inactiveSeedingTimeLimit": inactive_seeding_time_limit,
            "shareLimitAction": share_limit_action,
            "shareLimitsMode": share_limits_mode,
            "autoTMM": use_auto_torrent_management,
            "sequentialDownload": is_sequential_download,
            "firstLastPiecePrio": is_first_last_piece_priority,
            "tags": join(tags, ","),
            "downloadPath": as_path(download_path),
            "useDownloadPath": use_download_path,
            "stopCondition": stop_condition,
            "addToTopOfQueue": add_to_top_of_queue,
            "forced": forced,
            "filePriorities": join(file_priorities, ","),
            "downloader": downloader,
            "ssl_certificate": ssl_certificate,
            "ssl_private_key": ssl_private_key,
            "ssl_dh_params": ssl_dh_params,
            **kwargs,
        }
        try:
            answer = await self._call("torrents/add", params, files=files or None)
        except Conflict409Error as err:
            raise _nothing_added() from err
        if answer == "Fails.":
            raise _nothing_added()
        if not isinstance(answer, dict):
            return TorrentsAddResult()
        return TorrentsAddResult(
            success_count=answer.get("success_count"),
            failure_count=answer.get("failure_count"),
            pending_count=answer.get("pending_count"),
            added_torrent_ids=tuple(answer.get("added_torrent_ids") or ()),
        )

    async def torrents_fetch_metadata(
        self, /, source: str, downloader: str | None = None, **kwargs: Any
    ) -> Dictionary | None:
        """Ask for a torrent's metadata by magnet link, hash or URL (5.2+).

        The server fetches it in the background: until it has it, the answer holds
        only the hashes (or nothing, for a URL); call again later. Once known, the
        answer has ``info`` (files, sizes, name), ``trackers`` and ``webseeds``,
        and ``torrents_add`` with the same link uses it.
        """
        params = {"source": source, "downloader": downloader}
        answer: Dictionary | None = await self._json(
            "torrents/fetchMetadata", {**params, **kwargs}
        )
        return answer

    async def torrents_parse_metadata(
        self, /, torrent_files: TorrentFiles, **kwargs: Any
    ) -> list[Dictionary] | None:
        """Return what .torrent files describe, without adding them (5.2+).

        The server also keeps the metadata, so ``torrents_save_metadata`` and
        ``torrents_add`` with the torrent's magnet link or hash can use it.

        Returns:
            One entry per file, in the order given. (The server orders the files
            of one request its own way, and before Web API 2.13 answers an object
            keyed by file name, so each file goes in a request of its own.)
        """
        simple = self._simple(kwargs)
        files = await _read_torrent_files(torrent_files)
        if not files:
            raise ValueError("torrents_parse_metadata needs torrent_files")
        described: list[Any] = []
        for file in files:
            answer = await self._call("torrents/parseMetadata", kwargs, files=[file])
            if answer is None:
                return None
            described.extend(answer.values() if isinstance(answer, dict) else answer)
        return cast("list[Dictionary]", described if simple else rich(described))

    async def torrents_save_metadata(
        self, /, source: str, **kwargs: Any
    ) -> bytes | None:
        """Return a .torrent file made from metadata the server holds (5.2+).

        ``source`` is a magnet link, hash or URL given before to
        ``torrents_fetch_metadata`` or described by ``torrents_parse_metadata``;
        ``Conflict409Error`` while the metadata is not there yet.
        """
        return await self._bytes("torrents/saveMetadata", {"source": source, **kwargs})

    # Trackers, web seeds, peers

    async def torrents_add_trackers(
        self, /, torrent_hash: TorrentHashes, urls: str | Iterable[str], **kwargs: Any
    ) -> None:
        """Add trackers to a torrent (several torrents or ``"all"``: 5.2+).

        ``urls`` as one string takes newlines between trackers and an empty line
        between tiers.
        """
        params = {"hash": join(torrent_hash), "urls": join(urls, "\n")}
        await self._call("torrents/addTrackers", {**params, **kwargs})

    async def torrents_edit_tracker(
        self,
        /,
        torrent_hash: str,
        original_url: str,
        new_url: str | None = None,
        tier: int | None = None,
        **kwargs: Any,
    ) -> None:
        """Change a tracker's URL, and (qBittorrent 5.2+) its tier.

        ``Conflict409Error`` when the torrent has no such tracker or already has
        the new one.
        """
        version = await self.api_version()
        url_key = "url" if version >= TRACKER_URL_SINCE else "origUrl"
        params = {
            "hash": torrent_hash,
            url_key: original_url,
            "newUrl": new_url,
            "tier": tier if version >= TRACKER_URL_SINCE else None,
        }
        await self._call("torrents/editTracker", {**params, **kwargs})

    async def torrents_remove_trackers(
        self, /, torrent_hash: TorrentHashes, urls: str | Iterable[str], **kwargs: Any
    ) -> None:
        """Remove trackers (several torrents or ``"all"``: 5.2+)."""
        params = {"hash": join(torrent_hash), "urls": join(urls)}
        await self._call("torrents/removeTrackers", {**params, **kwargs})

    async def torrents_add_webseeds(
        self, /, torrent_hash: str, urls: str | Iterable[str], **kwargs: Any
    ) -> None:
        """Add web seeds (http, https or ftp URLs) to a torrent (5.1+)."""
        params = {"hash": torrent_hash, "urls": join(urls)}
        await self._call("torrents/addWebSeeds", {**params, **kwargs})

    async def torrents_edit_webseed(
        self, /, torrent_hash: str, orig_url: str, new_url: str, **kwargs: Any
    ) -> None:
        """Change a web seed's URL (5.1+)."""
        params = {"hash": torrent_hash, "origUrl": orig_url, "newUrl": new_url}
        await self._call("torrents/editWebSeed", {**params, **kwargs})

    async def torrents_remove_webseeds(
        self, /, torrent_hash: str, urls: str | Iterable[str], **kwargs: Any
    ) -> None:
        """Remove web seeds (5.1+)."""
        params = {"hash": torrent_hash, "urls": join(urls)}
        await self._call("torrents/removeWebSeeds", {**params, **kwargs})

    async def torrents_add_peers(
        self,
        /,
        peers: str | Iterable[str],
        torrent_hashes: TorrentHashes,
        **kwargs: Any,
    ) -> Dictionary:
        """Connect torrents to peers given as ``host:port``.

        Returns, by hash, how many peers were ``added`` and how many ``failed``.
        """
        params = {"hashes": join(torrent_hashes), "peers": join(peers)}
        answer: Dictionary = await self._json("torrents/addPeers", {**params, **kwargs})
        return answer

    # Queue and files

    async def torrents_increase_priority(
        self, /, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Move torrents one place up the queue (``Conflict409Error`` without queueing)."""
        params = {"hashes": join(torrent_hashes)}
        await self._call("torrents/increasePrio", {**params, **kwargs})

    async def torrents_decrease_priority(
        self, /, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Move torrents one place down the queue."""
        params = {"hashes": join(torrent_hashes)}
        await self._call("torrents/decreasePrio", {**params, **kwargs})

    async def torrents_top_priority(
        self, /, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Move torrents to the top of the queue."""
        await self._call("torrents/topPrio", {"hashes": join(torrent_hashes), **kwargs})

    async def torrents_bottom_priority(
        self, /, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Move torrents to the bottom of the queue."""
        params = {"hashes": join(torrent_hashes)}
        await self._call("torrents/bottomPrio", {**params, **kwargs})

    async def torrents_file_priority(
        self,
        /,
        torrent_hash: str,
        file_ids: int | Iterable[int],
        priority: int,
        **kwargs: Any,
    ) -> None:
        """Set files' download priority: 0 skip, 1 normal, 6 high, 7 maximum."""
        params = {
            "hash": torrent_hash,
            "id": join(file_ids),
            "priority": priority,
        }
        await self._call("torrents/filePrio", {**params, **kwargs})

    async def torrents_rename_file(
        self,
        /,
        torrent_hash: str,
        file_id: int | None = None,
        new_file_name: str | None = None,
        old_path: str | None = None,
        new_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Rename or move a file inside a torrent.

        Give ``old_path`` and ``new_path`` (paths inside the torrent, as
        ``torrents_files`` names them), or the older ``file_id`` and
        ``new_file_name`` (the new name in the same folder); each is translated
        for the server. ``Conflict409Error`` when the new path is taken.
        """
        version = await self.api_version()
        if version >= RENAME_PATHS_SINCE and old_path is None and file_id is not None:
            files = await self.torrents_files(
                torrent_hash, file_id, simple_responses=True
            )
            old_path = files[0]["name"]
            folder = old_path.rpartition("/")[0]
            new_path = f"{folder}/{new_file_name}" if folder else new_file_name
        if version >= RENAME_PATHS_SINCE:
            params: dict[str, Any] = {
                "hash": torrent_hash,
                "oldPath": old_path,
                "newPath": new_path,
            }
        else:
            if file_id is None and old_path is not None:
                file_id = await self._file_index(torrent_hash, old_path)
            if new_file_name is None and new_path is not None:
                new_file_name = new_path.rpartition("/")[2]
            params = {"hash": torrent_hash, "id": file_id, "name": new_file_name}
        await self._call("torrents/renameFile", {**params, **kwargs})

    async def torrents_rename_folder(
        self, /, torrent_hash: str, old_path: str, new_path: str, **kwargs: Any
    ) -> None:
        """Rename or move a folder inside a torrent (qBittorrent 4.3.3+)."""
        params = {"hash": torrent_hash, "oldPath": old_path, "newPath": new_path}
        await self._call("torrents/renameFolder", {**params, **kwargs})

    # Settings of torrents

    async def torrents_set_download_limit(
        self, /, limit: int, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Limit downloads to ``limit`` bytes per second; 0 removes the limit."""
        params = {"hashes": join(torrent_hashes), "limit": limit}
        await self._call("torrents/setDownloadLimit", {**params, **kwargs})

    async def torrents_set_upload_limit(
        self, /, limit: int, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Limit uploads to ``limit`` bytes per second; 0 removes the limit."""
        params = {"hashes": join(torrent_hashes), "limit": limit}
        await self._call("torrents/setUploadLimit", {**params, **kwargs})

    async def torrents_set_share_limits(
        self,
        /,
        ratio_limit: float | None = None,
        seeding_time_limit: int | None = None,
        inactive_seeding_time_limit: int | None = None,
        *,
        share_limit_action: str | None = None,
        share_limits_mode: str | None = None,
        torrent_hashes: TorrentHashes | None = None,
        **kwargs: Any,
    ) -> None:
        """Set torrents' share limits.

        The server sets every limit at once, so those left out become "use the
        global setting" (-2, ``Default``). Fields a server does not know are not
        sent: the inactive seeding limit needs qBittorrent 4.6, the action 5.2 and
        the mode 5.3.

        Args:
            ratio_limit: Share ratio (-2 global, -1 none).
            seeding_time_limit: Minutes of seeding (-2 global, -1 none).
            inactive_seeding_time_limit: Minutes of inactive seeding (-2 global,
                -1 none).
            share_limit_action: What happens at a limit: ``Default``, ``Stop``,
                ``Remove``, ``RemoveWithContent`` or ``EnableSuperSeeding``.
            share_limits_mode: ``Default``, ``MatchAny`` or ``MatchAll``.
            torrent_hashes: The torrents, or ``"all"``.
            **kwargs: Further API parameters, or ``headers``.
        """
        version = await self.api_version()

        def limit(value: float | None) -> float:
            return USE_GLOBAL_LIMIT if value is None else value

        params: dict[str, Any] = {
            "hashes": join(torrent_hashes),
            "ratioLimit": limit(ratio_limit),
            "seedingTimeLimit": limit(seeding_time_limit),
        }
        if version >= INACTIVE_SEEDING_LIMIT_SINCE:
            params["inactiveSeedingTimeLimit"] = limit(inactive_seeding_time_limit)
        if version >= SHARE_LIMIT_ACTION_SINCE:
            params["shareLimitAction"] = (
                share_limit_action or DEFAULT_SHARE_LIMIT_ACTION
            )
        if version >= SHARE_LIMITS_MODE_SINCE:
            params["shareLimitsMode"] = share_limits_mode or DEFAULT_SHARE_LIMITS_MODE
        await self._call("torrents/setShareLimits", {**params, **kwargs})

    async def torrents_set_location(
        self, /, location: StrPath, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Move torrents' data to ``location``; automatic management is turned off."""
        params = {"hashes": join(torrent_hashes), "location": as_path(location)}
        await self._call("torrents/setLocation", {**params, **kwargs})

    async def torrents_set_save_path(
        self, /, save_path: StrPath, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Set the save path of torrents not under automatic management (4.4+)."""
        params = {"id": join(torrent_hashes), "path": as_path(save_path)}
        await self._call("torrents/setSavePath", {**params, **kwargs})

    async def torrents_set_download_path(
        self, /, download_path: StrPath, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Set where incomplete data goes, for torrents not automatically managed (4.4+)."""
        params = {"id": join(torrent_hashes), "path": as_path(download_path)}
        await self._call("torrents/setDownloadPath", {**params, **kwargs})

    async def torrents_rename(
        self, /, torrent_hash: str, new_torrent_name: str, **kwargs: Any
    ) -> None:
        """Rename a torrent (its display name, not its files)."""
        params = {"hash": torrent_hash, "name": new_torrent_name}
        await self._call("torrents/rename", {**params, **kwargs})

    async def torrents_set_comment(
        self, /, comment: str, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Set torrents' comment (qBittorrent 5.2+)."""
        params = {"hashes": join(torrent_hashes), "comment": comment}
        await self._call("torrents/setComment", {**params, **kwargs})

    async def torrents_set_category(
        self, /, category: str, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Set torrents' category (``""`` for none); ``Conflict409Error`` if unknown."""
        params = {"hashes": join(torrent_hashes), "category": category}
        await self._call("torrents/setCategory", {**params, **kwargs})

    async def torrents_set_auto_management(
        self, /, enable: bool, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Turn automatic torrent management on or off."""
        params = {"hashes": join(torrent_hashes), "enable": enable}
        await self._call("torrents/setAutoManagement", {**params, **kwargs})

    async def torrents_toggle_sequential_download(
        self, /, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Flip sequential downloading of torrents."""
        params = {"hashes": join(torrent_hashes)}
        await self._call("torrents/toggleSequentialDownload", {**params, **kwargs})

    async def torrents_toggle_first_last_piece_priority(
        self, /, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Flip first-and-last-piece priority of torrents."""
        params = {"hashes": join(torrent_hashes)}
        await self._call("torrents/toggleFirstLastPiecePrio", {**params, **kwargs})

    async def torrents_set_force_start(
        self, /, enable: bool, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Force-start torrents (bypassing the queue), or stop forcing them."""
        params = {"hashes": join(torrent_hashes), "value": enable}
        await self._call("torrents/setForceStart", {**params, **kwargs})

    async def torrents_set_super_seeding(
        self, /, enable: bool, torrent_hashes: TorrentHashes, **kwargs: Any
    ) -> None:
        """Turn super seeding on or off."""
        params = {"hashes": join(torrent_hashes), "value": enable}
        await self._call("torrents/setSuperSeeding", {**params, **kwargs})

    async def torrents_set_ssl_parameters(
        self,
        /,
        torrent_hash: str,
        ssl_certificate: str,
        ssl_private_key: str,
        ssl_dh_params: str,
        **kwargs: Any,
    ) -> None:
        """Set an SSL torrent's PEM certificate, private key and DH parameters (5.0+).

        ``UnsupportedMediaType415Error`` when one of them is not valid.
        """
        params = {
            "hash": torrent_hash,
            "ssl_certificate": ssl_certificate,
            "ssl_private_key": ssl_private_key,
            "ssl_dh_params": ssl_dh_params,
        }
        await self._call("torrents/setSSLParameters", {**params, **kwargs})

    # Categories

    async def torrents_categories(self, /, **kwargs: Any) -> Dictionary | None:
        """Return the categories by name (qBittorrent 4.1.4+).

        Each has ``name``, ``savePath`` and ``download_path`` (absent or None: the
        default, False: off, or a path); from 5.2 also its share limits.
        """
        answer: Dictionary | None = await self._json("torrents/categories", kwargs)
        return answer

    async def torrents_create_category(
        self,
        /,
        name: str,
        save_path: StrPath | None = None,
        download_path: StrPath | None = None,
        enable_download_path: bool | None = None,
        *,
        ratio_limit: float | None = None,
        seeding_time_limit: int | None = None,
        inactive_seeding_time_limit: int | None = None,
        share_limit_action: str | None = None,
        share_limits_mode: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Create a category; ``Conflict409Error`` if it exists or the name is invalid.

        A ``download_path`` turns the download path on unless
        ``enable_download_path`` says otherwise. The share limits need
        qBittorrent 5.3.
        """
        params = _category_params(
            name,
            save_path=save_path,
            download_path=download_path,
            enable_download_path=enable_download_path,
            ratio_limit=ratio_limit,
            seeding_time_limit=seeding_time_limit,
            inactive_seeding_time_limit=inactive_seeding_time_limit,
            share_limit_action=share_limit_action,
            share_limits_mode=share_limits_mode,
        )
        await self._call("torrents/createCategory", {**params, **kwargs})

    async def torrents_edit_category(
        self,
        /,
        name: str,
        save_path: StrPath | None = None,
        download_path: StrPath | None = None,
        enable_download_path: bool | None = None,
        *,
        ratio_limit: float | None = None,
        seeding_time_limit: int | None = None,
        inactive_seeding_time_limit: int | None = None,
        share_limit_action: str | None = None,
        share_limits_mode: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Change a category; what is left out stays as it is.

        Servers before qBittorrent 5.3 require the save path and reset the download
        path when either is left out, so the current ones are read and sent again.
        An unknown category raises ``NotFound404Error`` on every version (older
        servers answered 409), and an edit that changes nothing is no error (older
        servers refused it with 409). The share limits need qBittorrent 5.3; 5.2
        itself resets a category's share limits on every edit. qBittorrent 4.1.3
        cannot list its categories: there a save path left out becomes the default.
        """
        version = await self.api_version()
        current: Mapping[str, Any] | None = {}
        if version < EDIT_CATEGORY_KEEPS_OPTIONS_SINCE:
            current = await self._current_category(name)
            if current is None:
                msg = f"torrents/editCategory: no category named {name!r}"
                raise NotFound404Error(msg)
            if save_path is None:
                save_path = current.get("savePath", "")
            if download_path is None and enable_download_path is None:
                kept = current.get("download_path")
                if kept is False:
                    enable_download_path = False
                elif isinstance(kept, str):
                    download_path, enable_download_path = kept, True
        params = _category_params(
            name,
            save_path=save_path,
            download_path=download_path,
            enable_download_path=enable_download_path,
            ratio_limit=ratio_limit,
            seeding_time_limit=seeding_time_limit,
            inactive_seeding_time_limit=inactive_seeding_time_limit,
            share_limit_action=share_limit_action,
            share_limits_mode=share_limits_mode,
        )
        # Older servers refuse an edit that changes nothing with 409; the category
        # exists (read above), so there that refusal means "no change".
        ignored = (
            (Conflict409Error,)
            if version < EDIT_CATEGORY_UNCHANGED_OK_SINCE and current
            else ()
        )
        with contextlib.suppress(*ignored):
            await self._call("torrents/editCategory", {**params, **kwargs})

    async def torrents_remove_categories(
        self, /, categories: str | Iterable[str], **kwargs: Any
    ) -> None:
        """Remove categories; their torrents lose the category."""
        params = {"categories": join(categories, "\n")}
        await self._call("torrents/removeCategories", {**params, **kwargs})

    # Tags

    async def torrents_tags(self, /, **kwargs: Any) -> list[str] | None:
        """Return every tag (qBittorrent 4.2+)."""
        tags: list[str] | None = await self._call("torrents/tags", kwargs)
        return tags

    async def torrents_add_tags(
        self,
        /,
        tags: str | Iterable[str],
        torrent_hashes: TorrentHashes,
        **kwargs: Any,
    ) -> None:
        """Add tags to torrents, creating tags that do not exist (4.2+)."""
        params = {"hashes": join(torrent_hashes), "tags": join(tags, ",")}
        await self._call("torrents/addTags", {**params, **kwargs})

    async def torrents_remove_tags(
        self,
        /,
        tags: str | Iterable[str] | None = None,
        torrent_hashes: TorrentHashes | None = None,
        **kwargs: Any,
    ) -> None:
        """Remove tags from torrents; without ``tags`` all of their tags (4.2+)."""
        params = {"hashes": join(torrent_hashes), "tags": join(tags, ",")}
        await self._call("torrents/removeTags", {**params, **kwargs})

    async def torrents_set_tags(
        self,
        /,
        tags: str | Iterable[str],
        torrent_hashes: TorrentHashes,
        **kwargs: Any,
    ) -> None:
        """Replace torrents' tags with ``tags`` (qBittorrent 5.1+)."""
        params = {"hashes": join(torrent_hashes), "tags": join(tags, ",")}
        await self._call("torrents/setTags", {**params, **kwargs})

    async def torrents_create_tags(
        self, /, tags: str | Iterable[str], **kwargs: Any
    ) -> None:
        """Create tags (4.2+)."""
        await self._call("torrents/createTags", {"tags": join(tags, ","), **kwargs})

    async def torrents_delete_tags(
        self, /, tags: str | Iterable[str], **kwargs: Any
    ) -> None:
        """Delete tags; torrents lose them (4.2+)."""
        await self._call("torrents/deleteTags", {"tags": join(tags, ","), **kwargs})

    # Plumbing

    async def _renamed(self, new: str, old: str) -> str:
        return new if await self.api_version() >= STOP_START_SINCE else old

    async def _current_category(self, name: str) -> Mapping[str, Any] | None:
        """Return a category as the server lists it; None when it has no such one.

        Servers without torrents/categories (before 4.1.4) cannot tell: ``{}``.
        """
        if not await self.has_endpoint("torrents/categories"):
            return {}
        categories = await self._call("torrents/categories")
        found: Mapping[str, Any] | None = (categories or {}).get(name)
        return found

    async def _file_index(self, torrent_hash: str, path: str) -> int:
        files = await self.torrents_files(torrent_hash, simple_responses=True)
        for file in files:
            if file["name"] == path:
                index: int = file["index"]
                return index
        raise Conflict409Error(f"torrents/renameFile: no file {path!r} in the torrent")


def _tagged(torrents: list[dict[str, Any]], tag: str) -> list[dict[str, Any]]:
    """Return the torrents with ``tag`` (``""``: those without any), as servers do."""

    def tags(torrent: dict[str, Any]) -> list[str]:
        return [name.strip() for name in torrent.get("tags", "").split(",") if name]

    return [t for t in torrents if (tag in tags(t) if tag else not tags(t))]


def _page[T](items: list[T], offset: int | None, limit: int | None) -> list[T]:
    """Return the part of ``items`` that the server's ``offset`` and ``limit`` mean.

    A negative offset counts from the end; one out of range starts at the beginning;
    a limit below 1 means none.
    """
    start = offset or 0
    if start < 0:
        start += len(items)
    if not 0 <= start < len(items):
        start = 0
    end = start + limit if limit is not None and limit > 0 else None
    return items[start:end]


def _category_params(
    name: str,
    *,
    save_path: StrPath | None,
    download_path: StrPath | None,
    enable_download_path: bool | None,
    ratio_limit: float | None,
    seeding_time_limit: int | None,
    inactive_seeding_time_limit: int | None,
    share_limit_action: str | None,
    share_limits_mode: str | None,
) -> dict[str, Any]:
    if download_path is not None and enable_download_path is None:
        enable_download_path = True
    return {
        "category": name,
        "savePath": as_path(save_path),
        "downloadPathEnabled": enable_download_path,
        "downloadPath": as_path(download_path),
        "ratioLimit": ratio_limit,
        "seedingTimeLimit": seeding_time_limit,
        "inactiveSeedingTimeLimit": inactive_seeding_time_limit,
        "shareLimitAction": share_limit_action,
        "shareLimitsMode": share_limits_mode,
    }


def _nothing_added() -> Conflict409Error:
    return Conflict409Error(
        "torrents/add: qBittorrent added none of the torrents "
        "(each was already there or could not be added)"
    )


async def _read_torrent_files(files: TorrentFiles | None) -> list[Upload]:
    """Return every .torrent file as an upload with a unique file name, reading paths.

    The server keys uploads by file name, so repeated names get a number.
    """
    if files is None:
        return []
    named: list[tuple[str | None, TorrentFile]]
    if isinstance(files, (str, bytes, os.PathLike)):
        named = [(None, files)]
    elif isinstance(files, Mapping):
        named = list(files.items())
    else:
        named = [(None, item) for item in files]
    contents = await asyncio.to_thread(
        lambda: [_read_torrent_file(item) for _, item in named]
    )
    result: list[Upload] = []
    taken: set[str] = set()
    for (given, item), content in zip(named, contents, strict=True):
        if given is not None:
            name = given
        elif isinstance(item, bytes):
            name = f"torrent{len(result) + 1}.torrent"
        else:
            name = Path(os.fspath(item)).name
        unique, number = name, 1
        while unique in taken:
            number += 1
            stem, dot, suffix = name.rpartition(".")
            unique = f"{stem} ({number}){dot}{suffix}" if dot else f"{name} ({number})"
        taken.add(unique)
        result.append(Upload("torrents", unique, content, _TORRENT_CONTENT_TYPE))
    return result


def _read_torrent_file(item: TorrentFile) -> bytes:
    if isinstance(item, (bytes, bytearray, memoryview)):
        return bytes(item)
    path = Path(os.fspath(item)).expanduser()
    try:
        return path.read_bytes()
    except FileNotFoundError as err:
        raise TorrentFileNotFoundError(
            err.errno, f"torrent file not found: {path}", str(path)
        ) from err
    except PermissionError as err:
        raise TorrentFilePermissionError(
            err.errno, f"torrent file not readable: {path}", str(path)
        ) from err
    except OSError as err:
        raise TorrentFileError(
            err.errno, f"torrent file cannot be read: {path}", str(path)
        ) from err


class TorrentsAPI(Namespace):
    """``client.torrents``: the flat ``torrents_*`` methods without the prefix."""

    __slots__ = ()

    info = Delegate(TorrentsAPIMixIn.torrents_info)
    count = Delegate(TorrentsAPIMixIn.torrents_count)
    properties = Delegate(TorrentsAPIMixIn.torrents_properties)
    trackers = Delegate(TorrentsAPIMixIn.torrents_trackers)
    webseeds = Delegate(TorrentsAPIMixIn.torrents_webseeds)
    files = Delegate(TorrentsAPIMixIn.torrents_files)
    piece_states = Delegate(TorrentsAPIMixIn.torrents_piece_states)
    piece_hashes = Delegate(TorrentsAPIMixIn.torrents_piece_hashes)
    piece_availability = Delegate(TorrentsAPIMixIn.torrents_piece_availability)
    download_limit = Delegate(TorrentsAPIMixIn.torrents_download_limit)
    upload_limit = Delegate(TorrentsAPIMixIn.torrents_upload_limit)
    export = Delegate(TorrentsAPIMixIn.torrents_export)
    ssl_parameters = Delegate(TorrentsAPIMixIn.torrents_ssl_parameters)
    download_file = Delegate(TorrentsAPIMixIn.torrents_download_file)
    stop = Delegate(TorrentsAPIMixIn.torrents_stop)
    start = Delegate(TorrentsAPIMixIn.torrents_start)
    pause = Delegate(TorrentsAPIMixIn.torrents_pause)
    resume = Delegate(TorrentsAPIMixIn.torrents_resume)
    delete = Delegate(TorrentsAPIMixIn.torrents_delete)
    recheck = Delegate(TorrentsAPIMixIn.torrents_recheck)
    reannounce = Delegate(TorrentsAPIMixIn.torrents_reannounce)
    add = Delegate(TorrentsAPIMixIn.torrents_add)
    fetch_metadata = Delegate(TorrentsAPIMixIn.torrents_fetch_metadata)
    parse_metadata = Delegate(TorrentsAPIMixIn.torrents_parse_metadata)
    save_metadata = Delegate(TorrentsAPIMixIn.torrents_save_metadata)
    add_trackers = Delegate(TorrentsAPIMixIn.torrents_add_trackers)
    edit_tracker = Delegate(TorrentsAPIMixIn.torrents_edit_tracker)
    remove_trackers = Delegate(TorrentsAPIMixIn.torrents_remove_trackers)
    add_webseeds = Delegate(TorrentsAPIMixIn.torrents_add_webseeds)
    edit_webseed = Delegate(TorrentsAPIMixIn.torrents_edit_webseed)
    remove_webseeds = Delegate(TorrentsAPIMixIn.torrents_remove_webseeds)
    add_peers = Delegate(TorrentsAPIMixIn.torrents_add_peers)
    increase_priority = Delegate(TorrentsAPIMixIn.torrents_increase_priority)
    decrease_priority = Delegate(TorrentsAPIMixIn.torrents_decrease_priority)
    top_priority = Delegate(TorrentsAPIMixIn.torrents_top_priority)
    bottom_priority = Delegate(TorrentsAPIMixIn.torrents_bottom_priority)
    file_priority = Delegate(TorrentsAPIMixIn.torrents_file_priority)
    rename_file = Delegate(TorrentsAPIMixIn.torrents_rename_file)
    rename_folder = Delegate(TorrentsAPIMixIn.torrents_rename_folder)
    set_download_limit = Delegate(TorrentsAPIMixIn.torrents_set_download_limit)
    set_upload_limit = Delegate(TorrentsAPIMixIn.torrents_set_upload_limit)
    set_share_limits = Delegate(TorrentsAPIMixIn.torrents_set_share_limits)
    set_location = Delegate(TorrentsAPIMixIn.torrents_set_location)
    set_save_path = Delegate(TorrentsAPIMixIn.torrents_set_save_path)
    set_download_path = Delegate(TorrentsAPIMixIn.torrents_set_download_path)
    rename = Delegate(TorrentsAPIMixIn.torrents_rename)
    set_comment = Delegate(TorrentsAPIMixIn.torrents_set_comment)
    set_category = Delegate(TorrentsAPIMixIn.torrents_set_category)
    set_auto_management = Delegate(TorrentsAPIMixIn.torrents_set_auto_management)
    toggle_sequential_download = Delegate(
        TorrentsAPIMixIn.torrents_toggle_sequential_download
    )
    toggle_first_last_piece_priority = Delegate(
        TorrentsAPIMixIn.torrents_toggle_first_last_piece_priority
    )
    set_force_start = Delegate(TorrentsAPIMixIn.torrents_set_force_start)
    set_super_seeding = Delegate(TorrentsAPIMixIn.torrents_set_super_seeding)
    set_ssl_parameters = Delegate(TorrentsAPIMixIn.torrents_set_ssl_parameters)
    categories = Delegate(TorrentsAPIMixIn.torrents_categories)
    create_category = Delegate(TorrentsAPIMixIn.torrents_create_category)
    edit_category = Delegate(TorrentsAPIMixIn.torrents_edit_category)
    remove_categories = Delegate(TorrentsAPIMixIn.torrents_remove_categories)
    tags = Delegate(TorrentsAPIMixIn.torrents_tags)
    add_tags = Delegate(TorrentsAPIMixIn.torrents_add_tags)
    remove_tags = Delegate(TorrentsAPIMixIn.torrents_remove_tags)
    set_tags = Delegate(TorrentsAPIMixIn.torrents_set_tags)
    create_tags = Delegate(TorrentsAPIMixIn.torrents_create_tags)
    delete_tags = Delegate(TorrentsAPIMixIn.torrents_delete_tags)
