"""Real qbittorrent-nox servers for tests, each with a throw-away profile.

A server listens on a free 127.0.0.1 port with known credentials. Version 5.3.0 runs
from the test environment's own root; other versions run from the Debian root named by
``QBT_PLUS_ROOT_<version>`` (for example ``QBT_PLUS_ROOT_4_5_2``) through a nested
bubblewrap sandbox that sees the same ``/tmp``, so torrent data made by a test is at the
same path for every server.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
import hashlib
import http.client
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
from urllib.parse import urlencode

import pytest_socket

# The Web API version each qBittorrent release answers with.
API_VERSIONS = {"5.3.0": "2.16.2", "4.5.2": "2.8.19"}
VERSIONS = tuple(API_VERSIONS)

USERNAME = "admin"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


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


def render_config(
    *, webui_port: int, torrent_port: int, password: str, download_dir: Path
) -> str:
    """Return a qBittorrent.conf that every supported version reads.

    The WebUI keys sit under [Preferences], where 4.x reads them; 5.x moves them to
    [WebUI] on its first start. Everything that would reach beyond this machine (DHT,
    LSD, PeX, port forwarding, peer-country lookups) is off. The statistics refresh
    every 0.1 s instead of 1.5 s, so tests see a change without waiting long.
    """
    return f"""\
[LegalNotice]
Accepted=true

[BitTorrent]
Session\\AddTrackersEnabled=false
Session\\DHTEnabled=false
Session\\DefaultSavePath={download_dir}
Session\\LSDEnabled=false
Session\\PeXEnabled=false
Session\\Port={torrent_port}
Session\\RefreshInterval=100
Session\\TempPathEnabled=false

[Network]
PortForwardingEnabled=false

[Preferences]
Connection\\ResolvePeerCountries=false
Connection\\UPnP=false
Downloads\\SavePath={download_dir}
General\\Locale=en
WebUI\\Address=127.0.0.1
WebUI\\BanDuration=3600
WebUI\\CSRFProtection=true
WebUI\\Enabled=true
WebUI\\HostHeaderValidation=true
WebUI\\LocalHostAuth=true
WebUI\\MaxAuthenticationFailCount=1000
WebUI\\Password_PBKDF2="{pbkdf2_password(password)}"
WebUI\\Port={webui_port}
WebUI\\UseUPnP=false
WebUI\\Username={USERNAME}
"""


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
                    webui_port=self.port,
                    torrent_port=self.torrent_port,
                    password=self.password,
                    download_dir=self.download_dir,
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

    def set_preferences(self, **preferences: object) -> None:
        """Change preferences over plain HTTP, for set-up outside an event loop."""
        with real_sockets():
            connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
            try:
                login = self._post(
                    connection,
                    "auth/login",
                    {"username": self.username, "password": self.password},
                )
                cookie = login.getheader("Set-Cookie", "").split(";", 1)[0]
                form = {"json": json.dumps(preferences)}
                self._post(connection, "app/setPreferences", form, cookie)
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
