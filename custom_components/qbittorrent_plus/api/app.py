"""The app namespace: versions, preferences, paths, cookies and the API key."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from .models import Dictionary
from .namespace import Delegate, Namespace
from .transport import Transport


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
        """Return the versions qBittorrent was built with (Qt, libtorrent, ...)."""
        info = await self._call("app/buildInfo", kwargs)
        return None if info is None else Dictionary(info)


class AppAPI(Namespace):
    """``client.app``."""

    __slots__ = ()

    version = Delegate(AppAPIMixIn.app_version)
    web_api_version = Delegate(AppAPIMixIn.app_web_api_version)
    build_info = Delegate(AppAPIMixIn.app_build_info)
