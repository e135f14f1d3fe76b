"""TLS: a real qBittorrent serving its WebUI over HTTPS with a certificate of a test CA.

The CA is made by trustme; the server gets its certificate and key through the
preferences (``use_https`` and the two paths), which every supported version reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
import http.client
import json
from pathlib import Path
import ssl
import time
from urllib.parse import urlencode

import pytest
import trustme

from custom_components.qbittorrent_plus.api import APIConnectionError, Client
from tests.servers import START_TIMEOUT, VERSIONS, QbittorrentServer, real_sockets


@dataclass
class HttpsServer:
    """A server answering over HTTPS only, and the CA that signed its certificate."""

    server: QbittorrentServer
    ca: trustme.CA

    @property
    def url(self) -> str:
        """Return the WebUI's HTTPS URL."""
        return f"https://{self.server.host}:{self.server.port}/"

    def trusting_context(self) -> ssl.SSLContext:
        """Return a context that verifies certificates against the test CA."""
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context


def _request(
    connection: http.client.HTTPConnection,
    path: str,
    form: dict[str, str],
    cookie: str = "",
) -> http.client.HTTPResponse:
    connection.request(
        "POST",
        f"/api/v2/{path}",
        body=urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            **({"Cookie": cookie} if cookie else {}),
        },
    )
    response = connection.getresponse()
    response.read()
    assert response.status in (200, 204), f"{path}: {response.status}"
    return response


def enable_https(server: QbittorrentServer, cert: Path, key: Path) -> None:
    """Turn HTTPS on through the preferences, and wait until it answers."""
    with real_sockets():
        connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
        login = _request(
            connection,
            "auth/login",
            {"username": server.username, "password": server.password},
        )
        cookie = login.getheader("Set-Cookie", "").split(";", 1)[0]
        preferences = {
            "use_https": True,
            "web_ui_https_cert_path": str(cert),
            "web_ui_https_key_path": str(key),
        }
        _request(
            connection, "app/setPreferences", {"json": json.dumps(preferences)}, cookie
        )
        connection.close()


def answers_https(server: QbittorrentServer, context: ssl.SSLContext) -> bool:
    """Return whether the server answers HTTPS with a certificate the context trusts."""
    with real_sockets():
        connection = http.client.HTTPSConnection(
            server.host, server.port, timeout=2, context=context
        )
        try:
            connection.request("GET", "/api/v2/app/version")
            connection.getresponse().read()
        except OSError, http.client.HTTPException:
            return False
        finally:
            connection.close()
    return True


@pytest.fixture(scope="module", params=VERSIONS, ids=lambda v: f"qbt-{v}")
def https_server(request: pytest.FixtureRequest) -> Iterator[HttpsServer]:
    """Run a private server of each version that answers HTTPS only."""
    ca = trustme.CA()
    server = QbittorrentServer(request.param)
    try:
        server.start()
        issued = ca.issue_cert(server.host)
        cert, key = server.profile_dir / "webui.crt", server.profile_dir / "webui.key"
        issued.cert_chain_pems[0].write_to_path(str(cert))
        issued.private_key_pem.write_to_path(str(key))
        enable_https(server, cert, key)
        running = HttpsServer(server, ca)
        context = running.trusting_context()
        deadline = time.monotonic() + START_TIMEOUT
        while not answers_https(server, context):
            assert time.monotonic() < deadline, "HTTPS did not come up"
            time.sleep(0.05)
        yield running
    finally:
        server.destroy()


async def test_certificate_is_verified_by_default(https_server: HttpsServer) -> None:
    """A certificate no trusted authority signed is refused, and the error says TLS."""
    server = https_server.server
    async with Client(https_server.url, server.username, server.password) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.app_version()
        assert not client.is_logged_in

    message = str(caught.value)
    assert message.startswith(f"TLS failed with qBittorrent at {https_server.url}: ")
    assert "certificate verify failed" in message
    assert "verify_webui_certificate" in message


async def test_verification_off(https_server: HttpsServer) -> None:
    """With verification off, the same server is reached over TLS."""
    server = https_server.server
    async with Client(
        https_server.url,
        server.username,
        server.password,
        verify_webui_certificate=False,
    ) as client:
        assert await client.app_version() == f"v{server.version}"
        # The session cookie is Secure over HTTPS, and still sent.
        assert await client.app_web_api_version() == server.api_version


async def test_context_that_trusts_the_ca(https_server: HttpsServer) -> None:
    """An SSLContext trusting the CA verifies the certificate and connects."""
    server = https_server.server
    async with Client(
        https_server.url,
        server.username,
        server.password,
        verify_webui_certificate=https_server.trusting_context(),
    ) as client:
        assert await client.app_version() == f"v{server.version}"


async def test_environment_turns_verification_off(
    https_server: HttpsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE turns it off; an argument wins."""
    server = https_server.server
    monkeypatch.setenv("QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE", "")

    async with Client(https_server.url, server.username, server.password) as client:
        assert await client.app_version() == f"v{server.version}"
    async with Client(
        https_server.url,
        server.username,
        server.password,
        verify_webui_certificate=True,
    ) as strict:
        with pytest.raises(APIConnectionError, match=r"^TLS failed"):
            await strict.app_version()


async def test_plain_http_to_an_https_server(https_server: HttpsServer) -> None:
    """Plain HTTP to a WebUI that speaks HTTPS is a connection error."""
    server = https_server.server
    async with Client(
        server.url, server.username, server.password, request_timeout=5
    ) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.app_version()

    assert str(caught.value) == (
        f"cannot reach qBittorrent at {server.url}/ (auth/login): "
        "ServerDisconnectedError: Server disconnected; "
        "if the WebUI uses HTTPS, the URL must start with https://"
    )
