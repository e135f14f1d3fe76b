"""Fixtures for the client's tests, which run without Home Assistant."""

import pytest


@pytest.fixture(autouse=True)
def live_sockets(socket_enabled: None) -> None:
    """Every client test talks to a real server on 127.0.0.1."""
