"""Automations for the tests: made from the blueprint, or on a device trigger."""

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.qbittorrent_plus.const import DOMAIN
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component

BLUEPRINT = "qbittorrent_plus/download_completed.yaml"
SOURCE = Path(__file__).parent.parent / "blueprints" / "automation" / BLUEPRINT


def install_blueprint(hass: HomeAssistant, config_dir: Path) -> None:
    """Put the blueprint where Home Assistant looks for it, as an import would."""
    target = config_dir / "blueprints" / "automation" / BLUEPRINT
    target.parent.mkdir(parents=True)
    shutil.copyfile(SOURCE, target)
    hass.config.config_dir = str(config_dir)


def blueprint_automation(entry_id: str, **inputs: Any) -> dict[str, Any]:
    """Return an automation made from the blueprint for a config entry."""
    return {
        "use_blueprint": {"path": BLUEPRINT, "input": {"server": entry_id, **inputs}}
    }


def device_trigger_automation(device_id: str, trigger_type: str) -> dict[str, Any]:
    """Return an automation on a device trigger that calls ``test.automation``."""
    return {
        "triggers": {
            "trigger": "device",
            "domain": DOMAIN,
            "device_id": device_id,
            "type": trigger_type,
        },
        "actions": {
            "action": "test.automation",
            "data": {
                "name": "{{ trigger.event.data.name }}",
                "tags": "{{ trigger.event.data.tags }}",
            },
        },
    }


async def set_up_automations(
    hass: HomeAssistant, *automations: dict[str, Any]
) -> list[ServiceCall]:
    """Set up automations; return the calls to ``test.automation``."""
    calls = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass, "automation", {"automation": list(automations)}
    )
    return calls
