"""How an action is declared, finds its config entry and reaches the server.

Actions are registered once, in ``async_setup``, for all entries: each call names
its entry (``config_entry_id``), which may be left out while only one is set up.
The namespace modules of this package declare them; its ``__init__`` registers them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import voluptuous as vol

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from ..api import ENDPOINTS, Client
from ..const import DOMAIN, MAX_SPEED_LIMIT
from ..data import QbittorrentConfigEntry
from ..errors import translated_errors

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
# Fields that mean the same in the actions of several namespaces, so named alike.
ATTR_CATEGORY: Final = "category"
ATTR_DOWNLOAD_LIMIT: Final = "download_limit"
ATTR_SAVE_PATH: Final = "save_path"
ATTR_STOPPED: Final = "stopped"
ATTR_TAGS: Final = "tags"
ATTR_UPLOAD_LIMIT: Final = "upload_limit"

# Speed limits are given in whole KiB/s, as the limit numbers show them.
SPEED_LIMIT: Final = vol.All(cv.positive_int, vol.Range(max=MAX_SPEED_LIMIT))

type ActionHandler = Callable[
    [QbittorrentConfigEntry, ServiceCall], Awaitable[ServiceResponse]
]


@dataclass(frozen=True, kw_only=True)
class QbittorrentAction:
    """An action: its fields (besides the entry) and what it does with a call.

    ``handler`` validates everything it can before its first request, so a refused
    call changes nothing on the server. Unless the action only answers (``response``
    is ``SupportsResponse.ONLY``), the coordinator polls right after it, so entities
    and events follow at once.
    """

    name: str
    fields: Mapping[Any, Any]
    handler: ActionHandler
    response: SupportsResponse = SupportsResponse.NONE


def refused(key: str, **placeholders: str) -> ServiceValidationError:
    """Return the translated refusal of a call's input."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


async def require_endpoints(client: Client, *paths: str) -> None:
    """Refuse what the server cannot do, before the first of several requests.

    An action of one request needs no such check: the client refuses an endpoint
    the server lacks before sending anything.
    """
    for path in paths:
        if not await client.has_endpoint(path):
            absence = ENDPOINTS[path].describe_absence(await client.api_version())
            raise refused("unsupported_by_server", reason=absence)


def loaded_entry(hass: HomeAssistant, call: ServiceCall) -> QbittorrentConfigEntry:
    """Return the entry a call names, or the only one set up when it names none.

    The entry must be loaded. Without a name, the only entry counts whatever its
    state: a call meant for a server that is offline must not act on another.
    """
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    entry: QbittorrentConfigEntry | None
    if entry_id is None:
        entries: list[QbittorrentConfigEntry] = hass.config_entries.async_entries(
            DOMAIN, include_ignore=False, include_disabled=False
        )
        if len(entries) != 1:
            raise refused("entry_required", count=str(len(entries)))
        entry = entries[0]
    else:
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise refused("entry_not_found", entry_id=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise refused("entry_not_loaded", title=entry.title)
    return entry


@callback
def async_register_actions(
    hass: HomeAssistant, actions: Iterable[QbittorrentAction]
) -> None:
    """Register each action under the integration's domain."""
    for action in actions:
        hass.services.async_register(
            DOMAIN,
            action.name,
            _runner(hass, action),
            schema=vol.Schema(
                {vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string, **action.fields}
            ),
            supports_response=action.response,
        )


def _runner(
    hass: HomeAssistant, action: QbittorrentAction
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def run(call: ServiceCall) -> ServiceResponse:
        entry = loaded_entry(hass, call)
        coordinator = entry.runtime_data.coordinator
        async with translated_errors(coordinator):
            response = await action.handler(entry, call)
        if action.response is not SupportsResponse.ONLY:
            await coordinator.async_request_refresh()
        return response

    return run
