"""Real qbittorrent-nox servers for tests, each with a throw-away profile.

A server listens on a free 127.0.0.1 port with known credentials. Version 5.3.0 runs
from the test environment's own root; other versions run from the Debian root named by
``QBT_PLUS_ROOT_<version>`` (for example ``QBT_PLUS_ROOT_4_5_2``) through a nested
bubblewrap sandbox that sees the same ``/tmp``, so torrent data made by a test is at the
same path for every server.

No server may reach beyond this machine. Each profile turns off DHT, LSD, PeX and port
forwarding and binds the torrent session to the loopback interface, in the keys its
version reads; every start then reads the server's preferences back and stops a server
that does not show exactly that (``UnsealedServerError``).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
import hashlib
import http.client
import ipaddress
import json
import os
from pathlib import Path
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from typing import Any
from urllib.parse import urlencode

import pytest_socket

# The Web API version each qBittorrent release answers with: every version the
# client's tests run live.
API_VERSIONS = {
    "5.3.0": "2.16.2",
    "5.1.0": "2.11.4",
    "4.5.2": "2.8.19",
    "4.2.5": "2.5.1",
}
VERSIONS = tuple(API_VERSIONS)
# The Home Assistant tests run the newest and an old release; the client's tests,
# which hold every version difference, run them all.
HA_VERSIONS = ("5.3.0", "4.5.2")
# Before 4.3 qBittorrent read its session settings under [Preferences], by old names.
_OLD_SETTINGS_BEFORE = "4.3.0"

USERNAME = "admin"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
LOOPBACK_INTERFACE = "lo"
LOOPBACK_ADDRESS = "127.0.0.1"
# Peer discovery and port forwarding: each must be off.
_REACHING_PREFERENCES = ("dht", "lsd", "pex", "upnp")


class UnsealedServerError(RuntimeError):
    """A server's preferences show it could reach beyond loopback; it was stopped."""


@contextmanager
def real_sockets() -> Iterator[None]:
    """Lift the test harness's socket block for work a fixture does outside a test."""
    blocked = socket.socket
    socket.socket = pytest_socket._true_socket  # type: ignore[misc]
    try:
        yield
    finally:
        socket.socket = blocked  # type: ignore[misc]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with real_sockets(), socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pbkdf2_password(password: str) -> str:
    """Encode a password the way qBittorrent stores it in its configuration."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 100_000)
    encoded = [base64.b64encode(part).decode() for part in (salt, digest)]
    return f"@ByteArray({encoded[0]}:{encoded[1]})"


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def render_config(
    version: str,
    *,
    webui_port: int,
    torrent_port: int,
    password: str,
    download_dir: Path,
    session: dict[str, str] | None = None,
) -> str:
    """Return a qBittorrent.conf that a server of ``version`` reads.

    The WebUI keys sit under [Preferences], where 4.x reads them; 5.x moves them to
    [WebUI] on its first start. The session settings sit where ``version`` reads
    them (``session_settings``); ``session`` replaces some of them, for tests of the
    check that refuses an unsealed server. Peer-country lookups are off too, and the
    statistics refresh every 0.1 s instead of 1.5 s, so tests see a change without
    waiting long.
    """
    settings = {
        **session_settings(version, torrent_port, download_dir),
        **(session or {}),
    }
    sections: dict[str, list[str]] = {}
    for key, value in settings.items():
        section, _, name = key.partition("\\")
        sections.setdefault(section, []).append(f"{name}={value}")
    sections.setdefault("Preferences", []).extend(
        [
            "Connection\\ResolvePeerCountries=false",
            "General\\Locale=en",
            "WebUI\\Address=127.0.0.1",
            "WebUI\\BanDuration=3600",
            "WebUI\\CSRFProtection=true",
            "WebUI\\Enabled=true",
            "WebUI\\HostHeaderValidation=true",
            "WebUI\\LocalHostAuth=true",
            "WebUI\\MaxAuthenticationFailCount=1000",
            f'WebUI\\Password_PBKDF2="{pbkdf2_password(password)}"',
            f"WebUI\\Port={webui_port}",
            "WebUI\\UseUPnP=false",
            f"WebUI\\Username={USERNAME}",
        ]
    )
    text = "[LegalNotice]\nAccepted=true\n"
    for section, lines in sections.items():
        text += f"\n[{section}]\n" + "".join(f"{line}\n" for line in sorted(lines))
    return text


def session_settings(
    version: str, torrent_port: int, download_dir: Path
) -> dict[str, str]:
    r"""Return the session's settings as ``section\key``: the names ``version`` reads.

    Everything that would reach beyond this machine is off: DHT, LSD, PeX, port
    forwarding (UPnP/NAT-PMP), extra trackers; the session listens on the loopback
    interface's 127.0.0.1 only, on ``torrent_port``.
    """
    if _release(version) < _release(_OLD_SETTINGS_BEFORE):
        return {
            "Preferences\\Bittorrent\\AddTrackers": "false",
            "Preferences\\Bittorrent\\DHT": "false",
            "Preferences\\Bittorrent\\LSD": "false",
            "Preferences\\Bittorrent\\PeX": "false",
            "Preferences\\Connection\\Interface": "lo",
            "Preferences\\Connection\\InterfaceAddress": "127.0.0.1",
            "Preferences\\Connection\\InterfaceName": "lo",
            "Preferences\\Connection\\PortRangeMin": str(torrent_port),
            "Preferences\\Connection\\UPnP": "false",
            "Preferences\\Downloads\\SavePath": str(download_dir),
            "Preferences\\Downloads\\TempPathEnabled": "false",
            "Preferences\\General\\RefreshInterval": "100",
            "Preferences\\General\\UseRandomPort": "false",
        }
    return {
        "BitTorrent\\Session\\AddTrackersEnabled": "false",
        "BitTorrent\\Session\\DHTEnabled": "false",
        "BitTorrent\\Session\\DefaultSavePath": str(download_dir),
        "BitTorrent\\Session\\Interface": "lo",
        "BitTorrent\\Session\\InterfaceAddress": "127.0.0.1",
        "BitTorrent\\Session\\InterfaceName": "lo",
        "BitTorrent\\Session\\LSDEnabled": "false",
        "BitTorrent\\Session\\PeXEnabled": "false",
        "BitTorrent\\Session\\Port": str(torrent_port),
        "BitTorrent\\Session\\RefreshInterval": "100",
        "BitTorrent\\Session\\TempPathEnabled": "false",
        "BitTorrent\\Session\\UseRandomPort": "false",
        "Network\\PortForwardingEnabled": "false",
        "Preferences\\Connection\\UPnP": "false",
        "Preferences\\Downloads\\SavePath": str(download_dir),
    }


def server_command(version: str, profile_dir: Path) -> list[str]:
    """Return the command line that runs qbittorrent-nox of this version."""
    root = os.environ.get("QBT_PLUS_ROOT_" + version.replace(".", "_"))
    if root is None:
        return ["qbittorrent-nox", f"--profile={profile_dir}", "--confirm-legal-notice"]
    return [
        "bwrap",
        "--ro-bind", root, "/",
        "--bind", "/tmp", "/tmp",  # noqa: S108 - the same /tmp as the tests
        "--proc", "/proc", "--dev", "/dev",
        "--die-with-parent",
        "qbittorrent-nox", f"--profile={profile_dir}",
    ]  # fmt: skip


def installed_version(version: str) -> str:
    """Return what the binary that would run as ``version`` says it is."""
    command = server_command(version, Path(tempfile.gettempdir()))
    command = [*command[: command.index("qbittorrent-nox") + 1], "--version"]
    output = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, check=True, timeout=30
    ).stdout
    return output.strip().removeprefix("qBittorrent v")


@dataclass
class QbittorrentServer:
    """One qbittorrent-nox process and its profile; restartable on the same port."""

    version: str
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    username: str = USERNAME
    host: str = "127.0.0.1"
    port: int = field(default_factory=free_port)
    torrent_port: int = field(default_factory=free_port)
    profile_dir: Path = field(
        default_factory=lambda: Path(tempfile.mkdtemp(prefix="qbt-plus-"))
    )
    session: dict[str, str] | None = None
    """Session settings that replace the sealed profile's (see ``render_config``)."""
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def api_version(self) -> str:
        """Return the Web API version this server answers with."""
        return API_VERSIONS[self.version]

    @property
    def url(self) -> str:
        """Return the WebUI's base URL."""
        return f"http://{self.host}:{self.port}"

    @property
    def download_dir(self) -> Path:
        """Return the default save path."""
        return self.profile_dir / "downloads"

    @property
    def log_file(self) -> Path:
        """Return where the process's own output goes."""
        return self.profile_dir / "stdout.log"

    @property
    def running(self) -> bool:
        """Return whether the process is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the process (writing the profile on the first start) and wait for it."""
        config = self.profile_dir / "qBittorrent" / "config" / "qBittorrent.conf"
        if not config.exists():
            config.parent.mkdir(parents=True)
            self.download_dir.mkdir()
            config.write_text(
                render_config(
                    self.version,
                    webui_port=self.port,
                    torrent_port=self.torrent_port,
                    password=self.password,
                    download_dir=self.download_dir,
                    session=self.session,
                )
            )
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603
                server_command(self.version, self.profile_dir),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_until_answering()
        self.check_sealed()

    def check_sealed(self) -> None:
        """Stop the server unless it keeps to loopback, as its profile asks.

        Its preferences must show DHT, LSD, PeX and port forwarding off, the
        configured listen port, and the loopback interface and address (every
        version the tests run has both settings); and no socket of either port may
        be bound beyond 127.0.0.1.
        """
        preferences = self.preferences()
        wrong = [
            name for name in _REACHING_PREFERENCES if preferences.get(name) is not False
        ]
        expected = {
            "listen_port": self.torrent_port,
            "current_network_interface": LOOPBACK_INTERFACE,
            "current_interface_address": LOOPBACK_ADDRESS,
        }
        wrong += [
            name for name, value in expected.items() if preferences.get(name) != value
        ]
        wrong += [
            f"a socket on {address}:{port}"
            for address, port in _bound_sockets()
            if port in (self.port, self.torrent_port) and address != LOOPBACK_ADDRESS
        ]
        if wrong:
            self.stop()
            shown = {
                name: preferences.get(name)
                for name in (*_REACHING_PREFERENCES, *expected)
            }
            msg = (
                f"qbittorrent-nox {self.version} could reach beyond loopback and was "
                f"stopped: {', '.join(wrong)} (preferences: {shown})"
            )
            raise UnsealedServerError(msg)

    def stop(self) -> None:
        """Stop the process gracefully, or kill it when it does not stop in time."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        # The process group holds qbittorrent-nox and, for other roots, its sandbox.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        # A sandbox can exit before the qbittorrent-nox inside it; a start in between
        # would find the old instance running, hand over to it and exit.
        deadline = time.monotonic() + STOP_TIMEOUT
        while _group_alive(process.pid):
            if time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
            time.sleep(0.02)

    def restart(self) -> None:
        """Stop and start again with the same profile, port and credentials."""
        self.stop()
        self.start()

    def destroy(self) -> None:
        """Stop the process and delete the profile."""
        self.stop()
        shutil.rmtree(self.profile_dir, ignore_errors=True)

    def wait_until_answering(self, context: ssl.SSLContext | None = None) -> None:
        """Wait until the WebUI answers: over HTTPS trusting ``context`` when given."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                msg = f"qbittorrent-nox {self.version} exited: {self._output()}"
                raise RuntimeError(msg)
            if self._answers(context):
                return
            time.sleep(0.05)
        self.stop()
        msg = f"qbittorrent-nox {self.version} did not answer: {self._output()}"
        raise TimeoutError(msg)

    def preferences(self) -> dict[str, Any]:
        """Read the preferences over plain HTTP, outside an event loop."""
        with self._logged_in() as (connection, cookie):
            connection.request(
                "GET", "/api/v2/app/preferences", headers={"Cookie": cookie}
            )
            response = connection.getresponse()
            body = response.read()
        assert response.status == 200, f"app/preferences: {response.status}"
        preferences: dict[str, Any] = json.loads(body)
        return preferences

    def set_preferences(self, **preferences: object) -> None:
        """Change preferences over plain HTTP, for set-up outside an event loop."""
        with self._logged_in() as (connection, cookie):
            form = {"json": json.dumps(preferences)}
            self._post(connection, "app/setPreferences", form, cookie)

    @contextmanager
    def _logged_in(self) -> Iterator[tuple[http.client.HTTPConnection, str]]:
        """Yield a connection and the cookie of a session logged in on it."""
        with real_sockets():
            connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
            try:
                login = self._post(
                    connection,
                    "auth/login",
                    {"username": self.username, "password": self.password},
                )
                yield connection, login.getheader("Set-Cookie", "").split(";", 1)[0]
            finally:
                connection.close()

    @staticmethod
    def _post(
        connection: http.client.HTTPConnection,
        path: str,
        form: dict[str, str],
        cookie: str = "",
    ) -> http.client.HTTPResponse:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if cookie:
            headers["Cookie"] = cookie
        connection.request("POST", f"/api/v2/{path}", urlencode(form), headers)
        response = connection.getresponse()
        response.read()
        assert response.status in (200, 204), f"{path}: {response.status}"
        return response

    def _answers(self, context: ssl.SSLContext | None) -> bool:
        with real_sockets():
            connection = (
                http.client.HTTPConnection(self.host, self.port, timeout=2)
                if context is None
                else http.client.HTTPSConnection(
                    self.host, self.port, timeout=2, context=context
                )
            )
            try:
                connection.request("GET", "/api/v2/app/version")
                connection.getresponse().read()
            except OSError, http.client.HTTPException:
                return False
            finally:
                connection.close()
        return True

    def _output(self) -> str:
        return self.log_file.read_text(errors="replace")[-2000:]


def _bound_sockets() -> Iterator[tuple[str, int]]:
    """Yield the local IPv4/IPv6 address and port of every TCP and UDP socket here.

    The servers share this network namespace, so /proc/net lists their sockets too.
    """
    for table in ("tcp", "udp", "tcp6", "udp6"):
        lines = Path("/proc/net", table).read_text().splitlines()[1:]
        for line in lines:
            address, port = line.split()[1].split(":")
            yield _proc_address(address), int(port, 16)


def _proc_address(hex_address: str) -> str:
    """Turn /proc/net's hex address (host byte order per 32-bit word) into text."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@contextmanager
def running_server(version: str) -> Iterator[QbittorrentServer]:
    """Run a server for the duration of the block; nothing of it is left afterwards."""
    server = QbittorrentServer(version)
    try:
        server.start()
        yield server
    finally:
        server.destroy()
