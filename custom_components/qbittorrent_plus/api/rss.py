r"""The rss namespace: feeds, folders, articles and download rules.

Items (folders and feeds) are named by paths whose parts are joined with a backslash,
such as ``Linux\Debian``; a folder must exist before anything is added inside it.
Feeds refresh only while the server's ``rss_processing_enabled`` preference is on, and
rules download only while ``rss_auto_downloading_enabled`` is on.

Rich results are ``Dictionary`` objects down to the folders, feeds and articles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
import os
from pathlib import Path
from typing import Any, Final

from .errors import FileError, UnsupportedFieldError
from .models import Dictionary
from .namespace import Delegate, Namespace
from .params import dump_json
from .transport import Transport, Upload
from .versions import APIVersion

# The name the server gives the file it exports; the server reads any name.
RULES_FILE_NAME = "rss-downloader-rules.json"

# Rule fields the rule itself keeps on every server, by their names in Python.
RULE_KEYS: Final = {
    "enabled": "enabled",
    "must_contain": "mustContain",
    "must_not_contain": "mustNotContain",
    "use_regex": "useRegex",
    "episode_filter": "episodeFilter",
    "ignore_days": "ignoreDays",
    "smart_filter": "smartFilter",
    "affected_feeds": "affectedFeeds",
}
# How a rule adds its torrents: from Web API 2.9.2 (qBittorrent 4.6.0) in the rule's
# ``torrentParams``, which then override the older keys of the rule itself; tags
# exist only there.
RULE_TORRENT_PARAMS_SINCE: Final[APIVersion] = (2, 9, 2)
RULE_TORRENT_PARAMS_KEYS: Final = {
    "save_path": "save_path",
    "category": "category",
    "stopped": "stopped",
    "tags": "tags",
}
RULE_OLDER_KEYS: Final = {
    "save_path": "savePath",
    "category": "assignedCategory",
    "stopped": "addPaused",
}


def _rule_definition(
    api_version: APIVersion, current: Mapping[str, Any], fields: Mapping[str, Any]
) -> dict[str, Any]:
    """Return ``current`` changed by ``fields``, as a server of this version keeps it."""
    rule = dict(current)
    rule.update(_renamed(fields, RULE_KEYS))
    if api_version < RULE_TORRENT_PARAMS_SINCE:
        if fields.get("tags"):
            raise UnsupportedFieldError("tags", RULE_TORRENT_PARAMS_SINCE)
        rule.update(_renamed(fields, RULE_OLDER_KEYS))
        return rule
    params = dict(rule.get("torrentParams") or {})
    params.update(_renamed(fields, RULE_TORRENT_PARAMS_KEYS))
    if "save_path" in fields:
        # As the older savePath key does: a path of its own means manual management.
        if fields["save_path"]:
            params["use_auto_tmm"] = False
        else:
            params.pop("use_auto_tmm", None)
    rule["torrentParams"] = params
    return rule


def _renamed(fields: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, Any]:
    return {key: fields[name] for name, key in keys.items() if name in fields}


def _rules_file(rules: Mapping[str, Any] | bytes | str | os.PathLike[str]) -> bytes:
    """Return the content of a rules file from a mapping, its bytes, or its path."""
    if isinstance(rules, Mapping):
        return dump_json(dict(rules)).encode()
    if isinstance(rules, bytes | bytearray | memoryview):
        return bytes(rules)
    path = Path(rules)
    try:
        return path.read_bytes()
    except OSError as err:
        msg = f"cannot read the rules file {path}: {err.strerror or err}"
        raise FileError(err.errno, msg) from err


class RSSAPIMixIn(Transport):
    """``rss/*`` endpoints as flat methods: ``await client.rss_items()``."""

    @cached_property
    def rss(self) -> RSSAPI:
        """Return the rss namespace."""
        return RSSAPI(self)

    async def rss_add_folder(self, /, folder_path: str, **kwargs: Any) -> None:
        r"""Add a folder, such as ``Linux\ISOs``; its parent folders must exist.

        Raises ``Conflict409Error`` when the path is taken or its parent is missing.
        """
        await self._call("rss/addFolder", {"path": folder_path, **kwargs})

    async def rss_add_feed(
        self,
        /,
        url: str,
        item_path: str = "",
        refresh_interval: int | None = None,
        **kwargs: Any,
    ) -> None:
        r"""Subscribe to a feed.

        Args:
            url: The feed's URL.
            item_path: Where the feed goes, with its name, such as
                ``Linux\Debian``; by default it is named after its URL, at the top.
            refresh_interval: Minutes between refreshes of this feed, instead of the
                global interval. Web API 2.11.5 (qBittorrent 5.2.0) and newer; older
                servers ignore it.
            **kwargs: More API parameters, ``headers``.

        Raises ``Conflict409Error`` when the path is taken, its folder is missing, or
        the URL is already subscribed.
        """
        params = {
            "url": url,
            "path": item_path,
            "refreshInterval": refresh_interval,
            **kwargs,
        }
        await self._call("rss/addFeed", params)

    async def rss_set_feed_url(
        self, /, url: str, item_path: str, **kwargs: Any
    ) -> None:
        """Change the URL of the feed at ``item_path``; its articles are kept.

        Raises ``Conflict409Error`` for an unknown path or a URL already subscribed.
        Web API 2.9.1 (qBittorrent 4.6.0) and newer.
        """
        await self._call("rss/setFeedURL", {"path": item_path, "url": url, **kwargs})

    async def rss_set_feed_refresh_interval(
        self, /, item_path: str, refresh_interval: int, **kwargs: Any
    ) -> None:
        """Set the minutes between refreshes of the feed at ``item_path``.

        ``rss_items`` then shows the interval as the feed's ``refreshInterval``.
        Web API 2.11.5 (qBittorrent 5.2.0) and newer.
        """
        params = {"path": item_path, "refreshInterval": refresh_interval, **kwargs}
        await self._call("rss/setFeedRefreshInterval", params)

    async def rss_remove_item(self, /, item_path: str, **kwargs: Any) -> None:
        """Remove a feed, or a folder with everything in it.

        Raises ``Conflict409Error`` for an unknown path.
        """
        await self._call("rss/removeItem", {"path": item_path, **kwargs})

    async def rss_move_item(
        self, /, orig_item_path: str, new_item_path: str, **kwargs: Any
    ) -> None:
        """Move or rename a feed or folder; the new path's parent folder must exist.

        Raises ``Conflict409Error`` for an unknown path or a taken destination.
        """
        params = {"itemPath": orig_item_path, "destPath": new_item_path, **kwargs}
        await self._call("rss/moveItem", params)

    async def rss_items(
        self, /, include_feed_data: bool | None = None, **kwargs: Any
    ) -> Dictionary:
        """Return the tree of folders and feeds.

        Folders are objects keyed by item name; a feed is ``{uid, url}`` (with
        ``refreshInterval`` when it has its own). With ``include_feed_data`` a feed
        also has ``title``, ``lastBuildDate``, ``isLoading``, ``hasError`` and its
        ``articles`` (``id``, ``title``, ``date``, ``link``, ``torrentURL``,
        ``description``, ``isRead`` once read, ...).

        Args:
            include_feed_data: Include each feed's details and articles.
            **kwargs: More API parameters, ``headers``, ``simple_responses``.
        """
        params = {"withData": include_feed_data, **kwargs}
        items: Dictionary = await self._json("rss/items", params)
        return items

    async def rss_mark_as_read(
        self,
        /,
        item_path: str,
        article_id: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        """Mark one article of a feed as read, or everything under an item.

        Args:
            item_path: A feed or folder.
            article_id: An article's ``id`` from ``rss_items``; without it every
                article of the feed (or of every feed in the folder) is marked.
            **kwargs: More API parameters, ``headers``.

        Web API 2.5.1 (qBittorrent 4.2.5) and newer.
        """
        params = {"itemPath": item_path, "articleId": article_id, **kwargs}
        await self._call("rss/markAsRead", params)

    async def rss_refresh_item(self, /, item_path: str, **kwargs: Any) -> None:
        """Ask the server to fetch a feed (or every feed in a folder) now.

        The server answers at once and fetches afterwards; nothing is fetched while
        ``rss_processing_enabled`` is off. Web API 2.2 (qBittorrent 4.1.8) and newer.
        """
        await self._call("rss/refreshItem", {"itemPath": item_path, **kwargs})

    async def rss_set_rule(
        self, /, rule_name: str, rule_def: Mapping[str, Any], **kwargs: Any
    ) -> None:
        """Create a download rule, or replace the one with this name.

        Args:
            rule_name: The rule's name.
            rule_def: The rule, keyed as ``rss_rules`` shows them (``enabled``,
                ``mustContain``, ``mustNotContain``, ``useRegex``, ``episodeFilter``,
                ``smartFilter``, ``affectedFeeds`` (feed URLs), ``savePath``,
                ``assignedCategory``, ``torrentParams``, ...); keys left out take
                their defaults. Sent as JSON.
            **kwargs: More API parameters, ``headers``.
        """
        params = {"ruleName": rule_name, "ruleDef": dump_json(dict(rule_def))}
        await self._call("rss/setRule", {**params, **kwargs})

    async def rss_rule_definition(
        self,
        /,
        current: Mapping[str, Any] | None = None,
        *,
        enabled: bool | None = None,
        must_contain: str | None = None,
        must_not_contain: str | None = None,
        use_regex: bool | None = None,
        episode_filter: str | None = None,
        ignore_days: int | None = None,
        smart_filter: bool | None = None,
        affected_feeds: Sequence[str] | None = None,
        save_path: str | None = None,
        category: str | None = None,
        stopped: bool | None = None,
        tags: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Return a download rule for ``rss_set_rule``, shaped for this server.

        Servers before Web API 2.9.2 (qBittorrent 4.6.0) keep where and how a rule
        adds its torrents in the rule itself; newer ones in its ``torrentParams``,
        where ``save_path`` also turns automatic management off (``""``: back on).

        Args:
            current: The rule as ``rss_rules`` lists it; what the other arguments
                leave out (None) stays as it is.
            enabled: Whether the rule downloads.
            must_contain: What a title must match.
            must_not_contain: What a title must not match.
            use_regex: Whether the two are regular expressions (else wildcards).
            episode_filter: Which episodes, such as ``1x01-;``.
            ignore_days: Days to ignore further matches after one (0: none).
            smart_filter: Whether to skip episodes downloaded already.
            affected_feeds: The URLs of the feeds the rule reads.
            save_path: Where the torrents go (``""``: the default).
            category: The torrents' category (``""``: none).
            stopped: Whether the torrents are added stopped.
            tags: The torrents' tags (Web API 2.9.2 and newer).

        Raises:
            UnsupportedFieldError: Tags for a server before Web API 2.9.2.
        """
        given = {
            "enabled": enabled,
            "must_contain": must_contain,
            "must_not_contain": must_not_contain,
            "use_regex": use_regex,
            "episode_filter": episode_filter,
            "ignore_days": ignore_days,
            "smart_filter": smart_filter,
            "affected_feeds": None if affected_feeds is None else list(affected_feeds),
            "save_path": save_path,
            "category": category,
            "stopped": stopped,
            "tags": None if tags is None else list(tags),
        }
        fields = {name: value for name, value in given.items() if value is not None}
        return _rule_definition(await self.api_version(), current or {}, fields)

    async def rss_rename_rule(
        self, /, orig_rule_name: str, new_rule_name: str, **kwargs: Any
    ) -> None:
        """Rename a download rule (unknown names are ignored by the server)."""
        params = {"ruleName": orig_rule_name, "newRuleName": new_rule_name, **kwargs}
        await self._call("rss/renameRule", params)

    async def rss_clone_rule(
        self, /, orig_rule_name: str, new_rule_name: str, **kwargs: Any
    ) -> None:
        """Copy a download rule under a new name; the copy starts disabled.

        Web API 2.15.4 (qBittorrent 5.3.0) and newer.
        """
        params = {"sourceName": orig_rule_name, "cloneName": new_rule_name, **kwargs}
        await self._call("rss/cloneRule", params)

    async def rss_remove_rule(self, /, rule_name: str, **kwargs: Any) -> None:
        """Delete a download rule (unknown names are ignored by the server)."""
        await self._call("rss/removeRule", {"ruleName": rule_name, **kwargs})

    async def rss_rules(self, /, **kwargs: Any) -> Dictionary:
        """Return every download rule, keyed by name (definitions as in ``rss_set_rule``)."""
        rules: Dictionary = await self._json("rss/rules", kwargs)
        return rules

    async def rss_matching_articles(
        self, /, rule_name: str, **kwargs: Any
    ) -> Dictionary | None:
        """Return the titles of the articles a rule matches, keyed by feed name.

        An unknown rule matches nothing. Web API 2.5.1 (qBittorrent 4.2.5) and newer.
        """
        params = {"ruleName": rule_name, **kwargs}
        articles: Dictionary | None = await self._json("rss/matchingArticles", params)
        return articles

    async def rss_export_rules(self, /, **kwargs: Any) -> Dictionary | None:
        """Return every download rule as the server exports them to a file.

        The answer is the content of a rules file: a JSON object with each rule's
        full definition, keyed by name, which ``rss_import_rules`` takes back.
        Web API 2.16.2 (qBittorrent 5.3.0) and newer.
        """
        rules: Dictionary | None = await self._json("rss/exportRules", kwargs)
        return rules

    async def rss_import_rules(
        self,
        /,
        rules: Mapping[str, Any] | bytes | str | os.PathLike[str],
        **kwargs: Any,
    ) -> None:
        """Add download rules from a rules file, replacing rules of the same name.

        Rules not named in the file are kept.

        Args:
            rules: The rules as ``rss_export_rules`` returns them (a mapping of
                rule names to definitions, which may leave keys out), the bytes of a
                rules file, or the path of a local rules file to upload.
            **kwargs: More API parameters, ``headers``.

        Raises ``BadRequest400Error`` when the server cannot read the rules, and
        ``FileError`` when a local file cannot be read. Web API 2.16.2
        (qBittorrent 5.3.0) and newer.
        """
        upload = Upload(
            "rulesFile", RULES_FILE_NAME, _rules_file(rules), "application/json"
        )
        await self._call("rss/importRules", kwargs, files=[upload])


class RSSAPI(Namespace):
    """``client.rss``: ``await client.rss.items(include_feed_data=True)``."""

    __slots__ = ()

    add_folder = Delegate(RSSAPIMixIn.rss_add_folder)
    add_feed = Delegate(RSSAPIMixIn.rss_add_feed)
    set_feed_url = Delegate(RSSAPIMixIn.rss_set_feed_url)
    set_feed_refresh_interval = Delegate(RSSAPIMixIn.rss_set_feed_refresh_interval)
    remove_item = Delegate(RSSAPIMixIn.rss_remove_item)
    move_item = Delegate(RSSAPIMixIn.rss_move_item)
    items = Delegate(RSSAPIMixIn.rss_items)
    mark_as_read = Delegate(RSSAPIMixIn.rss_mark_as_read)
    refresh_item = Delegate(RSSAPIMixIn.rss_refresh_item)
    set_rule = Delegate(RSSAPIMixIn.rss_set_rule)
    rule_definition = Delegate(RSSAPIMixIn.rss_rule_definition)
    rename_rule = Delegate(RSSAPIMixIn.rss_rename_rule)
    clone_rule = Delegate(RSSAPIMixIn.rss_clone_rule)
    remove_rule = Delegate(RSSAPIMixIn.rss_remove_rule)
    rules = Delegate(RSSAPIMixIn.rss_rules)
    matching_articles = Delegate(RSSAPIMixIn.rss_matching_articles)
    export_rules = Delegate(RSSAPIMixIn.rss_export_rules)
    import_rules = Delegate(RSSAPIMixIn.rss_import_rules)
