"""The search namespace against real servers, with a local search plugin.

qBittorrent runs search plugins with the first ``python3`` on its PATH. The 5.3.0
server inherits the test environment's PATH, whose virtual environment has one; the
4.5.2 server runs in a Debian bookworm root that has python3 installed for it. Both
run the plugin these tests write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from custom_components.qbittorrent_plus.api import (
    Client,
    Conflict409Error,
    Dictionary,
    NotFound404Error,
)
from tests.api.helpers import assert_absent, at_least, has
from tests.feeds_server import FeedsServer
from tests.search_engine import SLOW_WORD, Engine, EngineResult, write_engine
from tests.servers import QbittorrentServer, free_port
from tests.torrents import MadeTorrent, make_torrent
from tests.webui import WebUI, wait_for

ENGINE_NAME = "plusengine"


@pytest.fixture
def torrent(tmp_path: Path) -> MadeTorrent:
    """Return a made torrent for results to link to."""
    return make_torrent(tmp_path, "plus-search-result")


@pytest.fixture
def engine(tmp_path: Path, feeds: FeedsServer, torrent: MadeTorrent) -> Engine:
    """Write a plugin whose results link to the feed server."""
    results = [
        EngineResult("Plus result zero", feeds.serve_torrent(torrent)),
        EngineResult("Plus result one", feeds.url("torrents/one.torrent"), "2 KB"),
        EngineResult("Plus result two", feeds.url("torrents/two.torrent"), seeds=9),
    ]
    return write_engine(tmp_path, ENGINE_NAME, url=feeds.url(""), results=results)


async def install(webui: WebUI, engine: Engine) -> None:
    """Install the plugin through the independent session, and wait for it."""
    await webui.post("search/installPlugin", {"sources": str(engine.path)})
    await wait_for(lambda: server_plugin(webui, engine.name))


async def server_plugin(webui: WebUI, name: str) -> dict[str, Any] | None:
    """Return a plugin as the server lists it, or None."""
    plugins: list[dict[str, Any]] = await webui.get("search/plugins")
    return next((plugin for plugin in plugins if plugin["name"] == name), None)


async def job_status(observer: WebUI | Client, search_id: int) -> dict[str, Any] | None:
    """Return a search's status as the server lists it, or None once it is gone."""
    statuses: Sequence[Mapping[str, Any]] | None
    if isinstance(observer, Client):
        try:
            statuses = await observer.search_status(search_id, simple_responses=True)
        except NotFound404Error:
            return None
    else:
        statuses = await observer.get_or_none("search/status", id=str(search_id))
    return None if statuses is None else dict(statuses[0])


def unreachable_proxy(server: QbittorrentServer) -> dict[str, Any]:
    """Return preferences that send the server's own downloads to a dead proxy.

    Updating plugins downloads qBittorrent's plugin index from the internet; through
    this proxy, which refuses every connection, it fails the same way on every
    machine, with or without a network.
    """
    return {
        "proxy_ip": "127.0.0.1",
        "proxy_port": free_port(),
        # 5.x names proxy types and asks which traffic uses the proxy; 4.x numbers
        # them (1 is HTTP) and proxies everything unless "torrents only". Each
        # ignores the other's form, so the server's own answer decides.
        **(
            {"proxy_type": "HTTP", "proxy_misc": True}
            if isinstance(server.preferences()["proxy_type"], str)
            else {"proxy_type": 1, "proxy_torrents_only": False}
        ),
    }


@pytest.mark.endpoints(
    "search/installPlugin",
    "search/plugins",
    "search/enablePlugin",
    "search/uninstallPlugin",
)
async def test_plugins(
    client: Client, webui: WebUI, engine: Engine, qbittorrent: QbittorrentServer
) -> None:
    """A plugin from a local file is installed, disabled, enabled and uninstalled."""
    await client.search_install_plugin(str(engine.path))

    plugin = await wait_for(lambda: server_plugin(webui, engine.name))
    assert plugin["fullName"] == engine.full_name
    assert plugin["url"] == engine.url
    # Up to 5.1 at least, qBittorrent reports the version a plugin declares as a
    # float; 5.3 as written.
    assert plugin["version"] == ("1" if at_least(qbittorrent, "2.16") else "1.0")
    assert plugin["enabled"] is True
    categories = {category["id"] for category in plugin["supportedCategories"]}
    assert categories == {"all", "software"}

    plugins = await client.search_plugins()
    mine = next(item for item in plugins if item["name"] == engine.name)
    assert isinstance(mine, Dictionary)
    assert mine.fullName == engine.full_name
    assert mine == plugin

    await client.search_enable_plugin(engine.name, enable=False)
    assert (await server_plugin(webui, engine.name) or {})["enabled"] is False
    await client.search.enable_plugin([engine.name])
    assert (await server_plugin(webui, engine.name) or {})["enabled"] is True

    await client.search.uninstall_plugin([engine.name])
    assert await wait_for(
        lambda: _missing(server_plugin(webui, engine.name)), timeout=10
    )


async def _missing(lookup: Awaitable[Any]) -> bool:
    return await lookup is None


@pytest.mark.endpoints(
    "search/start", "search/status", "search/results", "search/stop", "search/delete"
)
async def test_search_job(
    client: Client, webui: WebUI, engine: Engine, qbittorrent: QbittorrentServer
) -> None:
    """A search runs, shows results page by page, is stopped and is deleted."""
    # Up to 5.1 at least, a search belongs to the WebUI session that started it:
    # another session cannot see it, so there the test watches it through the client.
    shared = at_least(qbittorrent, "2.16")
    observer: WebUI | Client = webui if shared else client
    await install(webui, engine)
    pattern = f"plus {SLOW_WORD}"

    job = await client.search_start(pattern, plugins=[engine.name], category="software")
    assert isinstance(job, Dictionary)
    search_id = job.id

    # The plugin prints its results, then keeps running until stopped.
    async def running_with_results() -> dict[str, Any] | None:
        status = await job_status(observer, search_id)
        return status if status and status["total"] == 3 else None

    status = await wait_for(running_with_results)
    assert status["status"] == "Running"

    mine = await client.search_status(search_id)
    assert len(mine) == 1
    assert mine[0].id == search_id
    assert mine[0].status == "Running"
    everything = await client.search.status()
    assert search_id in {item.id for item in everything}

    page = await client.search_results(search_id, limit=2, offset=1)
    expected = (
        await client.search_results(search_id, simple_responses=True)
        if observer is client
        else await webui.get("search/results", id=str(search_id))
    )
    assert page.total == 3
    assert page.results == expected["results"][1:3]
    first = expected["results"][0]
    assert first["fileName"] == f"Plus result zero software {quote(pattern)}"
    assert first["siteUrl"] == engine.url
    assert first["nbSeeders"] == 5
    assert first["fileSize"] == 1024 * 1024
    last = await client.search.results(search_id, offset=-1)
    assert last.results == expected["results"][-1:]
    with pytest.raises(Conflict409Error):
        await client.search_results(search_id, offset=4)

    await client.search_stop(search_id)
    stopped = await wait_for(lambda: _stopped(job_status(observer, search_id)))
    assert stopped["total"] == 3

    await client.search_delete(search_id)
    assert await job_status(observer, search_id) is None
    with pytest.raises(NotFound404Error):
        await client.search_results(search_id)

    await webui.post("search/uninstallPlugin", {"names": engine.name})


async def _stopped(lookup: Awaitable[dict[str, Any] | None]) -> dict[str, Any] | None:
    status = await lookup
    return status if status and status["status"] == "Stopped" else None


@pytest.mark.endpoints("search/downloadTorrent")
async def test_download_torrent(
    *,
    client: Client,
    strict: Client,
    webui: WebUI,
    qbittorrent: QbittorrentServer,
    engine: Engine,
    torrent: MadeTorrent,
    feeds: FeedsServer,
) -> None:
    """A result's torrent is fetched through its plugin and added (Web API 2.11+)."""
    if not has(qbittorrent, "search/downloadTorrent"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.11 (qBittorrent 5.0.0",
            {
                "search/downloadTorrent": (
                    lambda api: api.search_download_torrent(
                        "magnet:?xt=urn:btih:0", "x"
                    )
                )
            },
        )
        return

    await install(webui, engine)
    url = feeds.url(f"torrents/{torrent.path.name}")

    await client.search_download_torrent(url, engine.name)

    added = await wait_for(lambda: webui.torrent(torrent.info_hash))
    assert added["name"] == torrent.name
    assert feeds.hits[f"torrents/{torrent.path.name}"] == 1
    await webui.delete_torrents(torrent.info_hash, delete_files=True)
    await webui.post("search/uninstallPlugin", {"names": engine.name})


@pytest.mark.endpoints("search/updatePlugins")
async def test_update_plugins(
    client: Client, webui: WebUI, qbittorrent: QbittorrentServer
) -> None:
    """The server checks for plugin updates and logs that the index is unreachable."""
    log_id = await webui.last_log_id()
    proxy = unreachable_proxy(qbittorrent)
    async with webui.temporary_preferences(**proxy):
        # Nothing may leave this machine: the proxy must be in force first.
        preferences = await webui.get("app/preferences")
        assert {name: preferences[name] for name in proxy} == proxy
        await client.search_update_plugins()
        entry = await wait_for(
            lambda: webui.logged_since(log_id, "Failed to check for plugin updates")
        )
    assert "Update server is temporarily unavailable" in entry["message"]


@pytest.mark.endpoints("search/categories")
async def test_categories_were_removed(
    qbittorrent: QbittorrentServer, client: Client, strict: Client
) -> None:
    """search/categories is gone since Web API 2.6; plugins list their categories."""
    if has(qbittorrent, "search/categories"):
        # Without plugins, qBittorrent 4.2 lists only the catch-all category.
        assert await client.search_categories() == ["All categories"]
        return
    await assert_absent(
        client,
        strict,
        "was removed in Web API 2.6; use search/plugins",
        {"search/categories": lambda api: api.search.categories("all")},
    )
