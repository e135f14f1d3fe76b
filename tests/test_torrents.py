"""The test helper that makes torrents encodes them correctly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from .torrents import PIECE_LENGTH, bencode, make_torrent


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, b"i0e"),
        (-42, b"i-42e"),
        ("spam", b"4:spam"),
        (b"", b"0:"),
        ([1, "a"], b"li1e1:ae"),
        ({"b": 1, "a": [b"x"]}, b"d1:al1:xe1:bi1ee"),
    ],
)
def test_bencode(value: object, encoded: bytes) -> None:
    """Values encode as BEP 3 says, with dictionary keys sorted."""
    assert bencode(value) == encoded  # type: ignore[arg-type]


def test_bencode_refuses_booleans() -> None:
    """True is an int in Python, but a torrent has no booleans."""
    with pytest.raises(TypeError):
        bencode(True)


def test_made_torrent_matches_its_data(tmp_path: Path) -> None:
    """The pieces hash the data on disk, and the same name gives the same hash."""
    torrent = make_torrent(tmp_path, "sample", size=2 * PIECE_LENGTH + 1)
    data = (torrent.save_path / "sample").read_bytes()

    assert len(data) == torrent.size == 2 * PIECE_LENGTH + 1
    pieces = b"".join(
        hashlib.sha1(data[i : i + PIECE_LENGTH], usedforsecurity=False).digest()
        for i in range(0, len(data), PIECE_LENGTH)
    )
    assert bencode(pieces) in torrent.data
    assert torrent.path.read_bytes() == torrent.data
    assert (
        make_torrent(tmp_path / "again", "sample", size=2 * PIECE_LENGTH + 1).info_hash
        == torrent.info_hash
    )
    assert torrent.magnet == f"magnet:?xt=urn:btih:{torrent.info_hash}&dn=sample"


def test_made_folder_torrent(tmp_path: Path) -> None:
    """A folder torrent lays its files out below a folder named after it."""
    torrent = make_torrent(tmp_path, "pack", files={"a.txt": 10, "b/c.txt": 20})

    assert (torrent.save_path / "pack" / "a.txt").stat().st_size == 10
    assert (torrent.save_path / "pack" / "b" / "c.txt").stat().st_size == 20
    assert torrent.size == 30
    assert b"5:filesl" in torrent.data
