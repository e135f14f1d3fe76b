"""Helpers shared by the config flow and the config entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import aiohttp
from yarl import URL

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_create_clientsession

from .api import Client
from .const import CONF_API_KEY, DOMAIN

# Repair issues, one of each per entry at most.
ISSUE_HOST_REJECTED: Final = "host_rejected"
ISSUE_UNSUPPORTED_VERSION: Final = "unsupported_version"


def server_identifier(entry: ConfigEntry) -> tuple[str, str]:
    """Return the device registry identifier of an entry's server device."""
    return (DOMAIN, str(entry.unique_id))


def server_model(api_version: str) -> str:
    """Return the server device's model, which names the Web API version."""
    return f"qBittorrent (Web API {api_version})"


def server_sw_version(version: str) -> str:
    """Return the server device's software version: "5.3.0" for "v5.3.0"."""
    return version.removeprefix("v")


def client_for(session: aiohttp.ClientSession, data: Mapping[str, Any]) -> Client:
    """Return a client, on ``session``, for the server ``data`` describes.

    Empty credentials are passed as such, so a client never falls back to the
    environment variables the client library also reads. A call to an endpoint the
    server's version lacks raises NotImplementedError (naming the version needed)
    before anything is sent, rather than quietly doing nothing.
    """
    return Client(
        data[CONF_URL],
        data.get(CONF_USERNAME) or "",
        data.get(CONF_PASSWORD) or "",
        api_key=data.get(CONF_API_KEY) or "",
        session=session,
        raise_notimplementederror_for_unimplemented_api_endpoints=True,
        verify_webui_certificate=data[CONF_VERIFY_SSL],
    )


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> Client:
    """Return a client for the server a config entry describes.

    The client keeps its session cookie in a jar of its own, so it shares Home
    Assistant's connection pool through a session made for it that keeps no cookie
    (one there too would send a stale cookie back with a later login); Home
    Assistant detaches that session when the entry unloads, or at shutdown.
    """
    session = async_create_clientsession(
        hass, verify_ssl=data[CONF_VERIFY_SSL], cookie_jar=aiohttp.DummyCookieJar()
    )
    return client_for(session, data)


@callback
def async_create_issue(
    hass: HomeAssistant, entry: ConfigEntry, issue: str, **placeholders: str
) -> None:
    """Raise a repair issue of an entry: the user must change something."""
    url = entry.data[CONF_URL]
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{issue}_{entry.entry_id}",
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=issue,
        translation_placeholders={
            "title": entry.title,
            "url": url,
            "host": URL(url).host or url,
            **placeholders,
        },
    )


@callback
def async_delete_issue(hass: HomeAssistant, entry: ConfigEntry, issue: str) -> None:
    """Remove a repair issue of an entry, once its cause is gone."""
    ir.async_delete_issue(hass, DOMAIN, f"{issue}_{entry.entry_id}")
