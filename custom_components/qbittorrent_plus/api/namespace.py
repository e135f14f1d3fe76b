"""Namespaces: ``client.torrents.info(...)`` as another way to ``client.torrents_info(...)``.

A namespace class lists its methods as ``Delegate(MixIn.flat_method)``; the delegate
binds the flat method to the namespace's client, keeping its signature for type checkers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Concatenate, cast, overload

if TYPE_CHECKING:
    from .transport import Transport


class Namespace:
    """A group of endpoints of one client."""

    __slots__ = ("_client",)

    def __init__(self, client: Transport) -> None:
        """Bind the namespace to a client."""
        self._client = client


class Delegate[**P, R]:
    """A namespace attribute that calls a flat client method."""

    __slots__ = ("_method",)

    def __init__(self, method: Callable[Concatenate[Any, P], Awaitable[R]]) -> None:
        """Wrap an unbound flat method, such as ``TorrentsAPIMixIn.torrents_info``."""
        self._method = method

    @overload
    def __get__(self, namespace: None, owner: type[Namespace]) -> Delegate[P, R]: ...

    @overload
    def __get__(
        self, namespace: Namespace, owner: type[Namespace]
    ) -> Callable[P, Awaitable[R]]: ...

    def __get__(
        self, namespace: Namespace | None, owner: type[Namespace]
    ) -> Delegate[P, R] | Callable[P, Awaitable[R]]:
        """Return the flat method bound to the namespace's client."""
        if namespace is None:
            return self
        return cast(
            "Callable[P, Awaitable[R]]",
            partial(self._method, namespace._client),  # noqa: SLF001
        )
