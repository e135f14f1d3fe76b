"""Small real .torrent files and their data, made locally with no network."""

from __future__ import annotations

from dataclasses import dataclass
import hashlib
from pathlib import Path
import random

PIECE_LENGTH = 16 * 1024

type Bencodable = int | bytes | str | list[Bencodable] | dict[str, Bencodable]


def bencode(value: Bencodable) -> bytes:
    """Encode a value the way .torrent files are encoded (BEP 3)."""
    match value:
        case bool():
            msg = "bencode has no booleans"
            raise TypeError(msg)
        case int():
            return b"i%de" % value
        case str():
            return bencode(value.encode())
        case bytes():
            return b"%d:%s" % (len(value), value)
        case list():
            return b"l" + b"".join(bencode(item) for item in value) + b"e"
        case dict():
            items = sorted((key.encode(), item) for key, item in value.items())
            return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"


@dataclass(frozen=True)
class MadeTorrent:
    """A .torrent file and the complete data it describes."""

    name: str
    info_hash: str
    """Version 1 info hash, lower-case hex: what qBittorrent calls the hash."""
    data: bytes
    """The .torrent file's content."""
    path: Path
    """Where the .torrent file was written."""
    save_path: Path
    """The folder holding the data: adding with this save path makes a seed."""
    size: int

    @property
    def magnet(self) -> str:
        """Return a magnet link with the info hash and display name."""
        return f"magnet:?xt=urn:btih:{self.info_hash}&dn={self.name}"


def make_torrent(
    directory: Path,
    name: str,
    *,
    files: dict[str, int] | None = None,
    size: int = 3 * PIECE_LENGTH + 100,
) -> MadeTorrent:
    """Write data and a .torrent file for it under ``directory``.

    Without ``files`` the torrent holds one file of ``size`` bytes named ``name``;
    with ``files`` (relative path -> size) it is a folder ``name`` holding them. The
    content is pseudo-random but fixed by the name, so the same call gives the same
    info hash.
    """
    layout = files or {"": size}
    rng = random.Random(name)
    save_path = directory / "data"
    chunks = []
    entries: list[Bencodable] = []
    for relative, length in layout.items():
        content = rng.randbytes(length)
        target = save_path / name / relative if relative else save_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        chunks.append(content)
        parts: list[Bencodable] = [*relative.split("/")]
        entries.append({"length": length, "path": parts})
    payload = b"".join(chunks)
    pieces = b"".join(
        hashlib.sha1(
            payload[start : start + PIECE_LENGTH], usedforsecurity=False
        ).digest()
        for start in range(0, len(payload), PIECE_LENGTH)
    )
    info: dict[str, Bencodable] = {
        "name": name,
        "piece length": PIECE_LENGTH,
        "pieces": pieces,
    }
    if files:
        info["files"] = entries
    else:
        info["length"] = size
    data = bencode({"info": info, "created by": "qbittorrent-plus tests"})
    path = directory / f"{name}.torrent"
    path.write_bytes(data)
    return MadeTorrent(
        name=name,
        info_hash=hashlib.sha1(bencode(info), usedforsecurity=False).hexdigest(),
        data=data,
        path=path,
        save_path=save_path,
        size=len(payload),
    )
