"""Where the client's errors become Home Assistant's: setup, polls, the config flow, actions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from enum import StrEnum
import re
from typing import Final, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)

from .api import (
    APIConnectionError,
    APIError,
    APIKeyRefused,
    Banned,
    Forbidden403Error,
    HTTPError,
    LoginFailed,
    NotFound404Error,
    Unauthorized401Error,
)
from .const import DOMAIN


class Failure(StrEnum):
    """What went wrong with a request, whichever boundary tells the user."""

    BANNED = "banned"
    API_KEY_REFUSED = "api_key_refused"
    INVALID_AUTH = "invalid_auth"
    AUTH_REQUIRED = "auth_required"
    """An entry without credentials that the WebUI no longer lets in."""
    HOST_REJECTED = "host_rejected"
    """The WebUI's Host-header or CSRF check: only the user can change it."""
    NOT_FOUND = "not_found"
    REFUSED = "request_refused"
    CANNOT_CONNECT = "cannot_connect"
    UNKNOWN = "unknown_error"


# The one table of what the client's exceptions mean. An exception means what its
# nearest class in the table means (a ban is a refused login and a 403 too, and
# means a ban), so the order of the table and of no except clause matters.
FAILURES: Final[Mapping[type[APIError], Failure]] = {
    Banned: Failure.BANNED,
    APIKeyRefused: Failure.API_KEY_REFUSED,
    LoginFailed: Failure.INVALID_AUTH,
    Forbidden403Error: Failure.AUTH_REQUIRED,
    Unauthorized401Error: Failure.HOST_REJECTED,
    NotFound404Error: Failure.NOT_FOUND,
    HTTPError: Failure.REFUSED,
    APIConnectionError: Failure.CANNOT_CONNECT,
    APIError: Failure.UNKNOWN,
}

# For the entry (setup and polls): what starts reauthentication, and the
# translation keys; a refused request there means the server is not usable.
_REAUTHENTICATE: Final = {
    Failure.API_KEY_REFUSED: "invalid_auth",
    Failure.INVALID_AUTH: "invalid_auth",
    Failure.AUTH_REQUIRED: "auth_required",
}
_ENTRY_KEYS: Final = {
    Failure.BANNED: "banned",
    Failure.HOST_REJECTED: "host_rejected",
    Failure.NOT_FOUND: "cannot_connect",
    Failure.REFUSED: "cannot_connect",
    Failure.CANNOT_CONNECT: "cannot_connect",
    Failure.UNKNOWN: "unknown_error",
}
# The keys whose message names the client's error.
_WITH_ERROR: Final = {"cannot_connect", "unknown_error", "request_refused"}
_REFUSED: Final = "request_refused"

# qBittorrent repeats in some refusals a URL it was given (an RSS feed's, a web
# seed's, a link to a .torrent file), whose path or query may hold a passkey.
_URL: Final = re.compile(
    r"\b(?:[a-z][a-z0-9+.-]*://|magnet:\?)[^\s\"'<>]*", re.IGNORECASE
)


class Polling(Protocol):
    """The coordinator an action's errors are reported to."""

    @property
    def hass(self) -> HomeAssistant:
        """Return Home Assistant."""

    @property
    def config_entry(self) -> ConfigEntry:
        """Return the entry it polls for."""

    @property
    def last_exception(self) -> BaseException | None:
        """Return what the last poll raised, if it failed."""

    def async_set_update_error(self, err: Exception) -> None:
        """Mark the data as failed with ``err``."""

    async def async_request_refresh(self) -> None:
        """Poll soon."""


def failure_of(err: APIError) -> Failure:
    """Return what a client exception means, from its nearest class in the table."""
    return next(FAILURES[cls] for cls in type(err).__mro__ if cls in FAILURES)


def _translated[ErrorT: HomeAssistantError](
    error_type: Callable[..., ErrorT], key: str, err: APIError
) -> ErrorT:
    placeholders = None
    if key in _WITH_ERROR:
        error = str(err)
        placeholders = {"error": _URL.sub("<URL>", error) if key == _REFUSED else error}
    return error_type(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def entry_error(
    failure: Failure, err: APIError, error_type: Callable[..., HomeAssistantError]
) -> HomeAssistantError:
    """Return the error that setup or a poll raises for a failure.

    Refused credentials start reauthentication; anything else is ``error_type``
    (``ConfigEntryNotReady`` at setup, ``UpdateFailed`` for a poll).
    """
    if key := _REAUTHENTICATE.get(failure):
        return _translated(ConfigEntryAuthFailed, key, err)
    return _translated(error_type, _ENTRY_KEYS[failure], err)


@asynccontextmanager
async def translated_errors(
    coordinator: Polling,
) -> AsyncIterator[None]:
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
    except APIError as err:
        raise await _action_error(coordinator, failure_of(err), err) from err


async def _action_error(
    coordinator: Polling, failure: Failure, err: APIError
) -> HomeAssistantError:
    """Return the error an action raises for a failure, after what it calls for."""
    match failure:
        case Failure.BANNED:
            return _translated(HomeAssistantError, "action_banned", err)
        case Failure.API_KEY_REFUSED | Failure.INVALID_AUTH:
            # Also when the last poll went well: the calls that follow send nothing.
            coordinator.async_set_update_error(
                _translated(ConfigEntryAuthFailed, "invalid_auth", err)
            )
            coordinator.config_entry.async_start_reauth(coordinator.hass)
            return _translated(HomeAssistantError, "invalid_auth", err)
        case Failure.HOST_REJECTED | Failure.CANNOT_CONNECT:
            # Poll, so the entities follow (and the poll raises a repair issue).
            await coordinator.async_request_refresh()
            return _translated(HomeAssistantError, "cannot_connect", err)
        case Failure.AUTH_REQUIRED | Failure.NOT_FOUND | Failure.REFUSED:
            return _translated(HomeAssistantError, _REFUSED, err)
        case _:  # Failure.UNKNOWN
            return _translated(HomeAssistantError, "unknown_error", err)
