"""The client: every namespace of the Web API on one transport."""

from __future__ import annotations

from .app import AppAPIMixIn
from .auth import AuthAPIMixIn
from .clientdata import ClientDataAPIMixIn
from .log import LogAPIMixIn
from .rss import RSSAPIMixIn
from .search import SearchAPIMixIn
from .sync import SyncAPIMixIn
from .torrentcreator import TorrentCreatorAPIMixIn
from .torrents import TorrentsAPIMixIn
from .transfer import TransferAPIMixIn


class Client(
    AuthAPIMixIn,
    AppAPIMixIn,
    LogAPIMixIn,
    SyncAPIMixIn,
    TransferAPIMixIn,
    TorrentsAPIMixIn,
    RSSAPIMixIn,
    SearchAPIMixIn,
    TorrentCreatorAPIMixIn,
    ClientDataAPIMixIn,
):
    """An async client for one qBittorrent WebUI.

    Every endpoint is a flat method (``await client.torrents_info()``) and a
    namespace method (``await client.torrents.info()``). Nothing is sent until the
    first call, which logs in when the client has a username and password.

    Results are rich by default: JSON objects come as ``Dictionary`` objects (dicts
    whose keys read as attributes too), torrents as ``Torrent`` objects that act on
    themselves, and the entries of ``sync/*`` answers as ``JSONObject`` objects
    (see ``models``). ``simple_responses=True``, on the client or per call, gives
    the plain decoded JSON instead. A method whose endpoint the server's version
    lacks returns None, or raises ``NotImplementedError`` naming the version it
    needs when the client is made with
    ``raise_notimplementederror_for_unimplemented_api_endpoints=True``.
    """
