"""Files, trackers, web seeds, SSL parameters and metadata of torrents."""

from __future__ import annotations

from collections.abc import AsyncIterator
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import aiohttp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import pytest

from custom_components.qbittorrent_plus.api import (
    Client,
    Conflict409Error,
    Dictionary,
    UnsupportedMediaType415Error,
)
from custom_components.qbittorrent_plus.api.torrents import TRACKER_URL_SINCE
from tests.api.helpers import assert_absent, at_least, has, unique
from tests.servers import QbittorrentServer
from tests.torrents import MadeTorrent, make_torrent
from tests.webui import WebUI, wait_for

FILES = {"a.bin": 20_000, "dir/b.bin": 40_000, "dir/c.bin": 5_000}
PSEUDO_TRACKERS = 3
"""torrents/trackers lists DHT, PeX and LSD first."""
# Diffie-Hellman parameters (1024 bits, generator 2), made once for these tests.
DH_PARAMS = """\
-----BEGIN DH PARAMETERS-----
MIGHAoGBAOfEkn3ifdhroFr2qbfquBdYpglmp68wNzyvYXtVkQFw1OzHHPfF0wAj
OGZyExlYveVjJlbw9cztqrNZxco2D7u87oYK31xVPvrrwqLgHSIEUD18iqu27vF0
BdjVbfaqrxaIDZ6bhoMLZWkpdQjmxQV836yGJSshOcyG+Mv3PqGvAgEC
-----END DH PARAMETERS-----
"""


def info_segment(torrent: MadeTorrent) -> bytes:
    """Return the bencoded info dictionary of a made torrent (its hash's input)."""
    start = torrent.data.index(b"4:info") + len(b"4:info")
    return torrent.data[start:-1]


@pytest.fixture(autouse=True)
async def quick_updates(webui: WebUI) -> None:
    """Let the server publish torrent changes every 0.1 s rather than every 1.5 s."""
    await webui.post(
        "app/setPreferences", {"json": json.dumps({"refresh_interval": 100})}
    )


async def add_made(webui: WebUI, torrent: MadeTorrent, *, seed: bool) -> dict[str, Any]:
    """Add a made torrent, stopped; a seed with its data, taken as complete.

    Returns the torrent once the server has loaded it.
    """
    form = aiohttp.FormData()
    form.add_field("torrents", torrent.data, filename=f"{torrent.name}.torrent")
    # Each server reads its own names and ignores the others'.
    for name in ("stopped", "paused"):
        form.add_field(name, "true")
    if seed:
        form.add_field("savepath", str(torrent.save_path))
        for name in ("seedMode", "skip_checking"):
            form.add_field(name, "true")
    await webui.post("torrents/add", form)

    async def loaded() -> dict[str, Any] | None:
        info = await webui.torrent(torrent.info_hash)
        return info if info and info["state"] != "checkingResumeData" else None

    return await wait_for(loaded)


@pytest.fixture
async def seed(webui: WebUI, tmp_path: Path) -> AsyncIterator[MadeTorrent]:
    """A complete, stopped torrent of three files in two folders; deleted after."""
    torrent = make_torrent(tmp_path, unique("files"), files=FILES)
    await add_made(webui, torrent, seed=True)
    yield torrent
    await webui.post(
        "torrents/delete", {"hashes": torrent.info_hash, "deleteFiles": "true"}
    )


async def file_names(webui: WebUI, torrent: MadeTorrent) -> list[str]:
    """Return the file paths the server shows for a torrent."""
    files = await webui.get("torrents/files", hash=torrent.info_hash)
    return [file["name"] for file in files]


async def names_become(webui: WebUI, torrent: MadeTorrent, names: list[str]) -> None:
    """Wait until the server shows these file paths."""

    async def probe() -> bool:
        return await file_names(webui, torrent) == names

    await wait_for(probe)


@pytest.mark.endpoints("torrents/files")
async def test_files(client: Client, webui: WebUI, seed: MadeTorrent) -> None:
    """All files, or those at some indexes; rich or plain.

    Servers before Web API 2.8.2 send no index and ignore ``indexes``: the client
    numbers the files and picks them.
    """
    files = await client.torrents_files(seed.info_hash)

    assert all(isinstance(file, Dictionary) for file in files)
    assert [f.name for f in files] == [f"{seed.name}/{name}" for name in FILES]
    assert [f.size for f in files] == list(FILES.values())
    assert all(f.progress == 1 for f in files)
    listed = await webui.get("torrents/files", hash=seed.info_hash)
    assert files == [{**file, "index": index} for index, file in enumerate(listed)]
    some = await client.torrents.files(seed.info_hash, indexes=[0, 2])
    assert [f.index for f in some] == [0, 2]
    one = await client.torrents_files(seed.info_hash, 1, simple_responses=True)
    assert type(one[0]) is dict
    assert one[0]["name"] == f"{seed.name}/dir/b.bin"


@pytest.mark.endpoints("torrents/filePrio", "torrents/info")
async def test_file_priority(client: Client, webui: WebUI, seed: MadeTorrent) -> None:
    """Priorities are set for one file or several at once."""

    async def priorities() -> list[int]:
        files = await webui.get("torrents/files", hash=seed.info_hash)
        return [file["priority"] for file in files]

    await client.torrents_file_priority(seed.info_hash, [0, 2], 0)
    await wait_for(lambda: _equals(priorities, [0, 1, 0]))
    (rich,) = await client.torrents_info(torrent_hashes=seed.info_hash)
    await rich.file_priority(1, 7)
    await wait_for(lambda: _equals(priorities, [0, 7, 0]))


@pytest.mark.endpoints("torrents/renameFile", "torrents/renameFolder", "torrents/info")
async def test_rename_files_and_folders(
    client: Client, webui: WebUI, seed: MadeTorrent
) -> None:
    """Files and folders are renamed in the torrent and on disk."""
    top = seed.name

    await client.torrents_rename_file(
        seed.info_hash, old_path=f"{top}/a.bin", new_path=f"{top}/a2.bin"
    )
    await names_become(
        webui, seed, [f"{top}/a2.bin", f"{top}/dir/b.bin", f"{top}/dir/c.bin"]
    )
    # The older way: a file's index and its new name in the same folder.
    await client.torrents_rename_file(seed.info_hash, file_id=1, new_file_name="b2.bin")
    await names_become(
        webui, seed, [f"{top}/a2.bin", f"{top}/dir/b2.bin", f"{top}/dir/c.bin"]
    )
    await client.torrents_rename_folder(seed.info_hash, f"{top}/dir", f"{top}/sub")
    await names_become(
        webui, seed, [f"{top}/a2.bin", f"{top}/sub/b2.bin", f"{top}/sub/c.bin"]
    )
    (rich,) = await client.torrents_info(torrent_hashes=seed.info_hash)
    await rich.rename_file(f"{top}/sub/c.bin", f"{top}/c.bin")
    # qBittorrent renames in the background and moves a folder's files by the paths
    # it shows, so a folder renamed before the file's move shows would take it along.
    await names_become(
        webui, seed, [f"{top}/a2.bin", f"{top}/sub/b2.bin", f"{top}/c.bin"]
    )
    await rich.rename_folder(f"{top}/sub", f"{top}/folder")
    await names_become(
        webui, seed, [f"{top}/a2.bin", f"{top}/folder/b2.bin", f"{top}/c.bin"]
    )

    data = seed.save_path / top
    assert sorted(p.relative_to(data).as_posix() for p in data.rglob("*.bin")) == [
        "a2.bin",
        "c.bin",
        "folder/b2.bin",
    ]
    with pytest.raises(Conflict409Error):
        await client.torrents_rename_file(
            seed.info_hash, old_path=f"{top}/a2.bin", new_path=f"{top}/c.bin"
        )


@pytest.mark.endpoints(
    "torrents/addTrackers",
    "torrents/editTracker",
    "torrents/removeTrackers",
    "torrents/trackers",
    "torrents/info",
)
async def test_trackers(
    qbittorrent: QbittorrentServer, client: Client, webui: WebUI, seed: MadeTorrent
) -> None:
    """Trackers are added, edited (the URL named as each server wants) and removed."""
    base = f"http://127.0.0.1:9/{unique('announce')}"
    one, two, three, four = (f"{base}/{n}" for n in range(4))

    async def trackers() -> dict[str, int]:
        found = await webui.get("torrents/trackers", hash=seed.info_hash)
        return {t["url"]: t["tier"] for t in found[PSEUDO_TRACKERS:]}

    await client.torrents_add_trackers(seed.info_hash, [one, two])
    await wait_for(lambda: _equals(trackers, {one: 0, two: 0}))
    await client.torrents_edit_tracker(seed.info_hash, one, three)
    await wait_for(lambda: _equals(trackers, {three: 0, two: 0}))
    listed = await client.torrents_trackers(seed.info_hash)
    assert {t.url for t in listed[PSEUDO_TRACKERS:]} == {three, two}

    if at_least(qbittorrent, TRACKER_URL_SINCE):
        await client.torrents_edit_tracker(seed.info_hash, three, tier=4)
        await wait_for(lambda: _equals(trackers, {three: 4, two: 0}))
    with pytest.raises(Conflict409Error, match="Tracker not found"):
        await client.torrents_edit_tracker(seed.info_hash, one, four)

    await client.torrents_remove_trackers(seed.info_hash, [two, three])
    await wait_for(lambda: _equals(trackers, {}))

    (rich,) = await client.torrents_info(torrent_hashes=seed.info_hash)
    await rich.add_trackers(one)
    await wait_for(lambda: _equals(trackers, {one: 0}))
    await rich.edit_tracker(one, two)
    await wait_for(lambda: _equals(trackers, {two: 0}))
    await rich.remove_trackers(two)
    await wait_for(lambda: _equals(trackers, {}))


@pytest.mark.endpoints(
    "torrents/addWebSeeds",
    "torrents/editWebSeed",
    "torrents/removeWebSeeds",
    "torrents/webseeds",
    "torrents/info",
)
async def test_web_seeds(
    qbittorrent: QbittorrentServer,
    client: Client,
    strict: Client,
    webui: WebUI,
    seed: MadeTorrent,
) -> None:
    """5.1+ adds, edits and removes web seeds; 4.5 only lists them."""
    base = f"http://127.0.0.1:9/{unique('seed')}"
    one, two, three = (f"{base}/{n}" for n in range(3))

    async def urls() -> set[str]:
        found = await webui.get("torrents/webseeds", hash=seed.info_hash)
        return {w["url"] for w in found}

    assert await client.torrents_webseeds(seed.info_hash) == []
    (rich,) = await client.torrents_info(torrent_hashes=seed.info_hash)
    await client.torrents_add_webseeds(seed.info_hash, [one, two])

    if not has(qbittorrent, "torrents/addWebSeeds"):
        # Nothing is sent: the calls return None.
        await rich.add_webseeds(one)
        await assert_absent(
            client,
            strict,
            "needs Web API 2.11.3 (qBittorrent 5.1.0 or newer)",
            {
                "torrents/addWebSeeds": lambda api: api.torrents_add_webseeds(
                    seed.info_hash, one
                ),
                "torrents/editWebSeed": lambda api: api.torrents_edit_webseed(
                    seed.info_hash, one, two
                ),
                "torrents/removeWebSeeds": lambda api: api.torrents_remove_webseeds(
                    seed.info_hash, one
                ),
            },
        )
        assert await urls() == set()
        return

    await wait_for(lambda: _equals(urls, {one, two}))
    listed = await client.torrents_webseeds(seed.info_hash)
    assert {w.url for w in listed} == {one, two}
    await client.torrents_edit_webseed(seed.info_hash, one, three)
    await wait_for(lambda: _equals(urls, {two, three}))
    await client.torrents_remove_webseeds(seed.info_hash, [two, three])
    await wait_for(lambda: _equals(urls, set()))
    await rich.add_webseeds(one)
    await wait_for(lambda: _equals(urls, {one}))
    await rich.edit_webseed(one, two)
    await wait_for(lambda: _equals(urls, {two}))
    await rich.remove_webseeds([two])
    await wait_for(lambda: _equals(urls, set()))


@pytest.mark.endpoints("torrents/downloadFile")
async def test_download_file(
    client: Client,
    strict: Client,
    webui: WebUI,
    seed: MadeTorrent,
    tmp_path: Path,
) -> None:
    """5.3 sends a completed file, by index or by path; the bytes are the data."""
    if not has(webui.server, "torrents/downloadFile"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.16 (qBittorrent 5.3.0 or newer)",
            {
                "torrents/downloadFile": lambda api: api.torrents_download_file(
                    seed.info_hash, 1
                )
            },
        )
        return
    by_index = await client.torrents_download_file(seed.info_hash, 1)
    data = seed.save_path / seed.name
    assert by_index == (data / "dir/b.bin").read_bytes()
    by_path = await client.torrents.download_file(seed.info_hash, f"{seed.name}/a.bin")
    assert by_path == (data / "a.bin").read_bytes()
    # A torrent without its data has no complete file to send.
    empty = make_torrent(tmp_path / "empty", unique("empty"))
    await add_made(webui, empty, seed=False)
    try:
        with pytest.raises(Conflict409Error, match="not fully downloaded"):
            await client.torrents_download_file(empty.info_hash, 0)
    finally:
        await webui.post(
            "torrents/delete", {"hashes": empty.info_hash, "deleteFiles": "true"}
        )


def certificate_and_key() -> tuple[str, str]:
    """Return a fresh self-signed PEM certificate and its private key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "qbittorrent-plus")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return certificate.public_bytes(
        serialization.Encoding.PEM
    ).decode(), key_pem.decode()


@pytest.mark.endpoints("torrents/SSLParameters", "torrents/setSSLParameters")
async def test_ssl_parameters(
    qbittorrent: QbittorrentServer,
    client: Client,
    strict: Client,
    webui: WebUI,
    seed: MadeTorrent,
) -> None:
    """5.0+ keeps a certificate, key and DH parameters per torrent."""
    certificate, key = certificate_and_key()

    before = await client.torrents_ssl_parameters(seed.info_hash)
    await client.torrents_set_ssl_parameters(
        seed.info_hash, certificate, key, DH_PARAMS
    )

    if not has(qbittorrent, "torrents/SSLParameters"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.10.3 (qBittorrent 5.0.0 or newer)",
            {
                "torrents/SSLParameters": lambda api: api.torrents_ssl_parameters(
                    seed.info_hash
                ),
                "torrents/setSSLParameters": lambda api: (
                    api.torrents_set_ssl_parameters(
                        seed.info_hash, certificate, key, DH_PARAMS
                    )
                ),
            },
        )
        return
    assert isinstance(before, Dictionary)
    assert before == {"ssl_certificate": "", "ssl_private_key": "", "ssl_dh_params": ""}
    on_server = await webui.get("torrents/SSLParameters", hash=seed.info_hash)
    stored = x509.load_pem_x509_certificate(on_server["ssl_certificate"].encode())
    assert stored == x509.load_pem_x509_certificate(certificate.encode())
    stored_key = serialization.load_pem_private_key(
        on_server["ssl_private_key"].encode(), None
    )
    assert (
        stored_key.public_key()
        == serialization.load_pem_private_key(key.encode(), None).public_key()
    )
    assert on_server["ssl_dh_params"] == DH_PARAMS
    after = await client.torrents_ssl_parameters(seed.info_hash, simple_responses=True)
    assert after == on_server
    with pytest.raises(UnsupportedMediaType415Error):
        await client.torrents_set_ssl_parameters(seed.info_hash, "x", key, DH_PARAMS)


@pytest.mark.endpoints(
    "torrents/parseMetadata",
    "torrents/saveMetadata",
    "torrents/fetchMetadata",
)
async def test_metadata(
    qbittorrent: QbittorrentServer,
    client: Client,
    strict: Client,
    webui: WebUI,
    tmp_path: Path,
) -> None:
    """5.2+ parses .torrent files, keeps their metadata, and makes files of it.

    Without peers the server cannot fetch the metadata of a magnet link it does
    not know, so fetchMetadata is checked for its first answer there, and for its
    full answer on metadata the server holds from a parsed file.
    """
    parsed, other, unknown = (
        make_torrent(tmp_path / str(n), unique("meta"), files=FILES) for n in range(3)
    )

    if not has(qbittorrent, "torrents/parseMetadata"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.11.9 (qBittorrent 5.2.0 or newer)",
            {
                "torrents/parseMetadata": lambda api: api.torrents_parse_metadata(
                    [parsed.path, other.data]
                ),
                "torrents/saveMetadata": lambda api: api.torrents_save_metadata(
                    parsed.info_hash
                ),
                "torrents/fetchMetadata": lambda api: api.torrents_fetch_metadata(
                    parsed.magnet
                ),
            },
        )
        return
    described = await client.torrents_parse_metadata([parsed.path, other.data])
    assert described is not None
    assert [d.hash for d in described] == [parsed.info_hash, other.info_hash]
    assert isinstance(described[0].info, Dictionary)
    assert described[0].info.name == parsed.name
    assert [f.path for f in described[0].info.files] == [
        f"{parsed.name}/{name}" for name in FILES
    ]

    saved = await client.torrents_save_metadata(parsed.info_hash)
    assert isinstance(saved, bytes)
    assert info_segment(parsed) in saved
    assert hashlib.sha1(info_segment(parsed), usedforsecurity=False).hexdigest() == (
        parsed.info_hash
    )

    known = await client.torrents_fetch_metadata(parsed.magnet)
    assert known is not None
    assert known.info.length == parsed.size
    first_answer = await client.torrents.fetch_metadata(unknown.magnet)
    assert first_answer is not None
    assert first_answer.hash == unknown.info_hash
    assert "info" not in first_answer
    with pytest.raises(Conflict409Error, match="not yet available"):
        await client.torrents_save_metadata(unknown.magnet)

    # Adding the magnet link of parsed metadata adds the whole torrent at once.
    await client.torrents_add(urls=parsed.magnet, is_stopped=True)
    try:

        async def has_metadata() -> bool:
            info = await webui.torrent(parsed.info_hash)
            return info is not None and info["total_size"] == parsed.size

        assert await wait_for(has_metadata)
    finally:
        await webui.post(
            "torrents/delete", {"hashes": parsed.info_hash, "deleteFiles": "true"}
        )


async def test_parse_metadata_needs_files(
    client: Client, endpoint_calls: list[str]
) -> None:
    """With no file to parse, the call is refused before reaching the server."""
    with pytest.raises(ValueError, match="needs torrent_files"):
        await client.torrents_parse_metadata([])

    assert "torrents/parseMetadata" not in endpoint_calls


async def _equals(probe: Any, expected: Any) -> bool:
    return bool(await probe() == expected)
