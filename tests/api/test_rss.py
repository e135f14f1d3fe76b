"""The rss namespace against real servers, with feeds from a local web server."""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.qbittorrent_plus.api import (
    BadRequest400Error,
    Client,
    Conflict409Error,
    Dictionary,
    FileError,
)
from tests.api.helpers import assert_absent, has
from tests.feeds_server import Article, FeedsServer
from tests.servers import QbittorrentServer
from tests.torrents import make_torrent
from tests.webui import WebUI, wait_for


@pytest.fixture
async def rss_processing(webui: WebUI) -> AsyncIterator[None]:
    """Let the server fetch feeds (off by default), and restore the settings after.

    qBittorrent 5.x also waits ``rss_fetch_delay`` seconds (2) between fetches from
    one host; without the wait the tests stay fast.
    """
    async with webui.temporary_preferences(
        "rss_auto_downloading_enabled", rss_processing_enabled=True, rss_fetch_delay=0
    ):
        yield


async def feed_articles(
    webui: WebUI, name: str, count: int
) -> list[dict[str, Any]] | None:
    """Return the articles of a top-level feed once it has ``count`` of them."""
    items = await webui.get("rss/items", withData="true")
    articles: list[dict[str, Any]] = items.get(name, {}).get("articles", [])
    return articles if len(articles) >= count else None


def articles_for(feeds: FeedsServer, *titles: str) -> list[Article]:
    """Return articles linking to .torrent paths on the feed server."""
    return [
        Article(title, feeds.url(f"torrents/{title}.torrent"), guid=f"id-{title}")
        for title in titles
    ]


@pytest.mark.endpoints(
    "rss/addFolder",
    "rss/addFeed",
    "rss/items",
    "rss/moveItem",
    "rss/setFeedURL",
    "rss/setFeedRefreshInterval",
    "rss/removeItem",
)
async def test_folders_and_feeds(
    client: Client,
    strict: Client,
    webui: WebUI,
    feeds: FeedsServer,
    qbittorrent: QbittorrentServer,
) -> None:
    """Folders and feeds are added, listed, moved, changed and removed."""
    url = feeds.serve_feed("tree.xml", "Tree", [])
    timed_url = feeds.serve_feed("timed.xml", "Timed", [])

    await client.rss_add_folder("Plus")
    await client.rss.add_folder("Plus\\Inner")
    await client.rss_add_feed(url, "Plus\\Inner\\Feed")
    await client.rss.add_feed(timed_url, "Plus\\Timed", refresh_interval=45)

    tree = await webui.get("rss/items")
    assert tree["Plus"]["Inner"]["Feed"]["url"] == url
    timed = tree["Plus"]["Timed"]
    assert timed["url"] == timed_url
    # Feeds have their own refresh interval from Web API 2.11.5 on; older servers
    # ignore the parameter.
    if has(qbittorrent, "rss/setFeedRefreshInterval"):
        assert timed["refreshInterval"] == 45
    else:
        assert "refreshInterval" not in timed

    items = await client.rss_items()
    assert isinstance(items, Dictionary)
    assert items.Plus.Inner.Feed.url == url
    assert items == tree
    with pytest.raises(Conflict409Error):
        await client.rss_add_folder("Missing\\Folder")

    await client.rss_move_item("Plus\\Inner\\Feed", "Moved")
    tree = await webui.get("rss/items")
    assert tree["Moved"]["url"] == url
    assert tree["Plus"]["Inner"] == {}

    if has(qbittorrent, "rss/setFeedURL"):
        new_url = feeds.serve_feed("renamed.xml", "Renamed", [])
        await client.rss_set_feed_url(new_url, "Moved")
        assert (await webui.get("rss/items"))["Moved"]["url"] == new_url
    else:
        await assert_absent(
            client,
            strict,
            "needs Web API 2.9.1 (qBittorrent ",
            {"rss/setFeedURL": lambda api: api.rss_set_feed_url(url, "Moved")},
        )

    if has(qbittorrent, "rss/setFeedRefreshInterval"):
        await client.rss.set_feed_refresh_interval("Moved", 90)
        assert (await webui.get("rss/items"))["Moved"]["refreshInterval"] == 90
    else:
        await assert_absent(
            client,
            strict,
            "needs Web API 2.11.5 (qBittorrent ",
            {
                "rss/setFeedRefreshInterval": (
                    lambda api: api.rss_set_feed_refresh_interval("Moved", 90)
                )
            },
        )

    await client.rss_remove_item("Moved")
    await client.rss.remove_item("Plus")
    assert await webui.get("rss/items") == {}
    with pytest.raises(Conflict409Error, match="doesn't exist"):
        await client.rss_remove_item("Moved")


@pytest.mark.usefixtures("rss_processing")
@pytest.mark.endpoints("rss/addFeed", "rss/refreshItem", "rss/items", "rss/markAsRead")
async def test_articles_refresh_and_read(
    client: Client, webui: WebUI, feeds: FeedsServer
) -> None:
    """A refreshed feed shows its new articles; articles are marked as read."""
    url = feeds.serve_feed("news.xml", "Plus news", articles_for(feeds, "One", "Two"))
    await client.rss_add_feed(url, "News")
    await client.rss_refresh_item("News")
    await wait_for(lambda: feed_articles(webui, "News", 2))

    # The server refreshes on its own only every 30 minutes: a third article shows
    # only through the refresh asked for here.
    articles = articles_for(feeds, "One", "Two", "Three")
    feeds.serve_feed("news.xml", "Plus news", articles)
    await client.rss.refresh_item("News")
    fetched = await wait_for(lambda: feed_articles(webui, "News", 3))
    assert {article["id"] for article in fetched} == {"id-One", "id-Two", "id-Three"}

    items = await client.rss_items(include_feed_data=True)
    feed = items.News
    assert feed.title == "Plus news"
    assert feed.url == url
    by_id = {article.id: article for article in feed.articles}
    assert by_id["id-Three"].title == "Three"
    assert by_id["id-Three"].torrentURL == feeds.url("torrents/Three.torrent")
    assert "articles" not in (await client.rss.items(include_feed_data=False)).News
    plain = await client.rss_items(include_feed_data=True, simple_responses=True)
    assert type(plain) is dict
    assert type(plain["News"]) is dict

    await client.rss_mark_as_read("News", "id-Two")
    read = {
        article["id"]: article.get("isRead", False)
        for article in await wait_for(lambda: feed_articles(webui, "News", 3))
    }
    assert read == {"id-One": False, "id-Two": True, "id-Three": False}

    await client.rss.mark_as_read("News")
    fetched = await wait_for(lambda: feed_articles(webui, "News", 3))
    assert all(article.get("isRead") for article in fetched)

    await webui.post("rss/removeItem", {"path": "News"})


@pytest.mark.usefixtures("rss_processing")
@pytest.mark.endpoints(
    "rss/setRule",
    "rss/rules",
    "rss/matchingArticles",
    "rss/renameRule",
    "rss/cloneRule",
    "rss/removeRule",
)
async def test_rules(
    client: Client,
    strict: Client,
    webui: WebUI,
    feeds: FeedsServer,
    qbittorrent: QbittorrentServer,
) -> None:
    """Rules are set, match articles, and are renamed, cloned and removed."""
    titles = ("Debian Linux ISO", "Cooking Show S01E01", "Arch Linux ISO")
    url = feeds.serve_feed("rules.xml", "Rules", articles_for(feeds, *titles))
    await webui.post("rss/addFeed", {"url": url, "path": "Rules feed"})
    await webui.post("rss/refreshItem", {"itemPath": "Rules feed"})
    await wait_for(lambda: feed_articles(webui, "Rules feed", 3))

    definition = {
        "enabled": True,
        "mustContain": "Linux",
        "mustNotContain": "Arch",
        "affectedFeeds": [url],
    }
    await client.rss_set_rule("Plus linux", definition)

    rules = await webui.get("rss/rules")
    rule = rules["Plus linux"]
    assert rule["mustContain"] == "Linux"
    assert rule["mustNotContain"] == "Arch"
    assert rule["affectedFeeds"] == [url]
    mine = await client.rss_rules()
    assert mine == rules
    assert mine["Plus linux"].mustContain == "Linux"

    matching = await client.rss_matching_articles("Plus linux")
    assert matching == {"Rules feed": ["Debian Linux ISO"]}
    assert await client.rss.matching_articles("No such rule") == {}

    await client.rss_rename_rule("Plus linux", "Plus penguin")
    rules = await webui.get("rss/rules")
    assert "Plus linux" not in rules
    assert rules["Plus penguin"]["mustContain"] == "Linux"

    if has(qbittorrent, "rss/cloneRule"):
        await client.rss_clone_rule("Plus penguin", "Plus penguin copy")
        rules = await webui.get("rss/rules")
        copy = rules["Plus penguin copy"]
        assert copy["mustContain"] == "Linux"
        assert copy["affectedFeeds"] == [url]
        # A clone starts disabled, so it downloads nothing until it is reviewed.
        assert copy["enabled"] is False
        await client.rss.remove_rule("Plus penguin copy")
    else:
        await assert_absent(
            client,
            strict,
            "needs Web API 2.15.4 (qBittorrent ",
            {"rss/cloneRule": lambda api: api.rss_clone_rule("a", "b")},
        )

    await client.rss_remove_rule("Plus penguin")
    rules = await webui.get("rss/rules")
    assert not {"Plus penguin", "Plus penguin copy"} & set(rules)
    await webui.post("rss/removeItem", {"path": "Rules feed"})


@pytest.mark.endpoints("rss/exportRules", "rss/importRules")
async def test_export_and_import_rules(
    client: Client,
    strict: Client,
    webui: WebUI,
    qbittorrent: QbittorrentServer,
    tmp_path: Path,
) -> None:
    """Exported rules come back unchanged when imported (Web API 2.16.2+)."""
    if not has(qbittorrent, "rss/exportRules", "rss/importRules"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.16.2 (qBittorrent ",
            {
                "rss/exportRules": lambda api: api.rss_export_rules(),
                "rss/importRules": lambda api: api.rss_import_rules({"x": {}}),
            },
        )
        return

    names = ("Plus export one", "Plus export two")
    for name, term in zip(names, ("alpha", "beta"), strict=True):
        rule = {"mustContain": term, "episodeFilter": "1x01-;", "ignoreDays": 3}
        await webui.post("rss/setRule", {"ruleName": name, "ruleDef": json.dumps(rule)})

    exported = await client.rss_export_rules()
    assert exported is not None
    assert isinstance(exported, Dictionary)
    rules = await webui.get("rss/rules")
    mine = {name: rules[name] for name in names}
    assert {name: exported[name] for name in names} == mine
    assert exported[names[1]].mustContain == "beta"

    for name in names:
        await webui.post("rss/removeRule", {"ruleName": name})
    assert not set(names) & set(await webui.get("rss/rules"))

    # Only these rules go back, from the mapping the export returned.
    await client.rss_import_rules({name: exported[name] for name in names})
    rules = await webui.get("rss/rules")
    assert {name: rules[name] for name in names} == mine

    # A file on disk and raw bytes are read as rules files too; a rule of the same
    # name is replaced, and rules not named are kept.
    changed = {names[0]: {**mine[names[0]], "mustContain": "gamma"}}
    rules_file = tmp_path / "rules.json"
    rules_file.write_text(json.dumps(changed))
    await client.rss.import_rules(rules_file)
    rules = await webui.get("rss/rules")
    assert rules[names[0]]["mustContain"] == "gamma"
    assert rules[names[1]] == mine[names[1]]
    await client.rss_import_rules(json.dumps({"Plus export three": {}}).encode())
    assert "Plus export three" in await webui.get("rss/rules")

    with pytest.raises(BadRequest400Error):
        await client.rss_import_rules(b"not json")
    with pytest.raises(FileError):
        await client.rss_import_rules(tmp_path / "missing.json")

    for name in (*names, "Plus export three"):
        await webui.post("rss/removeRule", {"ruleName": name})


@pytest.mark.usefixtures("rss_processing")
@pytest.mark.endpoints("rss/setRule", "rss/removeRule")
async def test_rule_downloads_matching_article(
    client: Client, webui: WebUI, feeds: FeedsServer, tmp_path: Path
) -> None:
    """With auto-downloading on, a rule adds the torrent its article links to."""
    torrent = make_torrent(tmp_path, "plus-rss-auto")
    article = Article("Plus auto release", feeds.serve_torrent(torrent))
    other = articles_for(feeds, "Something else")
    url = feeds.serve_feed("auto.xml", "Auto", [article, *other])
    await webui.post("rss/addFeed", {"url": url, "path": "Auto feed"})
    await webui.post("rss/refreshItem", {"itemPath": "Auto feed"})
    await wait_for(lambda: feed_articles(webui, "Auto feed", 2))
    await webui.set_preferences(rss_auto_downloading_enabled=True)

    await client.rss_set_rule(
        "Plus auto",
        {
            "enabled": True,
            "mustContain": "Plus auto",
            "affectedFeeds": [url],
            "savePath": str(torrent.save_path),
        },
    )

    async def complete() -> dict[str, Any] | None:
        info = await webui.torrent(torrent.info_hash)
        return info if info and info["progress"] == 1 else None

    info = await wait_for(complete)
    assert Path(info["save_path"]) == torrent.save_path
    assert feeds.hits[f"torrents/{torrent.path.name}"] >= 1
    assert feeds.hits["torrents/Something else.torrent"] == 0

    await client.rss_remove_rule("Plus auto")
    assert "Plus auto" not in await webui.get("rss/rules")
    await webui.delete_torrents(torrent.info_hash)
    await webui.post("rss/removeItem", {"path": "Auto feed"})
