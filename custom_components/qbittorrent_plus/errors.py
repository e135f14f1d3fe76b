"""Where the client's errors become Home Assistant's, for entities and actions alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import APIConnectionError, APIError, Banned, LoginFailed
from .const import DOMAIN

if TYPE_CHECKING:
    from .coordinator import QbittorrentCoordinator


@asynccontextmanager
async def translated_errors(coordinator: QbittorrentCoordinator) -> AsyncIterator[None]:
    """Turn what the client raises inside the block into translated errors.

    Refused credentials start reauthentication (without another login attempt,
    which could earn a ban); a connection failure polls, so the coordinator marks
    the entities unavailable and logs it, once.
    """
    try:
        yield
    except NotImplementedError as err:
        # The client checks the server's Web API version before sending anything.
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unsupported_by_server",
            translation_placeholders={"reason": str(err)},
        ) from err
    except Banned as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="action_banned"
        ) from err
    except LoginFailed as err:
        coordinator.config_entry.async_start_reauth(coordinator.hass)
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except APIConnectionError as err:
        await coordinator.async_request_refresh()
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": str(err)},
        ) from err
    except APIError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="unknown_error",
            translation_placeholders={"error": str(err)},
        ) from err
