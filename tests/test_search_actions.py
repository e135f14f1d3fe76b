"""The search action against real servers, with a local search plugin.

Before qBittorrent 5.0 a search job belongs to the WebUI session that started it, and
no other session sees it: on 4.5 the tests ask the integration's own client whether a
job is left, and on 5.3 the independent session, which sees every job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.qbittorrent_plus.const import DOMAIN
from homeassistant.core import HomeAssistant

from .actions import refusal
from .feeds_server import FeedsServer
from .proxy import Proxy
from .search_engine import SLOW_WORD, Engine, EngineResult, write_engine
from .servers import QbittorrentServer
from .webui import WebUI, wait_for

pytestmark = pytest.mark.usefixtures("socket_enabled")

ENGINE_NAME = "plusactions"


@pytest.fixture
def engine(tmp_path: Path, feeds: FeedsServer) -> Engine:
    """Write a plugin with results of known and unknown sizes and counts."""
    results = [
        EngineResult("Plus zero", feeds.url("torrents/zero.torrent")),
        EngineResult("Plus one", "magnet:?xt=urn:btih:" + "1" * 40, "2 KB", seeds=9),
        EngineResult(
            "Plus two", feeds.url("torrents/two.torrent"), "-1", seeds=-1, leech=-1
        ),
    ]
    return write_engine(tmp_path, ENGINE_NAME, url=feeds.url(""), results=results)


@pytest.fixture
async def installed(webui: WebUI, engine: Engine) -> AsyncIterator[Engine]:
    """Install the plugin; uninstall it afterwards."""
    await webui.post("search/installPlugin", {"sources": str(engine.path)})
    await wait_for(lambda: plugin(webui, engine.name))
    yield engine
    await webui.post("search/uninstallPlugin", {"names": engine.name})
    await wait_for(lambda: _gone(webui, engine.name))


async def plugin(webui: WebUI, name: str) -> dict[str, Any] | None:
    """Return a plugin as the server lists it, or None."""
    plugins: list[dict[str, Any]] = await webui.get("search/plugins")
    return next((found for found in plugins if found["name"] == name), None)


async def _gone(webui: WebUI, name: str) -> bool:
    return await plugin(webui, name) is None


async def search(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Run the search action and return its answer."""
    response = await hass.services.async_call(
        DOMAIN, "search", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


async def jobs_left(
    entry: MockConfigEntry, qbittorrent: QbittorrentServer, webui: WebUI
) -> list[Any]:
    """Return the search jobs on the server that the integration could have left."""
    if qbittorrent.version < "5":
        client = entry.runtime_data.client
        return list(await client.search_status(simple_responses=True))
    statuses: list[Any] = await webui.get("search/status")
    return statuses


async def test_search(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    installed: Engine,
    webui: WebUI,
    qbittorrent: QbittorrentServer,
) -> None:
    """A search answers its results, most seeds first, and leaves no job behind."""
    response = await search(hass, pattern=" plus ")

    site = installed.url
    published = "2023-11-14T22:13:2{}+00:00" if qbittorrent.version >= "5" else None
    assert response == {
        "total": 3,
        "timed_out": False,
        "results": [
            {
                "name": "Plus one all plus",
                "size": 2048,
                "seeds": 9,
                "leechers": 1,
                "url": "magnet:?xt=urn:btih:" + "1" * 40,
                "description_url": f"{site}/about/1",
                "site_url": site,
                "engine": ENGINE_NAME,
                "published": published and published.format(1),
            },
            {
                "name": "Plus zero all plus",
                "size": 1024 * 1024,
                "seeds": 5,
                "leechers": 1,
                "url": f"{site}torrents/zero.torrent",
                "description_url": f"{site}/about/0",
                "site_url": site,
                "engine": ENGINE_NAME,
                "published": published and published.format(0),
            },
            {
                "name": "Plus two all plus",
                "size": None,
                "seeds": None,
                "leechers": None,
                "url": f"{site}torrents/two.torrent",
                "description_url": f"{site}/about/2",
                "site_url": site,
                "engine": ENGINE_NAME,
                "published": published and published.format(2),
            },
        ],
    }
    assert await jobs_left(entry, qbittorrent, webui) == []

    # A category, the plugin by name, and only the result with the most seeds.
    response = await search(
        hass,
        pattern="plus",
        plugins=[ENGINE_NAME],
        category="software",
        max_results=1,
    )

    assert response["total"] == 3
    assert [result["name"] for result in response["results"]] == [
        "Plus one software plus"
    ]
    assert await jobs_left(entry, qbittorrent, webui) == []


async def test_search_timeout(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    installed: Engine,
    webui: WebUI,
    qbittorrent: QbittorrentServer,
) -> None:
    """A search still running at the timeout is stopped and deleted.

    The plugin prints its results at once, then sleeps: they are answered.
    """
    response = await search(hass, pattern=f"plus {SLOW_WORD}", timeout=2)

    assert response["timed_out"] is True
    assert response["total"] == 3
    # Each name ends with the category and the pattern, as the plugin quoted it.
    assert sorted(result["name"].split()[:3] for result in response["results"]) == [
        ["Plus", n, "all"] for n in ("one", "two", "zero")
    ]
    assert await jobs_left(entry, qbittorrent, webui) == []


async def test_search_refused(
    *,
    hass: HomeAssistant,
    entry: MockConfigEntry,
    proxy: Proxy,
    webui: WebUI,
    engine: Engine,
    qbittorrent: QbittorrentServer,
) -> None:
    """An empty pattern, no usable plugin or an unsupported category start nothing."""

    async def refused(
        key: str, placeholders: dict[str, str] | None, **data: Any
    ) -> None:
        error = await refusal(
            hass,
            proxy,
            "search",
            data,
            key=key,
            state=lambda: jobs_left(entry, qbittorrent, webui),
        )
        assert error.translation_placeholders == placeholders

    await refused("search_pattern_empty", None, pattern="  ")
    await refused("search_no_plugins", None, pattern="plus")
    await refused("search_no_plugins", None, pattern="plus", plugins=[ENGINE_NAME])

    await webui.post("search/installPlugin", {"sources": str(engine.path)})
    await wait_for(lambda: plugin(webui, engine.name))
    try:
        await refused(
            "search_plugin_not_found",
            {"plugin": "nosuch", "installed": ENGINE_NAME},
            pattern="plus",
            plugins=[ENGINE_NAME, "nosuch"],
        )
        await refused(
            "search_category_not_supported",
            {"category": "movies", "categories": "all, software"},
            pattern="plus",
            category="movies",
        )

        await webui.post(
            "search/enablePlugin", {"names": engine.name, "enable": "false"}
        )
        await refused("search_no_plugins", None, pattern="plus")

        # A disabled plugin named still searches, as in qBittorrent's own search.
        response = await search(hass, pattern="plus", plugins=[ENGINE_NAME])
        assert response["total"] == 3
        assert await jobs_left(entry, qbittorrent, webui) == []
    finally:
        await webui.post("search/uninstallPlugin", {"names": engine.name})
        await wait_for(lambda: _gone(webui, engine.name))
