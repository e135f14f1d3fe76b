"""The sync namespace: maindata and torrent peers, with deltas.

These methods return one response each. ``MainData`` and ``TorrentPeers`` (in
``maindata.py``) keep the rid and merge the deltas into a full state.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from .models import Dictionary, JSONObject
from .namespace import Delegate, Namespace
from .states import normalize_states
from .transport import Transport
from .versions import APIVersion

# Web API 2.11.0 (qBittorrent 5.0) renamed the paused torrent states to stopped.
STOPPED_STATES_SINCE: APIVersion = (2, 11, 0)


def rich_delta(data: dict[str, Any]) -> Dictionary:
    """Return a sync answer rich: ``Dictionary`` objects around ``JSONObject`` entries.

    The answer and its sections (``torrents``, ``categories``, ``server_state``,
    ``trackers``, ``peers`` ...) become ``Dictionary`` objects; the entries of a
    section keyed by id (a torrent, a category, a peer) become ``JSONObject``
    objects, which hold the decoded entries rather than copy them. Nothing nests
    deeper, and a full update of ten thousand torrents stays cheap.
    """
    result = Dictionary(data)
    for key, value in data.items():
        if isinstance(value, dict):
            result[key] = Dictionary(
                {
                    name: JSONObject(item) if isinstance(item, dict) else item
                    for name, item in value.items()
                }
            )
    return result


class SyncAPIMixIn(Transport):
    """``sync/*`` endpoints as flat methods: ``client.sync_maindata(rid=5)``."""

    @cached_property
    def sync(self) -> SyncAPI:
        """Return the sync namespace."""
        return SyncAPI(self)

    async def sync_maindata(self, /, rid: int = 0, **kwargs: Any) -> dict[str, Any]:
        """Return the changes since the response that carried ``rid``.

        With ``rid=0`` (or a rid the server does not know) the answer is a full update
        (``"full_update": true``). Keys of unchanged parts are left out; see
        ``MainData`` for a state that merges these deltas. Torrent states use the
        newest names (``stoppedUP``/``stoppedDL``) on every server.

        Args:
            rid: The ``rid`` of the previous response, or 0 for everything.
            **kwargs: Further API parameters, ``headers``, or ``simple_responses``.

        Returns:
            The plain JSON with ``simple_responses``, else a ``Dictionary`` whose
            sections (``torrents``, ``categories``, ``server_state`` ...) are
            ``Dictionary`` objects too, and each torrent and category in them a
            ``JSONObject`` (see ``rich_delta``).
        """
        simple = self._simple(kwargs)
        data: dict[str, Any] = await self._call("sync/maindata", {"rid": rid, **kwargs})
        torrents = data.get("torrents")
        if torrents and await self.api_version() < STOPPED_STATES_SINCE:
            normalize_states(torrents.values())
        return data if simple else rich_delta(data)

    async def sync_torrent_peers(
        self, /, torrent_hash: str, rid: int = 0, **kwargs: Any
    ) -> dict[str, Any]:
        """Return the changes to one torrent's peers since the response with ``rid``.

        The server keeps one peer sync state per session, not per torrent: a rid
        from one torrent's answers is only meaningful for the same torrent (see
        ``TorrentPeers``). Raises ``NotFound404Error`` for an unknown hash.

        Args:
            torrent_hash: The torrent's hash.
            rid: The ``rid`` of the previous response, or 0 for everything.
            **kwargs: Further API parameters, ``headers``, or ``simple_responses``.

        Returns:
            ``{"rid", "full_update"?, "show_flags"?, "peers"?, "peers_removed"?}`` as
            plain JSON with ``simple_responses``, else as a ``Dictionary`` whose
            ``peers`` is a ``Dictionary`` of ``JSONObject`` peers.
        """
        simple = self._simple(kwargs)
        data: dict[str, Any] = await self._call(
            "sync/torrentPeers", {"hash": torrent_hash, "rid": rid, **kwargs}
        )
        return data if simple else rich_delta(data)


class SyncAPI(Namespace):
    """``client.sync``: ``await client.sync.maindata(rid=5)``."""

    __slots__ = ()

    maindata = Delegate(SyncAPIMixIn.sync_maindata)
    torrent_peers = Delegate(SyncAPIMixIn.sync_torrent_peers)
