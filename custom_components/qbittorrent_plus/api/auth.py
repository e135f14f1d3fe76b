"""The auth namespace: logging in and out."""

from __future__ import annotations

from functools import cached_property
from typing import Final

from .errors import APIError, Forbidden403Error, Unauthorized401Error
from .namespace import Delegate, Namespace
from .transport import Transport

# Sent where qBittorrent 5.2+ refuses any bearer token (see auth_knows_api_keys).
_PROBE_TOKEN: Final = "Bearer probe"  # noqa: S105 - no secret: a placeholder


class AuthAPI(Namespace):
    """``client.auth``: log_in, log_out, is_logged_in."""

    __slots__ = ()

    log_in = Delegate(Transport.auth_log_in)
    log_out = Delegate(Transport.auth_log_out)

    @property
    def is_logged_in(self) -> bool:
        """Return whether the client holds a session from a login."""
        return self._client.is_logged_in


class AuthAPIMixIn(Transport):
    """Auth endpoints; the calls themselves live in the transport."""

    @cached_property
    def auth(self) -> AuthAPI:
        """Return the auth namespace."""
        return AuthAPI(self)

    async def auth_knows_api_keys(self) -> bool:
        """Return whether the server knows API keys (qBittorrent 5.2 and newer).

        Only a server's answer with a valid key would say which version it runs. But a
        server with API keys refuses a bearer token on ``auth/*`` with 403 before
        anything else, while an older one answers a GET of ``auth/login`` with 405
        (Method Not Allowed); neither counts a failed login.
        """
        try:
            await self._send(
                "GET", "auth/login", headers={"Authorization": _PROBE_TOKEN}
            )
        except Forbidden403Error:
            return True
        except APIError:
            pass
        return False

    async def auth_rejects_host(self) -> bool:
        """Return whether the WebUI's Host-header or CSRF check refuses this client.

        qBittorrent 5.2+ answers a login with 401 both for a wrong password and when
        that check refuses the request. The check comes before everything else, so
        it refuses a request without a session with 401 too, where a server that
        merely wants a login answers 403. The request is sent as it is, without
        logging in first.
        """
        try:
            await self._send("GET", "app/webapiVersion")
        except Unauthorized401Error:
            return True
        except APIError:
            pass
        return False
