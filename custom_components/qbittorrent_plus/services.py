"""The integration's actions, registered once for all config entries."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback

from .actions import async_register_actions


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration."""
    async_register_actions(hass, [])
