"""The clientdata namespace: key-value data the server keeps for clients.

qBittorrent 5.2.0 (Web API 2.13.1) and newer keep any JSON values under string keys in
their profile, for Web API clients (the WebUI stores its own settings there). The data
is shared by every client of the server, so pick keys no other client uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any

from .models import Dictionary
from .namespace import Delegate, Namespace
from .params import dump_json
from .transport import Transport


class ClientDataAPIMixIn(Transport):
    """``clientdata/*`` endpoints as flat methods."""

    @cached_property
    def clientdata(self) -> ClientDataAPI:
        """Return the clientdata namespace."""
        return ClientDataAPI(self)

    async def clientdata_load(
        self, /, keys: str | Iterable[str] | None = None, **kwargs: Any
    ) -> Dictionary | None:
        """Return stored values by key.

        Args:
            keys: One key or several; None for everything stored. Keys nothing is
                stored under are left out of the answer.
            **kwargs: More API parameters, ``headers``, ``simple_responses``.
        """
        if keys is not None:
            keys = [keys] if isinstance(keys, str) else list(keys)
        params = {"keys": None if keys is None else dump_json(keys), **kwargs}
        loaded: Dictionary | None = await self._json("clientdata/load", params)
        return loaded

    async def clientdata_store(self, /, data: Mapping[str, Any], **kwargs: Any) -> None:
        """Store values by key; keys not named keep their values.

        Args:
            data: Keys and the JSON values to store under them; a None value
                deletes its key.
            **kwargs: More API parameters, ``headers``.
        """
        await self._call("clientdata/store", {"data": dump_json(dict(data)), **kwargs})


class ClientDataAPI(Namespace):
    """``client.clientdata``."""

    __slots__ = ()

    load = Delegate(ClientDataAPIMixIn.clientdata_load)
    store = Delegate(ClientDataAPIMixIn.clientdata_store)
