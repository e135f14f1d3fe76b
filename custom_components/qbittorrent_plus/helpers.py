"""Helpers shared by the config flow and the config entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_create_clientsession

from .api import Client
from .const import CONF_API_KEY


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> Client:
    """Return a client for the server a config entry (or a flow's input) describes.

    The client keeps its session cookie in a jar of its own, so it can share Home
    Assistant's connection pool through a session made for it; Home Assistant
    detaches that session when the entry unloads, or at shutdown. Empty credentials
    are passed as such, so a client never falls back to environment variables.
    """
    session = async_create_clientsession(hass, verify_ssl=data[CONF_VERIFY_SSL])
    return Client(
        data[CONF_URL],
        data.get(CONF_USERNAME) or "",
        data.get(CONF_PASSWORD) or "",
        api_key=data.get(CONF_API_KEY) or "",
        session=session,
        verify_webui_certificate=data[CONF_VERIFY_SSL],
    )
