"""Helpers for the tests of the integration's actions.

Home Assistant reaches the server through the recording ``proxy`` fixture, so a
refused action can be shown to have sent nothing that changes the server
(``refusal``, the one check of a refused action).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.qbittorrent_plus.const import DOMAIN
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError

from .platforms import named_entry, set_up
from .proxy import Proxy
from .servers import QbittorrentServer


async def set_up_through(
    hass: HomeAssistant, server: QbittorrentServer, proxy: Proxy, *platforms: Platform
) -> MockConfigEntry:
    """Set up the integration, through the proxy, with only the given platforms."""
    entry = named_entry(server, proxy.url)
    await set_up(hass, entry, *platforms)
    return entry


async def act(
    hass: HomeAssistant, action: str, data: dict[str, Any] | None = None
) -> ServiceResponse:
    """Run one of the integration's actions and wait for it to finish."""
    return await hass.services.async_call(DOMAIN, action, data or {}, blocking=True)


async def answer(hass: HomeAssistant, action: str, **data: Any) -> dict[str, Any]:
    """Call an action for its response."""
    response: ServiceResponse = await hass.services.async_call(
        DOMAIN, action, data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


type Refuse = Callable[..., Awaitable[ServiceValidationError]]
"""Run an action that must be refused (translation key, action, data)."""


def changes_sent(proxy: Proxy) -> list[str]:
    """Return the endpoints called that may change the server (all but the login)."""
    return [
        r.path for r in proxy.requests if r.method == "POST" and r.path != "auth/login"
    ]


async def refusal(
    hass: HomeAssistant,
    proxy: Proxy,
    action: str,
    data: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    state: Callable[[], Awaitable[object]] | None = None,
) -> ServiceValidationError:
    """Run an action that must be refused, with nothing changed; return the refusal.

    The refusal is translated (``key``, when given), with every placeholder filled
    in; nothing that changes the server went through the entry's ``proxy``; and
    ``state``, when given, reads the same from the server before and after.
    """
    before = await state() if state else None
    proxy.requests.clear()
    answers = hass.services.supports_response(DOMAIN, action)
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN,
            action,
            data or {},
            blocking=True,
            return_response=answers is SupportsResponse.ONLY,
        )
    error = raised.value
    assert error.translation_domain == DOMAIN
    if key is not None:
        assert error.translation_key == key
    message = str(error)
    assert message not in ("", error.translation_key)
    assert "{" not in message
    assert changes_sent(proxy) == []
    if state:
        assert await state() == before
    return error
