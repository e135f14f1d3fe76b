"""Adding torrents, on real servers, and what an add knows before it sends."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.qbittorrent_plus.services.sources import (
    TorrentSource,
    is_web_link,
    magnet_source,
    torrent_file_source,
)
from homeassistant.core import HomeAssistant

from .actions import Refuse, answer
from .api.helpers import unique
from .feeds_server import FeedsServer
from .server_torrents import add_stopped, field_becomes, is_stopped, torrent_where
from .torrents import Bencodable, MadeTorrent, bencode, make_torrent
from .webui import WebUI, wait_for

pytestmark = pytest.mark.usefixtures("socket_enabled")

ACTIONS = "custom_components.qbittorrent_plus.services.add"


@pytest.fixture
def allowed(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Return a folder Home Assistant may read .torrent files from."""
    folder = tmp_path / "allowed"
    folder.mkdir()
    hass.config.allowlist_external_dirs = {str(folder)}
    return folder


def v2_torrent(directory: Path, name: str) -> MadeTorrent:
    """Write a torrent with only a version 2 info hash (one small file, one block)."""
    data = name.encode() * 100
    info: dict[str, Bencodable] = {
        "name": name,
        "piece length": 16384,
        "meta version": 2,
        "file tree": {
            name: {
                "": {"length": len(data), "pieces root": hashlib.sha256(data).digest()}
            }
        },
    }
    content = bencode({"info": info, "piece layers": {}})
    path = directory / f"{name}.torrent"
    path.write_bytes(content)
    info_hash = hashlib.sha256(bencode(info)).hexdigest()[:40]
    return MadeTorrent(name, info_hash, content, path, directory, len(data))


async def test_add_file_and_magnet_with_options(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    allowed: Path,
) -> None:
    """Both are added with every option; the response names them by hash."""
    category, tags = unique("cat"), sorted([unique("tag"), unique("tag")])
    await server.post("torrents/createCategory", {"category": category})
    pack = make_torrent(allowed, unique("pack"), files={"a.bin": 100, "b/c.bin": 200})
    link = make_torrent(allowed / "link", unique("link"))
    save_path = allowed / "save"

    response = await answer(
        hass,
        "add_torrents",
        urls=[link.magnet],
        torrent_files=[str(pack.path)],
        save_path=str(save_path),
        category=category,
        tags=tags,
        stopped=True,
        sequential_download=True,
        first_last_piece_priority=True,
        download_limit=100,
        upload_limit=50,
        content_layout="no_subfolder",
        automatic_management=False,
    )

    assert response == {
        "added": {
            h: {"name": name}
            for h, name in sorted(
                [(pack.info_hash, pack.name), (link.info_hash, link.name)]
            )
        },
        "already_present": {},
        "pending_urls": 0,
    }
    for torrent in (pack, link):
        # Added stopped: it stops once loaded.
        info = await torrent_where(server, torrent.info_hash, is_stopped)
        assert info["category"] == category
        assert sorted(info["tags"].split(", ")) == tags
        assert Path(info["save_path"]) == save_path
        assert info["seq_dl"] is True
        assert info["f_l_piece_prio"] is True
        assert (info["dl_limit"], info["up_limit"]) == (100 * 1024, 50 * 1024)
        assert info["auto_tmm"] is False
    files = await server.get("torrents/files", hash=pack.info_hash)
    assert sorted(file["name"] for file in files) == ["a.bin", "b/c.bin"]


async def test_add_renamed_seed_under_automatic_management(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    allowed: Path,
) -> None:
    """A torrent added with its data and no hash check is complete, and renamed."""
    category = unique("cat")
    await server.post(
        "torrents/createCategory", {"category": category, "savePath": str(allowed)}
    )
    torrent = make_torrent(allowed, unique("seed"))
    (allowed / "data" / torrent.name).rename(allowed / torrent.name)

    response = await answer(
        hass,
        "add_torrents",
        torrent_files=[str(torrent.path)],
        category=category,
        automatic_management=True,
        skip_checking=True,
        rename="Renamed",
        stopped=True,
    )

    assert response["added"] == {torrent.info_hash: {"name": "Renamed"}}
    info = await field_becomes(server, torrent.info_hash, "progress", 1)
    assert info["auto_tmm"] is True
    assert Path(info["save_path"]) == allowed


async def test_add_version_2_torrents(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    allowed: Path,
) -> None:
    """Torrents with only a v2 hash, and base32 magnet links, are named as listed."""
    v2 = v2_torrent(allowed, unique("v2"))
    magnet_hash = hashlib.sha256(unique("magnet").encode()).hexdigest()
    v1 = make_torrent(allowed / "b32", unique("b32"))
    b32 = base64.b32encode(bytes.fromhex(v1.info_hash)).decode()

    response = await answer(
        hass,
        "add_torrents",
        torrent_files=[str(v2.path)],
        urls=[
            f"magnet:?xt=urn:btmh:1220{magnet_hash}&dn=v2%20magnet",
            f"MAGNET:?xt=urn:btih:{b32}",
        ],
        stopped=True,
    )

    listed = {t["hash"]: t["name"] for t in await server.get("torrents/info")}
    assert response["added"] == {
        h: {"name": name} for h, name in sorted(listed.items())
    }
    assert set(listed) == {v2.info_hash, magnet_hash[:40], v1.info_hash}
    assert listed[magnet_hash[:40]] == "v2 magnet"


async def test_add_from_web_links(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
) -> None:
    """QBittorrent downloads .torrent files from links: the response names theirs.

    A link that never gives a torrent is counted as pending once the wait is over.
    """
    torrent = make_torrent(tmp_path, unique("web"))
    async with FeedsServer() as web:
        url = web.serve_torrent(torrent)

        response = await answer(hass, "add_torrents", urls=[url], stopped=True)

        assert response == {
            "added": {torrent.info_hash: {"name": torrent.name}},
            "already_present": {},
            "pending_urls": 0,
        }
        with patch(f"{ACTIONS}.ADD_WAIT", 0.5):
            response = await answer(
                hass, "add_torrents", urls=[web.url("missing.torrent")]
            )

        async def asked_for_missing() -> bool:
            return web.hits["missing.torrent"] > 0

        await wait_for(asked_for_missing)
    assert response == {"added": {}, "already_present": {}, "pending_urls": 1}


async def test_add_what_is_already_there(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
    refused: Refuse,
) -> None:
    """Torrents the server has are named apart; with nothing new, the add is refused."""
    present, new = (make_torrent(tmp_path, unique(name)) for name in ("old", "new"))
    await add_stopped(server, present)

    error = await refused(
        "torrents_already_present",
        "add_torrents",
        urls=[present.magnet, f"magnet:?xt=urn:btih:{present.info_hash.upper()}"],
    )
    assert error.translation_placeholders == {"torrents": present.info_hash}

    response = await answer(
        hass, "add_torrents", urls=[present.magnet, new.magnet], stopped=True
    )

    assert response == {
        "added": {new.info_hash: {"name": new.name}},
        "already_present": {present.info_hash: {"name": present.name}},
        "pending_urls": 0,
    }


async def test_add_refusals(
    hass: HomeAssistant,
    *,
    entry: MockConfigEntry,
    server: WebUI,
    allowed: Path,
    tmp_path: Path,
    refused: Refuse,
) -> None:
    """Links, files, the category and the tags are checked before anything is sent."""
    good = make_torrent(allowed, unique("good"))
    garbage = allowed / "garbage.torrent"
    garbage.write_bytes(b"d4:infoi1ee")
    outside = make_torrent(tmp_path, unique("outside"))
    missing = allowed / "missing.torrent"

    await refused("torrent_source_missing", "add_torrents", urls=[])
    for links, position in (
        (["ftp://example.org/a.torrent"], "1"),
        ([good.magnet, "C:\\a.torrent"], "2"),
        (["https:///no-host"], "1"),
    ):
        error = await refused("torrent_link_invalid", "add_torrents", urls=links)
        assert error.translation_placeholders == {"position": position}
    error = await refused(
        "torrent_magnet_invalid",
        "add_torrents",
        urls=["magnet:?dn=nothing&xt=urn:btih:123"],
    )
    assert error.translation_placeholders == {"position": "1"}
    for path, key in (
        (outside.path, "torrent_file_not_allowed"),
        (missing, "torrent_file_not_found"),
        (garbage, "torrent_file_invalid"),
        (allowed, "torrent_file_unreadable"),
    ):
        error = await refused(
            key, "add_torrents", torrent_files=[str(good.path), str(path)]
        )
        assert error.translation_placeholders is not None
        assert error.translation_placeholders["path"] == str(path)
    with patch(f"{ACTIONS}.MAX_TORRENT_FILE_SIZE", len(good.data) - 1):
        await refused(
            "torrent_file_invalid",
            "add_torrents",
            torrent_files=[str(good.path)],
        )
    error = await refused(
        "torrent_category_not_found",
        "add_torrents",
        urls=[good.magnet],
        category="nope",
    )
    assert error.translation_placeholders == {"category": "nope"}
    await refused(
        "torrent_tag_invalid",
        "add_torrents",
        urls=[good.magnet],
        tags=["a,b"],
    )
    for invalid in ({"download_limit": -1}, {"content_layout": "flat"}):
        with pytest.raises(vol.Invalid):
            await answer(hass, "add_torrents", urls=[good.magnet], **invalid)


# What a link or file adds, known before it is sent --------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"l4:infoe",
        b"d4:infod4:name1:xee",  # no pieces, and not version 2
        b"d4:infoi1ee",  # info is no dictionary
        b"d4:info",  # cut short
        b"d4:infod4:name5:xe",  # a string running past the end
        b"d4:infod4:namei-e",  # no number
        b"d4:infod1:ai1e1:bee",  # a key without a value
        b"d" + b"l" * 5000,  # nested deeper than Python recurses
    ],
)
def test_not_a_torrent(data: bytes) -> None:
    """Data that is no torrent gives no source, whatever is wrong with it."""
    assert torrent_file_source(data) is None


def test_torrent_file_names() -> None:
    """The UTF-8 name wins; a torrent without a name has none."""
    unnamed = bencode({"info": {"pieces": b"", "piece length": 1}})
    utf8 = bencode({"info": {"pieces": b"", "name": "a", "name.utf-8": "é"}})

    assert torrent_file_source(unnamed) == TorrentSource(
        hashlib.sha1(
            bencode({"pieces": b"", "piece length": 1}), usedforsecurity=False
        ).hexdigest(),
        None,
    )
    source = torrent_file_source(utf8)
    assert source is not None
    assert source.name == "é"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("magnet:?xt=urn:btih:" + "A" * 40, TorrentSource("a" * 40, None)),
        ("magnet:?xt=urn:btih:" + "!" * 32, None),
        ("magnet:?xt=urn:btih:" + "a" * 39, None),
        ("magnet:?xt=urn:btmh:1220" + "b" * 63, None),
        ("magnet:?xt=urn:btmh:1114" + "b" * 64, None),
        (
            "magnet:?xt=urn:btmh:1220" + "b" * 64 + "&xt=urn:btih:" + "c" * 40 + "&dn=",
            TorrentSource("c" * 40, None),
        ),
        (
            "magnet:?xt=urn:btih:" + "c" * 40 + "&xt=urn:btih:" + "d" * 40 + "&dn=x",
            TorrentSource("c" * 40, "x"),
        ),
        (
            "magnet:?xt=urn:btmh:1220" + "b" * 64 + "&xt=urn:btmh:1220" + "e" * 64,
            TorrentSource("b" * 40, None),
        ),
        ("magnet:?tr=http://tracker/announce", None),
    ],
)
def test_magnet_sources(link: str, expected: TorrentSource | None) -> None:
    """A magnet link's hash: v1 (hex or base32) before v2, the first of each."""
    assert magnet_source(link) == expected


def test_web_links() -> None:
    """Only http and https URLs with a host are links qBittorrent downloads."""
    assert is_web_link("HTTPS://example.org/a.torrent")
    assert not is_web_link("http://")
    assert not is_web_link("file:///a.torrent")
