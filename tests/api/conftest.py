"""Fixtures for the client's tests, which run without Home Assistant.

A live test names the catalog endpoints it exercises with
``@pytest.mark.endpoints("torrents/stop", ...)``. While it runs, every endpoint call
the client makes is recorded (``endpoint_calls``), and the test fails if it did not
call each endpoint it names that its server has. ``test_catalog.py`` fails when a
catalog endpoint is named by no test.

Fixtures here:

- ``client``: a client logged in to the module's server.
- ``strict``: a client of the module's server made with
  ``raise_notimplementederror_for_unimplemented_api_endpoints=True`` (not yet logged
  in); with ``client`` it feeds ``helpers.assert_absent`` for endpoints a server lacks.
- ``proxy``: a ``tests.proxy.Proxy`` in front of the module's server, which records
  requests and injects faults; ``helpers.client_for(qbittorrent, proxy.url)`` goes
  through it.
- ``feeds``: a ``tests.feeds_server.FeedsServer`` serving feeds and .torrent files,
  on a new port for each test.
- ``endpoint_calls``: the endpoints called so far, in order (logins included).

- ``qbittorrent``: the module's server, once for each version in
  ``CLIENT_TEST_VERSIONS`` (the Home Assistant tests run only two of them).

From ``tests/conftest.py``: ``webui`` (an independent session with it), ``qbittorrent_factory``, and
``private_server`` with ``private_webui`` (a server of the module's version for this
test alone). Besides ``get`` and ``post``, a ``tests.webui.WebUI`` has
``set_preferences``, ``temporary_preferences`` (set for a block, restored after),
``last_log_id`` and ``logged_since`` (main-log entries after an id), ``get_or_none``
(None for a 404), ``torrent``, ``add_torrent`` and ``delete_torrents`` (waits until
they are gone). Every server refreshes its statistics every 0.1 s (see
``tests.servers``), so no test needs to set ``refresh_interval``.

Plain helpers are in ``helpers.py``: ``client_for`` (a client with a server's
credentials, at its URL or a proxy's), ``unique`` (names), ``has`` (whether a
server's version has endpoints), ``at_least`` (whether its Web API is a version or newer), ``assert_absent`` (an absent endpoint returns None,
and raises with ``strict``) and the session-cookie helpers ``session_cookie``,
``session_is_valid`` and ``forget_session``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from custom_components.qbittorrent_plus.api import ENDPOINTS, Client
from custom_components.qbittorrent_plus.api.transport import Transport
from custom_components.qbittorrent_plus.api.versions import parse_version
from tests.api.helpers import client_for
from tests.servers import VERSIONS, QbittorrentServer, running_server

# qBittorrent 4.2.5 runs in tests/test_servers.py (its sealed profile and the check
# that refuses DHT); the client's tests do not follow all of its differences yet.
CLIENT_TEST_VERSIONS = tuple(version for version in VERSIONS if version != "4.2.5")


@pytest.fixture(scope="module", params=CLIENT_TEST_VERSIONS, ids=lambda v: f"qbt-{v}")
def qbittorrent(request: pytest.FixtureRequest) -> Iterator[QbittorrentServer]:
    """Run a server of each version the client is tested with, for a module."""
    with running_server(request.param) as server:
        yield server


@pytest.fixture(autouse=True)
def live_sockets(socket_enabled: None) -> None:
    """Every client test talks to a real server on 127.0.0.1."""


@pytest.fixture(autouse=True)
def endpoint_calls(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[str]]:
    """Record the endpoints called; check them against the test's marker."""
    called: list[str] = []

    def record(name: str) -> None:
        original = getattr(Transport, name)

        async def recording(
            self: Transport, method_or_path: str, *args: Any, **kwargs: Any
        ) -> Any:
            # _call(path, ...) checks the version first; _send(method, path, ...)
            # also carries the logins and version reads.
            called.append(args[0] if name == "_send" else method_or_path)
            return await original(self, method_or_path, *args, **kwargs)

        monkeypatch.setattr(Transport, name, recording)

    record("_call")
    record("_send")
    yield called

    marker = request.node.get_closest_marker("endpoints")
    server = request.node.funcargs.get("qbittorrent")
    if marker is None or not isinstance(server, QbittorrentServer):
        return
    version = parse_version(server.api_version)
    expected = {path for path in marker.args if ENDPOINTS[path].exists_in(version)}
    missing = expected - set(called)
    assert not missing, f"the test names endpoints it never called: {sorted(missing)}"


@pytest.fixture
async def client(qbittorrent: QbittorrentServer) -> AsyncIterator[Client]:
    """Return a client logged in to the module's server."""
    async with client_for(qbittorrent) as api:
        await api.auth_log_in()
        yield api


@pytest.fixture
async def strict(qbittorrent: QbittorrentServer) -> AsyncIterator[Client]:
    """Return a client that raises NotImplementedError for endpoints its server lacks."""
    async with client_for(
        qbittorrent, raise_notimplementederror_for_unimplemented_api_endpoints=True
    ) as api:
        yield api
