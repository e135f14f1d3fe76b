"""Repair issues against real servers: raised where the user must act, and gone after.

The WebUI's Host-header validation refuses a request for a port it does not listen
on, as behind a container's port mapping; a port forward in the tests does the same.
"""

from __future__ import annotations

from datetime import timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.qbittorrent_plus.const import DEFAULT_SCAN_INTERVAL, DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .common import entry_for
from .port_forward import PortForward
from .proxy import Proxy
from .servers import QbittorrentServer
from .webui import WebUI

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def _set_preferences(server: QbittorrentServer, **preferences: Any) -> None:
    async with WebUI(server) as session:
        await session.post("app/setPreferences", {"json": json.dumps(preferences)})


async def _validate_host(server: QbittorrentServer, *, enabled: bool) -> None:
    await _set_preferences(server, web_ui_host_header_validation_enabled=enabled)


def _entry_at(server: QbittorrentServer, url: str, **data: Any) -> MockConfigEntry:
    entry = entry_for(server)
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"{url}/",
        unique_id=f"{url}/",
        data={**entry.data, CONF_URL: f"{url}/", **data},
    )


async def _poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    # The coordinator polls a fraction of a second after each interval.
    freezer.tick(DEFAULT_SCAN_INTERVAL + timedelta(seconds=1))
    async_fire_time_changed(hass)
    # The coordinator's poll runs as a background task of the entry.
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.parametrize(
    "credentials",
    [{}, {CONF_USERNAME: "", CONF_PASSWORD: ""}],
    ids=["password", "no_login"],
)
async def test_host_rejected_at_setup(
    hass: HomeAssistant,
    issue_registry: ir.IssueRegistry,
    private_server: QbittorrentServer,
    credentials: dict[str, str],
) -> None:
    """A refused Host header raises an issue, not reauth; fixed, the issue goes.

    With a password the refusal comes at login, where qBittorrent 5.x answers a
    wrong password alike; without one it comes at the first call.
    """
    async with PortForward(private_server) as forward:
        entry = _entry_at(private_server, forward.url, **credentials)
        entry.add_to_hass(hass)

        assert not await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()

        assert entry.state is ConfigEntryState.SETUP_RETRY
        assert entry.error_reason_translation_key == "host_rejected"
        assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        issue = issue_registry.async_get_issue(
            DOMAIN, f"host_rejected_{entry.entry_id}"
        )
        assert issue is not None
        assert issue.translation_key == "host_rejected"
        assert issue.severity is ir.IssueSeverity.ERROR
        assert not issue.is_fixable
        assert issue.translation_placeholders == {
            "title": entry.title,
            "url": f"{forward.url}/",
            "host": "127.0.0.1",
        }

        # An entry without credentials needs the WebUI to let this address in.
        await _set_preferences(
            private_server,
            web_ui_host_header_validation_enabled=False,
            bypass_local_auth=not credentials.get(CONF_PASSWORD, True),
        )
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()

        assert entry.state is ConfigEntryState.LOADED
        assert not issue_registry.async_get_issue(
            DOMAIN, f"host_rejected_{entry.entry_id}"
        )
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_host_rejected_at_a_poll(
    hass: HomeAssistant,
    issue_registry: ir.IssueRegistry,
    private_server: QbittorrentServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Host validation turned on under a running entry raises the issue at a poll.

    The entry stays loaded and polls on; the poll after the fix removes the issue.
    """
    await _validate_host(private_server, enabled=False)
    async with PortForward(private_server) as forward:
        entry = _entry_at(private_server, forward.url)
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        coordinator = entry.runtime_data.coordinator
        issue_id = f"host_rejected_{entry.entry_id}"

        await _validate_host(private_server, enabled=True)
        await _poll(hass, freezer)

        assert not coordinator.last_update_success
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
        assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)

        await _validate_host(private_server, enabled=False)
        await _poll(hass, freezer)

        assert coordinator.last_update_success
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_unsupported_version_at_setup(
    hass: HomeAssistant,
    issue_registry: ir.IssueRegistry,
    qbittorrent: QbittorrentServer,
) -> None:
    """A server older than supported raises an issue; upgraded, the issue goes.

    No supported release is that old, so a proxy makes the server say it is.
    """
    async with Proxy(qbittorrent.url) as proxy:
        proxy.rewrite("app/webapiVersion", lambda _: b"1.9")
        entry = _entry_at(qbittorrent, proxy.url.rstrip("/"))
        entry.add_to_hass(hass)

        assert not await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()

        assert entry.state is ConfigEntryState.SETUP_RETRY
        assert entry.error_reason_translation_key == "unsupported_version"
        issue_id = f"unsupported_version_{entry.entry_id}"
        issue = issue_registry.async_get_issue(DOMAIN, issue_id)
        assert issue is not None
        assert issue.translation_key == "unsupported_version"
        assert issue.translation_placeholders is not None
        assert issue.translation_placeholders["api_version"] == "1.9"
        assert issue.translation_placeholders["min_version"] == "4.1.0"

        proxy.clear()
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()

        assert entry.state is ConfigEntryState.LOADED
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_issues_go_with_the_entry(
    hass: HomeAssistant,
    issue_registry: ir.IssueRegistry,
    private_server: QbittorrentServer,
) -> None:
    """Removing an entry removes its repair issues."""
    async with PortForward(private_server) as forward:
        entry = _entry_at(private_server, forward.url)
        entry.add_to_hass(hass)
        assert not await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        issue_id = f"host_rejected_{entry.entry_id}"
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()

        assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_issue_texts() -> None:
    """Every issue has a title and a description with the placeholders it gets."""
    strings = json.loads(
        (
            Path(__file__).parent.parent
            / "custom_components/qbittorrent_plus/translations/en.json"
        ).read_text()
    )
    issues = strings["issues"]
    assert set(issues) == {"host_rejected", "unsupported_version"}
    assert "{host}" in issues["host_rejected"]["description"]
    for placeholder in ("{url}", "{api_version}", "{min_version}"):
        assert placeholder in issues["unsupported_version"]["description"]
    for key in issues:
        assert strings["exceptions"][key]["message"]
