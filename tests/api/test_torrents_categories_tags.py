"""Categories and tags: creating, editing, assigning and removing them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.qbittorrent_plus.api import (
    Client,
    Conflict409Error,
    Dictionary,
    NotFound404Error,
)
from custom_components.qbittorrent_plus.api.torrents import SHARE_LIMITS_MODE_SINCE
from tests.api.helpers import assert_absent, at_least, has, unique
from tests.servers import QbittorrentServer
from tests.torrents import MadeTorrent, make_torrent
from tests.webui import WebUI, wait_for


@pytest.fixture(autouse=True)
async def quick_updates(webui: WebUI) -> None:
    """Let the server publish torrent changes every 0.1 s rather than every 1.5 s."""
    await webui.post(
        "app/setPreferences", {"json": json.dumps({"refresh_interval": 100})}
    )


@pytest.fixture
async def torrents(webui: WebUI, tmp_path: Path) -> AsyncIterator[list[MadeTorrent]]:
    """Two stopped torrents without data; deleted afterwards."""
    made = [make_torrent(tmp_path, unique("label")) for _ in range(2)]
    for torrent in made:
        await webui.add_torrent(torrent, stopped=True, seed=False)
    yield made
    hashes = "|".join(t.info_hash for t in made)
    await webui.post("torrents/delete", {"hashes": hashes, "deleteFiles": "true"})


async def categories(webui: WebUI) -> dict[str, Any]:
    """Return the server's categories."""
    found: dict[str, Any] = await webui.get("torrents/categories")
    return found


async def until(
    webui: WebUI, torrent: MadeTorrent, field: str, value: Any
) -> dict[str, Any]:
    """Wait until the server shows ``field`` of a torrent at ``value``."""

    async def probe() -> dict[str, Any] | None:
        info = await webui.torrent(torrent.info_hash)
        return info if info is not None and info[field] == value else None

    return await wait_for(probe)


def tag_set(text: str) -> set[str]:
    """Split a torrent's ``tags`` field ("a, b") into a set."""
    return {tag for tag in text.split(", ") if tag}


@pytest.mark.endpoints(
    "torrents/createCategory",
    "torrents/categories",
    "torrents/editCategory",
    "torrents/removeCategories",
)
async def test_category_lifecycle(
    qbittorrent: QbittorrentServer, client: Client, webui: WebUI, tmp_path: Path
) -> None:
    """Create, read, edit (keeping what is left out) and remove categories."""
    name, other = unique("cat"), unique("cat")
    save, download = tmp_path / "save", tmp_path / "incomplete"

    await client.torrents_create_category(name, save_path=save, download_path=download)
    await client.torrents.create_category(other)

    on_server = await categories(webui)
    assert on_server[name]["savePath"] == str(save)
    assert on_server[name]["download_path"] == str(download)
    assert on_server[other]["savePath"] == ""
    listed = await client.torrents_categories()
    assert listed is not None
    assert isinstance(listed, Dictionary)
    assert isinstance(listed[name], Dictionary)
    assert listed[name].savePath == str(save)
    plain = await client.torrents_categories(simple_responses=True)
    assert plain is not None
    assert type(plain[name]) is dict

    # 4.x would reset the download path, and wants the save path: both are kept.
    await client.torrents_edit_category(name, save_path=tmp_path / "moved")
    assert (await categories(webui))[name]["savePath"] == str(tmp_path / "moved")
    assert (await categories(webui))[name]["download_path"] == str(download)
    await client.torrents_edit_category(name, enable_download_path=False)
    assert (await categories(webui))[name]["savePath"] == str(tmp_path / "moved")
    assert (await categories(webui))[name]["download_path"] is False
    # A download path turned off stays off too.
    await client.torrents_edit_category(name, save_path=tmp_path / "again")
    assert (await categories(webui))[name]["savePath"] == str(tmp_path / "again")
    assert (await categories(webui))[name]["download_path"] is False
    await client.torrents_edit_category(name, download_path=download)
    assert (await categories(webui))[name]["download_path"] == str(download)

    # 4.x answered 409 to both an unknown category and an edit changing nothing.
    with pytest.raises(NotFound404Error):
        await client.torrents_edit_category(unique("nosuch"), save_path=save)
    await client.torrents_edit_category(name, save_path=tmp_path / "again")
    with pytest.raises(Conflict409Error):
        await client.torrents_create_category(name)

    await client.torrents_remove_categories([name, other])

    assert not {name, other} & set(await categories(webui))


@pytest.mark.endpoints("torrents/createCategory", "torrents/editCategory")
async def test_category_share_limits(
    qbittorrent: QbittorrentServer, client: Client, webui: WebUI
) -> None:
    """5.2+ keeps share limits per category (and 5.3 a mode); older servers ignore them."""
    name = unique("limits")

    await client.torrents_create_category(
        name,
        ratio_limit=1.5,
        seeding_time_limit=30,
        inactive_seeding_time_limit=20,
        share_limit_action="Stop",
        share_limits_mode="MatchAll",
    )
    await client.torrents_edit_category(name, ratio_limit=2)
    try:
        category = (await categories(webui))[name]
    finally:
        await webui.post("torrents/removeCategories", {"categories": name})

    if at_least(qbittorrent, "2.15.1"):
        assert category["ratio_limit"] == 2
        assert category["seeding_time_limit"] == 30
        assert category["inactive_seeding_time_limit"] == 20
        assert category["share_limit_action"] == "Stop"
    else:
        assert "ratio_limit" not in category
    if at_least(qbittorrent, SHARE_LIMITS_MODE_SINCE):
        assert category["share_limits_mode"] == "MatchAll"


@pytest.mark.endpoints("torrents/setCategory", "torrents/info")
async def test_set_category(
    client: Client, webui: WebUI, torrents: list[MadeTorrent]
) -> None:
    """Torrents get a category, lose it with "", and refuse an unknown one."""
    name = unique("cat")
    await webui.post("torrents/createCategory", {"category": name})
    one, two = torrents
    try:
        await client.torrents_set_category(name, [one.info_hash, two.info_hash])
        await until(webui, one, "category", name)
        await until(webui, two, "category", name)
        (rich,) = await client.torrents_info(torrent_hashes=two.info_hash)
        await rich.set_category("")
        await until(webui, two, "category", "")

        with pytest.raises(Conflict409Error):
            await client.torrents_set_category(unique("nosuch"), one.info_hash)
    finally:
        await webui.post("torrents/removeCategories", {"categories": name})


@pytest.mark.endpoints("torrents/createTags", "torrents/tags", "torrents/deleteTags")
async def test_tag_lifecycle(client: Client, webui: WebUI) -> None:
    """Tags are created (several at once), listed and deleted."""
    first, second, third = (unique("tag") for _ in "123")

    await client.torrents_create_tags([first, second])
    await client.torrents.create_tags(third)

    assert {first, second, third} <= set(await webui.get("torrents/tags"))
    assert {first, second, third} <= set(await client.torrents_tags() or [])

    await client.torrents_delete_tags([first, second])
    await client.torrents_delete_tags(third)

    assert not {first, second, third} & set(await webui.get("torrents/tags"))


@pytest.mark.endpoints(
    "torrents/addTags", "torrents/removeTags", "torrents/setTags", "torrents/info"
)
async def test_torrent_tags(
    qbittorrent: QbittorrentServer,
    client: Client,
    strict: Client,
    webui: WebUI,
    torrents: list[MadeTorrent],
) -> None:
    """Tags are added (created on the way), removed, cleared and replaced (5.1+)."""
    one, two = torrents
    a, b, c = (unique("tag") for _ in "abc")
    try:
        await client.torrents_add_tags([a, b], [one.info_hash, two.info_hash])
        for torrent in torrents:
            await wait_for(partial(_tags_are, webui, torrent, {a, b}))
        assert {a, b} <= set(await webui.get("torrents/tags"))

        await client.torrents_remove_tags(a, one.info_hash)
        await wait_for(lambda: _tags_are(webui, one, {b}))
        await client.torrents_remove_tags(torrent_hashes=two.info_hash)
        await wait_for(lambda: _tags_are(webui, two, set()))

        (rich,) = await client.torrents_info(torrent_hashes=two.info_hash)
        await rich.add_tags(c)
        await wait_for(lambda: _tags_are(webui, two, {c}))
        await rich.remove_tags([c])
        await wait_for(lambda: _tags_are(webui, two, set()))

        await client.torrents_set_tags([a, c], one.info_hash)
        if has(qbittorrent, "torrents/setTags"):
            await wait_for(lambda: _tags_are(webui, one, {a, c}))
            await rich.set_tags(b)
            await wait_for(lambda: _tags_are(webui, two, {b}))
        else:
            assert await _tags_are(webui, one, {b})
            await assert_absent(
                client,
                strict,
                "needs Web API 2.11.4 (qBittorrent 5.1.0 or newer)",
                {
                    "torrents/setTags": lambda api: api.torrents_set_tags(
                        a, one.info_hash
                    )
                },
            )
    finally:
        await webui.post("torrents/deleteTags", {"tags": f"{a},{b},{c}"})


async def _tags_are(webui: WebUI, torrent: MadeTorrent, tags: set[str]) -> bool:
    info = await webui.torrent(torrent.info_hash)
    return info is not None and tag_set(info["tags"]) == tags
