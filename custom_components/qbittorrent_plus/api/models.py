"""The rich results' types.

Rich results hold their JSON objects in one of two types, both read by key
(``info["dl_speed"]``) or by attribute (``info.dl_speed``):

- ``Dictionary``: a ``dict`` (a copy of the decoded object), for most answers.
- ``JSONObject``: a mapping that holds the decoded object itself rather than a copy,
  for the objects that come by the thousand: the torrents of ``torrents/info`` and
  the entries of ``sync/*`` answers. Wrapping one costs next to nothing.
"""

from __future__ import annotations

from collections.abc import (
    ItemsView,
    Iterator,
    KeysView,
    Mapping,
    MutableMapping,
    ValuesView,
)
import copy
from typing import Any, Self

# A torrent's ETA when qBittorrent cannot tell: 100 days.
INFINITE_ETA = 8_640_000


class Dictionary(dict[str, Any]):
    """A JSON object whose keys can also be read as attributes: ``info.dl_speed``."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        """Return the value under ``name``."""
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def torrent_tags(torrent: Mapping[str, Any]) -> list[str]:
    """Return a torrent's tags: the server joins them with ", " (no tag has a comma)."""
    parts = (part.strip() for part in (torrent.get("tags") or "").split(","))
    return [tag for tag in parts if tag]


def rich(value: Any) -> Any:
    """Return decoded JSON with every object in it, at any depth, as a ``Dictionary``."""
    if isinstance(value, dict):
        return Dictionary(
            {
                key: rich(item) if isinstance(item, dict | list) else item
                for key, item in value.items()
            }
        )
    if isinstance(value, list):
        return [rich(item) if isinstance(item, dict | list) else item for item in value]
    return value


class JSONObject(MutableMapping[str, Any]):
    """A decoded JSON object, held rather than copied, read by key or by attribute.

    ``obj["name"]`` and ``obj.name`` read a field. It reads and writes like a dict
    (``in``, ``len``, ``get``, ``keys``, ``items``, ``update``, ``copy`` ...) and
    equals any mapping with the same fields, such as the server's JSON. It is no
    ``dict`` itself, so ``json.dumps`` wants ``dict(obj)``, a plain copy. Changing
    it changes the object it holds (and nothing on the server).
    """

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        """Hold ``data`` (not a copy)."""
        self._data = data

    def __getitem__(self, key: str) -> Any:
        """Return a field."""
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        """Set a field."""
        self._data[key] = value

    def __delitem__(self, key: str) -> None:
        """Remove a field."""
        del self._data[key]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the field names."""
        return iter(self._data)

    def __len__(self) -> int:
        """Return the number of fields."""
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        """Return whether there is a field of that name."""
        return key in self._data

    def __eq__(self, other: object) -> bool:
        """Compare the fields with another object's, or with any mapping's."""
        if isinstance(other, JSONObject):
            return self._data == other._data
        return self._data == other

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dict

    def __repr__(self) -> str:
        """Show the fields, as a dict does."""
        return f"{type(self).__name__}({self._data!r})"

    def __getattr__(self, name: str) -> Any:
        """Return the field ``name``."""
        # While pickle rebuilds an object, _data is not set yet: asking for it here
        # again would never end.
        if name == "_data":
            raise AttributeError(name)
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, key: str, default: Any = None, /) -> Any:
        """Return a field, or ``default`` when there is none of that name."""
        return self._data.get(key, default)

    def keys(self) -> KeysView[str]:
        """Return the field names."""
        return self._data.keys()

    def values(self) -> ValuesView[Any]:
        """Return the field values."""
        return self._data.values()

    def items(self) -> ItemsView[str, Any]:
        """Return the (name, value) pairs."""
        return self._data.items()

    def copy(self) -> Self:
        """Return an object of the same kind over a copy of the fields."""
        return self._holding(dict(self._data))

    __copy__ = copy

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        """Return an object of the same kind over a deep copy of the fields."""
        return self._holding(copy.deepcopy(self._data, memo))

    def _holding(self, data: dict[str, Any]) -> Self:
        """Return an object like this one that holds ``data``."""
        return type(self)(data)
