"""The clientdata namespace against real servers: values stored for clients."""

from __future__ import annotations

import json

import pytest

from custom_components.qbittorrent_plus.api import Client, Dictionary
from tests.api.helpers import assert_absent, has, unique
from tests.servers import QbittorrentServer
from tests.webui import WebUI


@pytest.mark.endpoints("clientdata/store", "clientdata/load")
async def test_store_and_load(
    qbittorrent: QbittorrentServer, client: Client, strict: Client, webui: WebUI
) -> None:
    """Stored JSON values load by key; a null value deletes its key."""
    if not has(qbittorrent, "clientdata/store", "clientdata/load"):
        await assert_absent(
            client,
            strict,
            "needs Web API 2.13.1 (qBittorrent 5.2.0 or newer)",
            {
                "clientdata/store": lambda api: api.clientdata_store({"k": 1}),
                "clientdata/load": lambda api: api.clientdata.load(["k"]),
            },
        )
        return
    prefix = unique("qbt-plus-test")
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
