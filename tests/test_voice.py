"""Assist: sentences through Home Assistant's own conversation agent, on real servers.

Each sentence goes through ``conversation.async_converse`` (the default agent, as a
voice assistant uses it); the tests check what changed on the server through an
independent WebUI session, or that the answer says what the server reports. The
integration's sentences reach its intents as sentence triggers, whose answers are
words only (a refusal is said, not flagged), so the tests check what is said.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.qbittorrent_plus.const import DOMAIN
from homeassistant.auth.models import User
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import chat_session, intent
from homeassistant.setup import async_setup_component

from .common import entry_for
from .platforms import named_entry, poll, set_up, state_of, stop_path, torrent_states
from .servers import QbittorrentServer
from .torrents import MadeTorrent, make_torrent
from .webui import WebUI, wait_for

pytestmark = pytest.mark.usefixtures("socket_enabled")

PLATFORMS = (Platform.BUTTON, Platform.SENSOR, Platform.SWITCH)
STOP_ALL = "button.qbittorrent_stop_all_torrents"
START_ALL = "button.qbittorrent_start_all_torrents"
COUNT_SENSORS = tuple(
    f"sensor.qbittorrent_{state}_torrents"
    for state in (
        "all",
        "downloading",
        "seeding",
        "completed",
        "stopped",
        "active",
        "errored",
    )
)
DOWNLOAD_SPEED = "sensor.qbittorrent_download_speed"
UPLOAD_SPEED = "sensor.qbittorrent_upload_speed"
SENTENCES = (
    Path(__file__).parent.parent
    / "custom_components"
    / DOMAIN
    / "voice"
    / "sentences"
    / "en.yaml"
)


async def start_assist(hass: HomeAssistant) -> None:
    """Set up what a voice assistant uses: exposure settings, intents, the agent."""
    for component in ("homeassistant", "intent", "conversation"):
        assert await async_setup_component(hass, component, {})


def expose(hass: HomeAssistant, *entity_ids: str, exposed: bool = True) -> None:
    """Let Assist use the entities, as the user does in the voice assistant settings."""
    for entity_id in entity_ids:
        async_expose_entity(hass, conversation.DOMAIN, entity_id, exposed)


async def ask(
    hass: HomeAssistant,
    text: str,
    *,
    context: Context | None = None,
    language: str = "en",
) -> intent.IntentResponse:
    """Say a sentence to Home Assistant's own agent and return its answer."""
    result = await conversation.async_converse(
        hass, text, None, context or Context(), language
    )
    return result.response


def speech(response: intent.IntentResponse) -> str:
    """Return what the agent says."""
    spoken: str = response.speech["plain"]["speech"]
    return spoken


@pytest.fixture
async def assist(
    hass: HomeAssistant, qbittorrent: QbittorrentServer, socket_enabled: None
) -> None:
    """Set up Assist and the module's server, with the entities the intents use."""
    await start_assist(hass)
    await set_up(hass, named_entry(qbittorrent), *PLATFORMS)
    expose(hass, STOP_ALL, START_ALL, *COUNT_SENSORS)


@pytest.fixture
async def seeds(webui: WebUI, tmp_path: Path) -> AsyncIterator[list[MadeTorrent]]:
    """Add two complete torrents to the module's server, and remove them after."""
    made = [make_torrent(tmp_path, name) for name in ("voice-one", "voice-two")]
    for torrent in made:
        await webui.add_torrent(torrent)

    async def seeding() -> bool:
        return set((await torrent_states(webui)).values()) == {"stalledUP"}

    await wait_for(seeding)
    yield made
    await webui.delete_torrents(*(torrent.info_hash for torrent in made))


async def stopped_names(webui: WebUI) -> set[str]:
    """Return the names of the server's stopped torrents."""
    states = await torrent_states(webui)
    return {name for name, state in states.items() if state.startswith("stopped")}


@pytest.mark.parametrize(
    ("sentence", "answer", "stopping"),
    [
        ("pause all torrents", "Paused all torrents on qBittorrent", True),
        ("Resume all the torrents", "Resumed all torrents on qBittorrent", False),
        ("stop all torrents", "Stopped all torrents on qBittorrent", True),
        ("start all torrents", "Started all torrents on qBittorrent", False),
    ],
)
@pytest.mark.usefixtures("assist")
async def test_stop_and_start_all(
    hass: HomeAssistant,
    *,
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    seeds: list[MadeTorrent],
    sentence: str,
    answer: str,
    stopping: bool,
) -> None:
    """Pause, resume, stop and start every torrent; each answer says what it did."""
    names = {torrent.name for torrent in seeds}
    if not stopping:
        await webui.post(stop_path(qbittorrent), {"hashes": "all"})
        await wait_for(lambda: _stopped_are(webui, names))

    response = await ask(hass, sentence)

    assert speech(response) == answer
    await wait_for(lambda: _stopped_are(webui, names if stopping else set()))


async def _stopped_are(webui: WebUI, names: set[str]) -> bool:
    return await stopped_names(webui) == names


@pytest.mark.usefixtures("assist", "normal_speed_limits")
async def test_alternative_speed_limits(hass: HomeAssistant, webui: WebUI) -> None:
    """The limits go on and off; named with the server, the built-in intent does it."""
    response = await ask(hass, "turn on the alternative speed limits")

    assert speech(response) == ("Turned on the alternative speed limits on qBittorrent")
    assert await webui.get("transfer/speedLimitsMode") == "1"

    response = await ask(hass, "turn off the alternative speed limits")

    assert speech(response) == (
        "Turned off the alternative speed limits on qBittorrent"
    )
    assert await webui.get("transfer/speedLimitsMode") == "0"

    # The switch is exposed to Assist by default and named after the server.
    response = await ask(hass, "turn on the qBittorrent alternative speed limits")

    assert response.intent is not None
    assert response.intent.intent_type == intent.INTENT_TURN_ON
    assert await webui.get("transfer/speedLimitsMode") == "1"

    response = await ask(hass, "turn off the qBittorrent alternative speed limits")

    assert response.intent is not None
    assert response.intent.intent_type == intent.INTENT_TURN_OFF
    assert await webui.get("transfer/speedLimitsMode") == "0"


@pytest.fixture
async def counted(webui: WebUI, tmp_path: Path) -> AsyncIterator[None]:
    """Add a seeding, a stopped and a downloading torrent; remove them after."""
    made = {
        "seeding": make_torrent(tmp_path, "voice-seeding"),
        "stopped": make_torrent(tmp_path, "voice-stopped"),
        "downloading": make_torrent(tmp_path, "voice-downloading"),
    }
    await webui.add_torrent(made["seeding"])
    await webui.add_torrent(made["stopped"], stopped=True)
    await webui.add_torrent(made["downloading"], seed=False)

    # Added stopped, a torrent is not checked: qBittorrent counts it as downloading.
    async def settled() -> bool:
        return await torrent_states(webui) == {
            "voice-seeding": "stalledUP",
            "voice-stopped": "stoppedDL",
            "voice-downloading": "stalledDL",
        }

    try:
        await wait_for(settled)
        yield
    finally:
        await webui.delete_torrents(*(torrent.info_hash for torrent in made.values()))


@pytest.mark.parametrize(
    ("sentence", "server_filter", "count", "answer"),
    [
        (
            "how many torrents are downloading",
            "downloading",
            2,
            "2 torrents are downloading",
        ),
        ("how many seeding torrents are there", "seeding", 1, "1 torrent is seeding"),
        ("how many torrents are paused", "stopped", 1, "1 torrent is stopped"),
        ("how many torrents are completed", "completed", 1, "1 torrent is completed"),
        ("how many torrents are active", "active", 0, "No torrents are active"),
        ("how many torrents have errors", "errored", 0, "No torrents have an error"),
        ("how many torrents are there", "all", 3, "There are 3 torrents"),
        (
            "how many torrents is qBittorrent downloading",
            "downloading",
            2,
            "2 torrents are downloading",
        ),
    ],
)
@pytest.mark.usefixtures("assist", "counted")
async def test_count_torrents(
    hass: HomeAssistant,
    *,
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    freezer: FrozenDateTimeFactory,
    sentence: str,
    server_filter: str,
    count: int,
    answer: str,
) -> None:
    """Each count is the number of torrents the server's own filter lists."""
    if server_filter == "stopped" and qbittorrent.version < "5":
        server_filter = "paused"
    await poll(hass, freezer)
    listed = await webui.get("torrents/info", filter=server_filter)
    assert len(listed) == count, server_filter

    response = await ask(hass, sentence)

    assert speech(response) == answer


async def test_speeds(
    hass: HomeAssistant,
    *,
    qbittorrent: QbittorrentServer,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
    webui: WebUI,
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """While the server downloads, the built-in intent says its real speeds."""
    # The limit keeps the download going for a while (qBittorrent 4.5 lets a peer
    # on the same host go faster).
    limit = 100 * 1024
    seeder = qbittorrent_factory(qbittorrent.version)
    made = make_torrent(tmp_path, "voice-speed", size=8_000_000)
    await start_assist(hass)
    await set_up(hass, named_entry(qbittorrent), Platform.SENSOR)
    expose(hass, DOWNLOAD_SPEED, UPLOAD_SPEED)

    async with (
        WebUI(seeder) as seeding,
        webui.temporary_preferences(dl_limit=limit, limit_lan_peers=True),
    ):
        await seeding.add_torrent(made)

        async def seeded() -> bool:
            return (await torrent_states(seeding))["voice-speed"] == "stalledUP"

        await wait_for(seeded)
        await webui.add_torrent(made, seed=False)

        async def ready() -> bool:
            return (await torrent_states(webui))["voice-speed"] == "stalledDL"

        # A peer added while the torrent still loads is forgotten.
        await wait_for(ready)
        await webui.post(
            "torrents/addPeers",
            {"hashes": made.info_hash, "peers": f"127.0.0.1:{seeder.torrent_port}"},
        )

        async def downloading() -> bool:
            info: dict[str, Any] = await webui.get("transfer/info")
            return bool(info["dl_info_speed"] > limit / 2)

        await wait_for(downloading, timeout=30)
        await poll(hass, freezer)

        download = float(state_of(hass, DOWNLOAD_SPEED))
        upload = float(state_of(hass, UPLOAD_SPEED))
        # MiB/s, as the sensors show them.
        assert download > upload

        response = await ask(hass, "what is the qBittorrent download speed")

        assert response.intent is not None
        assert response.intent.intent_type == intent.INTENT_GET_STATE
        assert speech(response) == (
            f"Qbittorrent download speed is {download:.2f} MiB/s"
        )

        response = await ask(hass, "what is the qBittorrent upload speed")

        assert speech(response) == f"Qbittorrent upload speed is {upload:.2f} MiB/s"

        await webui.delete_torrents(made.info_hash, delete_files=True)


@pytest.mark.usefixtures("assist")
async def test_servers_by_name(
    hass: HomeAssistant,
    *,
    qbittorrent: QbittorrentServer,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
    webui: WebUI,
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A sentence that names a server acts on it alone; one that does not, on all."""
    nas = qbittorrent_factory(qbittorrent.version)
    nas_entry = MockConfigEntry(
        domain=DOMAIN, title="NAS", unique_id="nas", data={**entry_for(nas).data}
    )
    await set_up(hass, nas_entry, *PLATFORMS)
    expose(hass, "button.nas_stop_all_torrents", "sensor.nas_all_torrents")
    made = make_torrent(tmp_path, "voice-nas")
    async with WebUI(nas) as nas_webui:
        await nas_webui.add_torrent(made)

        async def seeding() -> bool:
            return (await torrent_states(nas_webui))["voice-nas"] == "stalledUP"

        await wait_for(seeding)
        await poll(hass, freezer)

        for sentence, answer in (
            ("how many torrents are there on the NAS", "There is 1 torrent"),
            ("how many torrents does qBittorrent have", "There are no torrents"),
            ("how many torrents are there", "There is 1 torrent"),
        ):
            assert speech(await ask(hass, sentence)) == answer

        response = await ask(hass, "turn on the alternative speed limits on NAS")

        assert speech(response) == "Turned on the alternative speed limits on NAS"
        assert await nas_webui.get("transfer/speedLimitsMode") == "1"
        assert await webui.get("transfer/speedLimitsMode") == "0"

        response = await ask(hass, "turn off the alternative speed limits")

        assert speech(response) == (
            "Turned off the alternative speed limits on qBittorrent and NAS"
        )
        assert await nas_webui.get("transfer/speedLimitsMode") == "0"

        response = await ask(hass, "pause all the NAS torrents")

        assert speech(response) == "Paused all torrents on NAS"

        async def paused() -> bool:
            return await stopped_names(nas_webui) == {"voice-nas"}

        await wait_for(paused)

        response = await ask(hass, "pause all torrents on the attic")

        assert speech(response) == ("There is no qBittorrent server named the attic.")


@pytest.mark.usefixtures("assist")
async def test_refused(
    hass: HomeAssistant,
    webui: WebUI,
    seeds: list[MadeTorrent],
    hass_read_only_user: User,
) -> None:
    """Assist does nothing through an entity it may not use, or for who may not."""
    expose(hass, STOP_ALL, exposed=False)

    for language in ("en", "de"):
        response = await ask(hass, "pause all torrents", language=language)

        # Without a translation, the answer is English.
        assert speech(response) == (
            "Assist may not use qBittorrent Stop all torrents: expose it to Assist"
            " in the voice assistant settings, and enable it if it is disabled."
        )

    expose(hass, STOP_ALL)
    response = await ask(
        hass, "pause all torrents", context=Context(user_id=hass_read_only_user.id)
    )

    assert speech(response) == "Unauthorized"
    assert await stopped_names(webui) == set()


async def test_server_down(
    hass: HomeAssistant,
    qbittorrent_factory: Callable[[str], QbittorrentServer],
    freezer: FrozenDateTimeFactory,
) -> None:
    """An action the server cannot take says why; a count it cannot know refuses."""
    server = qbittorrent_factory("5.3.0")
    await start_assist(hass)
    entry = MockConfigEntry(
        domain=DOMAIN, title="Seedbox", unique_id="seedbox", data=entry_for(server).data
    )
    await set_up(hass, entry, *PLATFORMS)
    expose(hass, "button.seedbox_stop_all_torrents", "sensor.seedbox_all_torrents")
    await hass.async_add_executor_job(server.stop)

    # "qBittorrent" means every server when none is named so.
    response = await ask(hass, "pause all torrents in qBittorrent")

    assert speech(response).startswith("Cannot connect to qBittorrent: ")

    await poll(hass, freezer)
    response = await ask(hass, "how many torrents are there")

    assert speech(response) == (
        "Seedbox is unavailable: Home Assistant cannot reach it at the moment."
    )


async def test_no_server(hass: HomeAssistant, qbittorrent: QbittorrentServer) -> None:
    """Without the entity an intent needs, or without a server, Assist says so."""
    await start_assist(hass)
    entry = named_entry(qbittorrent)
    await set_up(hass, entry, Platform.BUTTON)

    response = await ask(hass, "how many torrents are there")

    assert speech(response).startswith("Assist may not use qBittorrent: ")

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    response = await ask(hass, "pause all torrents")

    assert speech(response) == "No qBittorrent server is set up and loaded."


@pytest.mark.parametrize(
    ("sentence", "answer", "mode"),
    [
        (
            "turn on the alternative speed limits",
            "Turned on the alternative speed limits on qBittorrent",
            "1",
        ),
        (
            "disable the alternate speed limit on qBittorrent",
            "Turned off the alternative speed limits on qBittorrent",
            "0",
        ),
    ],
)
@pytest.mark.usefixtures("normal_speed_limits")
async def test_as_custom_sentences(
    hass: HomeAssistant,
    *,
    qbittorrent: QbittorrentServer,
    webui: WebUI,
    tmp_path: Path,
    sentence: str,
    answer: str,
    mode: str,
) -> None:
    """The sentence file, as the user's own custom sentences, reaches the intents.

    So a translation of it works: the agent matches its sentences to the intents
    and words the answers with its responses. Asked for intents only, the agent
    leaves out the sentence triggers the integration registers.
    """
    hass.config.config_dir = str(tmp_path)
    custom = tmp_path / "custom_sentences" / "en"
    custom.mkdir(parents=True)
    shutil.copy(SENTENCES, custom / "qbittorrent_plus.yaml")
    await start_assist(hass)
    await set_up(hass, named_entry(qbittorrent), *PLATFORMS)
    expose(hass, "sensor.qbittorrent_all_torrents")
    assert await webui.get("torrents/info") == []
    if await webui.get("transfer/speedLimitsMode") == mode:
        await webui.post("transfer/toggleSpeedLimitsMode")

    response = await handle_intents(hass, sentence)

    assert response is not None
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert speech(response) == answer
    assert await webui.get("transfer/speedLimitsMode") == mode

    response = await handle_intents(hass, "how many torrents are there")

    assert response is not None
    assert response.response_type is intent.IntentResponseType.QUERY_ANSWER
    assert speech(response) == "There are no torrents"


async def handle_intents(
    hass: HomeAssistant, text: str
) -> intent.IntentResponse | None:
    """Have the default agent match a sentence to intents only, and answer it."""
    user_input = conversation.ConversationInput(
        text=text,
        context=Context(),
        conversation_id=None,
        device_id=None,
        satellite_id=None,
        language="en",
        agent_id=conversation.HOME_ASSISTANT_AGENT,
    )
    with (
        chat_session.async_get_chat_session(hass) as session,
        conversation.async_get_chat_log(hass, session, user_input) as chat_log,
    ):
        return await conversation.async_handle_intents(hass, user_input, chat_log)
