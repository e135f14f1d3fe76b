"""The demo behind scripts/develop: qBittorrent Plus in a real Home Assistant.

It starts two local qBittorrent servers that trade torrents made on the spot (the demo
server downloads one from the other and seeds one to it, so both speeds move), then a
Home Assistant with its frontend, owner and onboarding done, and the integration set up
against the demo server through its own config flow. It prints the URL and the login,
keeps the transfers going (a finished download starts over) and shows the
integration's log lines until Ctrl-C, which stops everything it started.

Through the options flow every demo torrent gets a device of its own, and an
automation made from the blueprint that comes with the integration notifies in Home
Assistant when a download completes.

With ``--check`` it stops after checking that the integration loaded, that its
entities (the torrents' devices' included) have values, that the automation is on,
and that the download speed Home Assistant shows is above 0.

Run it through scripts/develop (it runs inside the project's environment):
    python -m scripts.demo --state-dir DIR [--check] [--port N] [--qbittorrent 4.5.2]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, suppress
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any

import aiohttp

from custom_components.qbittorrent_plus.api import Client
from custom_components.qbittorrent_plus.const import (
    CONF_TORRENT_ENTITIES,
    DOMAIN,
    TORRENTS_ALL,
)
from homeassistant.components.http.config import (
    HTTP_STORAGE_SCHEMA,
    STORAGE_MINOR_VERSION as HTTP_STORAGE_MINOR_VERSION,
    STORAGE_VERSION as HTTP_STORAGE_VERSION,
)
from homeassistant.util import dt as dt_util
from tests.servers import VERSIONS, QbittorrentServer, free_port
from tests.torrents import MadeTorrent, make_torrent

PROJECT_DIR = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
KIB = 1024
HA_DEFAULT_PORT = 8123
HA_START_TIMEOUT = 180.0
HA_STOP_TIMEOUT = 30.0
ENTITIES_TIMEOUT = 60.0
SPEED_TIMEOUT = 45.0
SWARM_INTERVAL = 2.0
# How long a finished download stays complete before it starts over.
COMPLETE_HOLD = 20.0
USERNAME = "demo"
DASHBOARD = "qbittorrent-plus"
CONTROL_ORDER = ("switch", "button", "number")
# A torrent's tiles, its state first, then what it moves, then what it does.
TORRENT_ORDER = (
    "torrent_progress",
    "torrent_state",
    "torrent_download_speed",
    "torrent_upload_speed",
    "torrent_eta",
    "torrent_ratio",
    "torrent_size",
    "torrent_running",
    "torrent_recheck",
)
INSTALL_METHOD_ISSUE = ("homeassistant", "deprecated_method")
# Domains whose entities have no state until something happens.
STATELESS = frozenset({"button", "event"})
# Entities for which unknown is a value: a complete torrent, or one without a peer,
# has no ETA.
UNKNOWN_IS_A_VALUE = frozenset({"torrent_eta"})
# Every demo torrent gets a device: between them they show most of the states.
TORRENT_OPTIONS = {CONF_TORRENT_ENTITIES: TORRENTS_ALL}
BLUEPRINT = Path("qbittorrent_plus") / "download_completed.yaml"
AUTOMATION_ID = "qbittorrent_plus_download_completed"
# Requirements of Home Assistant's always-loaded voice pipeline that have no wheel
# for this Python and need a compiler to build; the demo does without them.
UNBUILDABLE = "pymicro-vad,pyspeex-noise"

# The demo server's limits (bytes per second). qBittorrent applies them to peers on
# the local network too (limit_lan_peers), so they set the pace of the demo.
LIMITS = {
    "dl_limit": 2 * MIB,
    "up_limit": 1 * MIB,
    "alt_dl_limit": 512 * KIB,
    "alt_up_limit": 256 * KIB,
}
# Both servers: TCP only (uTP handshakes over loopback sometimes never complete),
# limits for local peers, a queue roomy enough that nothing waits in it, and
# qBittorrent's own statistics interval (the test servers refresh every 0.1 s, too
# short for 4.5.2, whose global speeds then read 0 most of the time).
COMMON_PREFERENCES: dict[str, Any] = {
    "bittorrent_protocol": 1,
    "refresh_interval": 1500,
    "limit_lan_peers": True,
    "queueing_enabled": True,
    "max_active_downloads": 3,
    "max_active_uploads": 8,
    "max_active_torrents": 10,
}


@dataclass(frozen=True)
class DemoTorrent:
    """A torrent of the demo and how it is placed on the two servers."""

    name: str
    size: int = 0
    files: dict[str, int] | None = None
    category: str | None = None
    tags: str | None = None
    role: str = "seed"
    """``seed``: complete on the demo server; ``download``: the demo server
    downloads it from the peer; ``upload``: the peer downloads it from the demo
    server; ``stopped``: complete and stopped; ``wanted``: incomplete, no peer."""


def demo_torrents(*, small: bool) -> list[DemoTorrent]:
    """Return the torrents of the demo; ``small`` keeps a check run quick."""
    scale = 4 if small else 1
    return [
        DemoTorrent(
            "demo-os-26.10-amd64.iso",
            size=256 * MIB // scale,
            category="linux",
            role="download",
        ),
        DemoTorrent(
            "Field recordings (FLAC)",
            files={f"{n:02d} - Side {n}.flac": 24 * MIB // scale for n in range(1, 9)},
            category="music",
            tags="demo",
            role="upload",
        ),
        DemoTorrent(
            "Photo archive 2025",
            files={f"2025-{month:02d}.tar": 2 * MIB for month in range(1, 13)},
            category="photos",
            tags="archive",
        ),
        DemoTorrent("Conference talks 2026.mkv", size=12 * MIB, category="video"),
        DemoTorrent(
            "Old backups", files={"home.tar": 6 * MIB}, tags="archive", role="stopped"
        ),
        DemoTorrent(
            "nightly-build-2026-11-27.tar.zst",
            size=8 * MIB,
            category="linux",
            role="wanted",
        ),
    ]


def say(message: str) -> None:
    """Print a progress line at once (the output may be a pipe)."""
    print(message, flush=True)


def port_is_free(port: int) -> bool:
    """Return whether nothing listens on this port of 127.0.0.1."""
    with socket.socket() as sock:
        # As Home Assistant binds: connections closed a moment ago do not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


async def wait_until[T](
    probe: Callable[[], Awaitable[T | None]],
    what: str,
    *,
    within: float,
    interval: float = 0.5,
) -> T:
    """Poll ``probe`` until it returns something truthy; fail with ``what``."""
    deadline = time.monotonic() + within
    while not (result := await probe()):
        if time.monotonic() > deadline:
            msg = f"timed out after {within:.0f} s waiting for {what}"
            raise TimeoutError(msg)
        await asyncio.sleep(interval)
    return result


@dataclass
class Flow:
    """One torrent that a leecher downloads from a seeder, over and over."""

    torrent: MadeTorrent
    leecher: Client
    seeder_port: int
    category: str | None
    tags: str | None
    hold: float
    completed_at: float | None = None


@dataclass
class Swarm:
    """The demo server, its peer, and the transfers between them."""

    demo: QbittorrentServer
    peer: QbittorrentServer
    work_dir: Path
    small: bool
    flows: list[Flow] = field(default_factory=list)
    clients: dict[str, Client] = field(default_factory=dict)

    async def start(self, stack: AsyncExitStack) -> None:
        """Start both servers, make the torrents and place them."""
        for server in (self.demo, self.peer):
            stack.callback(server.destroy)
            await asyncio.to_thread(server.start)
        demo = await stack.enter_async_context(
            Client(self.demo.url, self.demo.username, self.demo.password)
        )
        peer = await stack.enter_async_context(
            Client(self.peer.url, self.peer.username, self.peer.password)
        )
        self.clients = {"demo": demo, "peer": peer}
        await demo.app_set_preferences({**COMMON_PREFERENCES, **LIMITS})
        await peer.app_set_preferences(COMMON_PREFERENCES)
        torrents = demo_torrents(small=self.small)
        for category in sorted({t.category for t in torrents if t.category}):
            await demo.torrents_create_category(category)
        for spec in torrents:
            made = await asyncio.to_thread(
                make_torrent, self.work_dir, spec.name, files=spec.files, size=spec.size
            )
            await self._place(spec, made)

    async def _place(self, spec: DemoTorrent, made: MadeTorrent) -> None:
        demo, peer = self.clients["demo"], self.clients["peer"]
        options: dict[str, Any] = {"category": spec.category, "tags": spec.tags}
        match spec.role:
            case "download":
                await peer.torrents_add(
                    torrent_files=made.data, save_path=made.save_path
                )
                flow = Flow(
                    made, demo, self.peer.torrent_port, hold=COMPLETE_HOLD, **options
                )
                self.flows.append(flow)
                await self._add_for_download(flow)
            case "upload":
                await demo.torrents_add(
                    torrent_files=made.data, save_path=made.save_path, **options
                )
                flow = Flow(
                    made, peer, self.demo.torrent_port, category=None, tags=None, hold=0
                )
                self.flows.append(flow)
                await self._add_for_download(flow)
            case "wanted":
                await demo.torrents_add(torrent_files=made.data, **options)
            case "stopped":
                await demo.torrents_add(
                    torrent_files=made.data, save_path=made.save_path, **options
                )
                await self._complete(demo, made.info_hash)
                await demo.torrents_stop(made.info_hash)
            case _:
                await demo.torrents_add(
                    torrent_files=made.data, save_path=made.save_path, **options
                )

    @staticmethod
    async def _complete(client: Client, info_hash: str) -> None:
        async def complete() -> bool:
            found = await client.torrents_info(
                torrent_hashes=info_hash, simple_responses=True
            )
            return bool(found) and found[0]["progress"] == 1

        await wait_until(complete, "a torrent's hash check", within=60)

    @staticmethod
    async def _add_for_download(flow: Flow) -> None:
        # Saved to the leecher's default folder, so it starts empty and downloads.
        await flow.leecher.torrents_add(
            torrent_files=flow.torrent.data, category=flow.category, tags=flow.tags
        )
        flow.completed_at = None

    async def tend(self) -> None:
        """Keep every transfer going: connect peers, start finished ones over."""
        for flow in self.flows:
            found = await flow.leecher.torrents_info(
                torrent_hashes=flow.torrent.info_hash, simple_responses=True
            )
            if not found:
                await self._add_for_download(flow)
                continue
            torrent = found[0]
            if torrent["progress"] < 1:
                if torrent["num_seeds"] == 0:
                    # Without DHT, PeX or trackers the peers only meet when told;
                    # a peer offered while the torrent is being checked can be
                    # dropped, so it is offered until the connection shows.
                    await flow.leecher.torrents_add_peers(
                        f"127.0.0.1:{flow.seeder_port}", flow.torrent.info_hash
                    )
                continue
            now = time.monotonic()
            if flow.completed_at is None:
                flow.completed_at = now
            elif now - flow.completed_at >= flow.hold:
                await flow.leecher.torrents_delete(
                    delete_files=True, torrent_hashes=flow.torrent.info_hash
                )

    async def downloading(self) -> bool:
        """Return whether the demo server is downloading right now."""
        info = await self.clients["demo"].transfer_info(simple_responses=True)
        return bool(info["dl_info_speed"] > 0)

    async def keep_going(self) -> None:
        """Tend the transfers until cancelled; a failure is reported, not fatal."""
        failing = False
        while True:
            try:
                await self.tend()
            except Exception as err:  # noqa: BLE001 - the demo goes on regardless
                if not failing:
                    say(f"demo: the transfers between the servers failed: {err!r}")
                failing = True
            else:
                failing = False
            await asyncio.sleep(SWARM_INTERVAL)


def render_configuration(*, time_zone: str) -> str:
    """Return a configuration.yaml with the frontend and little else.

    It loads nothing that needs hardware or the network (no default_config: no
    discovery, cloud or voice). The HTTP server's settings live in storage (see
    ``write_config``). Logins from this machine need no password (trusted_networks
    with a single user), so the browser opens straight on the dashboard.
    """
    return f"""\
homeassistant:
  name: qBittorrent Plus demo
  latitude: 52.3676
  longitude: 4.9041
  elevation: 0
  unit_system: metric
  currency: EUR
  country: NL
  language: en
  time_zone: {time_zone}
  auth_providers:
    - type: trusted_networks
      trusted_networks:
        - 127.0.0.1/32
        - ::1/128
      allow_bypass_login: true
    - type: homeassistant

frontend:
config:
history:
logbook:
automation: !include automations.yaml

logger:
  default: warning
  logs:
    custom_components.{DOMAIN}: info
"""


def write_config(config_dir: Path, *, port: int, time_zone: str) -> None:
    """Write a fresh configuration with onboarding done except for the owner."""
    shutil.rmtree(config_dir, ignore_errors=True)
    (config_dir / ".storage").mkdir(parents=True)
    (config_dir / "configuration.yaml").write_text(
        render_configuration(time_zone=time_zone)
    )
    # Home Assistant keeps the HTTP server's settings in storage; put in YAML they
    # would be a trial that reverts to port 8123 on every interface five minutes on.
    stable = {
        **HTTP_STORAGE_SCHEMA({"server_host": ["127.0.0.1"], "server_port": port}),
        "created_at": dt_util.utcnow().isoformat(),
        "error": None,
        "error_message": None,
    }
    (config_dir / ".storage" / "http").write_text(
        json.dumps(
            {
                "version": HTTP_STORAGE_VERSION,
                "minor_version": HTTP_STORAGE_MINOR_VERSION,
                "key": "http",
                "data": {
                    "stable": stable,
                    "pending": None,
                    "yaml_migration_done": True,
                },
            }
        )
    )
    # The remaining onboarding steps would set up integrations that reach the
    # internet (weather, radio, text-to-speech); the owner is made through the API.
    (config_dir / ".storage" / "onboarding").write_text(
        '{"version": 4, "minor_version": 1, "key": "onboarding", '
        '"data": {"done": ["core_config", "analytics", "integration"]}}\n'
    )
    custom = config_dir / "custom_components"
    custom.mkdir()
    (custom / DOMAIN).symlink_to(PROJECT_DIR / "custom_components" / DOMAIN)
    # The automation editor keeps its automations here; the demo's comes through it.
    (config_dir / "automations.yaml").write_text("[]\n")
    blueprint = config_dir / "blueprints" / "automation" / BLUEPRINT
    blueprint.parent.mkdir(parents=True)
    shutil.copyfile(PROJECT_DIR / "blueprints" / "automation" / BLUEPRINT, blueprint)


class HomeAssistant:
    """A ``hass`` process and a logged-in HTTP session with it."""

    def __init__(self, config_dir: Path, port: int, *, offline: bool = False) -> None:
        """Describe the instance; ``start`` runs it.

        ``offline`` keeps Home Assistant from installing anything: what it lacks
        then fails to set up instead.
        """
        self.config_dir = config_dir
        self.port = port
        self.offline = offline
        self.url = f"http://127.0.0.1:{port}"
        self.client_id = f"{self.url}/"
        self.password = secrets.token_urlsafe(9)
        self.process: subprocess.Popen[bytes] | None = None
        self.session = aiohttp.ClientSession(self.url)
        self.token = ""
        self._log_position = 0

    @property
    def log_file(self) -> Path:
        """Return Home Assistant's log."""
        return self.config_dir / "home-assistant.log"

    @property
    def output_file(self) -> Path:
        """Return where the process's own output goes."""
        return self.config_dir / "hass-output.log"

    def start(self) -> None:
        """Start ``hass`` in its own process group."""
        env = dict(os.environ)
        bundle = Path("/etc/ssl/certs/ca-certificates.crt")
        if bundle.exists():
            # Home Assistant installs missing requirements with uv, which trusts
            # only its own certificates unless told about the system's.
            env.setdefault("SSL_CERT_FILE", str(bundle))
        skip = ["--skip-pip"] if self.offline else ["--skip-pip-packages", UNBUILDABLE]
        with self.output_file.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    sys.executable, "-m", "homeassistant",
                    "--config", str(self.config_dir),
                    *skip,
                    "--log-no-color",
                ],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=env,
            )  # fmt: skip

    async def stop(self) -> None:
        """Stop ``hass`` gracefully, or kill it when it does not stop in time."""
        await self.session.close()
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            await asyncio.to_thread(process.wait, HA_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            say("demo: Home Assistant did not stop in time; killing it")
            os.killpg(process.pid, signal.SIGKILL)
            await asyncio.to_thread(process.wait)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # anything it left in its group

    def log_tail(self, lines: int = 30) -> str:
        """Return the end of Home Assistant's output, for error messages."""
        for path in (self.log_file, self.output_file):
            if path.exists() and (text := path.read_text(errors="replace").strip()):
                return "\n".join(text.splitlines()[-lines:])
        return "(no output)"

    def check_alive(self) -> None:
        """Fail with the end of the log when Home Assistant has exited."""
        if self.process is None or self.process.poll() is not None:
            msg = f"Home Assistant exited:\n{self.log_tail()}"
            raise RuntimeError(msg)

    async def wait_until_answering(self) -> None:
        """Wait until the HTTP server answers."""

        async def answers() -> bool:
            self.check_alive()
            try:
                async with self.session.get("/api/onboarding") as response:
                    return response.status == 200
            except aiohttp.ClientError:
                return False

        await wait_until(answers, "Home Assistant to answer", within=HA_START_TIMEOUT)

    async def request(
        self, method: str, path: str, *, json: Any = None, data: Any = None
    ) -> Any:
        """Call the REST API with the owner's token and return the JSON answer."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.session.request(
            method, path, json=json, data=data, headers=headers
        ) as response:
            if response.status >= 400:
                msg = f"{method} {path}: {response.status} {await response.text()}"
                raise RuntimeError(msg)
            return await response.json()

    async def onboard(self) -> None:
        """Create the owner (the last onboarding step) and log in as them."""
        answer = await self.request(
            "POST",
            "/api/onboarding/users",
            json={
                "client_id": self.client_id,
                "name": "Demo",
                "username": USERNAME,
                "password": self.password,
                "language": "en",
            },
        )
        tokens = await self.request(
            "POST",
            "/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": answer["auth_code"],
                "client_id": self.client_id,
            },
        )
        self.token = tokens["access_token"]

    async def wait_until_running(self) -> None:
        """Wait until every integration Home Assistant starts with has started."""

        async def running() -> bool:
            self.check_alive()
            config = await self.request("GET", "/api/config")
            return bool(config["state"] == "RUNNING")

        await wait_until(running, "Home Assistant to start", within=HA_START_TIMEOUT)

    async def add_entry(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Set the integration up through its config flow, as a user would."""
        result = await self.complete_flow(
            "/api/config/config_entries/flow", DOMAIN, values, "config flow"
        )
        entry: dict[str, Any] = result["result"]
        return entry

    async def set_options(self, entry_id: str, values: Mapping[str, Any]) -> None:
        """Set the entry's options through its options flow; the entry reloads."""
        await self.complete_flow(
            "/api/config/config_entries/options/flow", entry_id, values, "options flow"
        )

    async def complete_flow(
        self, path: str, handler: str, values: Mapping[str, Any], what: str
    ) -> dict[str, Any]:
        """Fill each form of a flow from ``values`` until the flow is done.

        Fields not in ``values`` keep the form's defaults.
        """
        result = await self.request("POST", path, json={"handler": handler})
        for _ in range(5):
            if result["type"] == "create_entry":
                done: dict[str, Any] = result
                return done
            if result["type"] != "form" or result.get("errors"):
                msg = f"the {what} did not accept the demo's answers: {result}"
                raise RuntimeError(msg)
            fields = [item["name"] for item in result["data_schema"]]
            result = await self.request(
                "POST",
                f"{path}/{result['flow_id']}",
                json={name: values[name] for name in fields if name in values},
            )
        msg = f"the {what} asked for too many steps: {result}"
        raise RuntimeError(msg)

    async def add_automation(self, automation_id: str, config: dict[str, Any]) -> None:
        """Save an automation as the automation editor does; it is on at once."""
        await self.request(
            "POST", f"/api/config/automation/config/{automation_id}", json=config
        )

    async def entry_state(self) -> str:
        """Return the state of the integration's config entry."""
        entries = await self.request(
            "GET", f"/api/config/config_entries/entry?domain={DOMAIN}"
        )
        return str(entries[0]["state"]) if entries else "missing"

    async def websocket(self, command: dict[str, Any]) -> Any:
        """Send one websocket command and return its result."""
        async with self.session.ws_connect("/api/websocket") as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": self.token})
            if (await ws.receive_json())["type"] != "auth_ok":
                msg = "the websocket refused the token"
                raise RuntimeError(msg)
            await ws.send_json({"id": 1, **command})
            answer = await ws.receive_json()
            if not answer.get("success"):
                msg = f"{command['type']}: {answer.get('error')}"
                raise RuntimeError(msg)
            return answer["result"]

    async def make_dashboard(
        self, entities: list[dict[str, Any]], devices: list[dict[str, Any]]
    ) -> None:
        """Add the demo's dashboard and make it the one Home Assistant opens on."""
        await self.websocket(
            {
                "type": "lovelace/dashboards/create",
                "url_path": DASHBOARD,
                "title": "qBittorrent",
                "icon": "mdi:download-network",
                "show_in_sidebar": True,
                "require_admin": False,
                "mode": "storage",
            }
        )
        await self.websocket(
            {
                "type": "lovelace/config/save",
                "url_path": DASHBOARD,
                "config": dashboard_config(entities, devices),
            }
        )
        await self.websocket(
            {
                "type": "frontend/set_system_data",
                "key": "core",
                "value": {"default_panel": DASHBOARD},
            }
        )

    async def ignore_install_method_repair(self) -> None:
        """Ignore the notice that Home Assistant is installed in a venv.

        Such an installation is not supported for homes: true, and beside the point
        of this demo, whose repairs should be the integration's own.
        """
        answer = await self.websocket({"type": "repairs/list_issues"})
        for issue in answer["issues"]:
            if (issue["domain"], issue["issue_id"]) == INSTALL_METHOD_ISSUE:
                await self.websocket(
                    {
                        "type": "repairs/ignore_issue",
                        "domain": issue["domain"],
                        "issue_id": issue["issue_id"],
                        "ignore": True,
                    }
                )

    async def entities(self) -> list[dict[str, Any]]:
        """Return the integration's entities from the entity registry."""
        entries = await self.websocket({"type": "config/entity_registry/list"})
        return [entry for entry in entries if entry["platform"] == DOMAIN]

    async def devices(self) -> list[dict[str, Any]]:
        """Return the integration's devices from the device registry."""
        entries = await self.request(
            "GET", f"/api/config/config_entries/entry?domain={DOMAIN}"
        )
        entry_ids = {entry["entry_id"] for entry in entries}
        devices = await self.websocket({"type": "config/device_registry/list"})
        return [d for d in devices if entry_ids & set(d["config_entries"])]

    async def states(self) -> dict[str, dict[str, Any]]:
        """Return every entity's state, by entity id."""
        return {state["entity_id"]: state for state in await self.request("GET", "/api/states")}  # fmt: skip

    async def create_token(self, path: Path) -> None:
        """Save a long-lived access token for scripts that call the API."""
        token = await self.websocket(
            {
                "type": "auth/long_lived_access_token",
                "client_name": "scripts/develop",
                "lifespan": 30,
            }
        )
        await asyncio.to_thread(write_secret, path, token)

    def skip_log(self) -> None:
        """Make ``new_log_lines`` start from the log's current end."""
        self._log_position = self.log_file.stat().st_size

    def new_log_lines(self) -> list[str]:
        """Return the log lines completed since the last call that matter here.

        Those are the integration's lines, and every warning or error.
        """
        with self.log_file.open("rb") as handle:
            handle.seek(self._log_position)
            text = handle.read()
        complete, _, _ = text.rpartition(b"\n")
        if not complete:
            return []
        self._log_position += len(complete) + 1
        lines = complete.decode(errors="replace").splitlines()
        return [
            line
            for line in lines
            if DOMAIN in line or " ERROR " in line or " WARNING " in line
        ]


def tile(entity_id: str) -> dict[str, Any]:
    """Return a tile card named after the entity alone (the device is the page)."""
    return {"type": "tile", "entity": entity_id, "name": {"type": "entity"}}


def section(title: str, cards: list[dict[str, Any]]) -> dict[str, Any]:
    """Return a dashboard section with a heading."""
    return {
        "type": "grid",
        "cards": [{"type": "heading", "heading": title}, *cards],
    }


def dashboard_config(
    entities: list[dict[str, Any]], devices: list[dict[str, Any]]
) -> dict[str, Any]:
    """Return a dashboard of the integration's enabled entities.

    The server's view: speeds first with a graph of the last minutes, then the
    torrent counts and the latest torrent event, the controls and whatever else the
    server reports; an entity the sorting does not know still shows up, under the
    server. The torrents' view: a section for each torrent with a device.
    """
    enabled = [e for e in entities if e["disabled_by"] is None]
    by_torrent = torrents_entities(enabled, devices)
    of_torrents = {e["entity_id"] for group in by_torrent.values() for e in group}
    speeds, counts, controls, server = [], [], [], []
    for entity in sorted(enabled, key=lambda e: str(e["entity_id"])):
        entity_id, key = entity["entity_id"], entity["translation_key"] or ""
        domain = entity_id.split(".")[0]
        if entity_id in of_torrents:
            continue
        if key in {"download_speed", "upload_speed"}:
            speeds.append(entity_id)
        elif key.endswith("_torrents") or domain == "event":
            counts.append(entity_id)
        elif domain in CONTROL_ORDER:
            controls.append(entity_id)
        else:
            server.append(entity_id)
    speeds.sort()  # download before upload
    # The counts, then the latest event.
    counts.sort(key=lambda entity_id: entity_id.startswith("event."))
    # Switches first, then buttons, then the limits.
    controls.sort(key=lambda entity_id: CONTROL_ORDER.index(entity_id.split(".")[0]))
    sections = [
        section(
            "Transfer",
            [
                *(tile(entity_id) for entity_id in speeds),
                {
                    "type": "history-graph",
                    "title": "Speed",
                    "hours_to_show": 0.2,
                    "entities": [
                        {"entity": entity_id, "name": {"type": "entity"}}
                        for entity_id in speeds
                    ],
                    "grid_options": {"columns": "full", "rows": 5},
                },
            ],
        ),
        section("Torrents", [tile(entity_id) for entity_id in counts]),
        section("Controls", [tile(entity_id) for entity_id in controls]),
        section("Server", [tile(entity_id) for entity_id in server]),
    ]
    names = {device["id"]: device_name(device) for device in devices}
    torrents = [
        section(names[device_id], [tile(e["entity_id"]) for e in torrent_order(group)])
        for device_id, group in sorted(
            by_torrent.items(), key=lambda item: names[item[0]].casefold()
        )
    ]
    views = [
        {
            "title": "qBittorrent",
            "path": "server",
            "type": "sections",
            "max_columns": 4,
            "sections": [s for s in sections if len(s["cards"]) > 1],
        }
    ]
    if torrents:
        views.append(
            {
                "title": "Torrents",
                "path": "torrents",
                "type": "sections",
                "max_columns": 4,
                "sections": torrents,
            }
        )
    return {"views": views}


def device_name(device: Mapping[str, Any]) -> str:
    """Return a device's name as the user sees it."""
    return str(device["name_by_user"] or device["name"] or device["id"])


def torrents_entities(
    entities: list[dict[str, Any]], devices: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Return the entities of torrents' devices, by device id.

    A torrent's device is reached through its server's, which no other device is.
    """
    torrents = {device["id"] for device in devices if device["via_device_id"]}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entity in entities:
        if entity["device_id"] in torrents:
            grouped.setdefault(entity["device_id"], []).append(entity)
    return grouped


def torrent_order(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return a torrent's entities in the order of its tiles; others last."""

    def place(entity: dict[str, Any]) -> tuple[int, str]:
        key = entity["translation_key"]
        known = TORRENT_ORDER.index(key) if key in TORRENT_ORDER else len(TORRENT_ORDER)
        return known, str(entity["entity_id"])

    return sorted(entities, key=place)


def download_completed_automation(entry_id: str) -> dict[str, Any]:
    """Return the demo's automation, made from the integration's blueprint.

    It makes a notification in Home Assistant; a torrent that completes again (the
    demo's download starts over) replaces its own notification.
    """
    return {
        "alias": "Download completed",
        "description": "Made from the blueprint that comes with qBittorrent Plus.",
        "use_blueprint": {
            "path": BLUEPRINT.as_posix(),
            "input": {
                "server": entry_id,
                "notify": [
                    {
                        "action": "persistent_notification.create",
                        "data": {
                            "title": "Download completed",
                            "message": "{{ torrent_name }} is ready ({{ size }}).",
                            "notification_id": (
                                "download_completed_{{ torrent_name | slugify }}"
                            ),
                        },
                    }
                ],
            },
        },
    }


def write_secret(path: Path, secret: str) -> None:
    """Write a secret to a file only its owner can read."""
    path.touch(mode=0o600)
    path.write_text(f"{secret}\n")


def download_speed_entity(entities: list[dict[str, Any]]) -> str | None:
    """Return the entity id of the download speed sensor, if there is one."""
    for entity in entities:
        if entity["unique_id"].endswith("_download_speed"):
            return str(entity["entity_id"])
    return None


def has_value(entity: Mapping[str, Any], state: str | None) -> bool:
    """Return whether an entity's state shows a value."""
    if state in (None, "unavailable"):
        return False
    # A button or an event has no state until it is first pressed or fired.
    return state != "unknown" or (
        entity["entity_id"].split(".")[0] in STATELESS
        or entity["translation_key"] in UNKNOWN_IS_A_VALUE
    )


def complete_torrents(
    entities: list[dict[str, Any]], devices: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Return the torrents' devices that have all their entities, by device id."""
    return {
        device_id: group
        for device_id, group in torrents_entities(entities, devices).items()
        if set(TORRENT_ORDER) <= {e["translation_key"] for e in group}
    }


def check_automation(states: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Check that the automation from the blueprint is on; return the faults."""
    for entity_id, state in states.items():
        if (
            entity_id.startswith("automation.")
            and state["attributes"].get("id") == AUTOMATION_ID
        ):
            if state["state"] != "on":
                return [f"{entity_id} from the blueprint is {state['state']}"]
            say(f"check: {entity_id} (from the blueprint) is on")
            return []
    return ["the automation from the blueprint is missing"]


async def check(hass: HomeAssistant, swarm: Swarm, torrents: int) -> list[str]:
    """Check the running demo the way a user would look at it; return the faults.

    ``torrents`` is how many torrents should have a device.
    """
    faults: list[str] = []
    entities = await hass.entities()
    devices = await hass.devices()
    states = await hass.states()
    enabled = [e for e in entities if e["disabled_by"] is None]
    without = sorted(
        e["entity_id"]
        for e in enabled
        if not has_value(e, states.get(e["entity_id"], {}).get("state"))
    )
    say(
        f"check: {len(entities)} entities, {len(enabled)} enabled, "
        f"{len(enabled) - len(without)} of them with a value"
    )
    if not enabled:
        faults.append("the integration has no enabled entities")
    if without:
        faults.append(f"entities without a value: {without}")
    with_devices = torrents_entities(enabled, devices)
    complete = complete_torrents(enabled, devices)
    say(
        f"check: {len(with_devices)} torrent devices, {len(complete)} with all of "
        f"{len(TORRENT_ORDER)} entities enabled"
    )
    if len(complete) != torrents or len(with_devices) != torrents:
        faults.append(
            f"{len(with_devices)} torrent devices ({len(complete)} complete), "
            f"not {torrents}"
        )
    faults.extend(check_automation(states))
    dashboard = json.dumps(
        await hass.websocket({"type": "lovelace/config", "url_path": DASHBOARD})
    )
    if missing := [
        e["entity_id"] for e in enabled if f'"{e["entity_id"]}"' not in dashboard
    ]:
        faults.append(f"entities missing from the dashboard: {missing}")
    repairs = await hass.websocket({"type": "repairs/list_issues"})
    if issues := [
        f"{issue['domain']}.{issue['issue_id']}"
        for issue in repairs["issues"]
        if issue["domain"] in {DOMAIN, "http"} and not issue["ignored"]
    ]:
        faults.append(f"repair issues: {issues}")
    if (speed_id := download_speed_entity(entities)) is None:
        faults.append("no download speed sensor")
        return faults

    async def moving() -> float | None:
        value = (await hass.states())[speed_id]["state"]
        with suppress(ValueError):
            if float(value) > 0:
                return float(value)
        return None

    try:
        speed = await wait_until(
            moving, f"{speed_id} above 0", within=SPEED_TIMEOUT, interval=1
        )
    except TimeoutError as err:
        moving_now = await swarm.downloading()
        faults.append(f"{err} (the demo server downloads: {moving_now})")
    else:
        unit = states[speed_id]["attributes"].get("unit_of_measurement", "")
        say(f"check: {speed_id} = {speed} {unit}")
    return faults


def banner(hass: HomeAssistant, swarm: Swarm, state_dir: Path) -> str:
    """Return what the user needs: where to go and how to log in."""
    return f"""
  qBittorrent Plus demo is running.

  Home Assistant:  {hass.url}/{DASHBOARD}
                   logged in automatically from this machine
                   (user {USERNAME}, password {hass.password})
  Its torrents:    {hass.url}/{DASHBOARD}/torrents
                   (a device each; a completed download makes a notification)
  qBittorrent:     {swarm.demo.url}  (version {swarm.demo.version}; user {swarm.demo.username}, password {swarm.demo.password})
  Its peer:        {swarm.peer.url}  (user {swarm.peer.username}, password {swarm.peer.password})
  Home Assistant's log: {hass.log_file}
  API token:       {state_dir / "token"}

  Press Ctrl-C to stop everything.
"""


async def demo(args: argparse.Namespace, stack: AsyncExitStack) -> int:
    """Start everything; then watch (or check) until stopped."""
    state_dir: Path = args.state_dir
    port = args.port if port_is_free(args.port) else free_port()
    if port != args.port:
        say(f"demo: port {args.port} is taken; Home Assistant uses {port}")

    work_dir = Path(tempfile.mkdtemp(prefix="qbt-plus-demo-"))
    stack.callback(shutil.rmtree, work_dir, ignore_errors=True)
    say(f"demo: starting qBittorrent {args.qbittorrent} and a peer, making torrents")
    swarm = Swarm(
        demo=QbittorrentServer(args.qbittorrent, profile_dir=work_dir / "demo"),
        peer=QbittorrentServer(VERSIONS[0], profile_dir=work_dir / "peer"),
        work_dir=work_dir,
        small=args.check,
    )
    await swarm.start(stack)
    swarm_task = asyncio.create_task(swarm.keep_going())

    async def stop_swarm() -> None:
        swarm_task.cancel()
        with suppress(asyncio.CancelledError):
            await swarm_task

    stack.push_async_callback(stop_swarm)

    say(
        f"demo: starting Home Assistant on port {port} (config: {state_dir / 'config'})"
    )
    hass = HomeAssistant(state_dir / "config", port)
    write_config(hass.config_dir, port=port, time_zone=args.time_zone)
    stack.push_async_callback(hass.stop)
    hass.start()
    await hass.wait_until_answering()
    await hass.onboard()
    await hass.wait_until_running()
    await hass.create_token(state_dir / "token")
    say("demo: adding qBittorrent Plus through its config flow")
    # With the transfer already moving, the first poll shows a download speed.
    await wait_until(swarm.downloading, "the demo download to start", within=60)
    entry = await hass.add_entry(
        {
            "url": swarm.demo.url,
            "username": swarm.demo.username,
            "password": swarm.demo.password,
            "verify_ssl": True,
        }
    )
    await wait_until_loaded(hass)
    say("demo: giving every torrent a device through the options flow")
    await hass.set_options(entry["entry_id"], TORRENT_OPTIONS)
    torrents = len(demo_torrents(small=args.check))
    await wait_until_loaded(hass, torrents=torrents)
    say("demo: adding an automation from the download completed blueprint")
    await hass.add_automation(
        AUTOMATION_ID, download_completed_automation(entry["entry_id"])
    )
    await hass.make_dashboard(await hass.entities(), await hass.devices())
    await hass.ignore_install_method_repair()

    if args.check:
        faults = await check(hass, swarm, torrents)
        for fault in faults:
            say(f"check failed: {fault}")
        if not faults:
            say("check: passed")
        return 1 if faults else 0

    say(banner(hass, swarm, state_dir))
    hass.skip_log()
    while True:
        for line in hass.new_log_lines():
            say(line)
        hass.check_alive()
        await asyncio.sleep(1)


async def wait_until_loaded(hass: HomeAssistant, *, torrents: int = 0) -> None:
    """Wait until the entry is loaded with so many torrents' devices complete."""

    async def loaded() -> bool:
        if await hass.entry_state() != "loaded":
            return False
        if not torrents:
            return True
        entities, devices = await hass.entities(), await hass.devices()
        return len(complete_torrents(entities, devices)) >= torrents

    what = f"the integration to load with {torrents} torrents' devices"
    try:
        await wait_until(loaded, what, within=ENTITIES_TIMEOUT)
    except TimeoutError:
        msg = f"the integration did not load: its entry is {await hass.entry_state()}"
        if torrents:
            devices = complete_torrents(await hass.entities(), await hass.devices())
            msg += f", with {len(devices)} of {torrents} torrents' devices complete"
        raise RuntimeError(msg) from None


async def main(args: argparse.Namespace) -> int:
    """Run the demo; Ctrl-C (or SIGTERM, SIGHUP) stops everything it started."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    if task is None:
        raise RuntimeError("no task")
    stopping = False

    def stop(signum: int) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            say(f"\ndemo: {signal.Signals(signum).name}: stopping everything")
            task.cancel()

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, stop, signum)
    try:
        async with AsyncExitStack() as stack:
            return await demo(args, stack)
    except asyncio.CancelledError:
        if not stopping:
            raise
        say("demo: stopped")
        return 0
    except Exception as err:  # noqa: BLE001 - reported to the user as one line
        say(f"demo: failed: {err}")
        return 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="scripts/develop", description=__doc__)
    parser.add_argument(
        "--state-dir",
        type=Path,
        required=True,
        help="where Home Assistant's configuration goes (made afresh each run)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=HA_DEFAULT_PORT,
        help="Home Assistant's port (another free one when it is taken)",
    )
    parser.add_argument(
        "--qbittorrent",
        choices=VERSIONS,
        default=VERSIONS[0],
        help="the demo server's qBittorrent version",
    )
    parser.add_argument("--time-zone", default="UTC", help="Home Assistant's zone")
    parser.add_argument(
        "--check",
        action="store_true",
        help="check that the integration works in Home Assistant, then stop",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args()
    arguments.state_dir = arguments.state_dir.resolve()
    arguments.state_dir.mkdir(parents=True, exist_ok=True)
    sys.exit(asyncio.run(main(arguments)))
