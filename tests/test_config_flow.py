"""The config flow against real servers: set up, reauth, reconfigure and options."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
import json
from pathlib import Path
import ssl
from typing import Any

import aiohttp
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import trustme

from custom_components.qbittorrent_plus.const import (
    CONF_API_KEY,
    CONF_SCAN_INTERVAL,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    MAX_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
)
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState, ConfigFlowResult
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .common import entry_for
from .port_forward import PortForward
from .proxy import Proxy
from .servers import QbittorrentServer, real_sockets, running_server
from .webui import WebUI, wait_for

pytestmark = pytest.mark.usefixtures("socket_enabled")

TRANSLATIONS = json.loads(
    (
        Path(__file__).parent.parent
        / "custom_components/qbittorrent_plus/translations/en.json"
    ).read_text()
)


def _form(server: QbittorrentServer, **changes: Any) -> dict[str, Any]:
    return {
        CONF_URL: server.url,
        CONF_USERNAME: server.username,
        CONF_PASSWORD: server.password,
        CONF_VERIFY_SSL: True,
        **changes,
    }


def _entry_data(server: QbittorrentServer, **changes: Any) -> dict[str, Any]:
    return {
        CONF_URL: f"{server.url}/",
        CONF_USERNAME: server.username,
        CONF_PASSWORD: server.password,
        CONF_VERIFY_SSL: True,
        **changes,
    }


def assert_form_errors(result: ConfigFlowResult, errors: dict[str, str]) -> None:
    """Assert the form shows these errors, and that each has an English text."""
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    for error in errors.values():
        assert TRANSLATIONS["config"]["error"][error]


async def _start_user_flow(hass: HomeAssistant) -> ConfigFlowResult:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result


async def _submit(
    hass: HomeAssistant, result: ConfigFlowResult, form: dict[str, Any]
) -> ConfigFlowResult:
    return await hass.config_entries.flow.async_configure(result["flow_id"], form)


async def _set_preferences(server: QbittorrentServer, **preferences: Any) -> None:
    async with WebUI(server) as session:
        await session.post("app/setPreferences", {"json": json.dumps(preferences)})


# User step --------------------------------------------------------------------


async def test_second_server_is_named_after_its_address(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """With a server already set up, a new entry's title tells the two apart."""
    MockConfigEntry(
        domain=DOMAIN, title="qBittorrent", unique_id="http://192.0.2.1:8080/"
    ).add_to_hass(hass)
    result = await _start_user_flow(hass)

    result = await _submit(hass, result, _form(qbittorrent))

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"qBittorrent {qbittorrent.host}:{qbittorrent.port}"


async def test_second_server_behind_a_reverse_proxy_is_named_with_its_path(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """Servers behind one proxy differ by their path; so do their titles."""
    MockConfigEntry(
        domain=DOMAIN, title="qBittorrent", unique_id="http://192.0.2.1:8080/"
    ).add_to_hass(hass)
    async with Proxy(qbittorrent.url, prefix="/qbt-a/") as proxy:
        result = await _start_user_flow(hass)

        result = await _submit(
            hass, result, _form(qbittorrent, **{CONF_URL: proxy.url})
        )
        await hass.async_block_till_done()

        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["title"] == f"qBittorrent 127.0.0.1:{proxy.port}/qbt-a"
        assert await hass.config_entries.async_unload(result["result"].entry_id)


async def test_user_step_creates_entry(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """A URL and credentials that work create an entry keyed by the normalised URL."""
    result = await _start_user_flow(hass)

    result = await _submit(hass, result, _form(qbittorrent))

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "qBittorrent"
    assert result["data"] == _entry_data(qbittorrent)
    assert result["options"] == {
        CONF_SCAN_INTERVAL: DEFAULT_SCAN_INTERVAL.total_seconds()
    }
    entry = result["result"]
    assert entry.unique_id == f"{qbittorrent.url}/"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_user_step_normalises_the_url(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """A URL typed without a scheme, with a query and spaces, is normalised."""
    result = await _start_user_flow(hass)

    typed = f" {qbittorrent.host}:{qbittorrent.port}?x=1#top "
    result = await _submit(hass, result, _form(qbittorrent, **{CONF_URL: typed}))

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == f"{qbittorrent.url}/"
    assert result["data"][CONF_URL] == f"{qbittorrent.url}/"


async def test_user_step_with_an_api_key(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, webui: WebUI
) -> None:
    """An API key logs in on 5.2+; an older server has none, and a password works."""
    result = await _start_user_flow(hass)
    if qbittorrent.version == "4.5.2":
        key = "qbt_" + "k" * 32
        form = {CONF_URL: qbittorrent.url, CONF_API_KEY: key, CONF_VERIFY_SSL: True}
        result = await _submit(hass, result, form)
        assert_form_errors(result, {"base": "api_key_unsupported"})
        result = await _submit(hass, result, _form(qbittorrent))
        assert result["type"] is FlowResultType.CREATE_ENTRY
        return

    key = (await webui.post("app/rotateAPIKey"))["apiKey"]
    # A username typed out of habit is dropped; the key is what logs in.
    form = {
        CONF_URL: qbittorrent.url,
        CONF_USERNAME: qbittorrent.username,
        CONF_API_KEY: f" {key} ",
        CONF_VERIFY_SSL: True,
    }
    result = await _submit(hass, result, form)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_URL: f"{qbittorrent.url}/",
        CONF_API_KEY: key,
        CONF_VERIFY_SSL: True,
    }
    await hass.async_block_till_done()
    assert result["result"].state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({CONF_PASSWORD: "wrong"}, {"base": "invalid_auth"}),
        ({CONF_URL: "ftp://127.0.0.1/"}, {CONF_URL: "invalid_url"}),
        ({CONF_URL: "http://"}, {CONF_URL: "invalid_url"}),
        ({CONF_URL: "http://127.0.0.1:9/"}, {"base": "cannot_connect"}),
        ({CONF_API_KEY: "qbt_key"}, {CONF_API_KEY: "password_and_api_key"}),
        ({CONF_USERNAME: "", CONF_PASSWORD: ""}, {"base": "auth_required"}),
    ],
    ids=[
        "invalid_auth",
        "invalid_url",
        "url_without_host",
        "cannot_connect",
        "password_and_api_key",
        "auth_required",
    ],
)
async def test_user_step_error_then_recovery(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Each failure is shown on the form, and the corrected form goes through."""
    result = await _start_user_flow(hass)

    result = await _submit(hass, result, _form(qbittorrent, **changes))
    assert_form_errors(result, errors)

    result = await _submit(hass, result, _form(qbittorrent))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_step_not_found_then_recovery(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """A path under which the WebUI has no API is a 404: the path is wrong."""
    result = await _start_user_flow(hass)

    result = await _submit(
        hass, result, _form(qbittorrent, **{CONF_URL: f"{qbittorrent.url}/qbt/"})
    )
    assert_form_errors(result, {"base": "not_found"})

    result = await _submit(hass, result, _form(qbittorrent))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_step_api_key_refused_then_recovery(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """A key the server does not have is refused; 4.x has no keys at all."""
    result = await _start_user_flow(hass)

    form = {
        CONF_URL: qbittorrent.url,
        CONF_API_KEY: "qbt_" + "x" * 32,
        CONF_VERIFY_SSL: True,
    }
    result = await _submit(hass, result, form)
    expected = (
        "api_key_unsupported" if qbittorrent.version == "4.5.2" else ("api_key_refused")
    )
    assert_form_errors(result, {"base": expected})

    result = await _submit(hass, result, _form(qbittorrent))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_step_host_header_rejected_then_recovery(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """Through a port mapping, the WebUI's Host-header validation answers 401.

    At login, qBittorrent 5.x answers 401 for a wrong password too; the flow tells
    them apart and says what to change. The corrected URL goes through.
    """
    async with PortForward(qbittorrent) as forward:
        result = await _start_user_flow(hass)

        result = await _submit(
            hass, result, _form(qbittorrent, **{CONF_URL: forward.url})
        )
        assert_form_errors(result, {"base": "host_rejected"})

        # Without credentials the first call is no login, and is refused alike.
        no_login = {CONF_URL: forward.url, CONF_VERIFY_SSL: True}
        result = await _submit(hass, result, no_login)
        assert_form_errors(result, {"base": "host_rejected"})

        result = await _submit(hass, result, _form(qbittorrent))
        assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_step_banned_then_recovery(
    hass: HomeAssistant, private_server: QbittorrentServer
) -> None:
    """A banned address is told so; once the ban is gone the flow goes on."""
    await _set_preferences(private_server, web_ui_max_auth_fail_count=1)
    result = await _start_user_flow(hass)

    result = await _submit(hass, result, _form(private_server, **{CONF_PASSWORD: "x"}))
    assert_form_errors(result, {"base": "invalid_auth"})
    result = await _submit(hass, result, _form(private_server))
    assert_form_errors(result, {"base": "banned"})

    # qBittorrent keeps bans in memory: a restart lifts them.
    await hass.async_add_executor_job(private_server.restart)
    result = await _submit(hass, result, _form(private_server))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_step_server_error_then_recovery(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unexpected error status (from a proxy in front, say) is shown and logged."""
    async with Proxy(qbittorrent.url) as proxy:
        proxy.answer("auth/login", status=502, body=b"Bad Gateway", times=1)
        result = await _start_user_flow(hass)

        result = await _submit(
            hass, result, _form(qbittorrent, **{CONF_URL: proxy.url})
        )
        assert_form_errors(result, {"base": "unknown"})
        assert "auth/login: 502 Bad Gateway" in caplog.text
        assert qbittorrent.password not in caplog.text

        result = await _submit(
            hass, result, _form(qbittorrent, **{CONF_URL: proxy.url})
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        assert await hass.config_entries.async_unload(result["result"].entry_id)


async def test_user_step_unsupported_version_then_recovery(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """A server answering with a Web API older than 2.0 is refused.

    No supported release is that old, so a proxy makes the server say it is.
    """
    async with Proxy(qbittorrent.url) as proxy:
        proxy.rewrite("app/webapiVersion", lambda _: b"1.9", times=1)
        result = await _start_user_flow(hass)

        result = await _submit(
            hass, result, _form(qbittorrent, **{CONF_URL: proxy.url})
        )
        assert_form_errors(result, {"base": "unsupported_version"})
        assert result["description_placeholders"] == {"min_version": "4.1.0"}

        result = await _submit(
            hass, result, _form(qbittorrent, **{CONF_URL: proxy.url})
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        assert await hass.config_entries.async_unload(result["result"].entry_id)


async def test_user_step_aborts_for_a_configured_server(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """The same server cannot be added twice, however its URL is typed."""
    entry_for(qbittorrent).add_to_hass(hass)
    result = await _start_user_flow(hass)

    result = await _submit(
        hass, result, _form(qbittorrent, **{CONF_URL: qbittorrent.url.upper()})
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert TRANSLATIONS["config"]["abort"][result["reason"]]


# TLS ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def https_server(qbittorrent: QbittorrentServer) -> Iterator[QbittorrentServer]:
    """Run a server of the module's version that answers HTTPS only.

    Its certificate comes from a test CA that Home Assistant does not trust, as a
    self-signed one would.
    """
    ca = trustme.CA()
    with running_server(qbittorrent.version) as server:
        issued = ca.issue_cert(server.host)
        cert, key = server.profile_dir / "webui.crt", server.profile_dir / "webui.key"
        issued.cert_chain_pems[0].write_to_path(str(cert))
        issued.private_key_pem.write_to_path(str(key))
        asyncio.run(
            _turn_on_https(
                server,
                use_https=True,
                web_ui_https_cert_path=str(cert),
                web_ui_https_key_path=str(key),
            )
        )
        yield server


async def _turn_on_https(server: QbittorrentServer, **preferences: Any) -> None:
    """Set the HTTPS preferences, outside any test, and wait until HTTPS answers."""
    with real_sockets():
        await _set_preferences(server, **preferences)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE

        async def answers_https() -> bool:
            try:
                async with (
                    aiohttp.ClientSession() as session,
                    session.get(
                        f"https://{server.host}:{server.port}/", ssl=context
                    ) as response,
                ):
                    return response.status == 200
            except aiohttp.ClientError:
                return False

        await wait_for(answers_https)


async def test_user_step_untrusted_certificate_then_recovery(
    hass: HomeAssistant, https_server: QbittorrentServer
) -> None:
    """A certificate no trusted authority signed is refused until checks are off."""
    url = f"https://{https_server.host}:{https_server.port}"
    result = await _start_user_flow(hass)

    result = await _submit(hass, result, _form(https_server, **{CONF_URL: url}))
    assert_form_errors(result, {"base": "certificate_not_trusted"})

    result = await _submit(
        hass, result, _form(https_server, **{CONF_URL: url, CONF_VERIFY_SSL: False})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_VERIFY_SSL] is False
    assert result["result"].unique_id == f"{url}/"


async def test_user_step_https_to_a_plain_server_then_recovery(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """An https:// URL for a WebUI without TLS cannot connect; http:// works.

    qBittorrent drops a TLS handshake it does not expect, which looks like any other
    failed connection; the error names the scheme as something to check.
    """
    url = f"https://{qbittorrent.host}:{qbittorrent.port}"
    result = await _start_user_flow(hass)

    result = await _submit(hass, result, _form(qbittorrent, **{CONF_URL: url}))
    assert_form_errors(result, {"base": "cannot_connect"})

    result = await _submit(hass, result, _form(qbittorrent))
    assert result["type"] is FlowResultType.CREATE_ENTRY


# Reauth -----------------------------------------------------------------------


async def test_reauth_error_then_recovery(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """Reauth refuses a wrong password, then stores the right one and reloads."""
    entry = entry_for(qbittorrent, password="old-password")
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert placeholders["url"] == f"{qbittorrent.url}/"

    result = await _submit(
        hass,
        result,
        {CONF_USERNAME: qbittorrent.username, CONF_PASSWORD: "still-wrong"},
    )
    assert_form_errors(result, {"base": "invalid_auth"})

    result = await _submit(
        hass,
        result,
        {CONF_USERNAME: qbittorrent.username, CONF_PASSWORD: qbittorrent.password},
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data == _entry_data(qbittorrent)
    assert entry.state is ConfigEntryState.LOADED


async def test_reauth_with_an_api_key(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, webui: WebUI
) -> None:
    """Reauth takes an API key instead of a password where the server has keys."""
    entry = entry_for(qbittorrent, password="old-password")
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)

    if qbittorrent.version == "4.5.2":
        result = await _submit(hass, result, {CONF_API_KEY: "qbt_" + "k" * 32})
        assert_form_errors(result, {"base": "api_key_unsupported"})
        result = await _submit(
            hass,
            result,
            {CONF_USERNAME: qbittorrent.username, CONF_PASSWORD: qbittorrent.password},
        )
        expected = _entry_data(qbittorrent)
    else:
        result = await _submit(hass, result, {CONF_API_KEY: "qbt_" + "x" * 32})
        assert_form_errors(result, {"base": "api_key_refused"})
        key = (await webui.post("app/rotateAPIKey"))["apiKey"]
        result = await _submit(hass, result, {CONF_API_KEY: key})
        expected = {
            CONF_URL: f"{qbittorrent.url}/",
            CONF_API_KEY: key,
            CONF_VERIFY_SSL: True,
        }
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data == expected
    assert entry.state is ConfigEntryState.LOADED


async def test_reauth_from_an_api_key_to_a_password(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """An entry that used a key can go back to a password; the key is dropped."""
    entry = entry_for(qbittorrent)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry,
        data={
            CONF_URL: f"{qbittorrent.url}/",
            CONF_API_KEY: "qbt_" + "r" * 32,
            CONF_VERIFY_SSL: True,
        },
    )
    result = await entry.start_reauth_flow(hass)

    result = await _submit(
        hass,
        result,
        {CONF_USERNAME: qbittorrent.username, CONF_PASSWORD: qbittorrent.password},
    )
    await hass.async_block_till_done()

    assert result["reason"] == "reauth_successful"
    assert entry.data == _entry_data(qbittorrent)


# Reconfigure ------------------------------------------------------------------


async def _loaded_entry(
    hass: HomeAssistant, server: QbittorrentServer
) -> MockConfigEntry:
    entry = entry_for(server)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_reconfigure_moves_the_entry_to_a_new_url(
    hass: HomeAssistant,
    private_server: QbittorrentServer,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A new URL of the same server is checked, stored, and reloaded with.

    The unique id follows the URL, and so do the unique ids of the entry's entities
    and its device, which keep their entity ids.
    """
    # Behind a port mapping the server is reached once Host validation is off.
    await _set_preferences(private_server, web_ui_host_header_validation_enabled=False)
    entry = await _loaded_entry(hass, private_server)
    old = f"{private_server.url}/"
    speed = entity_registry.async_get_or_create(
        "sensor", DOMAIN, f"{old}_download_speed", config_entry=entry
    )
    other = entity_registry.async_get_or_create(
        "sensor", DOMAIN, "elsewhere", config_entry=entry
    )
    device = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, old)}
    )
    entities = len(er.async_entries_for_config_entry(entity_registry, entry.entry_id))
    async with PortForward(private_server) as forward:
        result = await entry.start_reconfigure_flow(hass)
        assert result["type"] is FlowResultType.FORM
        assert result["step_id"] == "reconfigure"

        result = await _submit(
            hass, result, {CONF_URL: forward.url, CONF_VERIFY_SSL: True}
        )
        await hass.async_block_till_done()

        new = f"{forward.url}/"
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reconfigure_successful"
        assert entry.state is ConfigEntryState.LOADED
        assert entry.unique_id == new
        # Titled by its URL, as 0.1.0 titled entries: now by the new address.
        assert entry.title == f"qBittorrent 127.0.0.1:{forward.port}"
        assert entry.data == _entry_data(private_server, **{CONF_URL: new})
        moved = entity_registry.async_get(speed.entity_id)
        assert moved is not None
        assert moved.unique_id == f"{new}_download_speed"
        kept = entity_registry.async_get(other.entity_id)
        assert kept is not None
        assert kept.unique_id == "elsewhere"
        moved_device = device_registry.async_get(device.id)
        assert moved_device is not None
        assert moved_device.identifiers == {(DOMAIN, new)}
        assert moved_device.name == entry.title
        # The reloaded entry found its entities and device under the new id.
        assert (
            len(er.async_entries_for_config_entry(entity_registry, entry.entry_id))
            == entities
        )
        assert dr.async_entries_for_config_entry(device_registry, entry.entry_id) == [
            moved_device
        ]
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_behind_a_reverse_proxy(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """An entry not loaded moves behind a reverse proxy that serves it under a path."""
    entry = entry_for(qbittorrent)
    entry.add_to_hass(hass)
    async with Proxy(qbittorrent.url, prefix="/qbt/") as proxy:
        result = await entry.start_reconfigure_flow(hass)

        result = await _submit(
            hass, result, {CONF_URL: proxy.url.rstrip("/"), CONF_VERIFY_SSL: True}
        )
        await hass.async_block_till_done()

        assert result["reason"] == "reconfigure_successful"
        assert entry.unique_id == proxy.url
        assert entry.title == f"qBittorrent 127.0.0.1:{proxy.port}/qbt"
        assert entry.data[CONF_URL] == proxy.url
        assert entry.state is ConfigEntryState.LOADED
        assert proxy.count("sync/maindata") == 1
        assert await hass.config_entries.async_unload(entry.entry_id)


async def _reconfigure_to(
    hass: HomeAssistant, entry: MockConfigEntry, url: str
) -> None:
    result = await entry.start_reconfigure_flow(hass)
    result = await _submit(hass, result, {CONF_URL: url, CONF_VERIFY_SSL: True})
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"


async def test_reconfigure_gives_an_address_title_the_new_address(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """A title made from the old address is made again from the new one."""
    entry = entry_for(qbittorrent)
    entry.add_to_hass(hass)
    address = f"{qbittorrent.host}:{qbittorrent.port}"
    hass.config_entries.async_update_entry(entry, title=f"qBittorrent {address}")
    async with Proxy(qbittorrent.url, prefix="/qbt/") as proxy:
        await _reconfigure_to(hass, entry, proxy.url)
        assert entry.title == f"qBittorrent 127.0.0.1:{proxy.port}/qbt"

        await _reconfigure_to(hass, entry, qbittorrent.url)
        assert entry.title == f"qBittorrent {address}"
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("title", ["qBittorrent", "My qBittorrent"])
async def test_reconfigure_keeps_a_title_not_made_from_the_url(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, title: str
) -> None:
    """The first server's plain title, and one the user chose, stay as they are."""
    entry = entry_for(qbittorrent)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, title=title)
    async with Proxy(qbittorrent.url) as proxy:
        await _reconfigure_to(hass, entry, proxy.url)
        assert entry.title == title
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_tls_setting_keeps_the_unique_id(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """Only the TLS setting changes: the entry keeps its URL, title and unique id."""
    entry = await _loaded_entry(hass, qbittorrent)
    hass.config_entries.async_update_entry(entry, title="My qBittorrent")
    result = await entry.start_reconfigure_flow(hass)

    result = await _submit(
        hass, result, {CONF_URL: qbittorrent.url, CONF_VERIFY_SSL: False}
    )
    await hass.async_block_till_done()

    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == f"{qbittorrent.url}/"
    assert entry.title == "My qBittorrent"
    assert entry.data == _entry_data(qbittorrent, **{CONF_VERIFY_SSL: False})
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_cannot_connect_then_recovery(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """A URL nothing answers at is shown as an error; the entry is unchanged."""
    entry = await _loaded_entry(hass, qbittorrent)
    result = await entry.start_reconfigure_flow(hass)

    result = await _submit(
        hass, result, {CONF_URL: "http://127.0.0.1:9", CONF_VERIFY_SSL: True}
    )
    assert_form_errors(result, {"base": "cannot_connect"})
    assert entry.data == _entry_data(qbittorrent)

    result = await _submit(hass, result, {CONF_URL: "nope://", CONF_VERIFY_SSL: True})
    assert_form_errors(result, {CONF_URL: "invalid_url"})

    result = await _submit(
        hass, result, {CONF_URL: qbittorrent.url, CONF_VERIFY_SSL: True}
    )
    assert result["reason"] == "reconfigure_successful"


async def test_reconfigure_refuses_a_different_server(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    private_server: QbittorrentServer,
) -> None:
    """Another server refuses the stored credentials, and is not taken for this one."""
    entry = await _loaded_entry(hass, qbittorrent)
    result = await entry.start_reconfigure_flow(hass)

    result = await _submit(
        hass, result, {CONF_URL: private_server.url, CONF_VERIFY_SSL: True}
    )
    assert_form_errors(result, {"base": "stored_credentials_refused"})
    assert entry.unique_id == f"{qbittorrent.url}/"

    result = await _submit(
        hass, result, {CONF_URL: qbittorrent.url, CONF_VERIFY_SSL: True}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == f"{qbittorrent.url}/"


async def test_reconfigure_refuses_the_url_of_another_entry(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    private_server: QbittorrentServer,
) -> None:
    """A URL that another entry has is that entry's server."""
    entry = await _loaded_entry(hass, qbittorrent)
    entry_for(private_server).add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)

    result = await _submit(
        hass, result, {CONF_URL: private_server.url, CONF_VERIFY_SSL: True}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.unique_id == f"{qbittorrent.url}/"


# Options ----------------------------------------------------------------------


async def test_options_change_the_poll_interval(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """The poll interval is stored, and the reloaded entry polls at it."""
    entry = await _loaded_entry(hass, qbittorrent)
    assert entry.runtime_data.coordinator.update_interval == DEFAULT_SCAN_INTERVAL
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 42}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_SCAN_INTERVAL: 42}
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator.update_interval == timedelta(seconds=42)


@pytest.mark.parametrize(
    "seconds",
    [
        MIN_SCAN_INTERVAL.total_seconds() - 1,
        MAX_SCAN_INTERVAL.total_seconds() + 1,
    ],
    ids=["too_short", "too_long"],
)
async def test_options_refuse_an_interval_out_of_bounds(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, seconds: float
) -> None:
    """The poll interval stays within its bounds."""
    entry = await _loaded_entry(hass, qbittorrent)
    result = await hass.config_entries.options.async_init(entry.entry_id)

    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_SCAN_INTERVAL: seconds}
        )
    assert entry.options == {}
