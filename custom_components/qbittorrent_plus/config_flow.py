"""Config flow for qBittorrent Plus."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

import probatio

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .api import APIConnectionError, LoginFailed, base_url
from .const import DOMAIN
from .helpers import create_client

USER_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_URL): TextSelector(
            TextSelectorConfig(type=TextSelectorType.URL)
        ),
        probatio.Required(CONF_USERNAME): str,
        probatio.Required(probatio.Secret(CONF_PASSWORD)): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        ),
        probatio.Required(CONF_VERIFY_SSL, default=True): bool,
    }
)
REAUTH_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_USERNAME): str,
        probatio.Required(probatio.Secret(CONF_PASSWORD)): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        ),
    }
)


class QbittorrentPlusConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a qBittorrent server."""

    VERSION = 1

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the WebUI's URL and credentials, and check them by logging in."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                url = str(base_url(user_input[CONF_URL]))
            except ValueError:
                errors[CONF_URL] = "invalid_url"
            else:
                user_input = {**user_input, CONF_URL: url}
                await self.async_set_unique_id(url)
                self._abort_if_unique_id_configured()
                if error := await self._check_login(user_input):
                    errors["base"] = error
                else:
                    return self.async_create_entry(title=url, data=user_input)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(USER_SCHEMA, user_input),
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
        """Ask for new credentials, check them, and reload the entry with them."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **user_input}
            if error := await self._check_login(data):
                errors["base"] = error
            else:
                return self.async_update_reload_and_abort(entry, data=data)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                REAUTH_SCHEMA, user_input or {CONF_USERNAME: entry.data[CONF_USERNAME]}
            ),
            description_placeholders={"url": entry.data[CONF_URL]},
            errors=errors,
        )

    async def _check_login(self, user_input: dict[str, Any]) -> str | None:
        client = create_client(self.hass, user_input)
        try:
            await client.auth_log_in()
        except LoginFailed:
            return "invalid_auth"
        except APIConnectionError:
            return "cannot_connect"
        return None
