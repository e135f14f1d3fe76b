"""The integration's actions, registered once for all config entries."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback

from .actions import async_register_actions
from .rss_actions import RSS_ACTIONS
from .search_actions import SEARCH_ACTIONS
from .torrent_actions import TORRENT_ACTIONS
from .transfer_actions import TRANSFER_ACTIONS


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration."""
    async_register_actions(
        hass, [*TRANSFER_ACTIONS, *RSS_ACTIONS, *SEARCH_ACTIONS, *TORRENT_ACTIONS]
    )
