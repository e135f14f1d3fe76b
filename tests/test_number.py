"""The speed limits as number entities, against real servers of every version."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
import json

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.qbittorrent_plus.coordinator import PREFERENCES_INTERVAL
from homeassistant.components.number.const import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .platforms import named_entry, poll, set_up, state_of
from .servers import QbittorrentServer
from .webui import WebUI

pytestmark = pytest.mark.usefixtures("socket_enabled")

LIMITS = ("dl_limit", "up_limit", "alt_dl_limit", "alt_up_limit")
DOWNLOAD = "number.qbittorrent_download_limit"
UPLOAD = "number.qbittorrent_upload_limit"
ALT_DOWNLOAD = "number.qbittorrent_alternative_download_limit"
ALT_UPLOAD = "number.qbittorrent_alternative_upload_limit"
# Home Assistant polls at most once in this time after actions (its debouncer).
ACTION_COOLDOWN = timedelta(seconds=10)


@pytest.fixture
async def limits(webui: WebUI) -> AsyncIterator[dict[str, int]]:
    """Return the server's four limits (bytes/s); put them back after the test."""
    preferences = await webui.get("app/preferences")
    before = {key: preferences[key] for key in LIMITS}
    yield before
    await webui.post("app/setPreferences", {"json": json.dumps(before)})


async def set_limit(hass: HomeAssistant, entity_id: str, value: float) -> None:
    """Set a number entity and wait for the action to finish."""
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
        blocking=True,
    )


async def test_numbers(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The four limits, pinned on each server version (in KiB/s, 0 unlimited)."""
    entry = named_entry(qbittorrent)
    await set_up(hass, entry, Platform.NUMBER)

    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_set_limits(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    limits: dict[str, int],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Each number sets its limit on the server, in KiB/s, and shows it."""
    await set_up(hass, named_entry(qbittorrent), Platform.NUMBER)

    # The alternative limits are not in force, so the main data lacks them: the
    # action reads the preferences again and the state follows at once.
    await set_limit(hass, ALT_DOWNLOAD, 200)
    assert (await webui.get("app/preferences"))["alt_dl_limit"] == 200 * 1024
    assert state_of(hass, ALT_DOWNLOAD) == "200"

    for entity_id, key, kib in (
        (ALT_UPLOAD, "alt_up_limit", 100),
        (DOWNLOAD, "dl_limit", 500),
        (UPLOAD, "up_limit", 300),
    ):
        await set_limit(hass, entity_id, kib)
        assert (await webui.get("app/preferences"))[key] == kib * 1024
        await poll(hass, freezer, ACTION_COOLDOWN)
        assert state_of(hass, entity_id) == str(kib)

    # 0 is unlimited, on the server as here.
    await set_limit(hass, DOWNLOAD, 0)
    assert (await webui.get("app/preferences"))["dl_limit"] == 0
    await poll(hass, freezer, ACTION_COOLDOWN)
    assert state_of(hass, DOWNLOAD) == "0"
    assert state_of(hass, ALT_DOWNLOAD) == "200"


async def test_limits_changed_elsewhere(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    limits: dict[str, int],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Limits in force follow at the next poll; the others when preferences are due.

    The main data carries only the limits in force, and a poll reads preferences
    only every PREFERENCES_INTERVAL, so an idle poll stays one request.
    """
    await set_up(hass, named_entry(qbittorrent), Platform.NUMBER)
    assert state_of(hass, ALT_DOWNLOAD) == str(limits["alt_dl_limit"] // 1024)

    changes = {"dl_limit": 50 * 1024, "alt_dl_limit": 20 * 1024}
    await webui.post("app/setPreferences", {"json": json.dumps(changes)})
    await poll(hass, freezer)

    assert state_of(hass, DOWNLOAD) == "50"
    assert state_of(hass, ALT_DOWNLOAD) == str(limits["alt_dl_limit"] // 1024)

    await poll(hass, freezer, PREFERENCES_INTERVAL)

    assert state_of(hass, ALT_DOWNLOAD) == "20"

    # With the alternative limits in force, those follow from the main data.
    await webui.post("transfer/toggleSpeedLimitsMode")
    await webui.post("app/setPreferences", {"json": '{"alt_dl_limit": 30720}'})
    await poll(hass, freezer)

    assert state_of(hass, ALT_DOWNLOAD) == "30"
    assert state_of(hass, DOWNLOAD) == "50"
    await webui.post("transfer/toggleSpeedLimitsMode")
