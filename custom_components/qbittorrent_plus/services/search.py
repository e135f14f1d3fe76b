"""The search action: one search with the server's plugins, answered with its results.

The server runs a search as a job in the background. The action starts one, waits
until it ends or the action's timeout passes, and deletes it afterwards, so no job is
left on the server. Before qBittorrent 5.0 a job belongs to the WebUI session that
started it, which is the integration's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import voluptuous as vol

from homeassistant.core import ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from ..api import Client
from ..data import QbittorrentConfigEntry
from .action import ATTR_CATEGORY, QbittorrentAction, refused

ATTR_PATTERN: Final = "pattern"
ATTR_PLUGINS: Final = "plugins"
ATTR_TIMEOUT: Final = "timeout"
ATTR_MAX_RESULTS: Final = "max_results"

ALL_CATEGORIES: Final = "all"
# The categories qBittorrent's search engine knows; each plugin supports some.
CATEGORIES: Final = (
    ALL_CATEGORIES,
    "anime",
    "books",
    "games",
    "movies",
    "music",
    "pictures",
    "software",
    "tv",
)
DEFAULT_TIMEOUT: Final = 30
MAX_TIMEOUT: Final = 300
DEFAULT_MAX_RESULTS: Final = 100
MAX_RESULTS: Final = 1000
# The status is asked for often at first, as most searches end within a second or
# two, then once a second.
FIRST_POLL_DELAY: Final = 0.1
LAST_POLL_DELAY: Final = 1.0


def chosen_plugins(
    installed: Sequence[Mapping[str, Any]], names: Iterable[str] | None
) -> list[Mapping[str, Any]]:
    """Return the plugins a search uses: those named, else every enabled one.

    A plugin named is used even when disabled, as the server does.
    """
    if not installed:
        raise refused("search_no_plugins")
    if not names:
        if enabled := [plugin for plugin in installed if plugin.get("enabled")]:
            return enabled
        raise refused("search_no_plugins")
    by_name = {plugin["name"]: plugin for plugin in installed}
    for name in names:
        if name not in by_name:
            raise refused(
                "search_plugin_not_found",
                plugin=name,
                installed=", ".join(sorted(by_name)),
            )
    return [by_name[name] for name in dict.fromkeys(names)]


def require_category(plugins: Iterable[Mapping[str, Any]], category: str) -> None:
    """Refuse a category none of the plugins supports; they would find nothing."""
    if category == ALL_CATEGORIES:
        return
    # Before qBittorrent 4.3 a plugin lists its categories as plain ids.
    supported = {
        entry["id"] if isinstance(entry, Mapping) else entry
        for plugin in plugins
        for entry in plugin.get("supportedCategories", [])
    }
    if category not in supported:
        raise refused(
            "search_category_not_supported",
            category=category,
            categories=", ".join(sorted(supported)),
        )


async def wait_until_stopped(client: Client, search_id: int, seconds: float) -> bool:
    """Wait for a search to end; return False if it still runs after ``seconds``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    delay = FIRST_POLL_DELAY
    while True:
        status = await client.search_status(search_id, simple_responses=True)
        if status[0]["status"] == "Stopped":
            return True
        remaining = deadline - loop.time()
        if remaining <= 0:
            return False
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * 2, LAST_POLL_DELAY)


def _known(value: Any) -> Any:
    """Return a count or size, or None where the plugin did not know it (-1)."""
    return None if value is None or value < 0 else value


def search_result(
    result: Mapping[str, Any], engines: Mapping[str, str]
) -> dict[str, Any]:
    """Return a result as the action answers it.

    ``engines`` maps the plugins' site URLs to their names: servers before
    qBittorrent 5.0 name a result's site only.
    """
    published = result.get("pubDate")
    return {
        "name": result.get("fileName"),
        "size": _known(result.get("fileSize")),
        "seeds": _known(result.get("nbSeeders")),
        "leechers": _known(result.get("nbLeechers")),
        "url": result.get("fileUrl"),
        "description_url": result.get("descrLink"),
        "site_url": result.get("siteUrl"),
        "engine": result.get("engineName") or engines.get(result.get("siteUrl", "")),
        "published": (
            dt_util.utc_from_timestamp(published).isoformat() if published else None
        ),
    }


async def _search(entry: QbittorrentConfigEntry, call: ServiceCall) -> ServiceResponse:
    pattern: str = call.data[ATTR_PATTERN].strip()
    if not pattern:
        raise refused("search_pattern_empty")
    category: str = call.data[ATTR_CATEGORY]
    client = entry.runtime_data.client
    installed = await client.search_plugins(simple_responses=True)
    plugins = chosen_plugins(installed, call.data.get(ATTR_PLUGINS))
    require_category(plugins, category)

    job = await client.search_start(
        pattern,
        plugins=[plugin["name"] for plugin in plugins],
        category=category,
        simple_responses=True,
    )
    search_id: int = job["id"]
    try:
        finished = await wait_until_stopped(client, search_id, call.data[ATTR_TIMEOUT])
        if not finished:
            await client.search_stop(search_id)
        answer = await client.search_results(search_id, simple_responses=True)
    finally:
        await client.search_delete(search_id)

    engines = {plugin["url"]: plugin["name"] for plugin in installed if "url" in plugin}
    results = sorted(
        answer["results"], key=lambda result: result.get("nbSeeders", -1), reverse=True
    )
    return {
        "total": answer.get("total", len(results)),
        "timed_out": not finished,
        "results": [
            search_result(result, engines)
            for result in results[: call.data[ATTR_MAX_RESULTS]]
        ],
    }


SEARCH_ACTIONS: Final = (
    QbittorrentAction(
        name="search",
        fields={
            vol.Required(ATTR_PATTERN): cv.string,
            vol.Optional(ATTR_PLUGINS): vol.All(cv.ensure_list, [cv.string]),
            vol.Optional(ATTR_CATEGORY, default=ALL_CATEGORIES): vol.In(CATEGORIES),
            vol.Optional(ATTR_TIMEOUT, default=DEFAULT_TIMEOUT): vol.All(
                vol.Coerce(float), vol.Range(min=1, max=MAX_TIMEOUT)
            ),
            vol.Optional(ATTR_MAX_RESULTS, default=DEFAULT_MAX_RESULTS): vol.All(
                cv.positive_int, vol.Range(min=1, max=MAX_RESULTS)
            ),
        },
        handler=_search,
        response=SupportsResponse.ONLY,
    ),
)
