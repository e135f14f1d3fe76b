"""scripts/develop's demo: the whole thing run for real, then stopped.

Each test runs the demo as scripts/develop does (``python -m scripts.demo``; the shell
script around it only enters the environment), with its files and servers under the
test's own folder, so a process or file left behind is found by that folder's name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
import os
from pathlib import Path
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from typing import IO, Any

import pytest

from scripts.demo import TORRENT_ORDER, dashboard_config, demo_torrents

from .servers import HA_VERSIONS, free_port

PROJECT_DIR = Path(__file__).resolve().parent.parent
RUN_TIMEOUT = 150.0
STOP_TIMEOUT = 40.0


def processes_mentioning(text: str) -> list[str]:
    """Return the command lines of running processes that contain ``text``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # gone meanwhile
        if text in command:
            found.append(command)
    return found


@pytest.fixture
def demo_dirs(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """Return the demo's state folder and an environment with the test's own tmp.

    Afterwards nothing of the demo may be running or left in that folder.
    """
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    yield tmp_path / "state", env
    assert processes_mentioning(str(tmp_path)) == []
    assert list(temp.iterdir()) == []


def pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    """Pass a stream's lines on, until it ends."""
    for line in stream:
        lines.put(line)


def drain(lines: queue.Queue[str]) -> str:
    """Return the lines waiting in the queue."""
    text = ""
    with suppress(queue.Empty):
        while True:
            text += lines.get_nowait()
    return text


def demo_command(state_dir: Path, *args: str) -> list[str]:
    """Return the command line scripts/develop runs, on a free port."""
    return [
        sys.executable, "-m", "scripts.demo",
        "--state-dir", str(state_dir), "--port", str(free_port()), *args,
    ]  # fmt: skip


@pytest.mark.parametrize("version", HA_VERSIONS)
def test_check_mode_sees_the_integration_work(
    demo_dirs: tuple[Path, dict[str, str]], version: str
) -> None:
    """--check starts everything and stops it again once Home Assistant shows it.

    It finds the entities with values, every demo torrent with a device of its own
    (set through the options flow), the automation from the blueprint on, and the
    download speed above 0.
    """
    state_dir, env = demo_dirs
    result = subprocess.run(  # noqa: S603
        demo_command(state_dir, "--check", "--qbittorrent", version),
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"starting qBittorrent {version} and a peer" in output
    assert "check: passed" in output
    assert "check failed" not in output
    speed = re.search(r"check: sensor\.\w+_download_speed = ([0-9.]+) MiB/s", output)
    assert speed is not None, output
    assert float(speed.group(1)) > 0
    enabled = re.search(r"check: (\d+) entities, (\d+) enabled, (\d+) of them", output)
    assert enabled is not None, output
    assert int(enabled.group(2)) > 0
    assert enabled.group(2) == enabled.group(3)
    torrents = len(demo_torrents(small=True))
    assert (
        f"check: {torrents} torrent devices, {torrents} with all of "
        f"{len(TORRENT_ORDER)} entities enabled"
    ) in output
    assert re.search(r"check: automation\.\w+ \(from the blueprint\) is on", output)
    # What the user opens: the configuration, its log and a token for the API.
    assert (state_dir / "config" / "configuration.yaml").is_file()
    assert (state_dir / "config" / "home-assistant.log").is_file()
    blueprints = state_dir / "config" / "blueprints" / "automation"
    assert (blueprints / "qbittorrent_plus" / "download_completed.yaml").is_file()
    assert (state_dir / "token").stat().st_mode & 0o777 == 0o600


def test_ctrl_c_stops_everything(demo_dirs: tuple[Path, dict[str, str]]) -> None:
    """The demo runs until Ctrl-C, then stops every process it started."""
    state_dir, env = demo_dirs
    process = subprocess.Popen(  # noqa: S603
        demo_command(state_dir),
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=pump, args=(process.stdout, lines))
    reader.start()
    banner = ""
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while "Press Ctrl-C" not in banner:
            assert process.poll() is None, banner
            left = deadline - time.monotonic()
            assert left > 0, banner
            with suppress(queue.Empty):
                banner += lines.get(timeout=min(left, 1))
        url = re.search(r"Home Assistant:\s+(http://127\.0\.0\.1:\d+/\S+)", banner)
        assert url is not None, banner
        assert re.search(r"user demo, password \S+", banner)
        assert f"Its torrents:    {url.group(1)}/torrents" in banner
        assert processes_mentioning("qbittorrent-nox --profile=" + env["TMPDIR"])
        assert processes_mentioning(f"--config {state_dir}")
    finally:
        # Ctrl-C also when something above failed: a killed demo would leave its
        # servers and Home Assistant running.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            reader.join()
    rest = drain(lines)
    assert process.returncode == 0, banner + rest
    assert "SIGINT: stopping everything" in rest
    assert rest.rstrip().endswith("demo: stopped")


SERVER_DEVICE = "server"


def registry_entry(
    entity_id: str,
    key: str | None,
    *,
    disabled: bool = False,
    device: str = SERVER_DEVICE,
) -> dict[str, Any]:
    """Return an entity registry entry as the websocket lists it."""
    return {
        "entity_id": entity_id,
        "translation_key": key,
        "disabled_by": "integration" if disabled else None,
        "device_id": device,
    }


def device_entry(
    device_id: str, name: str, *, renamed: str | None = None
) -> dict[str, Any]:
    """Return a device registry entry as the websocket lists it."""
    return {
        "id": device_id,
        "name": name,
        "name_by_user": renamed,
        "via_device_id": None if device_id == SERVER_DEVICE else SERVER_DEVICE,
    }


def torrent_entities(device: str, slug: str) -> list[dict[str, Any]]:
    """Return a torrent's entities, in no particular order, one of them disabled."""
    return [
        registry_entry(
            f"button.{slug}_force_recheck", "torrent_recheck", device=device
        ),
        registry_entry(f"switch.{slug}_running", "torrent_running", device=device),
        registry_entry(f"sensor.{slug}_state", "torrent_state", device=device),
        registry_entry(f"sensor.{slug}_progress", "torrent_progress", device=device),
        registry_entry(
            f"sensor.{slug}_ratio", "torrent_ratio", device=device, disabled=True
        ),
        registry_entry(f"sensor.{slug}_newer", "torrent_newer", device=device),
    ]


def sections_of(view: dict[str, Any]) -> dict[str, list[str]]:
    """Return a view's sections by heading, each as its cards' entities."""
    return {
        section["cards"][0]["heading"]: [
            card.get("entity") for card in section["cards"][1:]
        ]
        for section in view["sections"]
    }


def test_dashboard_groups_the_enabled_entities() -> None:
    """Speeds first with their graph, then counts and events, controls and the rest.

    Disabled entities stay off; an entity of an unknown kind still shows up.
    Without torrents' devices there is no torrents' view.
    """
    config = dashboard_config(
        [
            registry_entry("sensor.q_upload_speed", "upload_speed"),
            registry_entry("sensor.q_download_speed", "download_speed"),
            registry_entry("event.q_torrents", "torrents"),
            registry_entry("sensor.q_all_torrents", "all_torrents"),
            registry_entry(
                "sensor.q_moving_torrents", "moving_torrents", disabled=True
            ),
            registry_entry("switch.q_alternative", "alternative_speed_limits"),
            registry_entry("button.q_stop_all", "stop_all"),
            registry_entry("sensor.q_something_new", None),
        ],
        [device_entry(SERVER_DEVICE, "qBittorrent")],
    )
    (view,) = config["views"]
    sections = {
        section["cards"][0]["heading"]: section["cards"][1:]
        for section in view["sections"]
    }
    assert list(sections) == ["Transfer", "Torrents", "Controls", "Server"]
    transfer = sections["Transfer"]
    assert [card.get("entity") for card in transfer] == [
        "sensor.q_download_speed",
        "sensor.q_upload_speed",
        None,
    ]
    assert transfer[2]["type"] == "history-graph"
    assert [e["entity"] for e in transfer[2]["entities"]] == [
        "sensor.q_download_speed",
        "sensor.q_upload_speed",
    ]
    assert [card["entity"] for card in sections["Torrents"]] == [
        "sensor.q_all_torrents",
        "event.q_torrents",
    ]
    assert [card["entity"] for card in sections["Controls"]] == [
        "switch.q_alternative",
        "button.q_stop_all",
    ]
    assert [card["entity"] for card in sections["Server"]] == ["sensor.q_something_new"]


def test_dashboard_gives_each_torrent_a_section() -> None:
    """Torrents' devices get a view of their own, a section each, by name.

    A torrent's tiles start with its progress and state; an entity of an unknown
    kind comes last. The server's view keeps only the server's entities.
    """
    config = dashboard_config(
        [
            registry_entry("sensor.q_download_speed", "download_speed"),
            *torrent_entities("t1", "zeta"),
            *torrent_entities("t2", "alpha"),
        ],
        [
            device_entry("t1", "Zeta.iso"),
            device_entry(SERVER_DEVICE, "qBittorrent"),
            device_entry("t2", "beta", renamed="Alpha"),
        ],
    )
    server, torrents = config["views"]
    assert sections_of(server) == {"Transfer": ["sensor.q_download_speed", None]}
    assert torrents["path"] == "torrents"
    assert sections_of(torrents) == {
        name: [
            f"sensor.{slug}_progress",
            f"sensor.{slug}_state",
            f"switch.{slug}_running",
            f"button.{slug}_force_recheck",
            f"sensor.{slug}_newer",
        ]
        for name, slug in (("Alpha", "alpha"), ("Zeta.iso", "zeta"))
    }
    assert list(sections_of(torrents)) == ["Alpha", "Zeta.iso"]


def test_dashboard_leaves_out_empty_sections() -> None:
    """A server without controls gets no empty Controls heading."""
    config = dashboard_config(
        [registry_entry("sensor.q_download_speed", "download_speed")], []
    )
    (view,) = config["views"]
    assert [s["cards"][0]["heading"] for s in view["sections"]] == ["Transfer"]
