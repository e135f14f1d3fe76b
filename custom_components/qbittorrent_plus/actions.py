"""How an action is declared, finds its config entry and reaches the server.

Actions are registered once, in ``async_setup``, for all entries: each call names
its entry (``config_entry_id``), which may be left out while only one is loaded.
The modules ``*_actions.py`` declare them; ``services.py`` registers them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import probatio

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

from .const import DOMAIN
from .coordinator import QbittorrentConfigEntry
from .errors import translated_errors

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"

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


def loaded_entry(hass: HomeAssistant, call: ServiceCall) -> QbittorrentConfigEntry:
    """Return the loaded entry a call names, or the only one when it names none."""
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id is None:
        loaded: list[QbittorrentConfigEntry] = hass.config_entries.async_loaded_entries(
            DOMAIN
        )
        if len(loaded) != 1:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_required",
                translation_placeholders={"count": str(len(loaded))},
            )
        return loaded[0]
    entry: QbittorrentConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"title": entry.title},
        )
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
            schema=probatio.Schema(
                {probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string, **action.fields}
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
