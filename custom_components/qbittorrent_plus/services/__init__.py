"""The integration's actions, registered once for all config entries."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback

from .action import async_register_actions
from .add import ADD_ACTIONS
from .rss import RSS_ACTIONS
from .search import SEARCH_ACTIONS
from .torrents import TORRENT_ACTIONS
from .transfer import TRANSFER_ACTIONS


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration."""
    async_register_actions(
        hass,
        [
            *TRANSFER_ACTIONS,
            *RSS_ACTIONS,
            *SEARCH_ACTIONS,
            *ADD_ACTIONS,
            *TORRENT_ACTIONS,
        ],
    )
