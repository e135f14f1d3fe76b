"""The intent platform: Home Assistant looks here for the integration's intents."""

from .voice.intents import async_setup_intents

__all__ = ["async_setup_intents"]
