"""The server fixture leaves nothing behind: no process, no profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from .servers import VERSIONS, installed_version, running_server


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
