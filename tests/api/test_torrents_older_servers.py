"""What the torrents namespace sends to servers older than the test servers.

qBittorrent before 4.3.2 (Web API 2.7) named the content layout and the file to rename
in other parameters, and 4.1.3 (Web API 2.1.0) cannot list its categories. The tests
run 4.5.2 and 5.3.0, so a proxy in front of the real server answers
``app/webapiVersion`` with the older version: the client then bridges as it would for
such a server, and the proxy records what it sends. Where the real server would
refuse the old form, the proxy answers as the old server would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
import json
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from custom_components.qbittorrent_plus.api import Client, Conflict409Error
from tests.api.helpers import client_for, unique
from tests.proxy import Proxy
from tests.servers import QbittorrentServer
from tests.torrents import make_torrent
from tests.webui import WebUI

type Older = Callable[[str], Awaitable[Client]]


@pytest.fixture
async def older(proxy: Proxy, qbittorrent: QbittorrentServer) -> AsyncIterator[Older]:
    """Return a maker of clients that see the server as one of an older Web API."""
    async with AsyncExitStack() as stack:

        async def make(version: str) -> Client:
            proxy.rewrite("app/webapiVersion", lambda _: version.encode())
            client = client_for(qbittorrent, proxy.url)
            return await stack.enter_async_context(client)

        yield make


def form(proxy: Proxy, path: str) -> dict[str, str]:
    """Return the form fields of the last request for ``path``, one value each."""
    fields = parse_qs(proxy.last(path).body.decode(), keep_blank_values=True)
    return {name: value for name, (value,) in fields.items()}


@pytest.mark.endpoints("torrents/add")
async def test_content_layout_is_root_folder_before_web_api_2_7(
    older: Older, proxy: Proxy, tmp_path: Path
) -> None:
    """is_root_folder goes as it is; a content layout becomes root_folder."""
    client = await older("2.6.0")
    magnet = make_torrent(tmp_path, unique("layout")).magnet
    # What 4.3.1 answers to an added torrent.
    proxy.answer("torrents/add", body=b"Ok.")

    sent = []
    for options in (
        {"is_root_folder": False},
        {"content_layout": "NoSubfolder"},
        {"content_layout": "Subfolder"},
        {"content_layout": "Original"},
    ):
        await client.torrents_add(urls=magnet, is_stopped=True, **options)
        sent.append(form(proxy, "torrents/add"))

    assert [fields.get("root_folder") for fields in sent] == [
        "false",
        "false",
        "true",
        "true",
    ]
    assert all("contentLayout" not in fields for fields in sent)
    # The stop/start names of 5.0 are bridged too.
    assert all(fields["paused"] == "true" for fields in sent)
    assert all("stopped" not in fields for fields in sent)


@pytest.mark.endpoints("torrents/renameFile", "torrents/files")
async def test_rename_file_sends_an_index_and_a_name_before_web_api_2_7(
    older: Older, proxy: Proxy, webui: WebUI, tmp_path: Path
) -> None:
    """A path to rename is looked up for its index; the new name loses its folder."""
    client = await older("2.6.0")
    made = make_torrent(
        tmp_path, unique("rename"), files={"a.bin": 1000, "dir/b.bin": 2000}
    )
    await webui.add_torrent(made, stopped=True, seed=False)
    top = made.name
    # The real server only takes the new parameters: answer as 4.3.1 does.
    proxy.answer("torrents/renameFile", body=b"")
    try:
        await client.torrents_rename_file(
            made.info_hash, old_path=f"{top}/dir/b.bin", new_path=f"{top}/dir/c.bin"
        )
        by_path = form(proxy, "torrents/renameFile")
        await client.torrents_rename_file(made.info_hash, 0, "z.bin")
        by_index = form(proxy, "torrents/renameFile")
        with pytest.raises(Conflict409Error, match=r"no file '.*/nothing\.bin'"):
            await client.torrents_rename_file(
                made.info_hash, old_path=f"{top}/nothing.bin", new_path=f"{top}/x.bin"
            )
    finally:
        await webui.post(
            "torrents/delete", {"hashes": made.info_hash, "deleteFiles": "true"}
        )

    assert by_path == {"hash": made.info_hash, "id": "1", "name": "c.bin"}
    assert by_index == {"hash": made.info_hash, "id": "0", "name": "z.bin"}
    assert proxy.count("torrents/renameFile") == 2


@pytest.mark.endpoints("torrents/editCategory")
async def test_edit_category_of_a_server_that_cannot_list_categories(
    older: Older, proxy: Proxy, webui: WebUI, tmp_path: Path
) -> None:
    """Web API 2.1.0: the save path left out is sent empty, and a 409 is an error.

    Such a server has editCategory but no categories to read, so the client cannot
    keep what the caller leaves out, nor tell "unchanged" from "unknown" in a 409.
    """
    client = await older("2.1.0")
    name = unique("cat")
    await webui.post(
        "torrents/createCategory",
        {"category": name, "savePath": str(tmp_path / "save")},
    )
    try:
        await client.torrents_edit_category(name)
        sent = form(proxy, "torrents/editCategory")
        proxy.answer("torrents/editCategory", status=409, body=b"unchanged?")
        with pytest.raises(Conflict409Error):
            await client.torrents_edit_category(name, save_path=tmp_path / "save")
    finally:
        await webui.post("torrents/removeCategories", {"categories": name})

    assert sent == {"category": name, "savePath": ""}
    assert proxy.count("torrents/categories") == 0


@pytest.mark.endpoints("torrents/info")
async def test_tag_is_filtered_by_the_client_before_web_api_2_8_3(
    older: Older, proxy: Proxy, webui: WebUI, tmp_path: Path
) -> None:
    """The server is not asked for the tag, nor to page: the client does both."""
    client = await older("2.5.1")
    tag = unique("tag")
    made = [make_torrent(tmp_path, f"{unique('tagged')}-{n}") for n in range(3)]
    for number, torrent in enumerate(made):
        await webui.add_torrent(
            torrent, stopped=True, seed=False, tags=tag if number else None
        )
    hashes = [torrent.info_hash for torrent in made]
    try:
        tagged = await client.torrents_info(
            tag=tag, torrent_hashes=hashes, sort="name", offset=-1, limit=5
        )
        sent = parse_qs(proxy.last("torrents/info").query)
        untagged = await client.torrents_info(tag="", torrent_hashes=hashes)
        # As the server: an offset out of range starts at the beginning, and a
        # limit below 1 is none.
        beyond = await client.torrents_info(
            tag=tag, torrent_hashes=hashes, offset=5, limit=0
        )
    finally:
        await webui.delete_torrents(*hashes)
        await webui.post("torrents/deleteTags", {"tags": tag})

    assert [torrent.hash for torrent in tagged] == [
        max(made[1:], key=lambda torrent: torrent.name).info_hash
    ]
    assert "tag" not in sent
    assert "offset" not in sent
    assert "limit" not in sent
    assert [torrent.hash for torrent in untagged] == [made[0].info_hash]
    assert {torrent.hash for torrent in beyond} == set(hashes[1:])


@pytest.mark.endpoints("torrents/files")
async def test_files_are_numbered_and_picked_by_the_client_before_web_api_2_8_2(
    older: Older, proxy: Proxy, webui: WebUI, tmp_path: Path
) -> None:
    """Such a server sends no index and ignores ``indexes``: the client does both."""
    client = await older("2.5.1")
    made = make_torrent(
        tmp_path, unique("files"), files={"a.bin": 100, "b.bin": 200, "c.bin": 300}
    )
    await webui.add_torrent(made, stopped=True, seed=False)
    # What 4.2.5 answers: the files without their index.
    proxy.rewrite(
        "torrents/files",
        lambda body: json.dumps(
            [
                {k: v for k, v in file.items() if k != "index"}
                for file in json.loads(body)
            ]
        ).encode(),
    )
    try:
        picked = await client.torrents_files(made.info_hash, indexes=[0, 2])
        sent = parse_qs(proxy.last("torrents/files").query)
        one = await client.torrents_files(made.info_hash, 1)
        every = await client.torrents_files(made.info_hash)
    finally:
        await webui.delete_torrents(made.info_hash)

    assert [(file.index, file.size) for file in picked] == [(0, 100), (2, 300)]
    assert "indexes" not in sent
    assert [(file.index, file.size) for file in one] == [(1, 200)]
    assert [file.index for file in every] == [0, 1, 2]
