"""Fixtures shared by every test: real qBittorrent servers and Home Assistant."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import (
    DeviceRegistryEntrySnapshot,
    EntityRegistryEntrySnapshot,
    HomeAssistantSnapshotExtension,
    HomeAssistantSnapshotSerializer,
)
from syrupy.assertion import SnapshotAssertion
from syrupy.types import SerializableData

from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .actions import Refuse, refusal, set_up_through
from .feeds_server import FeedsServer
from .proxy import Proxy
from .server_torrents import server_state
from .servers import HA_VERSIONS, QbittorrentServer, running_server
from .webui import WebUI, wait_for

# A real start of the newest Home Assistant, in its own environment without this
# harness: scripts/test-window runs it.
collect_ignore = ["start"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the project's markers."""
    config.addinivalue_line(
        "markers", "endpoints(*paths): the Web API endpoints a live test exercises"
    )


# The registry fields snapshots show: what the integration declares. Releases add
# fields (2026.10 object_id_base, 2026.11 compat_name), rename them (a device's
# config_entries became config_entry_id) or change their form (aliases), so the
# snapshots name these alone and hold on every supported release.
ENTITY_FIELDS = (
    "capabilities",
    "device_class",
    "disabled_by",
    "domain",
    "entity_category",
    "entity_id",
    "has_entity_name",
    "hidden_by",
    "icon",
    "name",
    "options",
    "original_device_class",
    "original_icon",
    "original_name",
    "platform",
    "supported_features",
    "translation_key",
    "unique_id",
    "unit_of_measurement",
)
DEVICE_FIELDS = (
    "configuration_url",
    "connections",
    "disabled_by",
    "entry_type",
    "hw_version",
    "identifiers",
    "manufacturer",
    "model",
    "model_id",
    "name",
    "name_by_user",
    "serial_number",
    "sw_version",
    "via_device_id",
)


def text_keys(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Return a mapping with its keys as text.

    2026.10 writes the names of attributes and capabilities as enum members, earlier
    releases as text.
    """
    return {str(key): value for key, value in mapping.items()}


class SnapshotSerializer(HomeAssistantSnapshotSerializer):
    """Home Assistant's serializer, with what every supported release writes alike."""

    @classmethod
    def _serializable_entity_registry_entry(
        cls, data: er.RegistryEntry
    ) -> SerializableData:
        serialized = super()._serializable_entity_registry_entry(data)
        if data.capabilities is not None:
            serialized["capabilities"] = text_keys(data.capabilities)
        return EntityRegistryEntrySnapshot({k: serialized[k] for k in ENTITY_FIELDS})

    @classmethod
    def _serializable_device_registry_entry(
        cls, data: dr.DeviceEntry
    ) -> SerializableData:
        serialized = super()._serializable_device_registry_entry(data)
        return DeviceRegistryEntrySnapshot({k: serialized[k] for k in DEVICE_FIELDS})

    @classmethod
    def _serializable_state(cls, data: State) -> SerializableData:
        serialized = super()._serializable_state(data)
        serialized["attributes"] = text_keys(data.attributes)
        return serialized


class SnapshotExtension(HomeAssistantSnapshotExtension):
    """Home Assistant's snapshot extension, with ``SnapshotSerializer``."""

    serializer_class = SnapshotSerializer


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Return the snapshot assertion with a serializer for every release."""
    return snapshot.use_extension(SnapshotExtension)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """Let Home Assistant load the integration, in the tests that start one."""
    if "hass" in request.fixturenames:
        request.getfixturevalue("enable_custom_integrations")


@pytest.fixture(scope="module", params=HA_VERSIONS, ids=lambda v: f"qbt-{v}")
def qbittorrent(request: pytest.FixtureRequest) -> Iterator[QbittorrentServer]:
    """Run a server of each version the Home Assistant tests use, for a module.

    The client's tests (tests/api) run every version instead.
    """
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
