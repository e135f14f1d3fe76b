"""Helpers for the Home Assistant tests."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.qbittorrent_plus.const import DOMAIN
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL

from .servers import QbittorrentServer


def entry_for(
    server: QbittorrentServer, *, password: str | None = None
) -> MockConfigEntry:
    """Return a config entry for a test server, as the config flow would make it."""
    url = f"{server.url}/"
    return MockConfigEntry(
        domain=DOMAIN,
        title=url,
        unique_id=url,
        data={
            CONF_URL: url,
            CONF_USERNAME: server.username,
            CONF_PASSWORD: server.password if password is None else password,
            CONF_VERIFY_SSL: True,
        },
    )
