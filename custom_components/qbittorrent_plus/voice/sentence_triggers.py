"""The English sentences of the intents, registered with Assist as sentence triggers.

Home Assistant's default conversation agent takes new sentences for intents only
from the user's configuration, not from an integration; a sentence trigger is how
an integration makes it understand a sentence. Each block of sentences of
``sentences/en.yaml`` becomes one trigger, which hands the intent its slots (the
block's own, and the server named) and speaks the block's response. Sentence
triggers come before every intent, in whatever language the pipeline speaks, and
answer with words only: a refusal is said, not flagged as an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Final

from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent, template
from homeassistant.helpers.script import ScriptRunResult
from homeassistant.helpers.trigger import (
    async_initialize_triggers,
    async_validate_trigger_config,
)
from homeassistant.util.yaml import load_yaml_dict

from ..const import DOMAIN, LOGGER

SENTENCES: Final = Path(__file__).parent / "sentences" / "en.yaml"
CONVERSATION: Final = "conversation"


@dataclass(frozen=True, kw_only=True)
class SentenceBlock:
    """Sentences that mean one intent with the same fixed slots."""

    intent_type: str
    sentences: list[str]
    slots: Mapping[str, Any]
    response: str
    """The template of the answer, given the intent's speech slots as ``slots``."""


def load_sentence_blocks() -> dict[str, SentenceBlock]:
    """Read the sentence file into its blocks, by trigger id."""
    content = load_yaml_dict(SENTENCES)
    responses: Mapping[str, Mapping[str, str]] = content["responses"]["intents"]
    return {
        f"{intent_type}/{index}": SentenceBlock(
            intent_type=intent_type,
            sentences=data["sentences"],
            slots=data.get("slots", {}),
            response=responses[intent_type][data.get("response", "default")],
        )
        for intent_type, intent_data in content["intents"].items()
        for index, data in enumerate(intent_data["data"])
    }


async def async_register_sentences(hass: HomeAssistant, _component: str) -> None:
    """Make Assist's default agent understand the sentences, while Home Assistant runs."""
    blocks = await hass.async_add_executor_job(load_sentence_blocks)
    config = await async_validate_trigger_config(
        hass,
        [
            {"platform": CONVERSATION, "id": trigger_id, "command": block.sentences}
            for trigger_id, block in blocks.items()
        ],
    )
    await async_initialize_triggers(
        hass,
        config,
        partial(_answer, hass, blocks),
        DOMAIN,
        "qBittorrent Plus sentences",
        _log,
    )


async def _answer(
    hass: HomeAssistant,
    blocks: Mapping[str, SentenceBlock],
    run_variables: Mapping[str, Any],
) -> ScriptRunResult:
    """Handle a sentence's intent and return what Assist says.

    The sentence's context is the speaker's: the intent acts with their rights.
    """
    trigger: Mapping[str, Any] = run_variables["trigger"]
    user_input: Mapping[str, Any] = trigger["user_input"]
    block = blocks[trigger["id"]]
    values = {**block.slots, **trigger["slots"]}
    response = await intent.async_handle(
        hass,
        CONVERSATION,
        block.intent_type,
        {name: {"value": value, "text": value} for name, value in values.items()},
        trigger["sentence"],
        Context(**user_input["context"]),
        user_input["language"],
        assistant=CONVERSATION,
        device_id=trigger["device_id"],
        satellite_id=trigger["satellite_id"],
        conversation_agent_id=user_input["agent_id"],
    )
    speech: str = response.speech.get("plain", {}).get("speech", "")
    if not speech:
        answer = template.Template(block.response, hass).async_render(
            {"slots": values | response.speech_slots}, parse_result=False
        )
        speech = " ".join(answer.split())
    return ScriptRunResult(
        conversation_response=speech, service_response=None, variables={}
    )


def _log(level: int, message: str, **kwargs: Any) -> None:
    LOGGER.log(level, "Assist sentences: %s", message, **kwargs)
