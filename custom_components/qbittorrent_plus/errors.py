"""Where the client's errors become Home Assistant's, for entities and actions alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import re
from typing import TYPE_CHECKING, Final

from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)

from .api import (
    APIConnectionError,
    APIError,
    Banned,
    HTTPError,
    LoginFailed,
    Unauthorized401Error,
)
from .const import DOMAIN

if TYPE_CHECKING:
    from .coordinator import QbittorrentCoordinator

# qBittorrent repeats in some refusals a URL it was given (an RSS feed's, a web
# seed's, a link to a .torrent file), whose path or query may hold a passkey.
_URL: Final = re.compile(
    r"\b(?:[a-z][a-z0-9+.-]*://|magnet:\?)[^\s\"'<>]*", re.IGNORECASE
)


@asynccontextmanager
async def translated_errors(coordinator: QbittorrentCoordinator) -> AsyncIterator[None]:
    """Turn what the client raises inside the block into translated errors.

    Refused credentials start reauthentication; until it ends, nothing is sent,
    since each request would try another login, which could earn a ban. A
    connection failure polls, so the coordinator marks the entities unavailable
    and logs it, once. A request the server refuses changes nothing to poll for.
    """
    if isinstance(coordinator.last_exception, ConfigEntryAuthFailed):
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        )
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
        auth_failed = ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        )
        # Also when the last poll went well: the calls that follow send nothing.
        coordinator.async_set_update_error(auth_failed)
        coordinator.config_entry.async_start_reauth(coordinator.hass)
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except Unauthorized401Error as err:
        # The WebUI's Host-header or CSRF check: the poll raises the repair issue.
        raise await _unreachable(coordinator, err) from err
    except HTTPError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="request_refused",
            translation_placeholders={"error": _URL.sub("<URL>", str(err))},
        ) from err
    except APIConnectionError as err:
        raise await _unreachable(coordinator, err) from err
    except APIError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="unknown_error",
            translation_placeholders={"error": str(err)},
        ) from err


async def _unreachable(
    coordinator: QbittorrentCoordinator, err: APIConnectionError
) -> HomeAssistantError:
    """Poll, so the entities follow, and return the error saying what failed."""
    await coordinator.async_request_refresh()
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="cannot_connect",
        translation_placeholders={"error": str(err)},
    )
