"""The server's switches, against real servers of every supported version."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from homeassistant.components.switch.const import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .platforms import named_entry, poll, set_up, state_of
from .servers import QbittorrentServer
from .webui import WebUI

pytestmark = pytest.mark.usefixtures("socket_enabled")

ALT_SPEED = "switch.qbittorrent_alternative_speed_limits"
SESSION = "switch.qbittorrent_session"
# Home Assistant polls at most once in this time after actions (its debouncer).
ACTION_COOLDOWN = timedelta(seconds=10)


async def switch(hass: HomeAssistant, entity_id: str, service: str) -> None:
    """Turn a switch on or off and wait for the action to finish."""
    await hass.services.async_call(
        SWITCH_DOMAIN, service, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


async def test_switches(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The switches, pinned on each version: the session one only from 5.3 on."""
    entry = named_entry(qbittorrent)
    await set_up(hass, entry, Platform.SWITCH)

    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
    api_version = tuple(int(part) for part in qbittorrent.api_version.split("."))
    has_session = api_version >= (2, 16, 2)
    assert (hass.states.get(SESSION) is not None) is has_session


async def test_alternative_speed_limits(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The switch puts the alternative limits in force on the server, and back."""
    await set_up(hass, named_entry(qbittorrent), Platform.SWITCH)
    assert state_of(hass, ALT_SPEED) == STATE_OFF

    await switch(hass, ALT_SPEED, SERVICE_TURN_ON)

    assert await webui.get("transfer/speedLimitsMode") == "1"
    # The action polls at once, so the state follows without waiting.
    assert state_of(hass, ALT_SPEED) == STATE_ON

    await switch(hass, ALT_SPEED, SERVICE_TURN_OFF)

    assert await webui.get("transfer/speedLimitsMode") == "0"
    # A second action within the cooldown polls when the cooldown ends.
    await poll(hass, freezer, ACTION_COOLDOWN)
    assert state_of(hass, ALT_SPEED) == STATE_OFF


async def test_alternative_speed_limits_changed_elsewhere(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A change made in the WebUI shows at the next poll."""
    await set_up(hass, named_entry(qbittorrent), Platform.SWITCH)

    await webui.post("transfer/toggleSpeedLimitsMode")
    await poll(hass, freezer)
    assert state_of(hass, ALT_SPEED) == STATE_ON

    await webui.post("transfer/toggleSpeedLimitsMode")
    await poll(hass, freezer)
    assert state_of(hass, ALT_SPEED) == STATE_OFF


async def test_session(
    hass: HomeAssistant,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
    freezer: FrozenDateTimeFactory,
) -> None:
    """On 5.3 the session switch pauses and resumes the whole session."""
    server = qbittorrent_factory("5.3.0")
    await set_up(hass, named_entry(server), Platform.SWITCH)
    assert state_of(hass, SESSION) == STATE_ON

    async with WebUI(server) as webui:
        await switch(hass, SESSION, SERVICE_TURN_OFF)

        data = await webui.get("sync/maindata")
        assert data["server_state"]["session_state"] is True
        assert state_of(hass, SESSION) == STATE_OFF

        await switch(hass, SESSION, SERVICE_TURN_ON)

        data = await webui.get("sync/maindata")
        assert data["server_state"]["session_state"] is False
        await poll(hass, freezer, ACTION_COOLDOWN)
        assert state_of(hass, SESSION) == STATE_ON
