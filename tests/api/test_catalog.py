"""The endpoint catalog: versions, and a live test for every endpoint."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from custom_components.qbittorrent_plus.api import ENDPOINTS
from custom_components.qbittorrent_plus.api.versions import (
    MAX_SUPPORTED,
    MIN_SUPPORTED,
    first_release,
    format_version,
    is_supported,
    parse_version,
)
from tests.servers import API_VERSIONS


def _claimed_endpoints() -> dict[str, list[str]]:
    """Return, for each endpoint, the test files that name it in an endpoints marker."""
    claimed: dict[str, list[str]] = {}
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "endpoints"
            ):
                for arg in node.args:
                    assert isinstance(arg, ast.Constant), (
                        f"{path.name}: literal paths only"
                    )
                    assert isinstance(arg.value, str)
                    claimed.setdefault(arg.value, []).append(path.name)
    return claimed


def test_every_endpoint_has_a_live_test() -> None:
    """Each catalog endpoint is named by at least one live test, and no name is a typo."""
    claimed = _claimed_endpoints()

    assert sorted(set(ENDPOINTS) - set(claimed)) == []
    assert sorted(set(claimed) - set(ENDPOINTS)) == []


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("2.8.19", (2, 8, 19)),
        ("2.3", (2, 3, 0)),
        ("2", (2, 0, 0)),
        ("v2.16.2", (2, 16, 2)),
    ],
)
def test_parse_version(text: str, version: tuple[int, int, int]) -> None:
    """Versions parse with a dropped trailing .0 and an optional v."""
    assert parse_version(text) == version


@pytest.mark.parametrize("text", ["", "2.x", "1.2.3.4"])
def test_parse_version_refuses_garbage(text: str) -> None:
    """Anything else is refused."""
    with pytest.raises(ValueError, match="version"):
        parse_version(text)


def test_format_version() -> None:
    """A zero patch level is left out, as the server does."""
    assert format_version((2, 3, 0)) == "2.3"
    assert format_version((2, 8, 19)) == "2.8.19"


def test_supported_range_holds_the_test_servers() -> None:
    """Both servers the tests run are inside the supported range, at its top."""
    versions = [parse_version(v) for v in API_VERSIONS.values()]

    assert all(is_supported(v) for v in versions)
    assert max(versions) == MAX_SUPPORTED
    assert not is_supported((1, 9, 0))
    assert not is_supported((MAX_SUPPORTED[0], MAX_SUPPORTED[1] + 1, 0))
    assert MIN_SUPPORTED == (2, 0, 0)


def test_endpoint_versions_and_messages() -> None:
    """Introduced and removed versions bound where an endpoint exists."""
    pause = ENDPOINTS["torrents/pause"]
    stop = ENDPOINTS["torrents/stop"]
    session = ENDPOINTS["transfer/pauseSession"]

    assert pause.exists_in((2, 8, 19))
    assert not pause.exists_in((2, 11, 0))
    assert stop.exists_in((2, 11, 0))
    assert not stop.exists_in((2, 8, 19))
    assert pause.describe_absence((2, 16, 2)) == (
        "torrents/pause was removed in Web API 2.11; use torrents/stop"
    )
    assert session.describe_absence((2, 8, 19)) == (
        "transfer/pauseSession needs Web API 2.16.2 (qBittorrent 5.3.0 or newer); "
        "this server has Web API 2.8.19"
    )
    assert first_release((2, 8, 19)) == "4.5.1"
    assert first_release((3, 0, 0)) == "a newer release"
