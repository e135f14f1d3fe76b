"""The app namespace: versions, preferences, paths, cookies and the API key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
import os
from typing import Any, Literal

from .models import Dictionary
from .namespace import Delegate, Namespace
from .params import as_path, dump_json
from .transport import Transport
from .versions import APIVersion

DIRECTORY_METADATA_SINCE: APIVersion = (2, 11, 8)
"""app/getDirectoryContent takes ``withMetadata``."""


class AppAPIMixIn(Transport):
    """``app/*`` endpoints as flat methods: ``client.app_version()``."""

    @cached_property
    def app(self) -> AppAPI:
        """Return the app namespace."""
        return AppAPI(self)

    async def app_version(self, /, **kwargs: Any) -> str:
        """Return the qBittorrent version, such as ``v5.3.0``."""
        version: str = await self._call("app/version", kwargs)
        return version

    async def app_web_api_version(self, /, **kwargs: Any) -> str:
        """Return the Web API version, such as ``2.16.2``."""
        version: str = await self._call("app/webapiVersion", kwargs)
        return version

    async def app_build_info(self, /, **kwargs: Any) -> Dictionary | None:
        """Return the versions qBittorrent was built with (Qt, libtorrent, ...).

        Web API 2.3 (qBittorrent 4.2.0) and newer.
        """
        info: Dictionary | None = await self._json("app/buildInfo", kwargs)
        return info

    async def app_process_info(self, /, **kwargs: Any) -> Dictionary | None:
        """Return facts about the running process, such as ``launch_time``.

        Web API 2.15.1 (qBittorrent 5.2.0) and newer. ``launch_time`` is in seconds
        since the epoch.
        """
        info: Dictionary | None = await self._json("app/processInfo", kwargs)
        return info

    async def app_shutdown(self, /, **kwargs: Any) -> None:
        """Ask qBittorrent to quit; the server answers, then the process exits."""
        await self._call("app/shutdown", kwargs)

    async def app_preferences(self, /, **kwargs: Any) -> Dictionary:
        """Return every application preference (about 240 keys on qBittorrent 5.3)."""
        prefs: Dictionary = await self._json("app/preferences", kwargs)
        return prefs

    async def app_set_preferences(
        self, /, prefs: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> None:
        """Change some preferences; those not named keep their values.

        Args:
            prefs: The preferences to change, keyed as ``app_preferences`` names
                them; sent as JSON in the ``json`` form field.
            **kwargs: More API parameters, ``headers``.

        From Web API 2.11.6 on, send only one of a pair such as ``max_ratio_enabled``
        and ``max_ratio``: the server derives the other.
        """
        params = {"json": dump_json(dict(prefs or {})), **kwargs}
        await self._call("app/setPreferences", params)

    async def app_default_save_path(self, /, **kwargs: Any) -> str:
        """Return the folder new torrents are saved to by default."""
        path: str = await self._call("app/defaultSavePath", kwargs)
        return path

    async def app_network_interface_list(
        self, /, **kwargs: Any
    ) -> list[Dictionary] | None:
        """Return the host's network interfaces as ``{name, value}`` objects.

        Web API 2.3 (qBittorrent 4.2.0) and newer.
        """
        interfaces: list[Dictionary] | None = await self._json(
            "app/networkInterfaceList", kwargs
        )
        return interfaces

    async def app_network_interface_address_list(
        self, /, interface_name: str = "", **kwargs: Any
    ) -> list[str] | None:
        """Return the addresses of one network interface, or of all of them.

        Args:
            interface_name: An interface's ``value`` from
                ``app_network_interface_list``; empty for every interface.
            **kwargs: More API parameters, ``headers``.

        Web API 2.3 (qBittorrent 4.2.0) and newer.
        """
        params = {"iface": interface_name, **kwargs}
        addresses: list[str] | None = await self._call(
            "app/networkInterfaceAddressList", params
        )
        return addresses

    async def app_send_test_email(self, /, **kwargs: Any) -> None:
        """Ask qBittorrent to send a test email with its notification settings.

        The server answers at once and sends the mail afterwards, only when email
        notification is enabled; a failure to send shows in the main log as a
        warning (``Email Notification Error: ...``), never in this call's answer.
        Web API 2.10.4 (qBittorrent 5.0.0) and newer.
        """
        await self._call("app/sendTestEmail", kwargs)

    async def app_get_directory_content(
        self,
        /,
        directory_path: str | os.PathLike[str],
        mode: Literal["all", "dirs", "files"] | None = None,
        with_metadata: bool | None = None,
        **kwargs: Any,
    ) -> list[str] | list[Dictionary] | None:
        """List a folder on the server's file system.

        Args:
            directory_path: An absolute path on the server.
            mode: ``all`` (the server's default), ``dirs`` or ``files``.
            with_metadata: Return objects (``name``, ``type``, ``size``, dates)
                instead of full paths; Web API 2.11.8 (qBittorrent 5.2.0) and newer:
                older servers would list plain paths, so the call raises
                ``NotImplementedError`` there.
            **kwargs: More API parameters, ``headers``, ``simple_responses``.

        Raises ``NotFound404Error`` when the folder does not exist. Web API 2.11
        (qBittorrent 5.0.0) and newer.
        """
        if with_metadata:
            await self._refuse_ignored(
                "app/getDirectoryContent", "withMetadata", DIRECTORY_METADATA_SINCE
            )
        params = {
            "dirPath": as_path(directory_path),
            "mode": mode,
            "withMetadata": with_metadata,
            **kwargs,
        }
        # Without metadata the server lists plain paths, which stay strings.
        content: list[str] | list[Dictionary] | None = await self._json(
            "app/getDirectoryContent", params
        )
        return content

    async def app_get_free_space_at_path(
        self, /, path: str | os.PathLike[str], **kwargs: Any
    ) -> int | None:
        """Return the free bytes on the file system holding ``path``, on the server.

        Web API 2.15.2 (qBittorrent 5.3.0) and newer.
        """
        params = {"path": as_path(path), **kwargs}
        free = await self._call("app/getFreeSpaceAtPath", params)
        return None if free is None else int(free)

    async def app_cookies(self, /, **kwargs: Any) -> list[Dictionary] | None:
        """Return the cookies qBittorrent sends when it downloads from URLs.

        Each is ``{name, domain, path, value, expirationDate}`` (seconds since the
        epoch). Web API 2.11.3 (qBittorrent 5.1.0) and newer.
        """
        cookies: list[Dictionary] | None = await self._json("app/cookies", kwargs)
        return cookies

    async def app_set_cookies(
        self, /, cookies: Iterable[Mapping[str, Any]] | None = None, **kwargs: Any
    ) -> None:
        """Replace all the cookies qBittorrent sends when it downloads from URLs.

        Args:
            cookies: Objects with ``name``, ``domain``, ``path``, ``value`` and
                ``expirationDate`` (seconds since the epoch); none clears them.
            **kwargs: More API parameters, ``headers``.

        Web API 2.11.3 (qBittorrent 5.1.0) and newer.
        """
        params = {"cookies": dump_json([dict(c) for c in cookies or ()]), **kwargs}
        await self._call("app/setCookies", params)

    async def app_rotate_api_key(self, /, **kwargs: Any) -> str | None:
        """Make a new API key, replacing any previous one, and return it.

        The key authenticates as ``Client(host, api_key=key)``. Web API 2.14.1
        (qBittorrent 5.2.0) and newer.
        """
        answer = await self._call("app/rotateAPIKey", kwargs)
        return None if answer is None else str(answer["apiKey"])

    async def app_delete_api_key(self, /, **kwargs: Any) -> None:
        """Delete the API key; calls made with it are refused from then on.

        Web API 2.14.1 (qBittorrent 5.2.0) and newer.
        """
        await self._call("app/deleteAPIKey", kwargs)


class AppAPI(Namespace):
    """``client.app``."""

    __slots__ = ()

    version = Delegate(AppAPIMixIn.app_version)
    web_api_version = Delegate(AppAPIMixIn.app_web_api_version)
    build_info = Delegate(AppAPIMixIn.app_build_info)
    process_info = Delegate(AppAPIMixIn.app_process_info)
    shutdown = Delegate(AppAPIMixIn.app_shutdown)
    preferences = Delegate(AppAPIMixIn.app_preferences)
    set_preferences = Delegate(AppAPIMixIn.app_set_preferences)
    default_save_path = Delegate(AppAPIMixIn.app_default_save_path)
    network_interface_list = Delegate(AppAPIMixIn.app_network_interface_list)
    network_interface_address_list = Delegate(
        AppAPIMixIn.app_network_interface_address_list
    )
    send_test_email = Delegate(AppAPIMixIn.app_send_test_email)
    get_directory_content = Delegate(AppAPIMixIn.app_get_directory_content)
    get_free_space_at_path = Delegate(AppAPIMixIn.app_get_free_space_at_path)
    cookies = Delegate(AppAPIMixIn.app_cookies)
    set_cookies = Delegate(AppAPIMixIn.app_set_cookies)
    rotate_api_key = Delegate(AppAPIMixIn.app_rotate_api_key)
    delete_api_key = Delegate(AppAPIMixIn.app_delete_api_key)
