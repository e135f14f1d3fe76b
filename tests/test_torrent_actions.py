"""The actions on torrents, and how an action finds its entry, on real servers.

Each action's effect is checked through an independent WebUI session; each refusal
leaves the server as it was (``refused`` compares before and after).
"""

from __future__ import annotations

import json
from pathlib import Path
import secrets
from typing import Any

from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.qbittorrent_plus.const import DOMAIN
from custom_components.qbittorrent_plus.services.action import ATTR_CONFIG_ENTRY_ID
from custom_components.qbittorrent_plus.services.add import ADD_ACTIONS
from custom_components.qbittorrent_plus.services.rss import RSS_ACTIONS
from custom_components.qbittorrent_plus.services.search import SEARCH_ACTIONS
from custom_components.qbittorrent_plus.services.torrents import TORRENT_ACTIONS
from custom_components.qbittorrent_plus.services.transfer import TRANSFER_ACTIONS
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigEntryDisabler,
    ConfigEntryState,
)
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.service import async_get_all_descriptions
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict

from .actions import Refuse, answer
from .api.helpers import unique
from .local_server import LocalServer
from .platforms import named_entry, poll, set_up
from .proxy import Proxy
from .server_torrents import (
    add_stopped,
    field_becomes,
    is_stopped,
    server_state,
    tags_become,
    torrent_where,
    two_stopped,
)
from .servers import QbittorrentServer, free_port
from .torrents import bencode, make_torrent
from .webui import WebUI, wait_for

pytestmark = pytest.mark.usefixtures("socket_enabled")

INTEGRATION = Path(__file__).parent.parent / "custom_components" / DOMAIN


async def act(hass: HomeAssistant, action: str, **data: Any) -> None:
    """Call an action and wait until it is done."""
    await hass.services.async_call(DOMAIN, action, data, blocking=True)


# Starting, stopping and choosing torrents -----------------------------------------


async def test_stop_start_and_force_start_by_hash(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
) -> None:
    """Actions on named torrents change those and no other."""
    one, two = await two_stopped(server, tmp_path)

    await act(hass, "start_torrents", torrents=[one.info_hash.upper()])

    async def one_started() -> bool:
        return not is_stopped(await server.torrent(one.info_hash))

    await wait_for(one_started)
    assert is_stopped(await server.torrent(two.info_hash))

    await act(hass, "stop_torrents", torrents=[one.info_hash])

    async def one_stopped() -> bool:
        return is_stopped(await server.torrent(one.info_hash))

    await wait_for(one_stopped)

    await act(hass, "force_start_torrents", torrents=[two.info_hash])

    await field_becomes(server, two.info_hash, "force_start", True)
    assert is_stopped(await server.torrent(one.info_hash))


async def test_filters_combine(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
) -> None:
    """State, category and tag select torrents; everything given must match."""
    category, tag = unique("cat"), unique("tag")
    await server.post("torrents/createCategory", {"category": category})
    plain, filed, tagged = (
        make_torrent(tmp_path, unique(name)) for name in ("plain", "filed", "tagged")
    )
    await add_stopped(server, plain)
    await add_stopped(server, filed, category=category)
    await add_stopped(server, tagged, tags=tag)
    await entry.runtime_data.coordinator.async_refresh()

    # A tag and a category no torrent has both: nothing matches, nothing is sent.
    await act(hass, "start_torrents", category=category, tag=tag)
    await act(hass, "force_start_torrents", category=category)
    await act(hass, "add_tags", tag="", category="", tags=["untagged"])
    await act(hass, "set_torrent_limits", all=True, tag=tag, download_limit=10)

    await torrent_where(server, filed.info_hash, lambda info: not is_stopped(info))
    await field_becomes(server, plain.info_hash, "tags", "untagged")
    await field_becomes(server, tagged.info_hash, "dl_limit", 10 * 1024)
    assert (await server.torrent(tagged.info_hash) or {})["force_start"] is False
    assert (await server.torrent(plain.info_hash) or {})["force_start"] is False
    assert (await server.torrent(filed.info_hash) or {})["tags"] == ""
    assert is_stopped(await server.torrent(tagged.info_hash))
    assert is_stopped(await server.torrent(plain.info_hash))

    await entry.runtime_data.coordinator.async_refresh()
    await act(hass, "stop_torrents", state="downloading", category=category)

    async def filed_stopped() -> bool:
        return is_stopped(await server.torrent(filed.info_hash))

    await wait_for(filed_stopped)

    await act(hass, "start_torrents", all=True)

    async def none_stopped() -> bool:
        listed = await server.get("torrents/info")
        return len(listed) == 3 and not any(is_stopped(t) for t in listed)

    await wait_for(none_stopped)
    await entry.runtime_data.coordinator.async_refresh()
    await act(hass, "stop_torrents", state="active")
    await act(hass, "stop_torrents", state="inactive")

    async def all_stopped() -> bool:
        return all(is_stopped(t) for t in await server.get("torrents/info"))

    await wait_for(all_stopped)


async def test_target_refusals(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
    refused: Refuse,
) -> None:
    """Unknown hashes, categories and tags, or no target at all, change nothing."""
    one, two = await two_stopped(server, tmp_path)
    unknown = "0" * 40

    error = await refused(
        "torrents_not_found",
        "start_torrents",
        torrents=[one.info_hash, unknown, two.info_hash, "Some name"],
    )
    assert error.translation_placeholders == {"torrents": f"{unknown}, some name"}
    await refused("torrent_target_missing", "start_torrents")
    await refused("torrent_target_missing", "start_torrents", all=False, torrents=[])
    error = await refused(
        "torrent_category_not_found", "start_torrents", category="nope"
    )
    assert error.translation_placeholders == {"category": "nope"}
    error = await refused(
        "torrent_tag_not_found", "stop_torrents", tag="nope", all=True
    )
    assert error.translation_placeholders == {"tag": "nope"}
    with pytest.raises(vol.Invalid):
        await act(hass, "start_torrents", state="sleeping")


async def test_torrent_added_a_moment_ago(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
) -> None:
    """A hash the last poll did not have is looked for with a new poll.

    The clock stands still, so the coordinator does not poll by itself.
    """
    torrent = make_torrent(tmp_path, unique("new"))
    await add_stopped(server, torrent)
    assert (
        torrent.info_hash not in entry.runtime_data.coordinator.data.maindata.torrents
    )

    await act(hass, "start_torrents", torrents=[torrent.info_hash])

    async def started() -> bool:
        return not is_stopped(await server.torrent(torrent.info_hash))

    await wait_for(started)


async def test_remove_torrents(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
) -> None:
    """Removing keeps the data unless asked to delete it."""
    kept, deleted = (
        make_torrent(tmp_path / name, unique(name)) for name in ("kept", "deleted")
    )
    for torrent in (kept, deleted):
        await add_stopped(server, torrent, savepath=str(torrent.save_path))

    await act(hass, "remove_torrents", torrents=[kept.info_hash])
    await act(hass, "remove_torrents", torrents=[deleted.info_hash], delete_files=True)

    async def both_gone() -> bool:
        return bool(await server.get("torrents/info") == [])

    await wait_for(both_gone)
    assert (kept.save_path / kept.name).exists()

    async def data_deleted() -> bool:
        return not (deleted.save_path / deleted.name).exists()

    await wait_for(data_deleted)


async def test_recheck_torrents(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
) -> None:
    """A torrent added stopped beside its data is found complete by a recheck."""
    torrent = make_torrent(tmp_path, unique("recheck"))
    info = await add_stopped(server, torrent, savepath=str(torrent.save_path))
    assert info["progress"] == 0

    await act(hass, "recheck_torrents", torrents=[torrent.info_hash])

    await field_becomes(server, torrent.info_hash, "progress", 1)


class Tracker(LocalServer):
    """An HTTP tracker that records each announce's event and answers with no peers."""

    def __init__(self) -> None:
        """Prepare the tracker; start it with ``async with``."""
        super().__init__()
        self.events: list[str] = []

    def _routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/announce", self._announce)

    def url(self, passkey: str) -> str:
        """Return the announce URL, with a passkey as private trackers have."""
        return f"http://127.0.0.1:{self.port}/announce?passkey={passkey}"

    async def _announce(self, request: web.Request) -> web.Response:
        self.events.append(request.query.get("event", ""))
        body = bencode({"interval": 3600, "min interval": 1, "peers": b""})
        return web.Response(body=body, content_type="text/plain")


async def test_reannounce_and_no_passkey_in_answers(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
) -> None:
    """Reannouncing contacts the tracker at once; get_torrents keeps its URL out."""
    torrent = make_torrent(tmp_path, unique("announce"))
    passkey = secrets.token_hex(16)
    async with Tracker() as tracker:
        await add_stopped(server, torrent)
        await server.post(
            "torrents/addTrackers",
            {"hash": torrent.info_hash, "urls": tracker.url(passkey)},
        )
        start = "torrents/start" if server.server.version >= "5" else "torrents/resume"
        await server.post(start, {"hashes": torrent.info_hash})

        async def started_announce() -> bool:
            # Until the server has read the tracker's answer (it counts its peers
            # then), that answer's interval would put off a reannounce asked for.
            trackers = await server.get("torrents/trackers", hash=torrent.info_hash)
            return "started" in tracker.events and any(
                entry["url"] == tracker.url(passkey) and entry["num_peers"] >= 0
                for entry in trackers
            )

        await wait_for(started_announce)

        await act(hass, "reannounce_torrents", torrents=[torrent.info_hash])

        async def announced_again() -> bool:
            return "" in tracker.events

        await wait_for(announced_again)
        await entry.runtime_data.coordinator.async_refresh()
        response = await answer(hass, "get_torrents", torrents=[torrent.info_hash])

    assert list(response["torrents"]) == [torrent.info_hash]
    assert passkey not in json.dumps(response)


# Changing torrents ----------------------------------------------------------------


async def test_set_category(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
    refused: Refuse,
) -> None:
    """Torrents get a category that exists, and lose it with an empty name."""
    category = unique("cat")
    torrent = make_torrent(tmp_path, unique("cat"))
    await add_stopped(server, torrent)
    error = await refused(
        "torrent_category_not_found",
        "set_category",
        torrents=[torrent.info_hash],
        new_category=category,
    )
    assert error.translation_placeholders == {"category": category}
    # A category made a moment ago is found with a new poll.
    await server.post("torrents/createCategory", {"category": category})

    await act(hass, "set_category", torrents=[torrent.info_hash], new_category=category)

    await field_becomes(server, torrent.info_hash, "category", category)

    await act(hass, "set_category", category=category, new_category="")

    await field_becomes(server, torrent.info_hash, "category", "")


async def test_add_and_remove_tags(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
    refused: Refuse,
) -> None:
    """Tags are added (made when new) and removed, one by one or all at once."""
    first, second, third = (unique("tag") for _ in range(3))
    torrent = make_torrent(tmp_path, unique("tags"))
    await add_stopped(server, torrent)
    hashes = [torrent.info_hash]

    await act(hass, "add_tags", torrents=hashes, tags=[first, second, third])

    await tags_become(server, torrent.info_hash, {first, second, third})

    await act(hass, "remove_tags", torrents=hashes, tags=[second])

    await tags_become(server, torrent.info_hash, {first, third})

    await act(hass, "remove_tags", torrents=hashes)

    await field_becomes(server, torrent.info_hash, "tags", "")
    for bad in ("a,b", " "):
        error = await refused(
            "torrent_tag_invalid", "add_tags", torrents=hashes, tags=[bad]
        )
        assert error.translation_placeholders == {"tag": bad}
    await refused("torrent_tag_invalid", "remove_tags", all=True, tags=["a,b"])


async def test_set_location(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
) -> None:
    """Torrents move to another folder."""
    torrent = make_torrent(tmp_path, unique("move"))
    await add_stopped(server, torrent)
    target = tmp_path / "moved"

    await act(hass, "set_location", torrents=[torrent.info_hash], location=str(target))

    async def moved() -> bool:
        info = await server.torrent(torrent.info_hash)
        return info is not None and Path(info["save_path"]) == target

    await wait_for(moved)
    with pytest.raises(vol.Invalid):
        await act(hass, "set_location", all=True, location="")


async def test_set_torrent_limits(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
    refused: Refuse,
) -> None:
    """Speed and share limits are set; those left out stay as each torrent has them."""
    one, two = await two_stopped(server, tmp_path)
    both = [one.info_hash, two.info_hash]

    await act(
        hass,
        "set_torrent_limits",
        torrents=both,
        download_limit=100,
        upload_limit=50,
        ratio_limit=1.5,
    )

    for torrent in (one, two):
        info = await field_becomes(server, torrent.info_hash, "ratio_limit", 1.5)
        assert info["dl_limit"] == 100 * 1024
        assert info["up_limit"] == 50 * 1024
        assert info["seeding_time_limit"] == -2

    await act(hass, "set_torrent_limits", torrents=[one.info_hash], ratio_limit=3)
    await field_becomes(server, one.info_hash, "ratio_limit", 3)

    # Each keeps its own ratio limit when only the seeding time changes.
    await act(hass, "set_torrent_limits", torrents=both, seeding_time_limit=90)

    one_info = await field_becomes(server, one.info_hash, "seeding_time_limit", 90)
    two_info = await field_becomes(server, two.info_hash, "seeding_time_limit", 90)
    assert (one_info["ratio_limit"], two_info["ratio_limit"]) == (3, 1.5)
    assert one_info["dl_limit"] == 100 * 1024

    await act(hass, "set_torrent_limits", torrents=both, share_limits="unlimited")
    await field_becomes(server, two.info_hash, "ratio_limit", -1)
    await act(
        hass, "set_torrent_limits", torrents=both, share_limits="global", upload_limit=0
    )

    for torrent in (one, two):
        info = await field_becomes(server, torrent.info_hash, "ratio_limit", -2)
        assert info["seeding_time_limit"] == -2
        assert info["up_limit"] in (0, -1)

    await refused("torrent_limit_required", "set_torrent_limits", all=True)
    await refused(
        "torrent_share_limits_conflict",
        "set_torrent_limits",
        all=True,
        share_limits="global",
        ratio_limit=2,
    )
    for invalid in ({"download_limit": -1}, {"ratio_limit": -0.5}):
        with pytest.raises(vol.Invalid):
            await act(hass, "set_torrent_limits", all=True, **invalid)


async def test_set_torrent_limits_read_fails(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    server: WebUI,
    tmp_path: Path,
) -> None:
    """When the share limits cannot be read, no limit has changed yet."""
    torrent = make_torrent(tmp_path, unique("limits"))
    await add_stopped(server, torrent)
    before = await server_state(server)
    async with Proxy(qbittorrent.url) as proxy:
        await set_up(hass, named_entry(qbittorrent, proxy.url))
        proxy.break_off("torrents/info")

        with pytest.raises(HomeAssistantError) as raised:
            await act(
                hass,
                "set_torrent_limits",
                torrents=[torrent.info_hash],
                download_limit=100,
                ratio_limit=2,
            )

        assert proxy.count("torrents/info") == 1
        assert proxy.count("torrents/setDownloadLimit") == 0
    assert raised.value.translation_key == "cannot_connect"
    assert await server_state(server) == before


async def test_set_queue_position(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    *,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
    refused: Refuse,
) -> None:
    """Torrents move in the queue; with queueing off, the move is refused."""
    made = [make_torrent(tmp_path, unique(f"queue{n}")) for n in range(3)]
    async with server.temporary_preferences(queueing_enabled=False):
        for torrent in made:
            await add_stopped(server, torrent)
        await entry.runtime_data.coordinator.async_refresh()
        await refused(
            "torrent_queueing_disabled",
            "set_queue_position",
            all=True,
            position="top",
        )
    first, second, third = (t.info_hash for t in made)
    async with server.temporary_preferences(queueing_enabled=True):
        await field_becomes(server, third, "priority", 3)

        # The poll the last one made still says queueing is off: a new poll says on.
        await act(hass, "set_queue_position", torrents=[third], position="top")

        await field_becomes(server, third, "priority", 1)
        await act(hass, "set_queue_position", torrents=[third], position="down")
        await field_becomes(server, third, "priority", 2)
        await act(hass, "set_queue_position", torrents=[first], position="bottom")
        await field_becomes(server, first, "priority", 3)
        await act(hass, "set_queue_position", torrents=[first], position="up")
        await field_becomes(server, first, "priority", 2)
        assert (await server.torrent(second) or {})["priority"] == 3


async def test_set_file_priority(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
    refused: Refuse,
) -> None:
    """Files are chosen by path or index; unknown ones, or no metadata, are refused."""
    torrent = make_torrent(
        tmp_path, unique("files"), files={"a.bin": 1000, "b/c.bin": 2000}
    )
    await add_stopped(server, torrent)
    magnet = make_torrent(tmp_path, unique("magnet"))
    await server.post(
        "torrents/add", {"urls": magnet.magnet, "stopped": "true", "paused": "true"}
    )
    await torrent_where(server, magnet.info_hash, is_stopped)

    async def priorities() -> list[int]:
        files = await server.get("torrents/files", hash=torrent.info_hash)
        return [file["priority"] for file in files]

    async def priorities_become(wanted: list[int]) -> None:
        async def probe() -> bool:
            return await priorities() == wanted

        await wait_for(probe)

    await act(
        hass,
        "set_file_priority",
        torrent=torrent.info_hash,
        files=[f"{torrent.name}/a.bin", 1],
        priority="skip",
    )

    await priorities_become([0, 0])

    await act(
        hass,
        "set_file_priority",
        torrent=torrent.info_hash,
        files=["1"],
        priority="high",
    )

    await priorities_become([0, 6])
    # With every file skipped it was complete; wanting one again, it is not, and is
    # queued again behind the magnet link. The state and the queue show a moment
    # after the priorities: a refusal below compares them before and after.
    await torrent_where(
        server,
        torrent.info_hash,
        lambda info: (
            info["state"] in {"stoppedDL", "pausedDL"} and info["priority"] == 2
        ),
    )
    error = await refused(
        "torrent_files_not_found",
        "set_file_priority",
        torrent=torrent.info_hash,
        files=[0, 2, "a.bin"],
        priority="maximum",
    )
    assert error.translation_placeholders == {
        "torrent": torrent.info_hash,
        "files": "2, a.bin",
    }
    await refused(
        "torrent_metadata_missing",
        "set_file_priority",
        torrent=magnet.info_hash,
        files=[0],
        priority="normal",
    )
    await refused(
        "torrents_not_found",
        "set_file_priority",
        torrent="f" * 40,
        files=[0],
        priority="normal",
    )
    assert await priorities() == [0, 6]


# Listing torrents -----------------------------------------------------------------


async def test_get_torrents(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: WebUI,
    tmp_path: Path,
) -> None:
    """Torrents are described by hash with their main fields; filters apply."""
    category, tags = unique("cat"), sorted([unique("tag"), unique("tag")])
    await server.post("torrents/createCategory", {"category": category})
    seed, leech = (make_torrent(tmp_path, unique(name)) for name in ("seed", "leech"))
    await server.add_torrent(seed)
    await add_stopped(server, leech, category=category, tags=",".join(tags))
    seed_info = await torrent_where(
        server, seed.info_hash, lambda info: info["state"] in {"stalledUP", "uploading"}
    )
    leech_info = await server.torrent(leech.info_hash)
    assert leech_info is not None
    await entry.runtime_data.coordinator.async_refresh()

    everything = await answer(hass, "get_torrents")
    completed = await answer(hass, "get_torrents", state="completed")
    none = await answer(hass, "get_torrents", tag=tags[0], state="completed")

    assert everything == {
        "torrents": {
            seed.info_hash: {
                "name": seed.name,
                "state": seed_info["state"],
                "progress": 100,
                "size": seed.size,
                "total_size": seed.size,
                "downloaded": 0,
                "uploaded": 0,
                "amount_left": 0,
                "download_speed": 0,
                "upload_speed": 0,
                "eta": None,
                "ratio": 0,
                "category": None,
                "tags": [],
                "save_path": seed_info["save_path"],
                "content_path": seed_info["content_path"],
                "added_on": _iso(seed_info["added_on"]),
                "completed_on": _iso(seed_info["completion_on"]),
            },
            leech.info_hash: {
                "name": leech.name,
                "state": "stoppedDL",
                "progress": 0,
                "size": leech.size,
                "total_size": leech.size,
                "downloaded": 0,
                "uploaded": 0,
                "amount_left": leech.size,
                "download_speed": 0,
                "upload_speed": 0,
                "eta": None,
                "ratio": 0,
                "category": category,
                "tags": tags,
                "save_path": leech_info["save_path"],
                "content_path": leech_info["content_path"],
                "added_on": _iso(leech_info["added_on"]),
                "completed_on": None,
            },
        }
    }
    assert completed == {
        "torrents": {seed.info_hash: everything["torrents"][seed.info_hash]}
    }
    assert none == {"torrents": {}}


def _iso(timestamp: int) -> str:
    return dt_util.utc_from_timestamp(timestamp).isoformat()


# What reaches the server, and when it cannot -------------------------------------


async def test_hashes_sent_and_all_only_when_asked(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    server: WebUI,
    tmp_path: Path,
) -> None:
    """Filters send the matching hashes, or nothing when none matches.

    ``all`` goes out only for ``all: true``.
    """
    one, two = await two_stopped(server, tmp_path)
    async with Proxy(qbittorrent.url) as proxy:
        await set_up(hass, named_entry(qbittorrent, proxy.url))

        await act(hass, "force_start_torrents", state="stopped")
        sent = proxy.last("torrents/setForceStart").body.decode()
        assert sorted(sent.split("hashes=")[1].split("&")[0].split("%7C")) == sorted(
            [one.info_hash, two.info_hash]
        )

        await act(hass, "force_start_torrents", all=True)
        assert "hashes=all" in proxy.last("torrents/setForceStart").body.decode()

        # Filters that match no torrent: nothing is sent.
        none = {"state": "moving"}
        await act(hass, "set_category", new_category="", **none)
        await act(hass, "add_tags", tags=["x"], **none)
        await act(hass, "remove_tags", **none)
        await act(hass, "set_torrent_limits", download_limit=1, **none)
        await act(hass, "set_queue_position", position="top", **none)
        for path in (
            "torrents/setCategory",
            "torrents/addTags",
            "torrents/removeTags",
            "torrents/setDownloadLimit",
            "torrents/topPrio",
        ):
            assert proxy.count(path) == 0


async def test_endpoint_the_server_lacks(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    server: WebUI,
    tmp_path: Path,
    refused: Refuse,
) -> None:
    """On a server too old for an endpoint, nothing of the action is done."""
    torrent = make_torrent(tmp_path, unique("old"))
    await add_stopped(server, torrent)
    async with Proxy(qbittorrent.url) as proxy:
        # qBittorrent 4.1.0: no share limits (4.1.1), no tags (4.2).
        proxy.answer("app/webapiVersion", body=b"2.0")
        await set_up(hass, named_entry(qbittorrent, proxy.url))
        hashes = [torrent.info_hash]

        error = await refused(
            "unsupported_by_server",
            "set_torrent_limits",
            torrents=hashes,
            download_limit=10,
            ratio_limit=2,
        )
        assert "torrents/setShareLimits needs Web API 2.0.1" in str(error)
        error = await refused(
            "unsupported_by_server",
            "add_tags",
            torrents=hashes,
            tags=["x"],
        )
        assert "qBittorrent 4.2.0 or newer" in str(error)
        assert proxy.count("torrents/setDownloadLimit") == 0


async def test_poll_fails(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    server: WebUI,
) -> None:
    """When the poll an unknown hash asks for fails, the action says so."""
    async with Proxy(qbittorrent.url) as proxy:
        await set_up(hass, named_entry(qbittorrent, proxy.url))
        proxy.answer("sync/maindata", status=500)

        with pytest.raises(HomeAssistantError) as raised:
            await act(hass, "start_torrents", torrents=["a" * 40])

    assert raised.value.translation_key == "torrents_poll_failed"
    assert "500" in str(raised.value)


async def test_request_the_server_refuses(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    server: WebUI,
    tmp_path: Path,
) -> None:
    """A refusal is reported with the server's answer, and no poll follows.

    Here the server cannot make the new folder: its parent is a file.
    """
    torrent = make_torrent(tmp_path, unique("nowhere"))
    await add_stopped(server, torrent)
    (tmp_path / "a file").write_text("")
    before = await server_state(server)
    async with Proxy(qbittorrent.url) as proxy:
        await set_up(hass, named_entry(qbittorrent, proxy.url))
        polls = proxy.count("sync/maindata")

        with pytest.raises(HomeAssistantError) as raised:
            await act(
                hass,
                "set_location",
                torrents=[torrent.info_hash],
                location=str(tmp_path / "a file" / "folder"),
            )
        await hass.async_block_till_done()

        assert proxy.count("sync/maindata") == polls
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "request_refused"
    assert str(raised.value).startswith(
        "qBittorrent refused the request: torrents/setLocation: 409 Cannot "
    )
    assert await server_state(server) == before


async def test_server_failures(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    server: WebUI,
    tmp_path: Path,
) -> None:
    """A server error is reported as its answer, without the URLs it names.

    A URL given to qBittorrent may hold a passkey, and qBittorrent repeats some in
    its errors. A refusal by the WebUI's Host-header or CSRF check is no answer to
    the request: it is reported as a connection failure and polls, so the
    coordinator raises its repair issue.
    """
    torrent = make_torrent(tmp_path, unique("failing"))
    await add_stopped(server, torrent)
    target = {"torrents": [torrent.info_hash]}
    async with Proxy(qbittorrent.url) as proxy:
        await set_up(hass, named_entry(qbittorrent, proxy.url))
        polls = proxy.count("sync/maindata")
        proxy.answer(
            "torrents/reannounce",
            status=500,
            body=b"Unable to parse 'https://tracker.example/a?passkey=s3cret' "
            b"or magnet:?xt=urn:btih:0123&tr=udp://tracker.example/s3cret",
            times=1,
        )

        with pytest.raises(HomeAssistantError) as raised:
            await act(hass, "reannounce_torrents", **target)
        await hass.async_block_till_done()

        assert raised.value.translation_key == "request_refused"
        assert str(raised.value) == (
            "qBittorrent refused the request: torrents/reannounce: 500 "
            "Unable to parse '<URL>' or <URL>"
        )
        assert proxy.count("sync/maindata") == polls

        proxy.answer("torrents/reannounce", status=401, body=b"Unauthorized")
        with pytest.raises(HomeAssistantError) as raised:
            await act(hass, "reannounce_torrents", **target)
        await hass.async_block_till_done()

        assert raised.value.translation_key == "cannot_connect"
        assert "Host-header or CSRF check" in str(raised.value)
        assert proxy.count("sync/maindata") == polls + 1


@pytest.mark.parametrize("found_by", ["poll", "action"])
async def test_nothing_sent_while_reauthenticating(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    private_server: QbittorrentServer,
    private_webui: WebUI,
    found_by: str,
) -> None:
    """Once qBittorrent refuses the password, actions send nothing until it is fixed.

    Each request would try another login, and qBittorrent bans an address after a
    few failed ones.
    """
    async with Proxy(private_server.url) as proxy:
        entry = named_entry(private_server, proxy.url)
        await set_up(hass, entry)
        await private_webui.set_preferences(web_ui_password="another password")
        # The server's own check after the restart logs in with the new password.
        private_server.password = "another password"
        # qBittorrent keeps open sessions when the password changes; a restart ends them.
        await hass.async_add_executor_job(private_server.restart)
        logins = proxy.count("auth/login")
        if found_by == "poll":
            await poll(hass, freezer)
        else:
            with pytest.raises(HomeAssistantError) as raised:
                await act(hass, "start_torrents", all=True)
            assert raised.value.translation_key == "invalid_auth"
            await hass.async_block_till_done()
        assert proxy.count("auth/login") == logins + 1
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
        sent = len(proxy.requests)

        for action, data in (
            ("stop_torrents", {"all": True}),
            # It polls before it adds anything.
            ("add_torrents", {"urls": [f"magnet:?xt=urn:btih:{'a' * 40}"]}),
            ("set_torrent_limits", {"all": True, "ratio_limit": 2}),
        ):
            with pytest.raises(HomeAssistantError) as raised:
                await act(hass, action, **data)
            assert raised.value.translation_key == "invalid_auth", action
        await hass.async_block_till_done()

        assert len(proxy.requests) == sent
    assert entry.state is ConfigEntryState.LOADED


# Which entry an action is for ----------------------------------------------------


async def test_entry_chosen_by_id(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    server: WebUI,
    tmp_path: Path,
    refused: Refuse,
) -> None:
    """With two entries loaded, a call names one; unknown or foreign ids are refused."""
    torrent = make_torrent(tmp_path, unique("entry"))
    await add_stopped(server, torrent)
    first = named_entry(qbittorrent)
    await set_up(hass, first)
    second = MockConfigEntry(
        domain=DOMAIN, title="Second", unique_id="second", data=dict(first.data)
    )
    await set_up(hass, second)

    error = await refused("entry_required", "get_torrents")
    assert error.translation_placeholders == {"count": "2"}

    response = await answer(
        hass, "get_torrents", **{ATTR_CONFIG_ENTRY_ID: second.entry_id}
    )

    assert list(response["torrents"]) == [torrent.info_hash]
    other = MockConfigEntry(domain="other", title="Other")
    other.add_to_hass(hass)
    for entry_id in ("no such entry", other.entry_id):
        error = await refused(
            "entry_not_found",
            "stop_torrents",
            all=True,
            **{ATTR_CONFIG_ENTRY_ID: entry_id},
        )
        assert error.translation_placeholders == {"entry_id": entry_id}


async def test_entry_not_loaded(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    server: WebUI,
    tmp_path: Path,
    refused: Refuse,
) -> None:
    """An entry that is not loaded is refused, also when the call names none.

    With a second server offline, a call that names no server must not act on the
    one that is loaded; disabled entries do not count.
    """
    torrent = make_torrent(tmp_path, unique("offline"))
    await add_stopped(server, torrent)
    loaded = named_entry(qbittorrent)
    await set_up(hass, loaded)
    offline = MockConfigEntry(
        domain=DOMAIN,
        title="Offline",
        unique_id="offline",
        data={**loaded.data, CONF_URL: f"http://127.0.0.1:{free_port()}"},
    )
    offline.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(offline.entry_id)
    assert offline.state is ConfigEntryState.SETUP_RETRY

    error = await refused(
        "entry_not_loaded",
        "start_torrents",
        all=True,
        **{ATTR_CONFIG_ENTRY_ID: offline.entry_id},
    )
    assert error.translation_placeholders == {"title": "Offline"}
    error = await refused("entry_required", "remove_torrents", all=True)
    assert error.translation_placeholders == {"count": "2"}

    await hass.config_entries.async_set_disabled_by(
        offline.entry_id, ConfigEntryDisabler.USER
    )
    assert list((await answer(hass, "get_torrents"))["torrents"]) == [torrent.info_hash]

    assert await hass.config_entries.async_unload(loaded.entry_id)
    error = await refused("entry_not_loaded", "start_torrents", all=True)
    assert error.translation_placeholders == {"title": "qBittorrent"}
    assert await hass.config_entries.async_remove(loaded.entry_id)
    error = await refused("entry_required", "start_torrents", all=True)
    assert error.translation_placeholders == {"count": "0"}


# Descriptions ---------------------------------------------------------------------


async def test_actions_are_described(hass: HomeAssistant) -> None:
    """Each action's schema, services.yaml and translations name the same fields.

    Each field has a selector, a name and a description; each action an icon; the
    options of each select are translated.
    """
    assert await async_setup_component(hass, DOMAIN, {})
    # Home Assistant loads the descriptions only when services.yaml is valid.
    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]
    services = load_yaml_dict(str(INTEGRATION / "services.yaml"))
    strings = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    icons = json.loads((INTEGRATION / "icons.json").read_text())
    actions = (
        *ADD_ACTIONS,
        *TORRENT_ACTIONS,
        *TRANSFER_ACTIONS,
        *RSS_ACTIONS,
        *SEARCH_ACTIONS,
    )
    assert set(descriptions) == {action.name for action in actions}
    for action in actions:
        assert hass.services.has_service(DOMAIN, action.name)
        fields = services[action.name]["fields"]
        assert set(descriptions[action.name]["fields"]) == set(fields)
        assert set(fields) == {ATTR_CONFIG_ENTRY_ID, *map(str, action.fields)}
        assert fields[ATTR_CONFIG_ENTRY_ID]["selector"] == {
            "config_entry": {"integration": DOMAIN}
        }
        described = strings["services"][action.name]
        assert described["name"]
        assert described["description"]
        assert set(described["fields"]) == set(fields), action.name
        assert icons["services"][action.name]["service"].startswith("mdi:")
        for name, field in fields.items():
            assert described["fields"][name]["name"]
            assert described["fields"][name]["description"]
            select = field["selector"].get("select")
            if select is not None:
                options = strings["selector"][select["translation_key"]]["options"]
                assert set(options) == set(select["options"])


def test_numbers_bounded_as_described() -> None:
    """Each number field takes what its selector offers, and nothing beyond."""
    services = load_yaml_dict(str(INTEGRATION / "services.yaml"))
    for action in (
        *ADD_ACTIONS,
        *TORRENT_ACTIONS,
        *TRANSFER_ACTIONS,
        *RSS_ACTIONS,
        *SEARCH_ACTIONS,
    ):
        schema = vol.Schema(dict(action.fields))
        for name, field in services[action.name]["fields"].items():
            if (number := field["selector"].get("number")) is None:
                continue
            low, high, step = number["min"], number["max"], number["step"]
            for value, accepted in (
                (low, True),
                (high, True),
                (low - step, False),
                (high + step, False),
            ):
                assert _refuses(schema, name, value) is not accepted, (
                    action.name,
                    name,
                    value,
                )


def _refuses(schema: vol.Schema, field: str, value: float) -> bool:
    """Return whether a schema refuses a field's value (whatever else it misses)."""
    try:
        schema({field: value})
    except vol.MultipleInvalid as err:
        return any(error.path == [field] for error in err.errors)
    return False
