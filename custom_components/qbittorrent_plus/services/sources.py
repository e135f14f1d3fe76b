"""What adding a magnet link or a .torrent file will add, known before it is sent.

qBittorrent names each torrent by its id: the info hash (SHA-1 of the bencoded info
dictionary), or for a torrent with only a version 2 info hash, the first 20 bytes of
its SHA-256. A magnet link carries that hash and a .torrent file holds the dictionary,
so what an add is about to add can be named, and checked, before anything is sent.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
import hashlib
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

# qBittorrent's own default for the largest .torrent file it loads.
MAX_TORRENT_FILE_SIZE: Final = 100 * 1024 * 1024

_V1_PREFIX: Final = "urn:btih:"
_V2_PREFIX: Final = "urn:btmh:"
# A version 2 hash in a magnet link is a multihash: SHA2-256 (0x12), 32 bytes (0x20).
_SHA256_MULTIHASH: Final = "1220"
_ID_LENGTH: Final = 40
_HEX_DIGITS: Final = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class TorrentSource:
    """A torrent about to be added: its id and, when it says, its name."""

    info_hash: str
    name: str | None


def is_info_hash(text: str) -> bool:
    """Return whether ``text`` reads as a torrent id (40 lower-case hex digits)."""
    return len(text) == _ID_LENGTH and set(text) <= _HEX_DIGITS


def is_magnet(link: str) -> bool:
    """Return whether ``link`` is a magnet link."""
    return link[:7].lower() == "magnet:"


def is_web_link(link: str) -> bool:
    """Return whether ``link`` is an http or https URL (with a host)."""
    parts = urlsplit(link)
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


def magnet_source(link: str) -> TorrentSource | None:
    """Return what a magnet link adds; None when it carries no BitTorrent hash.

    A hybrid link carries both hashes; qBittorrent then goes by the version 1 one.
    """
    v1: str | None = None
    v2: str | None = None
    name: str | None = None
    for key, value in parse_qsl(urlsplit(link).query):
        topic = value.lower()
        if key == "xt" and topic.startswith(_V1_PREFIX):
            v1 = v1 or _v1_hash(value[len(_V1_PREFIX) :])
        elif key == "xt" and topic.startswith(_V2_PREFIX + _SHA256_MULTIHASH):
            digest = topic[len(_V2_PREFIX) + len(_SHA256_MULTIHASH) :]
            if len(digest) == 64 and set(digest) <= _HEX_DIGITS:
                v2 = v2 or digest[:_ID_LENGTH]
        elif key == "dn" and value:
            name = value
    info_hash = v1 or v2
    return None if info_hash is None else TorrentSource(info_hash, name)


def _v1_hash(text: str) -> str | None:
    """Return a version 1 hash given as 40 hex digits or 32 base32 letters."""
    lowered = text.lower()
    if is_info_hash(lowered):
        return lowered
    if len(text) == 32:
        try:
            return base64.b32decode(text.upper()).hex()
        except binascii.Error:
            return None
    return None


def torrent_file_source(data: bytes) -> TorrentSource | None:
    """Return what a .torrent file adds; None when the data is no torrent."""
    try:
        info, start, end = _info_dictionary(data)
    except ValueError, IndexError, RecursionError:
        return None
    raw = data[start:end]
    if b"pieces" in info:
        info_hash = hashlib.sha1(raw, usedforsecurity=False).hexdigest()
    elif info.get(b"meta version") == 2:
        info_hash = hashlib.sha256(raw).hexdigest()[:_ID_LENGTH]
    else:
        return None
    name = info.get(b"name.utf-8", info.get(b"name"))
    return TorrentSource(
        info_hash,
        name.decode(errors="replace") if isinstance(name, bytes) and name else None,
    )


def _info_dictionary(data: bytes) -> tuple[dict[bytes, Any], int, int]:
    """Return the info dictionary of a torrent and where its encoding starts and ends."""
    if data[:1] != b"d":
        raise ValueError("a torrent is a dictionary")
    position = 1
    found: tuple[dict[bytes, Any], int, int] | None = None
    while data[position : position + 1] != b"e":
        key, position = _decode(data, position)
        start = position
        value, position = _decode(data, position)
        if key == b"info" and isinstance(value, dict):
            found = (value, start, position)
    if found is None:
        raise ValueError("a torrent has an info dictionary")
    return found


def _decode(data: bytes, position: int) -> tuple[Any, int]:
    """Decode the bencoded value at ``position``; return it and where it ends."""
    kind = data[position : position + 1]
    if kind == b"i":
        end = data.index(b"e", position)
        return int(data[position + 1 : end]), end + 1
    if kind in {b"l", b"d"}:
        items: list[Any] = []
        position += 1
        while data[position : position + 1] != b"e":
            item, position = _decode(data, position)
            items.append(item)
        if kind == b"l":
            return items, position + 1
        return dict(zip(items[::2], items[1::2], strict=True)), position + 1
    colon = data.index(b":", position)
    length = int(data[position:colon])
    start, end = colon + 1, colon + 1 + length
    if length < 0 or end > len(data):
        raise ValueError("a string runs past the end of the data")
    return data[start:end], end
