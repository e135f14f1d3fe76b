"""Config flow for qBittorrent Plus: set up, reauthenticate, reconfigure, options.

Every step that takes a server's address or credentials checks them the way the
entry will use them: it logs in (or sends the API key) and reads the versions, and
shows each way that can fail as an error the user can act on.

The unique id of an entry is its normalised WebUI URL (scheme, host, port and path,
as ``api.base_url`` writes it). qBittorrent has nothing that identifies an
installation: no serial number, no instance id, and every preference (ports,
folders, the username) can change or be the same on two servers. The URL is what
tells two servers apart for the user, so one entry per URL is one entry per server.
When reconfigure moves an entry to a new URL, its unique id moves along, and so do
the unique ids of its entities and the identifier of its device, which are built
from it; an entity keeps its entity id and history.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

import aiohttp
import voluptuous as vol
from yarl import URL

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .api import MIN_SUPPORTED, APIError, Client, base_url, first_release
from .const import (
    CONF_API_KEY,
    CONF_SCAN_INTERVAL,
    CONF_TORRENT_CATEGORY,
    CONF_TORRENT_ENTITIES,
    CONF_TORRENT_LIMIT,
    CONF_TORRENT_TAG,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_TITLE,
    DEFAULT_TORRENT_LIMIT,
    DOMAIN,
    LOGGER,
    MAX_SCAN_INTERVAL,
    MAX_TORRENT_LIMIT,
    MIN_SCAN_INTERVAL,
    TORRENT_SELECTIONS,
    TORRENTS_CATEGORY,
    TORRENTS_NONE,
    TORRENTS_TAG,
)
from .errors import Failure, failure_of
from .helpers import client_for

URL_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.URL, autocomplete="off")
)
USERNAME_SELECTOR = TextSelector(TextSelectorConfig(autocomplete="username"))
SECRET_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="off")
)

CREDENTIALS_FIELDS: dict[Any, Any] = {
    vol.Optional(CONF_USERNAME): USERNAME_SELECTOR,
    vol.Optional(CONF_PASSWORD): SECRET_SELECTOR,
    vol.Optional(CONF_API_KEY): SECRET_SELECTOR,
}
USER_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_URL): URL_SELECTOR,
        **CREDENTIALS_FIELDS,
        vol.Required(CONF_VERIFY_SSL, default=True): bool,
    }
)
REAUTH_SCHEMA = vol.Schema(CREDENTIALS_FIELDS)
RECONFIGURE_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_URL): URL_SELECTOR,
        vol.Required(CONF_VERIFY_SSL): bool,
    }
)
SCAN_INTERVAL_FIELD: dict[Any, Any] = {
    vol.Required(
        CONF_SCAN_INTERVAL, default=int(DEFAULT_SCAN_INTERVAL.total_seconds())
    ): vol.All(
        NumberSelector(
            NumberSelectorConfig(
                min=MIN_SCAN_INTERVAL.total_seconds(),
                max=MAX_SCAN_INTERVAL.total_seconds(),
                step=1,
                unit_of_measurement="s",
                mode=NumberSelectorMode.BOX,
            )
        ),
        vol.Coerce(int),
    ),
}
TORRENT_SELECTION_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=list(TORRENT_SELECTIONS),
        translation_key=CONF_TORRENT_ENTITIES,
        mode=SelectSelectorMode.DROPDOWN,
    )
)
TORRENT_LIMIT_FIELD = vol.All(
    NumberSelector(
        NumberSelectorConfig(
            min=1, max=MAX_TORRENT_LIMIT, step=1, mode=NumberSelectorMode.BOX
        )
    ),
    vol.Coerce(int),
)
# The field that names the category or tag a selection needs, and its form error.
TORRENT_SELECTION_NAMES = {
    TORRENTS_CATEGORY: (CONF_TORRENT_CATEGORY, "category_required"),
    TORRENTS_TAG: (CONF_TORRENT_TAG, "tag_required"),
}

# What the forms' texts name: the oldest qBittorrent the client supports.
PLACEHOLDERS = {"min_version": first_release(MIN_SUPPORTED)}
# In reconfigure, the stored credentials are refused: most likely another server.
STORED_CREDENTIALS_REFUSED = frozenset(
    {"invalid_auth", "auth_required", "api_key_refused", "api_key_unsupported"}
)


class ServerCheckError(Exception):
    """The server cannot be used with what the form says; ``error`` says why."""

    def __init__(self, error: str, field: str = "base") -> None:
        """Name the translation key of the error and the field it belongs to."""
        super().__init__(error)
        self.error = error
        self.field = field


def credentials(user_input: Mapping[str, Any]) -> dict[str, str]:
    """Return the credentials a form gave: a password login, an API key, or none.

    A server that lets Home Assistant's address in without a login (qBittorrent's
    local or subnet bypass) needs none. Raises ``ServerCheckError`` when the form
    gives both a password and an API key.
    """
    username = user_input.get(CONF_USERNAME) or ""
    password = user_input.get(CONF_PASSWORD) or ""
    api_key = (user_input.get(CONF_API_KEY) or "").strip()
    if api_key and password:
        raise ServerCheckError("password_and_api_key", CONF_API_KEY)
    if api_key:
        return {CONF_API_KEY: api_key}
    if username or password:
        return {CONF_USERNAME: username, CONF_PASSWORD: password}
    return {}


def normalised_url(user_input: Mapping[str, Any]) -> str:
    """Return the WebUI URL as the client uses it; the entry's unique id."""
    try:
        return str(base_url(user_input[CONF_URL].strip()))
    except ValueError:
        raise ServerCheckError("invalid_url", CONF_URL) from None


def new_entry_title(url: str, *, first: bool) -> str:
    """Return "qBittorrent" for the first server, with its address for the others.

    The title names the server's device, and so its entities: the first server's
    download speed is sensor.qbittorrent_download_speed, and a voice assistant hears
    it as "qBittorrent download speed".
    """
    if first:
        return DEFAULT_TITLE
    return address_title(url)


def address_title(url: str) -> str:
    """Return "qBittorrent host:port", with the path a reverse proxy serves it under.

    Two servers behind one proxy differ only by their path: "qBittorrent
    example.org:443/qbt-a" and "qBittorrent example.org:443/qbt-b".
    """
    address = URL(url)
    title = f"{DEFAULT_TITLE} {address.host}:{address.port}"
    if path := address.path.strip("/"):
        return f"{title}/{path}"
    return title


def reconfigured_title(entry: ConfigEntry, url: str) -> str:
    """Return the title of an entry moved to ``url``.

    A title made from the old URL (its address, or the URL itself, as 0.1.0 titled
    entries) is made again from the new one; the plain "qBittorrent" and a title the
    user chose stay.
    """
    old = entry.data[CONF_URL]
    if entry.title in (old, address_title(old)):
        return address_title(url)
    return entry.title


async def async_check_server(hass: HomeAssistant, data: Mapping[str, Any]) -> str:
    """Connect as an entry with ``data`` would, and return the server's version.

    The client logs in (or sends the API key) and reads the Web API and qBittorrent
    versions; it logs out afterwards, as qBittorrent keeps only so many sessions.
    Raises ``ServerCheckError`` with the reason when that fails or the server is
    older than supported.
    """
    # The client keeps its session cookie itself; the session must keep none.
    session = async_create_clientsession(
        hass,
        verify_ssl=data[CONF_VERIFY_SSL],
        auto_cleanup=False,
        cookie_jar=aiohttp.DummyCookieJar(),
    )
    try:
        async with client_for(session, data) as client:
            try:
                # Logs in first when the client has a username and password.
                if await client.api_version() < MIN_SUPPORTED:
                    raise ServerCheckError("unsupported_version")
                return await client.app_version()
            except APIError as err:
                raise ServerCheckError(await _explain(client, err)) from err
    finally:
        session.detach()


async def _explain(client: Client, err: APIError) -> str:
    """Return the translation key of the form error for a failed first call."""
    match failure := failure_of(err):
        case Failure.API_KEY_REFUSED:
            if await client.auth_knows_api_keys():
                return "api_key_refused"
            return "api_key_unsupported"
        case Failure.INVALID_AUTH:
            # qBittorrent 5.2+ answers a login with 401 both for a wrong password
            # and when its Host-header or CSRF check refuses the request.
            if await client.auth_rejects_host():
                return "host_rejected"
            return "invalid_auth"
        case (
            Failure.BANNED
            | Failure.HOST_REJECTED
            | Failure.AUTH_REQUIRED
            | Failure.NOT_FOUND
        ):
            return failure.value
        case Failure.REFUSED:
            LOGGER.warning("qBittorrent at %s answered: %s", client.url, err)
            return "unknown"
        case _ if isinstance(err.__cause__, aiohttp.ClientConnectorCertificateError):
            return "certificate_not_trusted"
        case _:
            return "cannot_connect"


class QbittorrentPlusConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a qBittorrent server."""

    VERSION = 1

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> QbittorrentOptionsFlow:
        """Return the options flow."""
        return QbittorrentOptionsFlow()

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the WebUI's URL and credentials, and check them by connecting."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                url = normalised_url(user_input)
                data = {
                    CONF_URL: url,
                    **credentials(user_input),
                    CONF_VERIFY_SSL: user_input[CONF_VERIFY_SSL],
                }
                await self.async_set_unique_id(url)
                self._abort_if_unique_id_configured()
                await async_check_server(self.hass, data)
            except ServerCheckError as err:
                errors[err.field] = err.error
            else:
                return self.async_create_entry(
                    title=new_entry_title(
                        url, first=not self._async_current_entries(include_ignore=False)
                    ),
                    data=data,
                    options={
                        CONF_SCAN_INTERVAL: int(DEFAULT_SCAN_INTERVAL.total_seconds())
                    },
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(USER_SCHEMA, user_input),
            description_placeholders=PLACEHOLDERS,
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start here when the server refuses the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a password or an API key, check it, and reload the entry."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = {
                    CONF_URL: entry.data[CONF_URL],
                    **credentials(user_input),
                    CONF_VERIFY_SSL: entry.data[CONF_VERIFY_SSL],
                }
                await async_check_server(self.hass, data)
            except ServerCheckError as err:
                errors[err.field] = err.error
            else:
                return self.async_update_reload_and_abort(entry, data=data)
        suggested = user_input or {CONF_USERNAME: entry.data.get(CONF_USERNAME)}
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(REAUTH_SCHEMA, suggested),
            description_placeholders={**PLACEHOLDERS, "url": entry.data[CONF_URL]},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Move the entry to a new URL or TLS setting, with the stored credentials.

        The credentials tell servers apart as far as anything can: another
        qBittorrent refuses them (its password or API key is not the same). A URL
        another entry has is refused too.
        """
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                url = normalised_url(user_input)
                data = {
                    **entry.data,
                    CONF_URL: url,
                    CONF_VERIFY_SSL: user_input[CONF_VERIFY_SSL],
                }
                other = self.hass.config_entries.async_entry_for_domain_unique_id(
                    DOMAIN, url
                )
                if other is not None and other.entry_id != entry.entry_id:
                    return self.async_abort(reason="already_configured")
                await async_check_server(self.hass, data)
            except ServerCheckError as err:
                if err.error in STORED_CREDENTIALS_REFUSED:
                    errors["base"] = "stored_credentials_refused"
                else:
                    errors[err.field] = err.error
            else:
                _async_move_unique_id(self.hass, entry, url)
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=url,
                    title=reconfigured_title(entry, url),
                    data=data,
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                RECONFIGURE_SCHEMA, user_input or entry.data
            ),
            description_placeholders={**PLACEHOLDERS, "url": entry.data[CONF_URL]},
            errors=errors,
        )


@callback
def _async_move_unique_id(
    hass: HomeAssistant, entry: ConfigEntry, unique_id: str
) -> None:
    """Move the entities and the device of an entry to its new unique id.

    Entities are ``{unique_id}_{key}`` and the device is ``(DOMAIN, unique_id)``;
    updating them in the registries keeps entity ids, names and history.
    """
    old = entry.unique_id
    if old is None or old == unique_id:
        return
    entities = er.async_get(hass)
    for entity in er.async_entries_for_config_entry(entities, entry.entry_id):
        if entity.unique_id.startswith(f"{old}_"):
            entities.async_update_entity(
                entity.entity_id,
                new_unique_id=unique_id + entity.unique_id.removeprefix(old),
            )
    devices = dr.async_get(hass)
    if device := devices.async_get_device_by_identifier((DOMAIN, old), entry.entry_id):
        devices.async_update_device(device.id, new_identifiers={(DOMAIN, unique_id)})


def options_schema(categories: list[str], tags: list[str]) -> vol.Schema:
    """Return the options form, offering the server's categories and tags.

    Any other name can be typed, for a category or tag the server gets later.
    """
    return vol.Schema(
        {
            **SCAN_INTERVAL_FIELD,
            vol.Optional(
                CONF_TORRENT_ENTITIES, default=TORRENTS_NONE
            ): TORRENT_SELECTION_SELECTOR,
            vol.Optional(CONF_TORRENT_CATEGORY): _name_selector(categories),
            vol.Optional(CONF_TORRENT_TAG): _name_selector(tags),
            vol.Optional(
                CONF_TORRENT_LIMIT, default=DEFAULT_TORRENT_LIMIT
            ): TORRENT_LIMIT_FIELD,
        }
    )


def _name_selector(names: list[str]) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=names, custom_value=True, mode=SelectSelectorMode.DROPDOWN
        )
    )


def _selection_name(user_input: Mapping[str, Any], field: str) -> str:
    return str(user_input.get(field) or "").strip()


def torrent_options_errors(user_input: Mapping[str, Any]) -> dict[str, str]:
    """Return the form's errors: a category or tag the selection needs is missing."""
    selection = user_input.get(CONF_TORRENT_ENTITIES, TORRENTS_NONE)
    if selection in TORRENT_SELECTION_NAMES:
        field, error = TORRENT_SELECTION_NAMES[selection]
        if not _selection_name(user_input, field):
            return {field: error}
    return {}


def torrent_options(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return the options of the torrents' devices to store, from a valid form.

    Only what the selection uses is kept: nothing when no torrent gets a device.
    """
    selection = user_input.get(CONF_TORRENT_ENTITIES, TORRENTS_NONE)
    if selection == TORRENTS_NONE:
        return {}
    options = {
        CONF_TORRENT_ENTITIES: selection,
        CONF_TORRENT_LIMIT: user_input[CONF_TORRENT_LIMIT],
    }
    if selection in TORRENT_SELECTION_NAMES:
        field, _ = TORRENT_SELECTION_NAMES[selection]
        options[field] = _selection_name(user_input, field)
    return options


class QbittorrentOptionsFlow(OptionsFlowWithReload):
    """Change how often the server is polled and which torrents get devices.

    The entry reloads with the new options, and removes then the devices of
    torrents that no longer get one.
    """

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the poll interval and the torrents to give devices."""
        errors: dict[str, str] = {}
        if user_input is not None and not (
            errors := torrent_options_errors(user_input)
        ):
            return self.async_create_entry(
                data={
                    CONF_SCAN_INTERVAL: user_input[CONF_SCAN_INTERVAL],
                    **torrent_options(user_input),
                }
            )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                options_schema(*self._categories_and_tags()),
                user_input or self.config_entry.options,
            ),
            description_placeholders={"max_torrents": str(MAX_TORRENT_LIMIT)},
            errors=errors,
        )

    def _categories_and_tags(self) -> tuple[list[str], list[str]]:
        """Return the server's categories and tags, and those the options name.

        They are the last poll's; an entry that is not loaded offers only those
        the options name.
        """
        entry = self.config_entry
        categories = {entry.options.get(CONF_TORRENT_CATEGORY, "")}
        tags = {entry.options.get(CONF_TORRENT_TAG, "")}
        if entry.state is ConfigEntryState.LOADED:
            maindata = entry.runtime_data.coordinator.data.maindata
            categories.update(maindata.categories)
            tags.update(maindata.tags)
        return sorted(categories - {""}), sorted(tags - {""})
