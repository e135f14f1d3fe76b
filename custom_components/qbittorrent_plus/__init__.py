"""qBittorrent Plus: a qBittorrent server as a part of the home."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady

from .api import APIConnectionError, APIError, LoginFailed
from .const import DOMAIN
from .coordinator import (
    QbittorrentConfigEntry,
    QbittorrentCoordinator,
    QbittorrentRuntimeData,
)
from .helpers import create_client

PLATFORMS: list[Platform] = [
    Platform.BUTTON,
    Platform.NUMBER,
    Platform.SENSOR,
    Platform.SWITCH,
]


async def async_setup_entry(hass: HomeAssistant, entry: QbittorrentConfigEntry) -> bool:
    """Log in, read the server's versions and its main data, then add entities."""
    client = create_client(hass, entry.data)
    try:
        await client.auth_log_in()
        version = await client.app_version()
        api_version = await client.app_web_api_version()
    except LoginFailed as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except APIConnectionError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": str(err)},
        ) from err
    except APIError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="unknown_error",
            translation_placeholders={"error": str(err)},
        ) from err
    coordinator = QbittorrentCoordinator(hass, entry, client)
    entry.runtime_data = QbittorrentRuntimeData(
        client=client, coordinator=coordinator, version=version, api_version=api_version
    )
    await coordinator.async_config_entry_first_refresh()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: QbittorrentConfigEntry
) -> bool:
    """Unload the platforms; Home Assistant detaches the entry's HTTP session."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
