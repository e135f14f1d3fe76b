r"""Actions on RSS: feeds and folders, their articles, and the download rules.

Items are named by paths whose parts are joined with a backslash (``Linux\Debian``).
Every action reads what it refers to first, so a path, rule or category that does not
exist is refused before anything changes (the server would ignore most of these
silently, or answer with a bare "Conflict").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import voluptuous as vol
from yarl import URL

from homeassistant.core import ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv

from ..api import Client, UnsupportedFieldError, first_release
from ..data import QbittorrentConfigEntry
from .action import (
    ATTR_CATEGORY,
    ATTR_SAVE_PATH,
    ATTR_STOPPED,
    ATTR_TAGS,
    QbittorrentAction,
    refused,
)
from .targets import TAGS, check_tags, require_known_category

SEPARATOR: Final = "\\"

ATTR_PATH: Final = "path"
ATTR_DESTINATION: Final = "destination"
ATTR_URL: Final = "url"
ATTR_ARTICLE_ID: Final = "article_id"
ATTR_NAME: Final = "name"
ATTR_NEW_NAME: Final = "new_name"
ATTR_WITH_ARTICLES: Final = "with_articles"
ATTR_AFFECTED_FEEDS: Final = "affected_feeds"

# The fields of rss_set_rule that the client's rule definition takes as they are.
RULE_FIELDS: Final = (
    "enabled",
    "must_contain",
    "must_not_contain",
    "use_regex",
    "episode_filter",
    "ignore_days",
    "smart_filter",
    ATTR_SAVE_PATH,
    ATTR_CATEGORY,
    ATTR_STOPPED,
    ATTR_TAGS,
)

_NAME = vol.All(cv.string, vol.Length(min=1))


def is_feed(item: Mapping[str, Any]) -> bool:
    """Return whether an item of ``rss/items`` is a feed (else it is a folder).

    A folder's children are objects, so a folder holding items named ``uid`` and
    ``url`` still reads as a folder.
    """
    return isinstance(item.get("uid"), str) and isinstance(item.get("url"), str)


@dataclass(frozen=True)
class RSSTree:
    """The folders and feeds of a server, by path."""

    folders: dict[str, Mapping[str, Any]]
    feeds: dict[str, Mapping[str, Any]]

    @classmethod
    def from_items(cls, items: Mapping[str, Any]) -> RSSTree:
        """Flatten the nested answer of ``rss/items``."""
        tree = cls({}, {})
        tree._add_children("", items)
        return tree

    def _add_children(self, prefix: str, folder: Mapping[str, Any]) -> None:
        for name, item in folder.items():
            path = f"{prefix}{name}"
            if is_feed(item):
                self.feeds[path] = item
            else:
                self.folders[path] = item
                self._add_children(path + SEPARATOR, item)

    def __contains__(self, path: object) -> bool:
        """Return whether a feed or folder has this path."""
        return path in self.feeds or path in self.folders

    def feed_path(self, url: str) -> str | None:
        """Return the path of the feed subscribed at ``url``, if any."""
        return next((p for p, feed in self.feeds.items() if feed["url"] == url), None)


async def read_tree(client: Client, *, with_data: bool = False) -> RSSTree:
    """Return the server's folders and feeds (with their articles if asked)."""
    items = await client.rss_items(include_feed_data=with_data, simple_responses=True)
    return RSSTree.from_items(items)


def parent(path: str) -> str:
    """Return the folder an item path is in ("" for the top)."""
    return path.rpartition(SEPARATOR)[0]


def require_item(tree: RSSTree, path: str) -> None:
    """Refuse a path that is no feed or folder."""
    if path not in tree:
        raise refused("rss_item_not_found", path=shown_feed(path))


def require_free_path(tree: RSSTree, path: str) -> None:
    """Refuse a path an item cannot be added or moved to."""
    shown = shown_feed(path)
    if not all(path.split(SEPARATOR)):
        raise refused("rss_path_invalid", path=shown)
    if path in tree:
        raise refused("rss_item_exists", path=shown)
    if (folder := parent(path)) and folder not in tree.folders:
        raise refused("rss_folder_not_found", folder=shown_feed(folder), path=shown)


def is_web_url(url: str) -> bool:
    """Return whether ``url`` is an http(s) URL with a host, as feeds need."""
    try:
        parsed = URL(url)
    except ValueError:
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.host)


def shown_feed(feed: str) -> str:
    """Return how an error names a feed or path, leaving out a URL's path and query.

    Feed URLs of private trackers often carry a passkey, and a feed added without
    a path is named after its URL.
    """
    if is_web_url(feed):
        url = URL(feed)
        return f"{url.scheme}://{url.host}/…"
    return feed


# Feeds and folders -----------------------------------------------------------------


async def _add_feed(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    url: str = call.data[ATTR_URL].strip()
    path: str = call.data.get(ATTR_PATH, "")
    if not is_web_url(url):
        raise refused("rss_url_invalid")
    client = entry.runtime_data.client
    tree = await read_tree(client)
    if (subscribed := tree.feed_path(url)) is not None:
        raise refused("rss_feed_exists", path=shown_feed(subscribed))
    # Without a path, the server names the feed after its URL, at the top.
    require_free_path(tree, path or url)
    await client.rss_add_feed(url, path)
    return None


async def _add_folder(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    path: str = call.data[ATTR_PATH]
    client = entry.runtime_data.client
    require_free_path(await read_tree(client), path)
    await client.rss_add_folder(path)
    return None


async def _remove_item(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    path: str = call.data[ATTR_PATH]
    client = entry.runtime_data.client
    require_item(await read_tree(client), path)
    await client.rss_remove_item(path)
    return None


async def _move_item(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    path: str = call.data[ATTR_PATH]
    destination: str = call.data[ATTR_DESTINATION]
    client = entry.runtime_data.client
    tree = await read_tree(client)
    require_item(tree, path)
    if destination.startswith(path + SEPARATOR):
        raise refused(
            "rss_move_into_itself",
            path=shown_feed(path),
            destination=shown_feed(destination),
        )
    require_free_path(tree, destination)
    await client.rss_move_item(path, destination)
    return None


async def _refresh_item(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    path: str = call.data[ATTR_PATH]
    client = entry.runtime_data.client
    require_item(await read_tree(client), path)
    await client.rss_refresh_item(path)
    return None


async def _mark_as_read(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    path: str = call.data[ATTR_PATH]
    article_id: str | None = call.data.get(ATTR_ARTICLE_ID)
    client = entry.runtime_data.client
    tree = await read_tree(client, with_data=article_id is not None)
    require_item(tree, path)
    if article_id is not None:
        if path not in tree.feeds:
            raise refused("rss_not_a_feed", path=shown_feed(path))
        articles = tree.feeds[path].get("articles", [])
        if all(article.get("id") != article_id for article in articles):
            raise refused(
                "rss_article_not_found", path=shown_feed(path), article_id=article_id
            )
    await client.rss_mark_as_read(path, article_id)
    return None


def _article(article: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": article.get("id"),
        "title": article.get("title"),
        "date": article.get("date"),
        "link": article.get("link"),
        "torrent_url": article.get("torrentURL"),
        "description": article.get("description"),
        "is_read": bool(article.get("isRead")),
    }


def _feed(path: str, feed: Mapping[str, Any], with_articles: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "path": path,
        "name": path.rpartition(SEPARATOR)[2],
        "url": feed["url"],
    }
    if "refreshInterval" in feed:
        shown["refresh_interval"] = feed["refreshInterval"]
    if with_articles:
        shown |= {
            "title": feed.get("title"),
            "last_build_date": feed.get("lastBuildDate"),
            "is_loading": feed.get("isLoading"),
            "has_error": feed.get("hasError"),
            "articles": [_article(article) for article in feed.get("articles", [])],
        }
    return shown


async def _get_items(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    with_articles: bool = call.data[ATTR_WITH_ARTICLES]
    tree = await read_tree(entry.runtime_data.client, with_data=with_articles)
    return {
        "folders": list(tree.folders),
        "feeds": [
            _feed(path, feed, with_articles) for path, feed in tree.feeds.items()
        ],
    }


# Download rules --------------------------------------------------------------------


async def _rules(client: Client) -> dict[str, Any]:
    rules: dict[str, Any] = await client.rss_rules(simple_responses=True)
    return rules


async def _require_rule(client: Client, name: str) -> None:
    if name not in await _rules(client):
        raise refused("rss_rule_not_found", name=name)


def _feed_urls(tree: RSSTree, feeds: list[str]) -> list[str]:
    """Return the URLs of feeds named by path or URL; refuse unknown ones."""
    urls: dict[str, None] = {}
    for feed in feeds:
        if feed in tree.feeds:
            urls[tree.feeds[feed]["url"]] = None
        elif tree.feed_path(feed) is not None:
            urls[feed] = None
        else:
            raise refused("rss_feed_not_found", feed=shown_feed(feed))
    return list(urls)


async def _set_rule(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    name: str = call.data[ATTR_NAME]
    client = entry.runtime_data.client
    if category := call.data.get(ATTR_CATEGORY):
        await require_known_category(entry.runtime_data.coordinator, category)
    fields = {field: call.data[field] for field in RULE_FIELDS if field in call.data}
    if ATTR_AFFECTED_FEEDS in call.data:
        tree = await read_tree(client)
        fields[ATTR_AFFECTED_FEEDS] = _feed_urls(tree, call.data[ATTR_AFFECTED_FEEDS])
    current = (await _rules(client)).get(name, {})
    try:
        definition = await client.rss_rule_definition(current, **fields)
    except UnsupportedFieldError as err:
        raise refused(
            "rss_rule_tags_need_version",
            version=first_release(err.since),
            server_version=entry.runtime_data.version.removeprefix("v"),
        ) from err
    check_tags(call.data.get(ATTR_TAGS, []))
    await client.rss_set_rule(name, definition)
    return None


async def _rename_rule(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    name: str = call.data[ATTR_NAME]
    new_name: str = call.data[ATTR_NEW_NAME]
    client = entry.runtime_data.client
    rules = await _rules(client)
    if name not in rules:
        raise refused("rss_rule_not_found", name=name)
    # The server keeps both rules unchanged rather than replace one.
    if new_name in rules:
        raise refused("rss_rule_exists", name=new_name)
    await client.rss_rename_rule(name, new_name)
    return None


async def _remove_rule(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    name: str = call.data[ATTR_NAME]
    client = entry.runtime_data.client
    await _require_rule(client, name)
    await client.rss_remove_rule(name)
    return None


async def _get_rule_matches(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    name: str = call.data[ATTR_NAME]
    client = entry.runtime_data.client
    await _require_rule(client, name)
    matches: Mapping[str, list[str]] = (
        await client.rss_matching_articles(name, simple_responses=True) or {}
    )
    return {
        "feeds": [
            {"name": feed, "articles": list(titles)} for feed, titles in matches.items()
        ]
    }


_PATH_FIELD = {vol.Required(ATTR_PATH): _NAME}

RSS_ACTIONS: Final = (
    QbittorrentAction(
        name="rss_add_feed",
        fields={
            vol.Required(ATTR_URL): cv.string,
            vol.Optional(ATTR_PATH): _NAME,
        },
        handler=_add_feed,
    ),
    QbittorrentAction(name="rss_add_folder", fields=_PATH_FIELD, handler=_add_folder),
    QbittorrentAction(name="rss_remove_item", fields=_PATH_FIELD, handler=_remove_item),
    QbittorrentAction(
        name="rss_move_item",
        fields={**_PATH_FIELD, vol.Required(ATTR_DESTINATION): _NAME},
        handler=_move_item,
    ),
    QbittorrentAction(
        name="rss_refresh_item", fields=_PATH_FIELD, handler=_refresh_item
    ),
    QbittorrentAction(
        name="rss_mark_as_read",
        fields={**_PATH_FIELD, vol.Optional(ATTR_ARTICLE_ID): _NAME},
        handler=_mark_as_read,
    ),
    QbittorrentAction(
        name="rss_get_items",
        fields={vol.Optional(ATTR_WITH_ARTICLES, default=False): cv.boolean},
        handler=_get_items,
        response=SupportsResponse.ONLY,
    ),
    QbittorrentAction(
        name="rss_set_rule",
        fields={
            vol.Required(ATTR_NAME): _NAME,
            vol.Optional("enabled"): cv.boolean,
            vol.Optional("must_contain"): cv.string,
            vol.Optional("must_not_contain"): cv.string,
            vol.Optional("use_regex"): cv.boolean,
            vol.Optional("episode_filter"): cv.string,
            vol.Optional(ATTR_AFFECTED_FEEDS): vol.All(cv.ensure_list, [cv.string]),
            vol.Optional("ignore_days"): vol.All(cv.positive_int, vol.Range(max=3650)),
            vol.Optional("smart_filter"): cv.boolean,
            vol.Optional(ATTR_STOPPED): cv.boolean,
            vol.Optional(ATTR_SAVE_PATH): cv.string,
            vol.Optional(ATTR_CATEGORY): cv.string,
            vol.Optional(ATTR_TAGS): TAGS,
        },
        handler=_set_rule,
    ),
    QbittorrentAction(
        name="rss_rename_rule",
        fields={
            vol.Required(ATTR_NAME): _NAME,
            vol.Required(ATTR_NEW_NAME): _NAME,
        },
        handler=_rename_rule,
    ),
    QbittorrentAction(
        name="rss_remove_rule",
        fields={vol.Required(ATTR_NAME): _NAME},
        handler=_remove_rule,
    ),
    QbittorrentAction(
        name="rss_get_rule_matches",
        fields={vol.Required(ATTR_NAME): _NAME},
        handler=_get_rule_matches,
        response=SupportsResponse.ONLY,
    ),
)
