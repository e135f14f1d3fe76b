"""Fixtures for the client's tests, which run without Home Assistant.

A live test names the catalog endpoints it exercises with
``@pytest.mark.endpoints("torrents/stop", ...)``. While it runs, every endpoint call
the client makes is recorded, and the test fails if it did not call each endpoint it
names that its server has. ``test_catalog.py`` fails when a catalog endpoint is named
by no test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from custom_components.qbittorrent_plus.api import ENDPOINTS, Client
from custom_components.qbittorrent_plus.api.transport import Transport
from custom_components.qbittorrent_plus.api.versions import parse_version
from tests.servers import QbittorrentServer


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
    async with Client(
        qbittorrent.url, qbittorrent.username, qbittorrent.password
    ) as api:
        await api.auth_log_in()
        yield api
