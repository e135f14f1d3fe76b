"""Assist's intents: every torrent, the alternative speed limits, torrent counts.

Stop or start every torrent, turn the alternative speed limits on or off, and tell
how many torrents are in a state.

Each intent does what one of the server's entities does, on every loaded server
or on the one its ``server`` slot names, and only through entities Assist may use:
the user decides that by exposing them, as for Home Assistant's own intents.
Answers carry their values as speech slots, which the responses of the sentences
that matched put into words, in the language of those sentences.

The ``intent`` integration calls ``async_setup_intents`` once the integration is
loaded.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
import re
from typing import Any, Final, override

import voluptuous as vol

from homeassistant.components.button.const import SERVICE_PRESS
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    entity_registry as er,
    intent,
    translation,
)
from homeassistant.setup import async_when_setup

from ..const import DOMAIN
from ..data import QbittorrentConfigEntry
from ..entity import server_unique_id
from ..services.targets import STATES
from .sentence_triggers import async_register_sentences

INTENT_STOP_ALL: Final = "QbittorrentStopAll"
INTENT_START_ALL: Final = "QbittorrentStartAll"
INTENT_ALTERNATIVE_SPEED: Final = "QbittorrentSetAlternativeSpeedLimits"
INTENT_COUNT: Final = "QbittorrentCountTorrents"

SLOT_SERVER: Final = "server"
SLOT_STATE: Final = "state"
# The torrent counts the sensors show (``<state>_torrents``).
COUNTED_STATES: Final = ("all", *STATES)

# Said instead of a server's name, "qBittorrent" means every server, unless one of
# them is named so.
_ANY_SERVER = "qbittorrent"
_NOT_A_WORD = re.compile(r"[^\w\s]")
_LEADING_THE = re.compile(r"^the\b\s*")


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the intents, and their English sentences once Assist is set up."""
    for handler in (
        _PressIntent(
            INTENT_STOP_ALL,
            "Stops every torrent of the qBittorrent servers",
            "stop_all",
        ),
        _PressIntent(
            INTENT_START_ALL,
            "Starts every torrent of the qBittorrent servers",
            "start_all",
        ),
        _AlternativeSpeedIntent(),
        _CountIntent(),
    ):
        intent.async_register(hass, handler)
    async_when_setup(hass, "conversation", async_register_sentences)


@dataclass(frozen=True)
class _Targets:
    """The servers an intent acts on, and their entity that does what is asked."""

    titles: list[str]
    states: list[State]


class _QbittorrentIntent(intent.IntentHandler, ABC):
    """An intent done through one entity of each server it is for."""

    platform: Platform
    """The platform of the entity that does what the intent asks."""

    def __init__(self, intent_type: str, description: str) -> None:
        """Name the intent and describe it (for the assistants that list intents)."""
        self.intent_type = intent_type
        self.description = description

    @property
    @override
    def slot_schema(self) -> dict[Any, Any]:
        return {vol.Optional(SLOT_SERVER): cv.string}

    @abstractmethod
    def entity_key(self, slots: Mapping[str, Any]) -> str:
        """Return the key of the server's entity that does what is asked."""

    @abstractmethod
    async def async_act(
        self, intent_obj: intent.Intent, slots: Mapping[str, Any], targets: _Targets
    ) -> intent.IntentResponse:
        """Do what is asked through the targets' entities; return the answer."""

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        slots = self.async_validate_slots(intent_obj.slots)
        try:
            targets = _targets(
                intent_obj,
                _slot_value(slots, SLOT_SERVER),
                self.platform,
                self.entity_key(slots),
            )
            response = await self.async_act(intent_obj, slots, targets)
        except HomeAssistantError as err:
            response = intent_obj.create_response()
            response.async_set_error(
                intent.IntentResponseErrorCode.NO_VALID_TARGETS
                if isinstance(err, ServiceValidationError)
                else intent.IntentResponseErrorCode.FAILED_TO_HANDLE,
                await _spoken(intent_obj.hass, intent_obj.language, err),
            )
            return response
        response.async_set_states(targets.states)
        response.async_set_speech_slots(
            {**response.speech_slots, "servers": targets.titles}
        )
        return response


class _PressIntent(_QbittorrentIntent):
    """Press a button of each server."""

    platform = Platform.BUTTON

    def __init__(self, intent_type: str, description: str, key: str) -> None:
        """Name the intent and the button that does it."""
        super().__init__(intent_type, description)
        self._key = key

    @override
    def entity_key(self, slots: Mapping[str, Any]) -> str:
        return self._key

    @override
    async def async_act(
        self, intent_obj: intent.Intent, slots: Mapping[str, Any], targets: _Targets
    ) -> intent.IntentResponse:
        await _call(intent_obj, self.platform, SERVICE_PRESS, targets)
        return intent_obj.create_response()


class _AlternativeSpeedIntent(_QbittorrentIntent):
    """Turn the alternative speed limits on or off."""

    platform = Platform.SWITCH

    def __init__(self) -> None:
        """Name the intent."""
        super().__init__(
            INTENT_ALTERNATIVE_SPEED,
            "Turns the alternative speed limits of the qBittorrent servers on or off",
        )

    @property
    @override
    def slot_schema(self) -> dict[Any, Any]:
        return {**super().slot_schema, vol.Required(SLOT_STATE): cv.boolean}

    @override
    def entity_key(self, slots: Mapping[str, Any]) -> str:
        return "alternative_speed_limits"

    @override
    async def async_act(
        self, intent_obj: intent.Intent, slots: Mapping[str, Any], targets: _Targets
    ) -> intent.IntentResponse:
        on = _slot_value(slots, SLOT_STATE)
        await _call(
            intent_obj,
            self.platform,
            SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
            targets,
        )
        return intent_obj.create_response()


class _CountIntent(_QbittorrentIntent):
    """Say how many torrents are in a state, over the servers asked about."""

    platform = Platform.SENSOR

    def __init__(self) -> None:
        """Name the intent."""
        super().__init__(
            INTENT_COUNT,
            "Tells how many torrents of the qBittorrent servers are in a state",
        )

    @property
    @override
    def slot_schema(self) -> dict[Any, Any]:
        return {
            **super().slot_schema,
            vol.Required(SLOT_STATE): vol.In(COUNTED_STATES),
        }

    @override
    def entity_key(self, slots: Mapping[str, Any]) -> str:
        return f"{_slot_value(slots, SLOT_STATE)}_torrents"

    @override
    async def async_act(
        self, intent_obj: intent.Intent, slots: Mapping[str, Any], targets: _Targets
    ) -> intent.IntentResponse:
        response = intent_obj.create_response()
        response.response_type = intent.IntentResponseType.QUERY_ANSWER
        response.async_set_speech_slots(
            {"count": sum(int(state.state) for state in targets.states)}
        )
        return response


async def _call(
    intent_obj: intent.Intent, platform: Platform, service: str, targets: _Targets
) -> None:
    """Call an entity action on the targets, as the one who spoke."""
    await intent_obj.hass.services.async_call(
        platform,
        service,
        {ATTR_ENTITY_ID: [state.entity_id for state in targets.states]},
        blocking=True,
        context=intent_obj.context,
    )


def _slot_value(slots: Mapping[str, Any], name: str) -> Any:
    slot = slots.get(name)
    return None if slot is None else slot["value"]


def _targets(
    intent_obj: intent.Intent, server: str | None, platform: Platform, key: str
) -> _Targets:
    """Find the servers asked about and their entity that does what is asked.

    When an assistant asks, only entities it may use are taken. An unavailable one
    refuses: Home Assistant would skip its action, and its state is not current.
    """
    hass = intent_obj.hass
    entries: list[QbittorrentConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    if server is not None:
        entries = _named(entries, server)
    if not entries:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="voice_no_server"
        )
    registry = er.async_get(hass)
    titles: list[str] = []
    states: list[State] = []
    refused: list[str] = []
    for entry in entries:
        entity_id = registry.async_get_entity_id(
            platform, DOMAIN, server_unique_id(entry, key)
        )
        registered = None if entity_id is None else registry.async_get(entity_id)
        if registered is None:
            refused.append(entry.title)
            continue
        state = hass.states.get(registered.entity_id)
        if state is None or (
            intent_obj.assistant is not None
            and not async_should_expose(
                hass, intent_obj.assistant, registered.entity_id
            )
        ):
            refused.append(er.async_get_full_entity_name(hass, registered))
            continue
        if state.state == STATE_UNAVAILABLE:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="voice_unavailable",
                translation_placeholders={"server": entry.title},
            )
        titles.append(entry.title)
        states.append(state)
    if not states:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="voice_not_exposed",
            translation_placeholders={"entity": ", ".join(refused)},
        )
    return _Targets(titles, states)


def _named(
    entries: Sequence[QbittorrentConfigEntry], server: str
) -> list[QbittorrentConfigEntry]:
    """Return the entries a spoken server name means."""
    name = _LEADING_THE.sub("", _words(server))
    if named := [entry for entry in entries if _words(entry.title) == name]:
        return named
    # Nothing but a sentence's optional "the", or "qBittorrent": no server in
    # particular.
    if name in ("", _ANY_SERVER):
        return list(entries)
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="voice_server_not_found",
        translation_placeholders={"name": server},
    )


def _words(text: str) -> str:
    return " ".join(_NOT_A_WORD.sub(" ", text).casefold().split())


async def _spoken(hass: HomeAssistant, language: str, err: HomeAssistantError) -> str:
    """Return an error's message in the language spoken, English where untranslated.

    Home Assistant words translated errors in English only.
    """
    if err.translation_domain is None or err.translation_key is None:
        return str(err)
    messages = await translation.async_get_translations(
        hass, language, "exceptions", {err.translation_domain}
    )
    message = messages.get(
        f"component.{err.translation_domain}.exceptions.{err.translation_key}.message"
    )
    return (
        message.format(**(err.translation_placeholders or {})) if message else str(err)
    )
