"""The torrentcreator namespace: making .torrent files on the server.

A task hashes files on the server's file system in the background: add it, poll its
status until ``Finished`` (or ``Failed``), fetch the .torrent file, then delete the
task. Every endpoint needs Web API 2.10.4 (qBittorrent 5.0.0) or newer.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import cached_property
import os
from typing import Any, Literal

from .models import Dictionary
from .namespace import Delegate, Namespace
from .params import as_path, join
from .transport import Transport


class TaskStatus(StrEnum):
    """The ``status`` of a torrent creation task."""

    QUEUED = "Queued"
    RUNNING = "Running"
    FINISHED = "Finished"
    FAILED = "Failed"


class TorrentCreatorAPIMixIn(Transport):
    """``torrentcreator/*`` endpoints as flat methods."""

    @cached_property
    def torrentcreator(self) -> TorrentCreatorAPI:
        """Return the torrentcreator namespace."""
        return TorrentCreatorAPI(self)

    async def torrentcreator_add_task(
        self,
        /,
        source_path: str | os.PathLike[str],
        *,
        torrent_file_path: str | os.PathLike[str] | None = None,
        format: Literal["v1", "v2", "hybrid"] | None = None,  # noqa: A002 - the API's name
        start_seeding: bool | None = None,
        is_private: bool | None = None,
        optimize_alignment: bool | None = None,
        padded_file_size_limit: int | None = None,
        piece_size: int | None = None,
        comment: str | None = None,
        source: str | None = None,
        trackers: str | Iterable[str] | None = None,
        url_seeds: str | Iterable[str] | None = None,
        ignore_dotfiles: bool | None = None,
        **kwargs: Any,
    ) -> Dictionary | None:
        """Queue a task that makes a torrent of a file or folder on the server.

        Args:
            source_path: The file or folder to make the torrent of, on the server.
            torrent_file_path: Where the server also saves the .torrent file.
            format: ``v1``, ``v2`` or ``hybrid`` (the server's default).
            start_seeding: Add the new torrent to the server, seeding from
                ``source_path`` (the server does unless told otherwise).
            is_private: Mark the torrent private (no DHT, PeX or LSD).
            optimize_alignment: Align files to pieces with padding files (v1).
            padded_file_size_limit: Only files larger than this many bytes are
                aligned.
            piece_size: Bytes per piece, a power of two; 0 or unset lets the server
                choose.
            comment: The torrent's comment.
            source: The torrent's ``source`` field (private trackers use it).
            trackers: Announce URLs; an empty string starts the next tier.
            url_seeds: Web seed URLs.
            ignore_dotfiles: Leave out files whose names start with a dot (the
                server's default); Web API 2.16.0 (qBittorrent 5.3.0) and newer.
            **kwargs: More API parameters, ``headers``, ``simple_responses``.

        Returns:
            ``{"taskID": ...}``. A source that cannot be read still makes a task,
            which fails.
        """
        params = {
            "sourcePath": as_path(source_path),
            "torrentFilePath": as_path(torrent_file_path),
            "format": format,
            "startSeeding": start_seeding,
            "private": is_private,
            "optimizeAlignment": optimize_alignment,
            "paddedFileSizeLimit": padded_file_size_limit,
            "pieceSize": piece_size,
            "comment": comment,
            "source": source,
            # An empty string among the trackers starts the next tier.
            "trackers": join(trackers),
            "urlSeeds": join(url_seeds),
            "ignoreDotfiles": ignore_dotfiles,
            **kwargs,
        }
        task: Dictionary | None = await self._json("torrentcreator/addTask", params)
        return task

    async def torrentcreator_status(
        self, /, task_id: str | None = None, **kwargs: Any
    ) -> list[Dictionary] | None:
        """Return the status of one task, or of every task.

        Each has ``taskID``, ``status`` (see ``TaskStatus``), ``progress`` while it
        runs, ``errorMessage`` when it failed, ``timeAdded``/``timeStarted``/
        ``timeFinished`` and the task's parameters (``sourcePath``, ``format``,
        ``pieceSize``, ``private``, ``trackers``, ``urlSeeds``, ...). The times are
        seconds since the epoch from Web API 2.16.0 (qBittorrent 5.3.0) on, and text
        before. Raises ``NotFound404Error`` for an unknown task.
        """
        params = {"taskID": task_id, **kwargs}
        status: list[Dictionary] | None = await self._json(
            "torrentcreator/status", params
        )
        return status

    async def torrentcreator_torrent_file(
        self, /, task_id: str, **kwargs: Any
    ) -> bytes | None:
        """Return the .torrent file a finished task made.

        Raises ``Conflict409Error`` while the task is unfinished or when it failed,
        and ``NotFound404Error`` for an unknown task.
        """
        params = {"taskID": task_id, **kwargs}
        return await self._bytes("torrentcreator/torrentFile", params)

    async def torrentcreator_delete_task(self, /, task_id: str, **kwargs: Any) -> None:
        """Delete a task and the .torrent file it made; a running task stops.

        Raises ``NotFound404Error`` for an unknown task.
        """
        await self._call("torrentcreator/deleteTask", {"taskID": task_id, **kwargs})


class TorrentCreatorAPI(Namespace):
    """``client.torrentcreator``: ``await client.torrentcreator.add_task(path)``."""

    __slots__ = ()

    add_task = Delegate(TorrentCreatorAPIMixIn.torrentcreator_add_task)
    status = Delegate(TorrentCreatorAPIMixIn.torrentcreator_status)
    torrent_file = Delegate(TorrentCreatorAPIMixIn.torrentcreator_torrent_file)
    delete_task = Delegate(TorrentCreatorAPIMixIn.torrentcreator_delete_task)
