"""The search namespace: searches with the server's plugins.

Search plugins are Python files (nova3 engines) that qBittorrent runs with a Python
interpreter on the server: without one, installing a plugin fails (the server logs
that the plugin is not supported) and ``search_start`` raises ``Conflict409Error``.
Searches run in the background; poll ``search_status`` until ``Stopped``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from .models import Dictionary
from .namespace import Delegate, Namespace
from .params import join
from .transport import Transport


class SearchAPIMixIn(Transport):
    """``search/*`` endpoints as flat methods: ``await client.search_plugins()``."""

    @cached_property
    def search(self) -> SearchAPI:
        """Return the search namespace."""
        return SearchAPI(self)

    async def search_start(
        self,
        /,
        pattern: str,
        plugins: str | Iterable[str] = "enabled",
        category: str = "all",
        **kwargs: Any,
    ) -> Dictionary:
        """Start a search and return ``{"id": ...}``, the job's id.

        Args:
            pattern: What to search for.
            plugins: Plugin names, or ``enabled`` (every enabled plugin) or ``all``.
            category: A category id from the plugins' ``supportedCategories``, or
                ``all``.
            **kwargs: More API parameters, ``headers``, ``simple_responses``.

        Raises ``Conflict409Error`` when the server has no Python to run plugins or
        runs too many searches already.
        """
        params = {
            "pattern": pattern,
            "plugins": join(plugins),
            "category": category,
            **kwargs,
        }
        job: Dictionary = await self._json("search/start", params)
        return job

    async def search_stop(self, /, search_id: int, **kwargs: Any) -> None:
        """Stop a running search; its results so far are kept.

        Raises ``NotFound404Error`` for an unknown id.
        """
        await self._call("search/stop", {"id": search_id, **kwargs})

    async def search_status(
        self, /, search_id: int | None = None, **kwargs: Any
    ) -> list[Dictionary]:
        """Return the status of one search, or of every search.

        Each is ``{id, status, total}`` (``status`` is ``Running`` or ``Stopped``;
        ``total`` counts the results); Web API 2.16.1 (qBittorrent 5.3.0) adds
        ``pattern``, ``category`` and ``plugins``. Raises ``NotFound404Error`` for an
        unknown id.
        """
        params = {"id": search_id, **kwargs}
        status: list[Dictionary] = await self._json("search/status", params)
        return status

    async def search_results(
        self,
        /,
        search_id: int,
        limit: int | None = None,
        offset: int | None = None,
        **kwargs: Any,
    ) -> Dictionary:
        """Return a search's results so far: ``{results, status, total}``.

        Each result has ``fileName``, ``fileUrl``, ``fileSize``, ``nbSeeders``,
        ``nbLeechers``, ``siteUrl``, ``descrLink``, and on newer servers
        ``engineName`` and ``pubDate``.

        Args:
            search_id: The job's id from ``search_start``.
            limit: At most this many results (all by default).
            offset: Skip this many; a negative offset counts from the end.
            **kwargs: More API parameters, ``headers``, ``simple_responses``.

        Raises ``NotFound404Error`` for an unknown id and ``Conflict409Error`` for
        an offset past the end.
        """
        params = {"id": search_id, "limit": limit, "offset": offset, **kwargs}
        results: Dictionary = await self._json("search/results", params)
        return results

    async def search_delete(self, /, search_id: int, **kwargs: Any) -> None:
        """Stop a search if it runs, and forget it with its results.

        Raises ``NotFound404Error`` for an unknown id.
        """
        await self._call("search/delete", {"id": search_id, **kwargs})

    async def search_categories(
        self, /, plugin_name: str | None = None, **kwargs: Any
    ) -> list[str] | None:
        """Return the search categories of some plugins (``all``, ``enabled``, a name).

        Web API 2.1.1 to 2.5 only: qBittorrent 4.3.0 removed the endpoint, and each
        plugin of ``search_plugins`` lists its ``supportedCategories`` instead.
        """
        categories: list[str] | None = await self._call(
            "search/categories", {"pluginName": plugin_name, **kwargs}
        )
        return categories

    async def search_plugins(self, /, **kwargs: Any) -> list[Dictionary]:
        """Return the installed plugins.

        Each is ``{name, fullName, version, url, enabled, supportedCategories}``;
        since Web API 2.6 (qBittorrent 4.3.0) a category is ``{id, name}``.
        """
        plugins: list[Dictionary] = await self._json("search/plugins", kwargs)
        return plugins

    async def search_install_plugin(
        self, /, sources: str | Iterable[str], **kwargs: Any
    ) -> None:
        """Install (or update) plugins from URLs or from paths on the server.

        The server answers at once and installs afterwards: check ``search_plugins``.
        A plugin that cannot be installed (no Python on the server, not a valid
        engine, an older version than the installed one) is reported only in the
        server's log.
        """
        await self._call("search/installPlugin", {"sources": join(sources), **kwargs})

    async def search_uninstall_plugin(
        self, /, names: str | Iterable[str], **kwargs: Any
    ) -> None:
        """Uninstall plugins by name (unknown names are ignored by the server)."""
        await self._call("search/uninstallPlugin", {"names": join(names), **kwargs})

    async def search_enable_plugin(
        self, /, plugins: str | Iterable[str], enable: bool = True, **kwargs: Any
    ) -> None:
        """Enable (or, with ``enable=False``, disable) plugins by name."""
        params = {"names": join(plugins), "enable": enable, **kwargs}
        await self._call("search/enablePlugin", params)

    async def search_update_plugins(self, /, **kwargs: Any) -> None:
        """Ask the server to update its plugins from qBittorrent's plugin repository.

        The server answers at once, then downloads the repository's version list and
        updates the plugins that have newer versions there; it logs the outcome
        (including a failure to reach the repository).
        """
        await self._call("search/updatePlugins", kwargs)

    async def search_download_torrent(
        self, /, url: str, plugin: str, **kwargs: Any
    ) -> None:
        """Add the torrent of a search result, fetched through the plugin that found it.

        Args:
            url: The result's ``fileUrl`` (a magnet link is added directly).
            plugin: The result's ``engineName``: the plugin's ``download_torrent``
                fetches the file, or the server downloads the URL itself.
            **kwargs: More API parameters, ``headers``.

        The server answers at once and adds the torrent once it is fetched. Web API
        2.11 (qBittorrent 5.0.0) and newer.
        """
        params = {"torrentUrl": url, "pluginName": plugin, **kwargs}
        await self._call("search/downloadTorrent", params)


class SearchAPI(Namespace):
    """``client.search``: ``await client.search.start("debian")``."""

    __slots__ = ()

    start = Delegate(SearchAPIMixIn.search_start)
    stop = Delegate(SearchAPIMixIn.search_stop)
    status = Delegate(SearchAPIMixIn.search_status)
    results = Delegate(SearchAPIMixIn.search_results)
    delete = Delegate(SearchAPIMixIn.search_delete)
    categories = Delegate(SearchAPIMixIn.search_categories)
    plugins = Delegate(SearchAPIMixIn.search_plugins)
    install_plugin = Delegate(SearchAPIMixIn.search_install_plugin)
    uninstall_plugin = Delegate(SearchAPIMixIn.search_uninstall_plugin)
    enable_plugin = Delegate(SearchAPIMixIn.search_enable_plugin)
    update_plugins = Delegate(SearchAPIMixIn.search_update_plugins)
    download_torrent = Delegate(SearchAPIMixIn.search_download_torrent)
