"""The integration in a real Home Assistant: ``hass`` started as a user starts it.

This runs in the environment of the newest Home Assistant release, which no test
harness pins yet (``scripts/test-window``), so it needs no harness: Home Assistant
starts from a configuration folder with the integration in ``custom_components``,
the owner is made through onboarding, the entry through the config flow against a
real qBittorrent, and the polls must carry the server's changes. Home Assistant's
log may then hold no warning or error about the integration, shutdown included.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
import re

import pytest

from custom_components.qbittorrent_plus.const import DOMAIN
from scripts.demo import HomeAssistant, wait_until, wait_until_loaded, write_config
from tests.servers import QbittorrentServer, free_port, running_server
from tests.torrents import make_torrent
from tests.webui import WebUI

POLL_TIMEOUT = 30.0
# The start of each record of Home Assistant's log; continuation lines (tracebacks)
# belong to the record above them.
RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+(?:[+-]\d\d:\d\d)? (?P<level>[A-Z]+) \([^)]*\) "
    r"\[(?P<logger>[^\]]+)\] (?P<message>.*)"
)
PROBLEMS = frozenset({"WARNING", "ERROR", "CRITICAL"})
OWN_LOGGER = f"custom_components.{DOMAIN}"
# Home Assistant says this of every custom integration it loads.
CUSTOM_INTEGRATION_NOTICE = f"We found a custom integration {DOMAIN} which"


@dataclass(frozen=True)
class Record:
    """One record of Home Assistant's log, with its continuation lines."""

    level: str
    logger: str
    text: str


def records(log: str) -> list[Record]:
    """Split Home Assistant's log into its records."""
    found: list[Record] = []
    for line in log.splitlines():
        if match := RECORD.match(line):
            found.append(Record(match["level"], match["logger"], line))
        elif found:
            last = found[-1]
            found[-1] = Record(last.level, last.logger, f"{last.text}\n{line}")
    return found


def about_the_integration(record: Record) -> bool:
    """Return whether a warning or error comes from or names the integration."""
    if record.level not in PROBLEMS:
        return False
    if (
        record.logger == "homeassistant.loader"
        and CUSTOM_INTEGRATION_NOTICE in record.text
    ):
        return False
    return record.logger.startswith(OWN_LOGGER) or DOMAIN in record.text


def line(level: str, logger: str, message: str) -> str:
    """Return a line as Home Assistant's log writes it."""
    return f"2026-11-05 10:00:00.000+00:00 {level} (MainThread) [{logger}] {message}"


def test_records_about_the_integration() -> None:
    """Its own warnings count, and others' that name it; the loader's notice not."""
    notice = line("WARNING", "homeassistant.loader", f"{CUSTOM_INTEGRATION_NOTICE} …")
    other = line("WARNING", "homeassistant.core", "About another integration")
    failed = line("ERROR", f"{OWN_LOGGER}.coordinator", "Poll failed")
    traceback = "Traceback (most recent call last):"
    info = line("INFO", OWN_LOGGER, "Connected")
    named = line("ERROR", "homeassistant.setup", f"Setup failed for {DOMAIN}")
    log = f"{notice}\n{other}\n{failed}\n{traceback}\n{info}\n{named}"

    found = [record.text for record in records(log) if about_the_integration(record)]

    assert found == [f"{failed}\n{traceback}", named]


@pytest.fixture
def qbittorrent() -> Iterator[QbittorrentServer]:
    """Run a qBittorrent of the newest version."""
    with running_server("5.3.0") as server:
        yield server


def test_hass_starts_with_the_integration(
    qbittorrent: QbittorrentServer, tmp_path: Path
) -> None:
    """Start, set up, poll a change in and out, stop: nothing to warn about."""
    log_file = asyncio.run(run(tmp_path, qbittorrent))

    log = log_file.read_text(errors="replace")
    # The integration's own lines reach this log, so its problems would too.
    assert any(r.logger.startswith(OWN_LOGGER) for r in records(log))
    assert [r.text for r in records(log) if about_the_integration(r)] == []


async def run(tmp_path: Path, qbittorrent: QbittorrentServer) -> Path:
    """Set the entry up through the config flow and follow a torrent's add and delete.

    Return Home Assistant's log, complete once it has stopped.
    """
    hass = HomeAssistant(tmp_path / "config", free_port(), offline=True)
    write_config(hass.config_dir, port=hass.port, time_zone="UTC")
    try:
        hass.start()
        await hass.wait_until_answering()
        await hass.onboard()
        await hass.wait_until_running()
        await hass.add_entry(
            {
                "url": qbittorrent.url,
                "username": qbittorrent.username,
                "password": qbittorrent.password,
                "verify_ssl": True,
            }
        )
        await wait_until_loaded(hass)
        entity_id = next(
            entity["entity_id"]
            for entity in await hass.entities()
            if entity["translation_key"] == "all_torrents"
        )

        async def shows(count: str) -> bool:
            return bool((await hass.states())[entity_id]["state"] == count)

        await wait_until(lambda: shows("0"), "no torrents", within=POLL_TIMEOUT)
        torrent = await asyncio.to_thread(make_torrent, tmp_path, "start-check")
        async with WebUI(qbittorrent) as webui:
            await webui.add_torrent(torrent)
            await wait_until(lambda: shows("1"), "the torrent", within=POLL_TIMEOUT)
            await webui.delete_torrents(torrent.info_hash)
            await wait_until(lambda: shows("0"), "no torrent", within=POLL_TIMEOUT)
    finally:
        await hass.stop()
    return hass.log_file
