"""Helpers shared by the config flow and the config entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp

from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_create_clientsession

from .api import Client


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> Client:
    """Return a client for the server a config entry (or a flow's input) describes.

    It gets an HTTP session of its own: the shared one has a shared cookie jar, and
    aiohttp's default jar drops cookies from IP-address hosts. Home Assistant detaches
    the session when the entry unloads, or at shutdown.
    """
    session = async_create_clientsession(
        hass,
        verify_ssl=data[CONF_VERIFY_SSL],
        cookie_jar=aiohttp.CookieJar(unsafe=True),
    )
    return Client(
        data[CONF_URL],
        data[CONF_USERNAME],
        data[CONF_PASSWORD],
        session=session,
        verify_webui_certificate=data[CONF_VERIFY_SSL],
    )
