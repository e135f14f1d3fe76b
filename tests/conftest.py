"""Fixtures shared by every test: real qBittorrent servers and Home Assistant."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from .feeds_server import FeedsServer
from .proxy import Proxy
from .servers import VERSIONS, QbittorrentServer, running_server
from .webui import WebUI

# A real start of the newest Home Assistant, in its own environment without this
# harness: scripts/test-window runs it.
collect_ignore = ["start"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the project's markers."""
    config.addinivalue_line(
        "markers", "endpoints(*paths): the Web API endpoints a live test exercises"
    )


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Return the snapshot assertion with Home Assistant's serializer."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """Let Home Assistant load the integration, in the tests that start one."""
    if "hass" in request.fixturenames:
        request.getfixturevalue("enable_custom_integrations")


@pytest.fixture(scope="module", params=VERSIONS, ids=lambda v: f"qbt-{v}")
def qbittorrent(request: pytest.FixtureRequest) -> Iterator[QbittorrentServer]:
    """Run one server of each supported version, shared by the tests of a module."""
    with running_server(request.param) as server:
        yield server


@pytest.fixture
def qbittorrent_factory() -> Iterator[Callable[[str], QbittorrentServer]]:
    """Start private servers for tests that stop, break or reconfigure them."""
    servers: list[QbittorrentServer] = []

    def start(version: str) -> QbittorrentServer:
        server = QbittorrentServer(version)
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.destroy()


@pytest.fixture
def private_server(
    qbittorrent: QbittorrentServer,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
) -> QbittorrentServer:
    """Start a private server of the module's version, to stop, break or reconfigure."""
    return qbittorrent_factory(qbittorrent.version)


@pytest.fixture
async def private_webui(
    private_server: QbittorrentServer, socket_enabled: None
) -> AsyncIterator[WebUI]:
    """Return a logged-in, independent session with the private server."""
    async with WebUI(private_server) as session:
        yield session


@pytest.fixture
async def webui(
    qbittorrent: QbittorrentServer, socket_enabled: None
) -> AsyncIterator[WebUI]:
    """Return a logged-in, independent session with the module's server."""
    async with WebUI(qbittorrent) as session:
        yield session


@pytest.fixture
async def proxy(
    qbittorrent: QbittorrentServer, socket_enabled: None
) -> AsyncIterator[Proxy]:
    """Return a recording, fault-injecting proxy in front of the module's server."""
    async with Proxy(qbittorrent.url) as running:
        yield running


@pytest.fixture
async def feeds(socket_enabled: None) -> AsyncIterator[FeedsServer]:
    """Serve feeds and .torrent files; a new port per test keeps their URLs unique."""
    async with FeedsServer() as server:
        yield server


@pytest.fixture
async def normal_speed_limits(webui: WebUI) -> AsyncIterator[None]:
    """Put the normal speed limits back in force after the test, however it ends."""
    yield
    if await webui.get("transfer/speedLimitsMode") == "1":
        await webui.post("transfer/toggleSpeedLimitsMode")
