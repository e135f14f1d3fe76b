"""The clientdata namespace against real servers: values stored for clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
import json
import re
import secrets

import pytest

from custom_components.qbittorrent_plus.api import Client, Dictionary
from custom_components.qbittorrent_plus.api.versions import parse_version
from tests.servers import QbittorrentServer
from tests.webui import WebUI

NEEDS = "needs Web API 2.13.1 (qBittorrent 5.2.0 or newer)"


@pytest.fixture
async def strict(qbittorrent: QbittorrentServer) -> AsyncIterator[Client]:
    """Return a client that raises for endpoints its server lacks."""
    async with Client(
        qbittorrent.url,
        qbittorrent.username,
        qbittorrent.password,
        raise_notimplementederror_for_unimplemented_api_endpoints=True,
    ) as api:
        yield api


async def assert_absent(
    api: Client, call: Callable[[Client], Awaitable[object]], method: str
) -> None:
    """The call returns None, or raises naming the version when the client is strict."""
    if not api.raise_not_implemented:
        assert await call(api) is None
        return
    with pytest.raises(NotImplementedError, match=re.escape(f"{method} {NEEDS}")):
        await call(api)


@pytest.mark.endpoints("clientdata/store", "clientdata/load")
async def test_store_and_load(
    qbittorrent: QbittorrentServer, client: Client, strict: Client, webui: WebUI
) -> None:
    """Stored JSON values load by key; a null value deletes its key."""
    if parse_version(qbittorrent.api_version) < (2, 13, 1):
        for api in (client, strict):
            await assert_absent(api, lambda a: a.clientdata_store({"k": 1}), "store")
            await assert_absent(api, lambda a: a.clientdata.load(["k"]), "load")
        return
    prefix = f"qbt-plus-test-{secrets.token_hex(4)}"
    settings, name = f"{prefix}-settings", f"{prefix}-name"
    value = {"theme": "dark", "columns": [1, 2, 3], "nested": {"on": True}}

    await client.clientdata_store({settings: value, name: "Ünïcode"})
    try:
        on_server = await webui.get(
            "clientdata/load", keys=json.dumps([settings, name])
        )
        assert on_server == {settings: value, name: "Ünïcode"}

        loaded = await client.clientdata_load([settings, f"{prefix}-absent"])
        assert isinstance(loaded, Dictionary)
        assert loaded == {settings: value}
        assert await client.clientdata.load(name) == {name: "Ünïcode"}
        everything = await client.clientdata_load(simple_responses=True)
        assert type(everything) is dict
        assert {settings, name} <= set(everything)

        await client.clientdata.store(data={settings: None})
        remaining = await webui.get(
            "clientdata/load", keys=json.dumps([settings, name])
        )
        assert remaining == {name: "Ünïcode"}
    finally:
        await client.clientdata_store({settings: None, name: None})
    assert await webui.get("clientdata/load", keys=json.dumps([settings, name])) == {}
