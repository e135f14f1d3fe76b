"""Arguments shaped the way the WebUI reads its parameters: lists, paths and JSON."""

from __future__ import annotations

from collections.abc import Iterable
import json
import os
from typing import Any, overload


@overload
def join(values: None, separator: str = "|") -> None: ...


@overload
def join(values: str | int | Iterable[str | int], separator: str = "|") -> str: ...


def join(
    values: str | int | Iterable[str | int] | None, separator: str = "|"
) -> str | None:
    """Return one value as text, or several joined with ``separator``; None stays None.

    The server splits lists at ``|`` (hashes, URLs, names, file ids), some at ``,``
    (tags) or at newlines (links to add, categories to remove).
    """
    if values is None or isinstance(values, str):
        return values
    if isinstance(values, int):
        return str(values)
    return separator.join(str(value) for value in values)


@overload
def as_path(path: None) -> None: ...


@overload
def as_path(path: str | os.PathLike[str]) -> str: ...


def as_path(path: str | os.PathLike[str] | None) -> str | None:
    """Return a path (a str or a ``Path``) as text; None stays None."""
    return None if path is None else os.fspath(path)


def dump_json(value: Any) -> str:
    """Encode a value as compact JSON, the way the WebUI sends JSON form fields."""
    return json.dumps(value, separators=(",", ":"))
