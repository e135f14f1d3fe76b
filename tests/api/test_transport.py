"""Configuration of the transport: where the server is, what is sent, what comes back.

Requests are checked at a proxy in front of the real server, which records what the
client actually sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest

from custom_components.qbittorrent_plus.api import (
    APIConnectionError,
    Client,
    Dictionary,
    UnsupportedQbittorrentVersion,
    base_url,
)
from custom_components.qbittorrent_plus.api.states import normalize_states
from custom_components.qbittorrent_plus.api.transport import encode_params
from tests.api.helpers import client_for
from tests.proxy import Proxy
from tests.servers import QbittorrentServer

# Where the server is ------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("nas", None, "http://nas/"),
        ("nas:8080", None, "http://nas:8080/"),
        ("https://nas", None, "https://nas/"),
        ("https://nas:8443/qbt", None, "https://nas:8443/qbt/"),
        ("http://nas/qbt/", 9000, "http://nas:9000/qbt/"),
        ("192.168.1.10", 8080, "http://192.168.1.10:8080/"),
        ("[::1]:8080", None, "http://[::1]:8080/"),
        ("http://user:secret@nas:8080/?a=1#top", None, "http://nas:8080/"),
    ],
)
def test_base_url(host: str, port: int | None, url: str) -> None:
    """A scheme defaults to http, a path is kept, credentials and query are dropped."""
    assert str(base_url(host, port)) == url


@pytest.mark.parametrize(
    ("host", "port", "message"),
    [
        ("ftp://user:secret@nas", None, "not an http(s) URL with a host: ftp://nas"),
        ("http://", None, "not an http(s) URL with a host: http://"),
        ("http:///qbt", None, "not an http(s) URL with a host: http:///qbt"),
        ("http://u:secret@/x", None, "not a valid URL: "),
        ("nas:secret", None, "not a valid URL: "),
        ("nas", -1, "not a valid URL: "),
    ],
)
def test_base_url_refuses_what_is_no_webui_url(
    host: str, port: int | None, message: str
) -> None:
    """Other schemes, URLs without a host and broken ones are refused, secrets unsaid."""
    with pytest.raises(ValueError, match=r"^not a") as caught:
        base_url(host, port)

    assert str(caught.value).startswith(message)
    assert "secret" not in str(caught.value)


@pytest.mark.endpoints("auth/login", "app/version")
async def test_separate_port_argument(qbittorrent: QbittorrentServer) -> None:
    """``port=`` completes a host given without one."""
    async with Client(
        qbittorrent.host,
        qbittorrent.username,
        qbittorrent.password,
        port=qbittorrent.port,
    ) as client:
        assert str(client.url) == f"{qbittorrent.url}/"
        assert await client.app_version() == f"v{qbittorrent.version}"


@pytest.mark.parametrize("given", ["qbt", "qbt/"])
@pytest.mark.endpoints("auth/login", "app/version")
async def test_base_path_behind_a_reverse_proxy(
    qbittorrent: QbittorrentServer, given: str
) -> None:
    """A WebUI served under a path is reached below that path, slash or not."""
    async with Proxy(qbittorrent.url, prefix="/qbt/") as proxy:
        assert proxy.url.endswith(":" + str(proxy.port) + "/qbt/")
        url = f"http://127.0.0.1:{proxy.port}/{given}"
        async with Client(url, qbittorrent.username, qbittorrent.password) as client:
            assert await client.app_version() == f"v{qbittorrent.version}"

    assert [r.path for r in proxy.requests] == [
        "auth/login",
        "app/webapiVersion",
        "app/version",
        "auth/logout",
    ]


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Arguments left out come from qbittorrent-api's variables; given ones win."""
    monkeypatch.setenv("QBITTORRENTAPI_HOST", "https://nas:8443/qbt")
    monkeypatch.setenv("QBITTORRENTAPI_USERNAME", "env-user")
    monkeypatch.setenv("QBITTORRENTAPI_PASSWORD", "env-password")

    from_env = Client()
    given = Client("other:1", "user", "")

    assert str(from_env.url) == "https://nas:8443/qbt/"
    assert from_env.uses_login
    assert (from_env._username, from_env._password) == ("env-user", "env-password")
    assert str(given.url) == "http://other:1/"
    assert (given._username, given._password) == ("user", "")
    monkeypatch.delenv("QBITTORRENTAPI_HOST")
    assert str(Client().url) == "http://localhost:8080/"


@pytest.mark.endpoints("auth/login", "app/version")
async def test_environment_reaches_a_real_server(
    qbittorrent: QbittorrentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client made from the environment alone logs in and calls."""
    monkeypatch.setenv("QBITTORRENTAPI_HOST", qbittorrent.url)
    monkeypatch.setenv("QBITTORRENTAPI_USERNAME", qbittorrent.username)
    monkeypatch.setenv("QBITTORRENTAPI_PASSWORD", qbittorrent.password)

    async with Client() as client:
        assert await client.app_version() == f"v{qbittorrent.version}"


def test_repr_names_the_server_only() -> None:
    """A client's repr shows where it connects, not how it logs in."""
    client = Client("http://nas:8080", "admin", "hunter2-secret", api_key="qbt_key")

    assert repr(client) == "Client('http://nas:8080/')"


# What is sent -----------------------------------------------------------------


@pytest.mark.endpoints("auth/login", "app/version", "app/buildInfo")
async def test_extra_headers_client_wide_and_per_call(
    proxy: Proxy, qbittorrent: QbittorrentServer
) -> None:
    """Client headers go with every request; a call's headers with that call only."""
    async with client_for(
        qbittorrent, proxy.url, extra_headers={"X-Client": "ha"}
    ) as client:
        await client.app_version(headers={"X-Call": "one", "X-Client": "override"})
        await client.app.build_info(headers={"X-Call": "two"})
        await client.app_version()

    assert all(r.headers.getall("X-Client") for r in proxy.requests)
    calls = [
        (r.path, r.headers.getall("X-Call", []), r.headers.getall("X-Client"))
        for r in proxy.requests
    ]
    assert calls == [
        ("auth/login", [], ["ha"]),
        ("app/webapiVersion", [], ["ha"]),
        ("app/version", ["one"], ["override"]),
        ("app/buildInfo", ["two"], ["ha"]),
        ("app/version", [], ["ha"]),
        ("auth/logout", [], ["ha"]),
    ]


def test_encode_params() -> None:
    """Unset parameters are left out; booleans are spelled the WebUI's way."""
    assert encode_params(None) == {}
    assert encode_params({"a": True, "b": False, "c": None, "d": 3, "e": "x"}) == {
        "a": "true",
        "b": "false",
        "d": "3",
        "e": "x",
    }


@pytest.mark.endpoints("auth/login", "torrents/info", "torrents/setForceStart")
async def test_parameters_go_in_the_query_or_the_form(
    proxy: Proxy, qbittorrent: QbittorrentServer
) -> None:
    """GET endpoints carry parameters in the query, POST endpoints in a form body."""
    async with client_for(qbittorrent, proxy.url) as client:
        listed = await client._call(
            "torrents/info",
            {"hashes": "0" * 40, "reverse": True, "category": None, "limit": 5},
        )
        changed = await client._call(
            "torrents/setForceStart",
            {"hashes": "0" * 40, "value": False, "simple_responses": True},
        )
        form = aiohttp.FormData({"hashes": "0" * 40, "value": "true"})
        form.add_field("file", b"x", filename="x.bin")
        uploaded = await client._call(
            "torrents/setForceStart", {"ignored": "yes"}, data=form
        )

    assert listed == []
    assert changed == ""
    get = proxy.last("torrents/info")
    post = proxy.last("torrents/setForceStart")
    assert get.method == "GET"
    assert parse_qs(get.query) == {
        "hashes": ["0" * 40],
        "reverse": ["true"],
        "limit": ["5"],
    }
    assert post.method == "POST"
    assert post.query == ""
    assert parse_qs(proxy.requests[-3].body.decode()) == {
        "hashes": ["0" * 40],
        "value": ["false"],
    }
    # Given data (multipart, for uploads) is the body as it is.
    assert uploaded == ""
    assert post.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="value"\r\n\r\ntrue' in post.body
    assert b"ignored" not in post.body


# Sessions ---------------------------------------------------------------------


@pytest.mark.endpoints("auth/login", "auth/logout", "app/version")
async def test_injected_session_is_used_and_left_open(
    proxy: Proxy, qbittorrent: QbittorrentServer
) -> None:
    """A caller's session (even with aiohttp's default jar) is used, never closed."""
    async with aiohttp.ClientSession(headers={"X-Session": "caller"}) as session:
        async with client_for(qbittorrent, proxy.url, session=session) as client:
            versions = [await client.app_version() for _ in range(3)]
        assert not session.closed
        # Still usable by its owner.
        async with session.get(f"{qbittorrent.url}/api/v2/app/version") as answer:
            assert answer.status == 403

    assert versions == [f"v{qbittorrent.version}"] * 3
    assert proxy.count("auth/login") == 1
    assert proxy.last("app/version").headers["X-Session"] == "caller"


@pytest.mark.endpoints("auth/login", "app/version")
async def test_owned_session_is_closed(qbittorrent: QbittorrentServer) -> None:
    """The client closes the session it made, and makes a new one if used again."""
    client = client_for(qbittorrent)
    async with client:
        await client.app_version()
        session = client._session
        assert session is not None
        assert not session.closed

    assert session.closed
    await client.close()
    assert await client.app_version() == f"v{qbittorrent.version}"
    assert client._session is not None
    assert client._session is not session
    await client.close()


# What comes back --------------------------------------------------------------


@pytest.mark.endpoints("auth/login", "app/buildInfo")
async def test_simple_responses_client_wide_and_per_call(
    qbittorrent: QbittorrentServer,
) -> None:
    """Rich results by default; plain JSON when the client or the call asks."""
    async with (
        client_for(qbittorrent) as rich,
        client_for(qbittorrent, simple_responses=True) as simple,
    ):
        default = await rich.app_build_info()
        plain = await rich.app_build_info(simple_responses=True)
        simple_default = await simple.app_build_info()
        simple_rich = await simple.app_build_info(simple_responses=False)

    assert isinstance(default, Dictionary)
    assert default.qt == default["qt"]
    assert type(plain) is dict
    assert type(simple_default) is dict
    assert isinstance(simple_rich, Dictionary)
    assert plain == default == simple_default == simple_rich


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("application/json", b"", None),
        ("application/json", b'{"a": [1, true]}', {"a": [1, True]}),
        ("text/plain", b"", ""),
        ("text/plain", "caf\u00e9".encode(), "caf\u00e9"),
        ("application/octet-stream", b"", None),
        ("application/x-bittorrent", b"d4:infoe", b"d4:infoe"),
    ],
)
@pytest.mark.endpoints("app/version")
async def test_answers_are_decoded_by_content_type(
    proxy: Proxy,
    qbittorrent: QbittorrentServer,
    content_type: str,
    body: bytes,
    expected: object,
) -> None:
    """JSON is parsed, text decoded, binary kept; an empty non-text answer is None."""
    proxy.answer("app/version", body=body, content_type=content_type)

    async with client_for(qbittorrent, proxy.url) as client:
        assert await client._call("app/version") == expected


# Versions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [lambda real: b"3" + real[1:], lambda real: b"1.9"],
    ids=["newer", "older"],
)
@pytest.mark.endpoints("auth/login", "app/version")
async def test_unsupported_version_raises_only_when_asked(
    proxy: Proxy, qbittorrent: QbittorrentServer, change: Callable[[bytes], bytes]
) -> None:
    """A server outside the supported range works, unless the client was told not to."""
    proxy.rewrite("app/webapiVersion", change)
    claimed = change(qbittorrent.api_version.encode()).decode()

    async with client_for(qbittorrent, proxy.url) as lenient:
        version = await lenient.api_version()
        # Endpoints are gated by the version the server claims: none below 2.0.
        expected = f"v{qbittorrent.version}" if version >= (2, 0, 0) else None
        assert await lenient.app_version() == expected
    async with client_for(
        qbittorrent, proxy.url, raise_error_for_unsupported_qbittorrent_versions=True
    ) as strict:
        with pytest.raises(UnsupportedQbittorrentVersion) as caught:
            await strict.app_version()
        with pytest.raises(UnsupportedQbittorrentVersion):
            await strict.api_version()

    assert version == tuple([*map(int, claimed.split(".")), 0][:3])
    assert str(caught.value) == (
        f"qBittorrent with Web API {claimed} is not supported "
        "(supported: 2.0 to 2.16.2)"
    )


@pytest.mark.endpoints("auth/login", "app/version")
async def test_supported_version_passes_the_strict_check(
    qbittorrent: QbittorrentServer,
) -> None:
    """The real servers are inside the supported range."""
    async with client_for(
        qbittorrent, raise_error_for_unsupported_qbittorrent_versions=True
    ) as client:
        assert await client.app_version() == f"v{qbittorrent.version}"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"<html>router login</html>", "text/html"), (b'{"v": 2}', "application/json")],
)
@pytest.mark.endpoints("auth/login")
async def test_not_a_webui(
    proxy: Proxy, qbittorrent: QbittorrentServer, body: bytes, content_type: str
) -> None:
    """Something that answers without a Web API version is named as the problem."""
    proxy.answer("app/webapiVersion", body=body, content_type=content_type)

    async with client_for(qbittorrent, proxy.url) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.app_version()

    assert str(caught.value) == (
        f"{proxy.url} answered app/webapiVersion with no Web API version; "
        "is this the URL of qBittorrent's WebUI?"
    )


@pytest.mark.endpoints("auth/login")
async def test_endpoints_the_server_lacks(
    proxy: Proxy, qbittorrent: QbittorrentServer
) -> None:
    """An endpoint outside the server's version returns None, or raises when asked."""
    if qbittorrent.version < "5":
        path, reason = (
            "transfer/pauseSession",
            "needs Web API 2.16.2 (qBittorrent 5.3.0",
        )
    else:
        path, reason = "torrents/pause", "removed in Web API 2.11; use torrents/stop"

    async with (
        client_for(qbittorrent, proxy.url) as lenient,
        client_for(
            qbittorrent,
            proxy.url,
            raise_notimplementederror_for_unimplemented_api_endpoints=True,
        ) as strict,
    ):
        assert await lenient._call(path) is None
        assert not await lenient.has_endpoint(path)
        assert await lenient.has_endpoint("app/version")
        with pytest.raises(NotImplementedError, match=reason.replace("(", r"\(")):
            await strict._call(path)

    assert proxy.count(path) == 0


# Shared models ------------------------------------------------------------------


def test_dictionary_reads_keys_as_attributes() -> None:
    """A Dictionary is a dict whose keys read as attributes too."""
    info = Dictionary({"dl_speed": 5, "name": "x"})

    assert info.dl_speed == 5
    assert info == {"dl_speed": 5, "name": "x"}
    with pytest.raises(AttributeError, match="missing"):
        _ = info.missing


def test_normalize_states() -> None:
    """Paused states of older servers take the names of 5.x."""
    torrents: list[dict[str, Any]] = [
        {"state": "pausedUP"},
        {"state": "pausedDL"},
        {"state": "uploading"},
        {},
    ]

    normalize_states(torrents)

    assert torrents == [
        {"state": "stoppedUP"},
        {"state": "stoppedDL"},
        {"state": "uploading"},
        {},
    ]
