"""TLS: a real qBittorrent serving its WebUI over HTTPS with a certificate of a test CA.

The CA is made by trustme; the server gets its certificate and key through the
preferences (``use_https`` and the two paths), which every supported version reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
import ssl

import pytest
import trustme

from custom_components.qbittorrent_plus.api import APIConnectionError
from tests.api.helpers import client_for
from tests.servers import VERSIONS, QbittorrentServer, running_server


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


@pytest.fixture(scope="module", params=VERSIONS, ids=lambda v: f"qbt-{v}")
def https_server(request: pytest.FixtureRequest) -> Iterator[HttpsServer]:
    """Run a private server of each version that answers HTTPS only."""
    ca = trustme.CA()
    with running_server(request.param) as server:
        issued = ca.issue_cert(server.host)
        cert, key = server.profile_dir / "webui.crt", server.profile_dir / "webui.key"
        issued.cert_chain_pems[0].write_to_path(str(cert))
        issued.private_key_pem.write_to_path(str(key))
        server.set_preferences(
            use_https=True,
            web_ui_https_cert_path=str(cert),
            web_ui_https_key_path=str(key),
        )
        running = HttpsServer(server, ca)
        server.wait_until_answering(running.trusting_context())
        yield running


async def test_certificate_is_verified_by_default(https_server: HttpsServer) -> None:
    """A certificate no trusted authority signed is refused, and the error says TLS."""
    server = https_server.server
    async with client_for(server, https_server.url) as client:
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
    async with client_for(
        server, https_server.url, verify_webui_certificate=False
    ) as client:
        assert await client.app_version() == f"v{server.version}"
        # The session cookie is Secure over HTTPS, and still sent.
        assert await client.app_web_api_version() == server.api_version


async def test_context_that_trusts_the_ca(https_server: HttpsServer) -> None:
    """An SSLContext trusting the CA verifies the certificate and connects."""
    server = https_server.server
    async with client_for(
        server,
        https_server.url,
        verify_webui_certificate=https_server.trusting_context(),
    ) as client:
        assert await client.app_version() == f"v{server.version}"


async def test_environment_turns_verification_off(
    https_server: HttpsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE turns it off; an argument wins."""
    server = https_server.server
    monkeypatch.setenv("QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE", "")

    async with client_for(server, https_server.url) as client:
        assert await client.app_version() == f"v{server.version}"
    async with client_for(
        server, https_server.url, verify_webui_certificate=True
    ) as strict:
        with pytest.raises(APIConnectionError, match=r"^TLS failed"):
            await strict.app_version()


async def test_plain_http_to_an_https_server(https_server: HttpsServer) -> None:
    """Plain HTTP to a WebUI that speaks HTTPS is a connection error."""
    server = https_server.server
    async with client_for(server, request_timeout=30) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.app_version()

    assert str(caught.value) == (
        f"cannot reach qBittorrent at {server.url}/ (auth/login): "
        "ServerDisconnectedError: Server disconnected; "
        "if the WebUI uses HTTPS, the URL must start with https://"
    )
