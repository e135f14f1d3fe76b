"""qBittorrent Plus: a qBittorrent server as a part of the home."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady

from .api import APIConnectionError, Client, LoginFailed
from .const import DOMAIN
from .helpers import create_client


@dataclass
class QbtRuntimeData:
    """What a loaded config entry holds."""

    client: Client
    version: str
    api_version: str


type QbtConfigEntry = ConfigEntry[QbtRuntimeData]


async def async_setup_entry(hass: HomeAssistant, entry: QbtConfigEntry) -> bool:
    """Log in to the server and read its versions."""
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
            translation_domain=DOMAIN, translation_key="cannot_connect"
        ) from err
    entry.runtime_data = QbtRuntimeData(client, version, api_version)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: QbtConfigEntry) -> bool:
    """Unload a config entry; Home Assistant detaches its HTTP session."""
    return True
