"""Download rules shaped for the server's Web API version, against real servers.

Before Web API 2.9.2 (qBittorrent 4.6.0) a rule keeps where and how it adds its
torrents in itself; from then on in its ``torrentParams``, which also hold tags.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.qbittorrent_plus.api import Client, UnsupportedFieldError
from custom_components.qbittorrent_plus.api.versions import parse_version
from tests.api.helpers import unique
from tests.servers import QbittorrentServer
from tests.webui import WebUI

pytestmark = pytest.mark.endpoints("rss/setRule", "rss/removeRule")


def keeps_torrent_params(qbittorrent: QbittorrentServer) -> bool:
    """Return whether the server keeps a rule's torrent options in torrentParams."""
    return parse_version(qbittorrent.api_version) >= (2, 9, 2)


async def set_and_read(
    client: Client, webui: WebUI, name: str, rule: dict[str, Any]
) -> dict[str, Any]:
    """Set a rule through the client; return it as an independent session reads it."""
    await client.rss_set_rule(name, rule)
    rules: dict[str, dict[str, Any]] = await webui.get("rss/rules")
    return rules[name]


async def test_rule_from_plain_fields(
    client: Client, webui: WebUI, qbittorrent: QbittorrentServer
) -> None:
    """Every field lands where the server reads it; a later change keeps the rest."""
    name, category = unique("Plus rule"), unique("cat")
    await webui.post("torrents/createCategory", {"category": category})
    try:
        rule = await client.rss_rule_definition(
            enabled=True,
            must_contain="Linux",
            must_not_contain="Arch",
            use_regex=False,
            episode_filter="1x01-;",
            ignore_days=3,
            smart_filter=True,
            affected_feeds=("http://127.0.0.1:9/feed.xml",),
            save_path="/downloads/linux",
            category=category,
            stopped=True,
        )
        kept = await set_and_read(client, webui, name, rule)

        assert kept["enabled"] is True
        assert (kept["mustContain"], kept["mustNotContain"]) == ("Linux", "Arch")
        assert (kept["useRegex"], kept["smartFilter"]) == (False, True)
        assert (kept["episodeFilter"], kept["ignoreDays"]) == ("1x01-;", 3)
        assert kept["affectedFeeds"] == ["http://127.0.0.1:9/feed.xml"]
        if keeps_torrent_params(qbittorrent):
            params = kept["torrentParams"]
            assert params["save_path"] == "/downloads/linux"
            assert params["category"] == category
            assert params["stopped"] is True
            # A path of its own means manual management, as in the WebUI.
            assert params["use_auto_tmm"] is False
        else:
            assert kept["savePath"] == "/downloads/linux"
            assert kept["assignedCategory"] == category
            assert kept["addPaused"] is True

        changed = await client.rss.rule_definition(kept, must_contain="Debian")
        again = await set_and_read(client, webui, name, changed)

        assert again == {**kept, "mustContain": "Debian"}
    finally:
        await client.rss_remove_rule(name)
        await webui.post("torrents/removeCategories", {"categories": category})


async def test_rule_tags(
    client: Client, webui: WebUI, qbittorrent: QbittorrentServer
) -> None:
    """Tags need torrentParams: an older server's rule is refused before sending."""
    name = unique("Plus tagged")
    if not keeps_torrent_params(qbittorrent):
        with pytest.raises(UnsupportedFieldError) as raised:
            await client.rss_rule_definition(tags=["iso"])
        assert (raised.value.field, raised.value.since) == ("tags", (2, 9, 2))
        assert (
            str(raised.value) == "tags needs qBittorrent 4.6.0 (Web API 2.9.2) or newer"
        )
        # No tags is what such a server keeps anyway.
        rule = await client.rss_rule_definition(must_contain="Linux", tags=[])
        assert rule == {"mustContain": "Linux"}
        kept = await set_and_read(client, webui, name, rule)
        assert kept["mustContain"] == "Linux"
    else:
        rule = await client.rss_rule_definition(save_path="/x", tags=["iso", "linux"])
        kept = await set_and_read(client, webui, name, rule)
        assert kept["torrentParams"]["tags"] == ["iso", "linux"]

        # An empty path is the default one, under automatic management again.
        reset = await client.rss_rule_definition(kept, save_path="")
        kept = await set_and_read(client, webui, name, reset)
        assert kept["torrentParams"]["tags"] == ["iso", "linux"]
        assert kept["torrentParams"]["save_path"] == ""
        assert "use_auto_tmm" not in reset["torrentParams"]
    await client.rss_remove_rule(name)
