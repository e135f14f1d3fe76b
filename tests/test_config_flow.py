"""The config flow against real servers."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.qbittorrent_plus.const import DOMAIN
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .common import entry_for
from .servers import QbittorrentServer

pytestmark = pytest.mark.usefixtures("socket_enabled")


def _form(server: QbittorrentServer, **changes: Any) -> dict[str, Any]:
    return {
        CONF_URL: server.url,
        CONF_USERNAME: server.username,
        CONF_PASSWORD: server.password,
        CONF_VERIFY_SSL: True,
        **changes,
    }


async def test_user_step_creates_entry(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """A correct URL and credentials create an entry keyed by the normalised URL."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(qbittorrent)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"{qbittorrent.url}/"
    assert result["data"] == _form(qbittorrent, **{CONF_URL: f"{qbittorrent.url}/"})
    assert result["result"].unique_id == f"{qbittorrent.url}/"


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({CONF_PASSWORD: "wrong"}, {"base": "invalid_auth"}),
        ({CONF_URL: "ftp://127.0.0.1/"}, {CONF_URL: "invalid_url"}),
        ({CONF_URL: "http://127.0.0.1:9/"}, {"base": "cannot_connect"}),
    ],
    ids=["invalid_auth", "invalid_url", "cannot_connect"],
)
async def test_user_step_error_then_recovery(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Each failure is shown on the form, and the corrected form goes through."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(qbittorrent, **changes)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(qbittorrent)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_step_aborts_for_a_configured_server(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """The same server cannot be added twice."""
    entry_for(qbittorrent).add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(qbittorrent)
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth_error_then_recovery(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """Reauth refuses a wrong password, then stores the right one and reloads."""
    entry = entry_for(qbittorrent, password="old-password")
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_USERNAME: qbittorrent.username, CONF_PASSWORD: "still-wrong"},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_USERNAME: qbittorrent.username, CONF_PASSWORD: qbittorrent.password},
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == qbittorrent.password
    assert entry.state is ConfigEntryState.LOADED
