"""Helpers for the Home Assistant tests."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.qbittorrent_plus.const import DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

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


async def reauthenticate(
    hass: HomeAssistant, entry: MockConfigEntry, server: QbittorrentServer
) -> None:
    """Answer the one reauthentication flow with the server's login; it loads again."""
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]

    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"],
        {CONF_USERNAME: server.username, CONF_PASSWORD: server.password},
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data[CONF_PASSWORD] == server.password
