"""Device triggers of a qBittorrent server: a download completed, a torrent was added ...

Each trigger follows one of the server's torrent events on the bus, so an
automation gets the torrent in ``trigger.event.data`` (name, hash, category, tags,
save and content paths, size).
"""

from __future__ import annotations

import voluptuous as vol

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import (
    ATTR_DEVICE_ID,
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN
from .helpers import server_identifier
from .torrents.events import EVENT_TYPES, bus_event_type

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {vol.Required(CONF_TYPE): vol.In(EVENT_TYPES)}
)


async def async_get_triggers(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, str]]:
    """Offer the torrent events as triggers of a server's device."""
    if not _is_server(hass, device_id):
        return []
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: event_type,
        }
        for event_type in EVENT_TYPES
    ]


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Follow the trigger's event of the device's server."""
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: "event",
            event_trigger.CONF_EVENT_TYPE: bus_event_type(config[CONF_TYPE]),
            CONF_EVENT_DATA: {ATTR_DEVICE_ID: config[CONF_DEVICE_ID]},
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )


def _is_server(hass: HomeAssistant, device_id: str) -> bool:
    """Return whether a device is a server's (not one of its torrents')."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return False
    entry = hass.config_entries.async_get_entry(device.config_entry_id)
    return (
        entry is not None
        and entry.domain == DOMAIN
        and server_identifier(entry) in device.identifiers
    )
