"""Fixtures shared by every test: real qBittorrent servers and Home Assistant."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .actions import Refuse, refusal, set_up_through
from .feeds_server import FeedsServer
from .proxy import Proxy
from .server_torrents import server_state
from .servers import VERSIONS, QbittorrentServer, running_server
from .webui import WebUI, wait_for


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


@pytest.fixture
async def server(webui: WebUI) -> AsyncIterator[WebUI]:
    """Return the WebUI session; afterwards, remove every torrent, category and tag.

    The server publishes torrent changes every 0.1 s rather than every 1.5 s.
    """
    await webui.set_preferences(refresh_interval=100)
    yield webui
    await webui.post("torrents/delete", {"hashes": "all", "deleteFiles": "false"})

    async def empty() -> bool:
        return bool(await webui.get("torrents/info") == [])

    await wait_for(empty)
    if categories := await webui.get("torrents/categories"):
        await webui.post(
            "torrents/removeCategories", {"categories": "\n".join(categories)}
        )
    if tags := await webui.get("torrents/tags"):
        await webui.post("torrents/deleteTags", {"tags": ",".join(tags)})


@pytest.fixture
async def entry(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, proxy: Proxy
) -> MockConfigEntry:
    """Set up the integration, through the proxy, without entities."""
    return await set_up_through(hass, qbittorrent, proxy)


@pytest.fixture
def refused(hass: HomeAssistant, server: WebUI, proxy: Proxy) -> Refuse:
    """Return a caller of actions that must be refused, with nothing changed.

    Nothing that changes the server may have been sent through the entry's proxy,
    and the server must show what it showed before.
    """

    async def refuse(
        translation_key: str, action: str, **data: Any
    ) -> ServiceValidationError:
        return await refusal(
            hass,
            proxy,
            action,
            data,
            key=translation_key,
            state=lambda: server_state(server),
        )

    return refuse
