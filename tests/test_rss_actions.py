r"""The RSS actions against real servers, with feeds from a local web server.

Home Assistant reaches each server through a recording proxy, so a refused action can
be shown to have sent nothing that changes the server. Items are named by paths such
as ``Plus\News``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
from typing import Any

import pytest

from custom_components.qbittorrent_plus.const import DOMAIN
from homeassistant.core import HomeAssistant

from .actions import act, refusal
from .feeds_server import Article, FeedsServer
from .proxy import Proxy
from .servers import QbittorrentServer
from .webui import WebUI, wait_for

pytestmark = pytest.mark.usefixtures("socket_enabled")

CATEGORY = "plus-rss-category"


@pytest.fixture
async def clean_rss(webui: WebUI) -> AsyncIterator[None]:
    """Remove every feed, folder and rule the test leaves on the module's server."""
    yield
    for name in await webui.get("rss/items"):
        await webui.post("rss/removeItem", {"path": name})
    for name in await webui.get("rss/rules"):
        await webui.post("rss/removeRule", {"ruleName": name})


@pytest.fixture
async def rss_processing(webui: WebUI) -> AsyncIterator[None]:
    """Let the server fetch feeds (off by default) without waiting between fetches."""
    async with webui.temporary_preferences(
        rss_processing_enabled=True, rss_fetch_delay=0
    ):
        yield


@pytest.fixture
async def category(webui: WebUI) -> AsyncIterator[str]:
    """Create a category for rules; remove it afterwards."""
    await webui.post("torrents/createCategory", {"category": CATEGORY})
    yield CATEGORY
    await webui.post("torrents/removeCategories", {"categories": CATEGORY})


async def ask(hass: HomeAssistant, action: str, data: dict[str, Any]) -> dict[str, Any]:
    """Run an action that answers, and return its answer."""
    response = await hass.services.async_call(
        DOMAIN, action, data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


def articles_for(feeds: FeedsServer, *titles: str) -> list[Article]:
    """Return articles linking to .torrent paths on the feed server."""
    return [
        Article(title, feeds.url(f"torrents/{title}.torrent"), guid=f"id-{title}")
        for title in titles
    ]


async def feed_articles(
    webui: WebUI, path: str, count: int
) -> list[dict[str, Any]] | None:
    """Return the articles of a feed once it has ``count`` of them."""
    item: Any = await webui.get("rss/items", withData="true")
    for name in path.split("\\"):
        item = item.get(name, {})
    articles: list[dict[str, Any]] = item.get("articles", [])
    return articles if len(articles) >= count else None


@pytest.mark.usefixtures("entry", "clean_rss")
async def test_folders_and_feeds(
    hass: HomeAssistant,
    webui: WebUI,
    feeds: FeedsServer,
    qbittorrent: QbittorrentServer,
) -> None:
    """Folders and feeds are added, listed, moved and removed."""
    news = feeds.serve_feed("news.xml", "News", [])
    other = feeds.serve_feed("other.xml", "Other", [])
    timed = feeds.serve_feed("timed.xml", "Timed", [])

    await act(hass, "rss_add_folder", {"path": "Plus"})
    await act(hass, "rss_add_feed", {"url": news, "path": "Plus\\News"})
    await act(hass, "rss_add_feed", {"url": f" {other} "})

    tree = await webui.get("rss/items")
    assert tree["Plus"]["News"]["url"] == news
    # Without a path the feed is named after its URL, at the top.
    assert tree[other]["url"] == other

    await act(hass, "rss_move_item", {"path": "Plus\\News", "destination": "Moved"})

    tree = await webui.get("rss/items")
    assert tree["Moved"]["url"] == news
    assert tree["Plus"] == {}

    # A feed with a refresh interval of its own (qBittorrent 5.2+) says so.
    await webui.post(
        "rss/addFeed", {"url": timed, "path": "Plus\\Timed", "refreshInterval": "45"}
    )
    timed_feed: dict[str, Any] = {"path": "Plus\\Timed", "name": "Timed", "url": timed}
    if qbittorrent.version >= "5.2":
        timed_feed["refresh_interval"] = 45
    items = await ask(hass, "rss_get_items", {})
    assert items["folders"] == ["Plus"]
    assert sorted(items["feeds"], key=lambda feed: feed["path"]) == [
        {"path": "Moved", "name": "Moved", "url": news},
        timed_feed,
        {"path": other, "name": other, "url": other},
    ]

    await act(hass, "rss_remove_item", {"path": "Plus"})
    await act(hass, "rss_remove_item", {"path": "Moved"})
    await act(hass, "rss_remove_item", {"path": other})
    assert await webui.get("rss/items") == {}


@pytest.mark.usefixtures("entry", "clean_rss", "rss_processing")
async def test_articles(hass: HomeAssistant, webui: WebUI, feeds: FeedsServer) -> None:
    """A feed is fetched when refreshed; its articles are listed and marked as read."""
    news = [
        Article(title, feeds.url(f"torrents/{title}.torrent"), f"id-{title}", about)
        for title, about in (("One", "About one"), ("Two", "About two"))
    ]
    url = feeds.serve_feed("news.xml", "Plus news", news)
    await webui.post("rss/addFolder", {"path": "Plus"})
    await webui.post("rss/addFeed", {"url": url, "path": "Plus\\News"})

    await act(hass, "rss_refresh_item", {"path": "Plus\\News"})
    await wait_for(lambda: feed_articles(webui, "Plus\\News", 2))

    items = await ask(hass, "rss_get_items", {"with_articles": True})
    assert items["folders"] == ["Plus"]
    [feed] = items["feeds"]
    assert feed["path"] == "Plus\\News"
    assert feed["title"] == "Plus news"
    assert feed["has_error"] is False
    by_id = {article["id"]: article for article in feed["articles"]}
    assert set(by_id) == {"id-One", "id-Two"}
    assert by_id["id-Two"] == {
        "id": "id-Two",
        "title": "Two",
        "date": "06 Jan 2025 10:00:00 +0000",
        "link": feeds.url("torrents/Two.torrent"),
        "torrent_url": feeds.url("torrents/Two.torrent"),
        "description": "About two",
        "is_read": False,
    }

    await act(hass, "rss_mark_as_read", {"path": "Plus\\News", "article_id": "id-Two"})

    articles = await feed_articles(webui, "Plus\\News", 2) or []
    read = {article["id"]: bool(article.get("isRead")) for article in articles}
    assert read == {"id-One": False, "id-Two": True}

    # A folder marks every article of its feeds.
    await act(hass, "rss_mark_as_read", {"path": "Plus"})

    articles = await feed_articles(webui, "Plus\\News", 2) or []
    assert all(article.get("isRead") for article in articles)
    items = await ask(hass, "rss_get_items", {"with_articles": True})
    assert all(article["is_read"] for article in items["feeds"][0]["articles"])


# In the cases' fields, a feeds server path to give as its URL.
FEED = "feed:"
PRIVATE = "private.xml?passkey=secret"
SUBSCRIBED = "subscribed.xml?passkey=secret"

ITEM_REFUSALS: list[tuple[str, dict[str, Any], str, dict[str, str] | None]] = [
    ("rss_add_feed", {"url": "ftp://example.org/feed"}, "rss_url_invalid", None),
    ("rss_add_feed", {"url": "feed.xml"}, "rss_url_invalid", None),
    ("rss_add_feed", {"url": "http://[::1"}, "rss_url_invalid", None),
    (
        "rss_add_feed",
        {"url": FEED + "news.xml"},
        "rss_feed_exists",
        {"path": "Plus\\News"},
    ),
    # A feed URL may carry a passkey: errors show only its host.
    (
        "rss_add_feed",
        {"url": FEED + PRIVATE},
        "rss_item_exists",
        {"path": "http://127.0.0.1/…"},
    ),
    (
        "rss_add_feed",
        {"url": FEED + SUBSCRIBED},
        "rss_feed_exists",
        {"path": "http://127.0.0.1/…"},
    ),
    (
        "rss_add_feed",
        {"url": FEED + "new.xml", "path": "Plus\\News"},
        "rss_item_exists",
        {"path": "Plus\\News"},
    ),
    (
        "rss_add_feed",
        {"url": FEED + "new.xml", "path": "Missing\\Feed"},
        "rss_folder_not_found",
        {"folder": "Missing", "path": "Missing\\Feed"},
    ),
    (
        "rss_add_feed",
        {"url": FEED + "new.xml", "path": "Plus\\"},
        "rss_path_invalid",
        {"path": "Plus\\"},
    ),
    ("rss_add_folder", {"path": "Plus"}, "rss_item_exists", {"path": "Plus"}),
    (
        "rss_add_folder",
        {"path": "Plus\\\\Inner"},
        "rss_path_invalid",
        {"path": "Plus\\\\Inner"},
    ),
    (
        "rss_add_folder",
        {"path": "Missing\\Inner"},
        "rss_folder_not_found",
        {"folder": "Missing", "path": "Missing\\Inner"},
    ),
    ("rss_remove_item", {"path": "News"}, "rss_item_not_found", {"path": "News"}),
    (
        "rss_move_item",
        {"path": "Missing", "destination": "Elsewhere"},
        "rss_item_not_found",
        {"path": "Missing"},
    ),
    (
        "rss_move_item",
        {"path": "Plus", "destination": "Plus\\Inner"},
        "rss_move_into_itself",
        {"path": "Plus", "destination": "Plus\\Inner"},
    ),
    (
        "rss_move_item",
        {"path": "Plus\\News", "destination": "Plus"},
        "rss_item_exists",
        {"path": "Plus"},
    ),
    (
        "rss_move_item",
        {"path": "Plus\\News", "destination": "Missing\\News"},
        "rss_folder_not_found",
        {"folder": "Missing", "path": "Missing\\News"},
    ),
    (
        "rss_refresh_item",
        {"path": "Plus\\Missing"},
        "rss_item_not_found",
        {"path": "Plus\\Missing"},
    ),
    (
        "rss_mark_as_read",
        {"path": "Missing"},
        "rss_item_not_found",
        {"path": "Missing"},
    ),
    (
        "rss_mark_as_read",
        {"path": "Plus", "article_id": "id-One"},
        "rss_not_a_feed",
        {"path": "Plus"},
    ),
    (
        "rss_mark_as_read",
        {"path": "Plus\\News", "article_id": "id-Other"},
        "rss_article_not_found",
        {"path": "Plus\\News", "article_id": "id-Other"},
    ),
]


def with_urls(feeds: FeedsServer, data: dict[str, Any]) -> dict[str, Any]:
    """Return a case's fields with the feeds server's URLs in them (lists too)."""

    def url(value: Any) -> Any:
        if isinstance(value, list):
            return [url(item) for item in value]
        if isinstance(value, str) and value.startswith(FEED):
            return feeds.url(value.removeprefix(FEED))
        return value

    return {field: url(value) for field, value in data.items()}


@pytest.mark.usefixtures("entry", "clean_rss", "rss_processing")
@pytest.mark.parametrize(
    ("action", "data", "key", "placeholders"),
    ITEM_REFUSALS,
    ids=[f"{action}-{key}-{n}" for n, (action, _, key, _) in enumerate(ITEM_REFUSALS)],
)
async def test_items_refused(
    *,
    hass: HomeAssistant,
    proxy: Proxy,
    webui: WebUI,
    feeds: FeedsServer,
    action: str,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    """Unusable URLs, missing or taken paths and unknown articles change nothing."""
    url = feeds.serve_feed("news.xml", "News", articles_for(feeds, "One"))
    await webui.post("rss/addFolder", {"path": "Plus"})
    await webui.post("rss/addFeed", {"url": url, "path": "Plus\\News"})
    await webui.post("rss/refreshItem", {"itemPath": "Plus\\News"})
    await wait_for(lambda: feed_articles(webui, "Plus\\News", 1))
    private_url = feeds.url(PRIVATE)
    # A folder named after a URL, as a feed added without a path is.
    await webui.post("rss/addFolder", {"path": private_url})
    # A feed added without a path keeps its URL as its name until it loads, when
    # the server renames it after its title: this one never loads.
    subscribed = feeds.url(SUBSCRIBED)
    await webui.post("rss/addFeed", {"url": subscribed, "path": ""})

    async def failed_to_load() -> bool:
        items = await webui.get("rss/items", withData="true")
        return bool(items[subscribed].get("hasError"))

    await wait_for(failed_to_load)

    async def items() -> object:
        return await webui.get("rss/items", withData="true")

    error = await refusal(
        hass, proxy, action, with_urls(feeds, data), key=key, state=items
    )

    assert error.translation_placeholders == placeholders
    assert "secret" not in str(error)
    assert feeds.hits["new.xml"] == 0


async def rules(webui: WebUI) -> dict[str, Any]:
    """Return the server's download rules."""
    found: dict[str, Any] = await webui.get("rss/rules")
    return found


def added_with(rule: dict[str, Any], version: str) -> dict[str, Any]:
    """Return how a rule's torrents are added, wherever the server keeps it."""
    if version < "4.6":
        return {
            "save_path": rule["savePath"],
            "category": rule["assignedCategory"],
            "stopped": rule["addPaused"],
        }
    params = rule["torrentParams"]
    return {
        "save_path": params["save_path"],
        "category": params["category"],
        "stopped": params.get("stopped"),
        "tags": params["tags"],
        "use_auto_tmm": params.get("use_auto_tmm"),
    }


@pytest.mark.usefixtures("entry", "clean_rss", "rss_processing")
async def test_rules(
    hass: HomeAssistant,
    webui: WebUI,
    feeds: FeedsServer,
    qbittorrent: QbittorrentServer,
    category: str,
) -> None:
    """A rule is set from fields, changed, matched, renamed and removed."""
    titles = ("Debian Linux ISO", "Cooking Show S01E01", "Arch Linux ISO")
    url = feeds.serve_feed("rules.xml", "Rules", articles_for(feeds, *titles))
    other = feeds.serve_feed("other.xml", "Other", [])
    await webui.post("rss/addFolder", {"path": "Plus"})
    await webui.post("rss/addFeed", {"url": url, "path": "Plus\\Rules"})
    await webui.post("rss/addFeed", {"url": other, "path": "Other"})
    await webui.post("rss/refreshItem", {"itemPath": "Plus\\Rules"})
    await wait_for(lambda: feed_articles(webui, "Plus\\Rules", 3))
    tags = qbittorrent.version >= "4.6"

    await act(
        hass,
        "rss_set_rule",
        {
            "name": "Plus linux",
            "enabled": True,
            "must_contain": "Linux",
            "must_not_contain": "Arch",
            "use_regex": False,
            # By path and by URL, once each.
            "affected_feeds": ["Plus\\Rules", url, other],
            "ignore_days": 3,
            # On 5.3 a smart filter matches episodes only, which these are not.
            "smart_filter": False,
            "stopped": True,
            "save_path": "/downloads/linux",
            "category": category,
            **({"tags": "iso, linux"} if tags else {}),
        },
    )

    rule = (await rules(webui))["Plus linux"]
    assert {
        key: rule[key]
        for key in (
            "enabled",
            "mustContain",
            "mustNotContain",
            "useRegex",
            "episodeFilter",
            "affectedFeeds",
            "ignoreDays",
            "smartFilter",
        )
    } == {
        "enabled": True,
        "mustContain": "Linux",
        "mustNotContain": "Arch",
        "useRegex": False,
        "episodeFilter": "",
        "affectedFeeds": [url, other],
        "ignoreDays": 3,
        "smartFilter": False,
    }
    expected = {"save_path": "/downloads/linux", "category": category, "stopped": True}
    if tags:
        expected |= {"tags": ["iso", "linux"], "use_auto_tmm": False}
    assert added_with(rule, qbittorrent.version) == expected

    matches = await ask(hass, "rss_get_rule_matches", {"name": "Plus linux"})
    assert matches == {"feeds": [{"name": "Rules", "articles": ["Debian Linux ISO"]}]}

    # Fields left out keep their values.
    await act(
        hass,
        "rss_set_rule",
        {
            "name": "Plus linux",
            "enabled": False,
            "episode_filter": "1x01-;",
            "smart_filter": True,
            "save_path": "",
            "category": "",
        },
    )

    changed = (await rules(webui))["Plus linux"]
    assert changed["enabled"] is False
    assert changed["episodeFilter"] == "1x01-;"
    assert changed["smartFilter"] is True
    assert changed["mustContain"] == "Linux"
    assert changed["affectedFeeds"] == [url, other]
    assert changed["ignoreDays"] == 3
    expected |= {"save_path": "", "category": ""}
    if tags:
        expected["use_auto_tmm"] = None
    assert added_with(changed, qbittorrent.version) == expected

    await act(
        hass, "rss_rename_rule", {"name": "Plus linux", "new_name": "Plus penguin"}
    )

    renamed = await rules(webui)
    assert "Plus linux" not in renamed
    assert renamed["Plus penguin"]["mustContain"] == "Linux"

    await act(hass, "rss_remove_rule", {"name": "Plus penguin"})

    assert "Plus penguin" not in await rules(webui)


@pytest.mark.usefixtures("entry", "clean_rss")
async def test_new_rule_defaults(hass: HomeAssistant, webui: WebUI) -> None:
    """A rule given only a name is made with the server's defaults."""
    await act(hass, "rss_set_rule", {"name": "Plus empty"})

    rule = (await rules(webui))["Plus empty"]
    assert rule["enabled"] is True
    assert rule["mustContain"] == ""
    assert rule["affectedFeeds"] == []
    assert await ask(hass, "rss_get_rule_matches", {"name": "Plus empty"}) == {
        "feeds": []
    }


RULE_REFUSALS: list[tuple[str, dict[str, Any], str, dict[str, str]]] = [
    (
        "rss_rename_rule",
        {"name": "Plus none", "new_name": "Plus three"},
        "rss_rule_not_found",
        {"name": "Plus none"},
    ),
    (
        "rss_rename_rule",
        {"name": "Plus one", "new_name": "Plus two"},
        "rss_rule_exists",
        {"name": "Plus two"},
    ),
    (
        "rss_remove_rule",
        {"name": "Plus none"},
        "rss_rule_not_found",
        {"name": "Plus none"},
    ),
    (
        "rss_get_rule_matches",
        {"name": "Plus none"},
        "rss_rule_not_found",
        {"name": "Plus none"},
    ),
    (
        "rss_set_rule",
        {"name": "Plus one", "category": "plus-no-such-category"},
        "torrent_category_not_found",
        {"category": "plus-no-such-category"},
    ),
    (
        "rss_set_rule",
        {"name": "Plus one", "affected_feeds": ["News", "Missing"]},
        "rss_feed_not_found",
        {"feed": "Missing"},
    ),
    (
        "rss_set_rule",
        {"name": "Plus one", "affected_feeds": [FEED + PRIVATE]},
        "rss_feed_not_found",
        # A feed URL may carry a passkey: the error shows only its host.
        {"feed": "http://127.0.0.1/…"},
    ),
    (
        "rss_set_rule",
        {"name": "Plus one", "tags": "iso,,linux"},
        "torrent_tag_invalid",
        {"tag": ""},
    ),
]


@pytest.mark.usefixtures("entry", "clean_rss")
@pytest.mark.parametrize(
    ("action", "data", "key", "placeholders"),
    RULE_REFUSALS,
    ids=[f"{action}-{key}-{n}" for n, (action, _, key, _) in enumerate(RULE_REFUSALS)],
)
async def test_rules_refused(
    *,
    hass: HomeAssistant,
    proxy: Proxy,
    webui: WebUI,
    feeds: FeedsServer,
    qbittorrent: QbittorrentServer,
    action: str,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str],
) -> None:
    """Unknown rules, categories and feeds, and taken names change no rule.

    qBittorrent before 4.6 keeps no tags in a rule: any refuses the rule first.
    """
    url = feeds.serve_feed("news.xml", "News", [])
    await webui.post("rss/addFeed", {"url": url, "path": "News"})
    for name in ("Plus one", "Plus two"):
        await webui.post(
            "rss/setRule",
            {"ruleName": name, "ruleDef": json.dumps({"mustContain": name})},
        )
    if "tags" in data and qbittorrent.version < "4.6":
        key = "rss_rule_tags_need_version"
        placeholders = {"version": "4.6.0", "server_version": qbittorrent.version}

    error = await refusal(
        hass,
        proxy,
        action,
        with_urls(feeds, data),
        key=key,
        state=lambda: rules(webui),
    )

    assert error.translation_placeholders == placeholders
    assert "secret" not in str(error)
