"""qBittorrent Plus: a qBittorrent server as a part of the home."""

from __future__ import annotations

from contextlib import suppress

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .api import (
    MIN_SUPPORTED,
    APIConnectionError,
    APIError,
    APIVersion,
    first_release,
    format_version,
)
from .const import DOMAIN
from .coordinator import QbittorrentCoordinator
from .data import QbittorrentConfigEntry, QbittorrentRuntimeData
from .errors import Failure, entry_error, failure_of
from .helpers import (
    ISSUE_HOST_REJECTED,
    ISSUE_UNSUPPORTED_VERSION,
    async_create_issue,
    async_delete_issue,
    create_client,
)
from .services import async_setup_services
from .torrents.devices import TorrentDevices, torrent_hash_of
from .torrents.events import async_remove_stored_events

PLATFORMS: list[Platform] = [
    Platform.BUTTON,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, once for every entry."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: QbittorrentConfigEntry) -> bool:
    """Log in, read the server's versions and its main data, then add entities."""
    coordinator = QbittorrentCoordinator(hass, entry, create_client(hass, entry.data))
    try:
        await _async_set_up(hass, entry, coordinator)
    except Exception:
        # Once the login worked, each retry would leave a session on the server.
        await _async_end_session(coordinator)
        raise
    return True


async def _async_set_up(
    hass: HomeAssistant,
    entry: QbittorrentConfigEntry,
    coordinator: QbittorrentCoordinator,
) -> None:
    """Connect, poll once and add the entities; raise why setup cannot go on."""
    client = coordinator.client
    try:
        # Logs in first when the entry has a username and password; an entry
        # without credentials relies on the WebUI's local or subnet bypass.
        if (web_api := await client.api_version()) < MIN_SUPPORTED:
            raise _unsupported_version(hass, entry, web_api)
        version = await client.app_version()
    except APIConnectionError as err:
        # A ban lifts by itself: setup retries, and a wrong password shows then.
        failure = failure_of(err)
        # qBittorrent 5.2+ answers a login that its Host-header or CSRF check
        # refused with 401, as it answers a wrong password.
        if failure is Failure.INVALID_AUTH and await client.auth_rejects_host():
            failure = Failure.HOST_REJECTED
        if failure is Failure.HOST_REJECTED:
            # Setup retries until the user has changed the setting.
            async_create_issue(hass, entry, ISSUE_HOST_REJECTED)
        raise entry_error(failure, err, ConfigEntryNotReady) from err
    async_delete_issue(hass, entry, ISSUE_HOST_REJECTED)
    async_delete_issue(hass, entry, ISSUE_UNSUPPORTED_VERSION)
    coordinator.version, coordinator.api_version = version, format_version(web_api)
    await coordinator.async_config_entry_first_refresh()
    torrent_devices = TorrentDevices(hass, coordinator)
    entry.runtime_data = QbittorrentRuntimeData(
        client=client, coordinator=coordinator, torrent_devices=torrent_devices
    )
    torrent_devices.async_start()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)


async def async_unload_entry(
    hass: HomeAssistant, entry: QbittorrentConfigEntry
) -> bool:
    """Unload the platforms and give the server its session back.

    qBittorrent 5.3 keeps at most 15 sessions and drops the least recently used
    one for a new login, so a session left behind at each reload could end
    someone's WebUI session. Home Assistant detaches the HTTP session itself.
    """
    if not await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        return False
    await _async_end_session(entry.runtime_data.coordinator)
    return True


async def _async_end_session(coordinator: QbittorrentCoordinator) -> None:
    """Stop polling, then log out: a poll after the logout would log in again."""
    await coordinator.async_shutdown()
    with suppress(APIError):
        await coordinator.client.auth_log_out()


async def async_remove_entry(
    hass: HomeAssistant, entry: QbittorrentConfigEntry
) -> None:
    """Remove the entry's repair issues and stored torrent events with it."""
    async_delete_issue(hass, entry, ISSUE_HOST_REJECTED)
    async_delete_issue(hass, entry, ISSUE_UNSUPPORTED_VERSION)
    await async_remove_stored_events(hass, entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: QbittorrentConfigEntry, device: dr.AnyDeviceEntry
) -> bool:
    """Let the user remove a torrent's device that the options no longer give one.

    While the entry is not loaded any torrent's device may go: the next setup
    makes the chosen torrents' devices again.
    """
    if entry.state is not ConfigEntryState.LOADED:
        return torrent_hash_of(entry, device) is not None
    return entry.runtime_data.torrent_devices.device_removable(device)


def _unsupported_version(
    hass: HomeAssistant, entry: QbittorrentConfigEntry, web_api: APIVersion
) -> ConfigEntryNotReady:
    """Raise the repair issue; setup retries until the server is upgraded."""
    placeholders = {
        "api_version": format_version(web_api),
        "min_version": first_release(MIN_SUPPORTED),
    }
    async_create_issue(hass, entry, ISSUE_UNSUPPORTED_VERSION, **placeholders)
    return ConfigEntryNotReady(
        translation_domain=DOMAIN,
        translation_key="unsupported_version",
        translation_placeholders=placeholders,
    )
