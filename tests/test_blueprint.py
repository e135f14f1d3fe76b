"""The blueprint "Notify me when a download completes", in Home Assistant's machinery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from awesomeversion import AwesomeVersion
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.const import __version__ as ha_version
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .automations import BLUEPRINT, blueprint_automation, install_blueprint

COMPLETED = "qbittorrent_plus_download_completed"
ENTRY_ID = "01KBQBITTORRENTPLUSENTRY00"


def completed(**data: Any) -> dict[str, Any]:
    """Return the data of a completed download's bus event."""
    return {
        "entry_id": ENTRY_ID,
        "device_id": "device",
        "hash": "a" * 40,
        "name": "Big Buck Bunny",
        "category": None,
        "tags": [],
        "save_path": "/data",
        "content_path": "/data/Big Buck Bunny",
        "size": 3 * 1024**3,
        **data,
    }


async def test_blueprint_loads(hass: HomeAssistant, tmp_path: Path) -> None:
    """Home Assistant reads the blueprint; its source URL is where it lies."""
    install_blueprint(hass, tmp_path)
    assert await async_setup_component(hass, "automation", {})

    blueprint = await async_get_blueprints(hass).async_get_blueprint(BLUEPRINT)

    assert blueprint.name == "Notify me when a download completes"
    assert blueprint.domain == "automation"
    assert set(blueprint.inputs) == {"server", "category", "notify"}
    assert blueprint.metadata["source_url"].endswith(
        "/blueprints/automation/" + BLUEPRINT
    )
    assert AwesomeVersion(ha_version) >= AwesomeVersion(
        blueprint.metadata["homeassistant"]["min_version"]
    )


async def test_blueprint_notifies(hass: HomeAssistant, tmp_path: Path) -> None:
    """Each completed download of the chosen server makes one notification."""
    install_blueprint(hass, tmp_path)
    notifications = async_mock_service(hass, "persistent_notification", "create")
    assert await async_setup_component(
        hass, "automation", {"automation": blueprint_automation(ENTRY_ID)}
    )

    hass.bus.async_fire(COMPLETED, completed())
    hass.bus.async_fire(COMPLETED, completed(name="small", size=2000))
    hass.bus.async_fire(COMPLETED, completed(entry_id="another server"))
    hass.bus.async_fire("qbittorrent_plus_torrent_added", completed())
    await hass.async_block_till_done()

    assert [call.data for call in notifications] == [
        {
            "title": "Download completed",
            "message": "Big Buck Bunny is ready (3.0 GiB).",
        },
        {"title": "Download completed", "message": "small is ready (2.0 KiB)."},
    ]


@pytest.mark.parametrize(
    ("category", "expected"), [("linux", ["linux"]), ("", ["linux", "", "films"])]
)
async def test_blueprint_category_and_own_action(
    hass: HomeAssistant, tmp_path: Path, category: str, expected: list[str]
) -> None:
    """Only the chosen category counts; an action of one's own gets the details."""
    install_blueprint(hass, tmp_path)
    calls = async_mock_service(hass, "test", "notify")
    action = {
        "action": "test.notify",
        "data": {
            "message": "{{ torrent_name }} ({{ size }}) in {{ content_path }}",
            "category": "{{ category }}",
            "tags": "{{ tags }}",
            "save_path": "{{ save_path }}",
        },
    }
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": blueprint_automation(
                ENTRY_ID, category=category, notify=[action]
            )
        },
    )

    hass.bus.async_fire(COMPLETED, completed(category="linux", tags=["iso", "x"]))
    hass.bus.async_fire(COMPLETED, completed(name="no category", size=5 * 1024**2))
    hass.bus.async_fire(COMPLETED, completed(category="films"))
    await hass.async_block_till_done()

    assert [call.data["category"] for call in calls] == expected
    assert calls[0].data == {
        "message": "Big Buck Bunny (3.0 GiB) in /data/Big Buck Bunny",
        "category": "linux",
        "tags": "iso, x",
        "save_path": "/data",
    }
    if not category:
        assert calls[1].data["message"].startswith("no category (5.0 MiB)")
