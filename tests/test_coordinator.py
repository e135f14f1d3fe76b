"""The coordinator under real failures, and what an idle poll costs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
import logging
from pathlib import Path
from unittest.mock import MagicMock, patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.qbittorrent_plus.const import DOMAIN, LOGGER
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_URL, CONF_VERIFY_SSL, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity import Entity

from .common import reauthenticate
from .platforms import named_entry, poll, set_up, state_of, stop_path, torrent_states
from .proxy import Proxy
from .servers import API_VERSIONS, HA_VERSIONS, QbittorrentServer
from .torrents import make_torrent
from .webui import WebUI, wait_for

pytestmark = pytest.mark.usefixtures("socket_enabled")

ALL_TORRENTS = "sensor.qbittorrent_all_torrents"
SEEDING = "sensor.qbittorrent_seeding_torrents"
STOPPED = "sensor.qbittorrent_stopped_torrents"
FREE_SPACE = "sensor.qbittorrent_free_disk_space"
ALL_PLATFORMS = (Platform.BUTTON, Platform.NUMBER, Platform.SENSOR, Platform.SWITCH)


@pytest.fixture(params=HA_VERSIONS, ids=lambda v: f"qbt-{v}")
def server(
    request: pytest.FixtureRequest,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
) -> QbittorrentServer:
    """Start a private server of each version, to stop, restart or reconfigure."""
    return qbittorrent_factory(request.param)


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture the integration's log from INFO up."""
    caplog.set_level(logging.INFO, logger=LOGGER.name)
    return caplog


def lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    """Return the integration's log lines of one level."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(LOGGER.name) and record.levelno == level
    ]


@contextmanager
def counting_writes() -> Iterator[MagicMock]:
    """Count the states entities write (each call names its entity)."""
    original = Entity.async_write_ha_state
    with patch.object(
        Entity, "async_write_ha_state", autospec=True, side_effect=original
    ) as spy:
        yield spy


def written(spy: MagicMock) -> set[str]:
    """Return the entities that wrote a state since the spy was last reset."""
    return {call.args[0].entity_id for call in spy.call_args_list}


async def test_server_stopped_and_back(
    hass: HomeAssistant,
    server: QbittorrentServer,
    logged: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A stopped server makes the entities unavailable, logged once; back, once.

    The entry is not reloaded: the same coordinator carries on when the server is
    back, logging in again on its own.
    """
    entry = named_entry(server)
    await set_up(hass, entry, *ALL_PLATFORMS)
    coordinator = entry.runtime_data.coordinator
    assert state_of(hass, ALL_TORRENTS) == "0"

    await hass.async_add_executor_job(server.stop)
    for _ in range(3):
        await poll(hass, freezer)
        assert state_of(hass, ALL_TORRENTS) == STATE_UNAVAILABLE

    assert len(lines(logged, logging.ERROR)) == 1
    assert "Cannot connect to qBittorrent" in lines(logged, logging.ERROR)[0]
    assert lines(logged, logging.WARNING) == []
    assert state_of(hass, "switch.qbittorrent_alternative_speed_limits") == (
        STATE_UNAVAILABLE
    )

    await hass.async_add_executor_job(server.start)
    await poll(hass, freezer)

    assert state_of(hass, ALL_TORRENTS) == "0"
    assert state_of(hass, "number.qbittorrent_alternative_download_limit") == "10"
    assert len(lines(logged, logging.ERROR)) == 1
    assert [line for line in lines(logged, logging.INFO) if "recovered" in line] == [
        f"Fetching {coordinator.name} data recovered"
    ]
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator is coordinator


async def test_new_password_starts_reauth(
    hass: HomeAssistant,
    server: QbittorrentServer,
    logged: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A password changed on the server starts reauthentication at the next poll.

    qBittorrent keeps open sessions when its password changes, so the change shows
    once the session ends; here the server restarts.
    """
    entry = named_entry(server)
    await set_up(hass, entry, Platform.SENSOR)
    async with WebUI(server) as webui:
        await webui.post(
            "app/setPreferences", {"json": '{"web_ui_password": "another password"}'}
        )
    # The server's own check after the restart logs in with the new password.
    server.password = "another password"
    await hass.async_add_executor_job(server.restart)

    await poll(hass, freezer)

    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert state_of(hass, ALL_TORRENTS) == STATE_UNAVAILABLE
    errors = lines(logged, logging.ERROR)
    assert len(errors) == 1
    assert "refused the username or password" in errors[0]


async def test_login_required_starts_reauth(
    hass: HomeAssistant,
    server: QbittorrentServer,
    logged: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An entry without credentials asks for them once the WebUI wants a login.

    It relied on the WebUI's bypass for local clients; once that is off and the
    session it gave has ended, the next poll starts reauthentication, and with the
    WebUI's password the entry polls again.
    """
    async with WebUI(server) as webui:
        await webui.set_preferences(bypass_local_auth=True)
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="qBittorrent",
            data={CONF_URL: f"{server.url}/", CONF_VERIFY_SSL: True},
        )
        await set_up(hass, entry, Platform.SENSOR)
        assert state_of(hass, ALL_TORRENTS) == "0"

        await webui.set_preferences(bypass_local_auth=False)
    # The session the WebUI gave without a login lasts until the server restarts.
    await hass.async_add_executor_job(server.restart)
    await poll(hass, freezer)

    assert state_of(hass, ALL_TORRENTS) == STATE_UNAVAILABLE
    errors = lines(logged, logging.ERROR)
    assert len(errors) == 1
    assert "no longer lets Home Assistant in without a login" in errors[0]
    await reauthenticate(hass, entry, server)
    assert state_of(hass, ALL_TORRENTS) == "0"

    await poll(hass, freezer)
    assert entry.runtime_data.coordinator.last_update_success
    assert entry.runtime_data.client.is_logged_in


async def test_ban_pauses_polling(
    hass: HomeAssistant,
    server: QbittorrentServer,
    logged: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A banned address polls again only after the WebUI's ban duration.

    Each attempt during a ban is refused and may prolong it. The ban duration is
    the server's own, read from its preferences.
    """
    async with WebUI(server) as webui:
        await webui.post(
            "app/setPreferences",
            {"json": '{"web_ui_max_auth_fail_count": 1, "web_ui_ban_duration": 120}'},
        )
    entry = named_entry(server)
    await set_up(hass, entry, Platform.SENSOR)
    assert entry.runtime_data.coordinator.ban_duration == timedelta(seconds=120)
    # The restart ends the session; one failed login then bans this address.
    await hass.async_add_executor_job(server.restart)
    async with aiohttp.ClientSession() as session:
        form = {"username": server.username, "password": "wrong"}
        async with session.post(f"{server.url}/api/v2/auth/login", data=form):
            pass

    await poll(hass, freezer)

    assert state_of(hass, ALL_TORRENTS) == STATE_UNAVAILABLE
    errors = lines(logged, logging.ERROR)
    assert len(errors) == 1
    assert "banned" in errors[0]

    # A restart lifts the ban; a poll now would succeed, but none is made yet.
    await hass.async_add_executor_job(server.restart)
    await poll(hass, freezer)
    assert state_of(hass, ALL_TORRENTS) == STATE_UNAVAILABLE

    await poll(hass, freezer, timedelta(seconds=120))
    assert state_of(hass, ALL_TORRENTS) == "0"


async def test_idle_poll(
    hass: HomeAssistant,
    server: QbittorrentServer,
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An idle poll is one request and writes no state; a change writes only its own.

    Requests are counted at a proxy in front of the real server, and writes at
    Home Assistant's entity base class.
    """
    async with WebUI(server) as webui, Proxy(server.url) as proxy:
        await webui.post("app/setPreferences", {"json": '{"queueing_enabled": false}'})
        made = make_torrent(tmp_path, "idle")
        await webui.add_torrent(made)

        async def seeding() -> bool:
            return (await torrent_states(webui))["idle"] == "stalledUP"

        await wait_for(seeding)
        entry = named_entry(server, proxy.url)
        await set_up(hass, entry, *ALL_PLATFORMS)
        coordinator = entry.runtime_data.coordinator
        assert state_of(hass, SEEDING) == "1"

        with counting_writes() as writes:
            # Poll until the server has nothing new (it may settle a moment first).
            for _ in range(10):
                data, sent = coordinator.data, len(proxy.requests)
                writes.reset_mock()
                await poll(hass, freezer)
                if coordinator.data is data:
                    break
            else:
                pytest.fail("the server never became idle")
            assert [r.path for r in proxy.requests[sent:]] == ["sync/maindata"]
            assert written(writes) == set()

            await webui.post(stop_path(server), {"hashes": made.info_hash})

            async def stopped() -> bool:
                return (await torrent_states(webui))["idle"] == "stoppedUP"

            await wait_for(stopped)
            sent = len(proxy.requests)
            await poll(hass, freezer)

            assert [r.path for r in proxy.requests[sent:]] == ["sync/maindata"]
            # Only what changed is written (the free space may have moved too).
            assert written(writes) - {FREE_SPACE} == {SEEDING, STOPPED}
        assert state_of(hass, SEEDING) == "0"
        assert state_of(hass, STOPPED) == "1"


async def test_preferences_read_again_after_restart(
    hass: HomeAssistant,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
    freezer: FrozenDateTimeFactory,
) -> None:
    """After a new session (the server restarted) preferences are read once more."""
    server = qbittorrent_factory("5.3.0")
    async with Proxy(server.url) as proxy:
        await set_up(hass, named_entry(server, proxy.url), Platform.NUMBER)
        assert proxy.count("app/preferences") == 1
        await poll(hass, freezer)
        assert proxy.count("app/preferences") == 1

        async with WebUI(server) as webui:
            await webui.post("app/setPreferences", {"json": '{"alt_up_limit": 40960}'})
        await hass.async_add_executor_job(server.restart)
        await poll(hass, freezer)
        await poll(hass, freezer)

        assert proxy.count("app/preferences") == 2
        assert state_of(hass, "number.qbittorrent_alternative_upload_limit") == "40"


async def test_unexpected_error(
    hass: HomeAssistant,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
    logged: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An error that is no connection problem is logged once, translated."""
    server = qbittorrent_factory("5.3.0")
    async with Proxy(server.url) as proxy:
        entry = named_entry(server, proxy.url)
        await set_up(hass, entry, Platform.SENSOR)
        entry.runtime_data.client.raise_unsupported_version = True
        proxy.answer("app/webapiVersion", body=b"2.99.0")
        await hass.async_add_executor_job(server.restart)

        await poll(hass, freezer)
        await poll(hass, freezer)

    assert state_of(hass, ALL_TORRENTS) == STATE_UNAVAILABLE
    errors = lines(logged, logging.ERROR)
    assert len(errors) == 1
    assert "qBittorrent answered with an error" in errors[0]
    assert "Web API 2.99 is not supported" in errors[0]


def version_reads(proxy: Proxy) -> tuple[int, int]:
    """Return how often ``app/version`` and ``app/webapiVersion`` were asked."""
    return proxy.count("app/version"), proxy.count("app/webapiVersion")


async def test_device_versions_follow_an_upgrade(
    hass: HomeAssistant,
    server: QbittorrentServer,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
) -> None:
    """After a restart into another version, the server's device shows the new one.

    The proxy answers as an upgraded server would. The versions are read again only
    after a new login (which reads the Web API version itself): one app/version
    request at the poll after it, none at an idle poll. A failed read fails that
    poll, and the next poll reads again.
    """
    async with Proxy(server.url) as proxy:
        entry = named_entry(server, proxy.url)
        await set_up(hass, entry, Platform.BUTTON)
        coordinator = entry.runtime_data.coordinator
        device = device_registry.async_get_device_by_identifier(
            (DOMAIN, "qbittorrent"), entry.entry_id
        )
        assert device is not None
        assert device.sw_version == server.version
        assert device.model == f"qBittorrent (Web API {API_VERSIONS[server.version]})"
        # Read by setup alone, not by the first poll.
        assert version_reads(proxy) == (1, 1)
        await poll(hass, freezer)
        assert version_reads(proxy) == (1, 1)

        # The session ends; the same server takes the new login.
        proxy.answer("sync/maindata", status=403, times=1)
        await poll(hass, freezer)
        assert version_reads(proxy) == (1, 2)
        assert coordinator.last_update_success
        proxy.answer("app/version", status=500, times=1)
        await poll(hass, freezer)
        assert not coordinator.last_update_success
        await poll(hass, freezer)
        assert coordinator.last_update_success
        assert version_reads(proxy) == (3, 2)
        assert device_registry.async_get(device.id) == device

        proxy.rewrite("app/version", lambda _: b"v9.8.7")
        proxy.answer("app/webapiVersion", body=b"2.17.0")
        await hass.async_add_executor_job(server.restart)
        await poll(hass, freezer)
        assert version_reads(proxy) == (3, 3)
        await poll(hass, freezer)
        assert version_reads(proxy) == (4, 3)
        upgraded = device_registry.async_get_device_by_identifier(
            (DOMAIN, "qbittorrent"), entry.entry_id
        )
        assert upgraded is not None
        assert upgraded.sw_version == "9.8.7"
        assert upgraded.model == "qBittorrent (Web API 2.17)"
        assert (entry.runtime_data.version, entry.runtime_data.api_version) == (
            "v9.8.7",
            "2.17",
        )
        await poll(hass, freezer)
        assert version_reads(proxy) == (4, 3)

        # Without the device (removed), the entry's versions still follow.
        device_registry.async_remove_device(device.id)
        proxy.rewrite("app/version", lambda _: b"v9.8.8")
        proxy.answer("sync/maindata", status=403, times=1)
        await poll(hass, freezer)
        await poll(hass, freezer)
        assert coordinator.last_update_success
        assert entry.runtime_data.version == "v9.8.8"
