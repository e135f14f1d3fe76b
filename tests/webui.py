"""A minimal, independent WebUI session: how tests look at a server's real state.

Tests check what the project's client did by asking the server through this plain
aiohttp session, so a fault in the client cannot hide itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
import json
import time
from typing import Any, Self

import aiohttp

from .servers import QbittorrentServer
from .torrents import MadeTorrent

POLL_INTERVAL = 0.05


async def wait_for[T](
    probe: Callable[[], Awaitable[T | None]], *, timeout: float = 15.0
) -> T:
    """Poll ``probe`` until it returns something truthy, and return that.

    The pauses happen in a thread and are counted rather than timed: Home Assistant
    tests may freeze the clock, and with it ``asyncio.sleep`` and timeouts.
    """
    for _ in range(int(timeout / POLL_INTERVAL)):
        if result := await probe():
            return result
        await asyncio.to_thread(time.sleep, POLL_INTERVAL)
    msg = f"still not there after {timeout} s"
    raise TimeoutError(msg)


def _api(server: QbittorrentServer) -> tuple[int, ...]:
    return tuple(int(part) for part in server.api_version.split("."))


class WebUI:
    """A logged-in session with one server."""

    def __init__(self, server: QbittorrentServer) -> None:
        """Prepare a session; log in with ``async with``."""
        self.server = server
        self._session = aiohttp.ClientSession(
            base_url=f"{server.url}/api/v2/",
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            # qBittorrent closes a connection idle for about 7 s; one kept longer
            # could be closed just as a request goes out on it.
            connector=aiohttp.TCPConnector(keepalive_timeout=5),
        )

    async def __aenter__(self) -> Self:
        """Log in."""
        try:
            await self.login()
        except BaseException:
            await self._session.close()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Close the session."""
        await self._session.close()

    async def login(self) -> None:
        """Log in with the server's credentials; fail loudly when refused."""
        form = {"username": self.server.username, "password": self.server.password}
        async with self._session.post("auth/login", data=form) as response:
            body = await response.text()
            if response.status not in (200, 204) or body == "Fails.":
                msg = f"login refused: {response.status} {body!r}"
                raise AssertionError(msg)

    async def get(self, path: str, **params: str) -> Any:
        """GET an endpoint and return its JSON, or its text when it is not JSON."""
        async with self._session.get(path, params=params) as response:
            response.raise_for_status()
            return await self._body(response)

    async def post(self, path: str, data: Any = None) -> Any:
        """POST a form (or multipart data) to an endpoint and return its answer."""
        async with self._session.post(path, data=data) as response:
            response.raise_for_status()
            return await self._body(response)

    async def get_or_none(self, path: str, **params: str) -> Any:
        """GET an endpoint like ``get``, but return None when it answers 404."""
        try:
            return await self.get(path, **params)
        except aiohttp.ClientResponseError as err:
            if err.status == 404:
                return None
            raise

    async def set_preferences(self, **preferences: Any) -> None:
        """Change preferences; those the server does not know it ignores."""
        await self.post("app/setPreferences", {"json": json.dumps(preferences)})

    @asynccontextmanager
    async def temporary_preferences(
        self, *kept: str, **changes: Any
    ) -> AsyncIterator[None]:
        """Change preferences for the block, then restore them and those ``kept``.

        ``kept`` names preferences the block itself changes. Only preferences the
        server has are restored.
        """
        before = await self.get("app/preferences")
        saved = {key: before[key] for key in (*kept, *changes) if key in before}
        await self.set_preferences(**changes)
        try:
            yield
        finally:
            await self.set_preferences(**saved)

    async def last_log_id(self) -> int:
        """Return the id of the newest entry of the main log (-1 when it is empty)."""
        entries: list[dict[str, Any]] = await self.get("log/main")
        return max((entry["id"] for entry in entries), default=-1)

    async def logged_since(self, log_id: int, text: str) -> dict[str, Any] | None:
        """Return the first main-log entry after ``log_id`` whose message has ``text``."""
        entries: list[dict[str, Any]] = await self.get(
            "log/main", last_known_id=str(log_id)
        )
        return next((e for e in entries if text in e["message"]), None)

    async def torrent(self, info_hash: str) -> dict[str, Any] | None:
        """Return one torrent as torrents/info lists it, or None when absent."""
        found: list[dict[str, Any]] = await self.get("torrents/info", hashes=info_hash)
        return found[0] if found else None

    async def add_torrent(
        self,
        torrent: MadeTorrent,
        *,
        stopped: bool = False,
        seed: bool = True,
        category: str | None = None,
        tags: str | None = None,
    ) -> dict[str, Any]:
        """Add a made torrent and wait until the server lists it.

        With ``seed`` the torrent is saved where its data is, so it becomes complete
        after the hash check; otherwise it goes to the server's download folder.
        """
        form = aiohttp.FormData()
        form.add_field(
            "torrents",
            torrent.data,
            filename=torrent.path.name,
            content_type="application/x-bittorrent",
        )
        if seed:
            form.add_field("savepath", str(torrent.save_path))
        # 4.x knows "paused", 5.x "stopped"; each ignores the other.
        form.add_field("paused", str(stopped).lower())
        form.add_field("stopped", str(stopped).lower())
        if category is not None:
            form.add_field("category", category)
        # torrents/add takes tags from Web API 2.6.2 (qBittorrent 4.3) on.
        tags_on_add = _api(self.server) >= (2, 6, 2)
        if tags is not None and tags_on_add:
            form.add_field("tags", tags)
        await self.post("torrents/add", form)
        info = await wait_for(lambda: self.torrent(torrent.info_hash))
        if tags is not None and not tags_on_add:
            await self.post(
                "torrents/addTags", {"hashes": torrent.info_hash, "tags": tags}
            )
            info = await wait_for(lambda: self._tagged(torrent.info_hash))
        return info

    async def _tagged(self, info_hash: str) -> dict[str, Any] | None:
        info = await self.torrent(info_hash)
        return info if info and info["tags"] else None

    async def delete_torrents(self, *hashes: str, delete_files: bool = False) -> None:
        """Delete torrents (with their data if asked) and wait until none is listed."""
        joined = "|".join(hashes)
        form = {"hashes": joined, "deleteFiles": str(delete_files).lower()}
        await self.post("torrents/delete", form)

        async def gone() -> bool:
            return bool(await self.get("torrents/info", hashes=joined) == [])

        await wait_for(gone)

    @staticmethod
    async def _body(response: aiohttp.ClientResponse) -> Any:
        if response.content_type == "application/json":
            return await response.json()
        return await response.text()
