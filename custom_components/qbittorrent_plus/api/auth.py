"""The auth namespace: logging in and out."""

from __future__ import annotations

from functools import cached_property

from .namespace import Delegate, Namespace
from .transport import Transport


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
