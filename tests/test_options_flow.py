"""The options flow's choice of torrents with devices, against real servers."""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.qbittorrent_plus.const import (
    CONF_SCAN_INTERVAL,
    CONF_TORRENT_CATEGORY,
    CONF_TORRENT_ENTITIES,
    CONF_TORRENT_LIMIT,
    CONF_TORRENT_TAG,
    DEFAULT_TORRENT_LIMIT,
    MAX_TORRENT_LIMIT,
    TORRENT_SELECTIONS,
    TORRENTS_ALL,
    TORRENTS_CATEGORY,
    TORRENTS_NONE,
    TORRENTS_TAG,
)
from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData

from .common import entry_for
from .servers import QbittorrentServer
from .webui import WebUI

pytestmark = pytest.mark.usefixtures("socket_enabled")

TRANSLATIONS = json.loads(
    (
        Path(__file__).parent.parent
        / "custom_components/qbittorrent_plus/translations/en.json"
    ).read_text()
)
CATEGORY = "of-category"
TAG = "of-tag"


@pytest.fixture
async def category_and_tag(webui: WebUI) -> AsyncIterator[None]:
    """Give the server a category and a tag for one test."""
    await webui.post("torrents/createCategory", {"category": CATEGORY, "savePath": ""})
    await webui.post("torrents/createTags", {"tags": TAG})
    yield
    await webui.post("torrents/removeCategories", {"categories": CATEGORY})
    await webui.post("torrents/deleteTags", {"tags": TAG})


async def loaded_entry(
    hass: HomeAssistant, server: QbittorrentServer, options: dict[str, Any]
) -> MockConfigEntry:
    """Add an entry with these options and set it up."""
    base = entry_for(server)
    entry = MockConfigEntry(
        domain=base.domain,
        title=base.title,
        unique_id=base.unique_id,
        data=base.data,
        options=options,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def open_options(hass: HomeAssistant, entry: MockConfigEntry) -> ConfigFlowResult:
    """Open the options form."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    return result


async def submit(
    hass: HomeAssistant, result: ConfigFlowResult, form: dict[str, Any]
) -> ConfigFlowResult:
    """Submit the options form, with a poll interval, and let a reload finish."""
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 5, **form}
    )
    await hass.async_block_till_done()
    return result


def field(result: ConfigFlowResult, key: str) -> tuple[Any, Any]:
    """Return a form field's key marker and validator."""
    schema = result["data_schema"]
    assert schema is not None
    return next(
        (marker, value) for marker, value in schema.schema.items() if marker == key
    )


def offered(result: ConfigFlowResult, key: str) -> list[str]:
    """Return the names a select field of the form offers."""
    return list(field(result, key)[1].config["options"])


def suggested(result: ConfigFlowResult, key: str) -> Any:
    """Return the value a form field suggests (or its default)."""
    marker, _ = field(result, key)
    if marker.description and "suggested_value" in marker.description:
        return marker.description["suggested_value"]
    return marker.default()


@pytest.mark.usefixtures("category_and_tag")
async def test_form_offers_the_servers_categories_and_tags(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """The form lists the server's categories and tags, with no torrent chosen."""
    entry = await loaded_entry(hass, qbittorrent, {CONF_SCAN_INTERVAL: 5})

    result = await open_options(hass, entry)

    assert offered(result, CONF_TORRENT_ENTITIES) == list(TORRENT_SELECTIONS)
    assert offered(result, CONF_TORRENT_CATEGORY) == [CATEGORY]
    assert offered(result, CONF_TORRENT_TAG) == [TAG]
    assert suggested(result, CONF_TORRENT_ENTITIES) == TORRENTS_NONE
    assert suggested(result, CONF_TORRENT_LIMIT) == DEFAULT_TORRENT_LIMIT
    assert result["description_placeholders"] == {
        "max_torrents": str(MAX_TORRENT_LIMIT)
    }
    labels = TRANSLATIONS["selector"][CONF_TORRENT_ENTITIES]["options"]
    assert set(labels) == set(TORRENT_SELECTIONS)


async def test_all_torrents(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """Every torrent, with a limit: stored, and the entry reloads with it."""
    entry = await loaded_entry(hass, qbittorrent, {CONF_SCAN_INTERVAL: 5})
    coordinator = entry.runtime_data.coordinator
    result = await open_options(hass, entry)

    result = await submit(
        hass,
        result,
        {
            CONF_TORRENT_ENTITIES: TORRENTS_ALL,
            CONF_TORRENT_CATEGORY: "left over",
            CONF_TORRENT_LIMIT: 20,
        },
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_SCAN_INTERVAL: 5,
        CONF_TORRENT_ENTITIES: TORRENTS_ALL,
        CONF_TORRENT_LIMIT: 20,
    }
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator is not coordinator


@pytest.mark.parametrize(
    ("selection", "key", "name"),
    [
        (TORRENTS_CATEGORY, CONF_TORRENT_CATEGORY, CATEGORY),
        (TORRENTS_TAG, CONF_TORRENT_TAG, TAG),
        (TORRENTS_CATEGORY, CONF_TORRENT_CATEGORY, "not on the server yet"),
    ],
    ids=["category", "tag", "typed_category"],
)
@pytest.mark.usefixtures("category_and_tag")
async def test_a_name_is_needed_then_recovery(
    hass: HomeAssistant,
    qbittorrent: QbittorrentServer,
    selection: str,
    key: str,
    name: str,
) -> None:
    """A category or tag choice without its name is refused, then taken with one."""
    entry = await loaded_entry(hass, qbittorrent, {CONF_SCAN_INTERVAL: 5})
    result = await open_options(hass, entry)

    result = await submit(hass, result, {CONF_TORRENT_ENTITIES: selection, key: "  "})

    assert result["type"] is FlowResultType.FORM
    error = f"{selection}_required"
    assert result["errors"] == {key: error}
    assert TRANSLATIONS["options"]["error"][error]
    assert entry.options == {CONF_SCAN_INTERVAL: 5}
    # The form keeps what was chosen.
    assert suggested(result, CONF_TORRENT_ENTITIES) == selection

    result = await submit(
        hass, result, {CONF_TORRENT_ENTITIES: selection, key: f" {name} "}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_SCAN_INTERVAL: 5,
        CONF_TORRENT_ENTITIES: selection,
        CONF_TORRENT_LIMIT: DEFAULT_TORRENT_LIMIT,
        key: name,
    }


async def test_none_keeps_only_the_poll_interval(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """Choosing no torrent drops the torrent options; the form showed them."""
    options = {
        CONF_SCAN_INTERVAL: 5,
        CONF_TORRENT_ENTITIES: TORRENTS_TAG,
        CONF_TORRENT_TAG: "gone-tag",
        CONF_TORRENT_LIMIT: 7,
    }
    entry = await loaded_entry(hass, qbittorrent, options)
    result = await open_options(hass, entry)
    assert suggested(result, CONF_TORRENT_ENTITIES) == TORRENTS_TAG
    assert suggested(result, CONF_TORRENT_TAG) == "gone-tag"
    assert suggested(result, CONF_TORRENT_LIMIT) == 7
    # A name the options have stays offered when the server no longer has it.
    assert "gone-tag" in offered(result, CONF_TORRENT_TAG)

    result = await submit(
        hass,
        result,
        {
            CONF_TORRENT_ENTITIES: TORRENTS_NONE,
            CONF_TORRENT_TAG: "gone-tag",
            CONF_TORRENT_LIMIT: 7,
        },
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_SCAN_INTERVAL: 5}


@pytest.mark.parametrize("limit", [0, MAX_TORRENT_LIMIT + 1])
async def test_limit_out_of_bounds(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, limit: int
) -> None:
    """The limit stays between 1 and the most the form allows."""
    entry = await loaded_entry(hass, qbittorrent, {CONF_SCAN_INTERVAL: 5})
    result = await open_options(hass, entry)

    with pytest.raises(InvalidData):
        await submit(
            hass,
            result,
            {CONF_TORRENT_ENTITIES: TORRENTS_ALL, CONF_TORRENT_LIMIT: limit},
        )
    assert entry.options == {CONF_SCAN_INTERVAL: 5}


async def test_unknown_selection_is_refused(
    hass: HomeAssistant, qbittorrent: QbittorrentServer
) -> None:
    """Only the offered choices are taken."""
    entry = await loaded_entry(hass, qbittorrent, {CONF_SCAN_INTERVAL: 5})
    result = await open_options(hass, entry)

    with pytest.raises(InvalidData):
        await submit(hass, result, {CONF_TORRENT_ENTITIES: "some"})
    assert entry.options == {CONF_SCAN_INTERVAL: 5}


async def test_entry_not_loaded(hass: HomeAssistant) -> None:
    """An entry that is not loaded offers only the names its options have."""
    entry = MockConfigEntry(
        domain="qbittorrent_plus",
        data={},
        options={
            CONF_SCAN_INTERVAL: 5,
            CONF_TORRENT_ENTITIES: TORRENTS_CATEGORY,
            CONF_TORRENT_CATEGORY: "films",
            CONF_TORRENT_LIMIT: 50,
        },
    )
    entry.add_to_hass(hass)

    result = await open_options(hass, entry)

    assert offered(result, CONF_TORRENT_CATEGORY) == ["films"]
    assert offered(result, CONF_TORRENT_TAG) == []
    assert suggested(result, CONF_TORRENT_CATEGORY) == "films"
