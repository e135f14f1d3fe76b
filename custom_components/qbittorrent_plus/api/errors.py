"""Exceptions raised by the client, named as in the synchronous qbittorrent-api.

No message built here carries a password, API key or session cookie.
"""

from __future__ import annotations

from .versions import APIVersion, first_release, format_version


class APIError(Exception):
    """Base of every error the client raises."""


class UnsupportedQbittorrentVersion(APIError):  # noqa: N818
    """The server's version is outside the range this client supports."""


class UnsupportedFieldError(NotImplementedError):
    """A field the server's Web API version does not keep; nothing was sent.

    A ``NotImplementedError``, as a request for an endpoint the server lacks is.
    """

    def __init__(self, field: str, since: APIVersion) -> None:
        """Name the field and the first Web API version that keeps it."""
        super().__init__(
            f"{field} needs qBittorrent {first_release(since)}"
            f" (Web API {format_version(since)}) or newer"
        )
        self.field = field
        self.since = since


class FileError(OSError, APIError):
    """A local file named in a call could not be used."""


class TorrentFileError(FileError):
    """A .torrent file could not be read."""


class TorrentFileNotFoundError(TorrentFileError):
    """A .torrent file does not exist."""


class TorrentFilePermissionError(TorrentFileError):
    """A .torrent file cannot be read with this process's permissions."""


class APIConnectionError(APIError):
    """The server could not be reached, or the exchange with it failed."""


class LoginFailed(APIConnectionError):  # noqa: N818
    """The server refused the credentials."""


class HTTPError(APIConnectionError):
    """The server answered with an error status."""

    http_status_code: int = 0

    def __init__(
        self, message: str = "", *, http_status_code: int | None = None
    ) -> None:
        """Keep the status code; subclasses know theirs."""
        super().__init__(message)
        if http_status_code is not None:
            self.http_status_code = http_status_code


class HTTP4XXError(HTTPError):
    """The server refused the request."""


class HTTP5XXError(HTTPError):
    """The server failed while handling the request."""


class BadRequest400Error(HTTP4XXError):
    """A parameter is missing or invalid."""

    http_status_code = 400


class Unauthorized401Error(HTTP4XXError):
    """Refused by the WebUI's CSRF or Host-header check, or bad credentials (5.2+)."""

    http_status_code = 401


class Forbidden403Error(HTTP4XXError):
    """Not logged in, or the IP address is banned."""

    http_status_code = 403


class NotFound404Error(HTTP4XXError):
    """An unknown torrent hash, or an endpoint this server does not have."""

    http_status_code = 404


class MethodNotAllowed405Error(HTTP4XXError):
    """The endpoint does not take this HTTP method."""

    http_status_code = 405


class Conflict409Error(HTTP4XXError):
    """The request conflicts with the server's state."""

    http_status_code = 409


class UnsupportedMediaType415Error(HTTP4XXError):
    """An uploaded file is not a valid torrent."""

    http_status_code = 415


class InternalServerError500Error(HTTP5XXError):
    """The server failed internally."""

    http_status_code = 500


class Banned(LoginFailed, Forbidden403Error):  # noqa: N818
    """The server has banned this IP address after too many failed logins.

    The ban lasts the WebUI's ban duration (an hour by default); the client never
    retries a login that ended in one.
    """


class APIKeyRefused(LoginFailed, Forbidden403Error):  # noqa: N818
    """The server refused the API key.

    The key is wrong, was rotated or deleted, or the server is older than
    qBittorrent 5.2, which has no API keys.
    """


# Aliases under the numeric names qbittorrent-api also exports.
HTTP400Error = BadRequest400Error
HTTP401Error = Unauthorized401Error
HTTP403Error = Forbidden403Error
HTTP404Error = NotFound404Error
HTTP405Error = MethodNotAllowed405Error
HTTP409Error = Conflict409Error
HTTP415Error = UnsupportedMediaType415Error
HTTP500Error = InternalServerError500Error

_BY_STATUS: dict[int, type[HTTPError]] = {
    cls.http_status_code: cls
    for cls in (
        BadRequest400Error,
        Unauthorized401Error,
        Forbidden403Error,
        NotFound404Error,
        MethodNotAllowed405Error,
        Conflict409Error,
        UnsupportedMediaType415Error,
        InternalServerError500Error,
    )
}


def http_error(status: int, message: str) -> HTTPError:
    """Return the most specific error for an error status (400 or above)."""
    if cls := _BY_STATUS.get(status):
        return cls(message)
    if status >= 500:
        return HTTP5XXError(message, http_status_code=status)
    return HTTP4XXError(message, http_status_code=status)
