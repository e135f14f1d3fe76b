"""The server fixture leaves nothing behind: no process, no profile."""

from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys

import pytest

from .servers import VERSIONS, installed_version, running_server, session_settings

# Starts a server of argv[1] with DHT turned on in the keys that version reads, and
# prints what became of it. Run in a network namespace that has only loopback.
_START_WITH_DHT_ON = """
import json, sys
from pathlib import Path
from tests.servers import QbittorrentServer, UnsealedServerError, session_settings

version = sys.argv[1]
keys = session_settings(version, 0, Path())
dht_on = {key: "true" for key in keys if key.endswith(("DHT", "DHTEnabled"))}
server = QbittorrentServer(version, session=dht_on)
try:
    server.start()
    outcome = {"error": None}
except UnsealedServerError as err:
    outcome = {"error": str(err)}
outcome |= {"dht_keys": sorted(dht_on), "running": server.running,
            "answers": server._answers(None)}
server.destroy()
print(json.dumps(outcome))
"""


def _processes_using(path: Path) -> list[str]:
    """Return the command lines of live processes that mention ``path``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(path) in text:
            found.append(text)
    return found


@pytest.mark.parametrize("version", VERSIONS)
def test_installed_versions(version: str) -> None:
    """The environment runs exactly the qBittorrent versions the tests name."""
    assert installed_version(version) == version


@pytest.mark.parametrize("version", VERSIONS)
def test_nothing_left_behind(version: str) -> None:
    """After a server stops, its processes and its profile are gone."""
    with running_server(version) as server:
        profile = server.profile_dir
        assert server.running
        assert _processes_using(profile)
        assert (profile / "qBittorrent" / "config" / "qBittorrent.conf").exists()

    assert not server.running
    assert not profile.exists()
    assert _processes_using(profile) == []


def test_nothing_left_behind_on_failure() -> None:
    """A test that fails inside the block still stops the server."""
    servers = []

    def failing_test() -> None:
        with running_server(VERSIONS[0]) as server:
            servers.append(server)
            raise RuntimeError("test failed")

    with pytest.raises(RuntimeError, match="test failed"):
        failing_test()
    assert not servers[0].running
    assert not servers[0].profile_dir.exists()
    assert _processes_using(servers[0].profile_dir) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_profile_is_sealed_to_loopback(version: str) -> None:
    """Each version gets its own names for DHT, LSD, PeX and the loopback binding."""
    settings = session_settings(version, 6881, Path("/downloads"))
    switches = {key.rpartition("\\")[2]: value for key, value in settings.items()}

    assert switches["Interface"] == switches["InterfaceName"] == "lo"
    assert switches["InterfaceAddress"] == "127.0.0.1"
    reaching = [
        name for name in switches if name.startswith(("DHT", "LSD", "PeX", "UPnP"))
    ]
    assert len(reaching) == 4
    assert {switches[name] for name in reaching} == {"false"}


@pytest.mark.parametrize("version", VERSIONS)
def test_server_with_dht_on_is_stopped_before_use(version: str) -> None:
    """A profile with DHT on fails the start, and the server is already stopped.

    The server runs in a network namespace of its own that has only loopback, so
    even with DHT on it can reach nothing.
    """
    result = subprocess.run(  # noqa: S603 - the sandbox tool the servers run in too
        [  # noqa: S607
            "bwrap", "--dev-bind", "/", "/", "--unshare-net", "--die-with-parent",
            sys.executable, "-c", _START_WITH_DHT_ON, version,
        ],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    outcome = json.loads(result.stdout)

    assert len(outcome["dht_keys"]) == 1
    assert outcome["error"].startswith(
        f"qbittorrent-nox {version} could reach beyond loopback and was stopped: dht "
    )
    assert "'dht': True" in outcome["error"]
    assert not outcome["running"]
    assert not outcome["answers"]
