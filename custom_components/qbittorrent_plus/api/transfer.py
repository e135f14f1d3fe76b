"""The transfer namespace: global speeds, limits and the session.

Speed limits are in bytes per second, 0 meaning unlimited. The server keeps them in
whole KiB/s: a limit below 1024 becomes 1024 and others are rounded down to a multiple
of 1024 (checked on qBittorrent 4.5.2 and 5.3.0).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from .models import Dictionary
from .namespace import Delegate, Namespace
from .params import join
from .transport import Transport

SPEED_LIMIT_KEYS = ("dl_limit", "up_limit", "alt_dl_limit", "alt_up_limit")


class TransferAPIMixIn(Transport):
    """``transfer/*`` endpoints as flat methods."""

    @cached_property
    def transfer(self) -> TransferAPI:
        """Return the transfer namespace."""
        return TransferAPI(self)

    async def transfer_info(self, /, **kwargs: Any) -> Dictionary:
        """Return the global transfer state the WebUI shows in its status bar.

        Keys: ``dl_info_speed``, ``dl_info_data``, ``up_info_speed``,
        ``up_info_data``, ``dl_rate_limit``, ``up_rate_limit``, ``dht_nodes``,
        ``connection_status``, and from qBittorrent 5.1 ``last_external_address_v4``
        and ``last_external_address_v6``.
        """
        info: Dictionary = await self._json("transfer/info", kwargs)
        return info

    async def transfer_speed_limits_mode(self, /, **kwargs: Any) -> bool:
        """Return whether the alternative speed limits are in force.

        The server answers ``1`` or ``0``; this is always a bool on every version.
        """
        mode = await self._call("transfer/speedLimitsMode", kwargs)
        return str(mode).strip() == "1"

    async def transfer_toggle_speed_limits_mode(self, /, **kwargs: Any) -> None:
        """Switch between the normal and the alternative speed limits."""
        await self._call("transfer/toggleSpeedLimitsMode", kwargs)

    async def transfer_set_speed_limits_mode(
        self, /, intended_state: bool | None = None, **kwargs: Any
    ) -> None:
        """Put the alternative speed limits in force, or the normal ones.

        Args:
            intended_state: True for the alternative limits, False for the normal
                ones; None toggles, as in qbittorrent-api.
            **kwargs: More API parameters, ``headers``.

        Servers before Web API 2.8.14 (qBittorrent 4.5.0) can only toggle: there the
        mode is read first and toggled only when it differs, which a change made by
        someone else between the two requests could defeat.
        """
        if intended_state is None:
            await self._call("transfer/toggleSpeedLimitsMode", kwargs)
            return
        if await self.has_endpoint("transfer/setSpeedLimitsMode"):
            params = {"mode": 1 if intended_state else 0, **kwargs}
            await self._call("transfer/setSpeedLimitsMode", params)
            return
        current = await self.transfer_speed_limits_mode(headers=kwargs.get("headers"))
        if current != intended_state:
            await self._call("transfer/toggleSpeedLimitsMode", kwargs)

    async def transfer_download_limit(self, /, **kwargs: Any) -> int:
        """Return the download limit in force (normal or alternative), 0 unlimited."""
        return int(await self._call("transfer/downloadLimit", kwargs))

    async def transfer_upload_limit(self, /, **kwargs: Any) -> int:
        """Return the upload limit in force (normal or alternative), 0 unlimited."""
        return int(await self._call("transfer/uploadLimit", kwargs))

    async def transfer_set_download_limit(self, /, limit: int, **kwargs: Any) -> None:
        """Set the download limit of the set in force (normal or alternative).

        Args:
            limit: Bytes per second; 0 or -1 for unlimited.
            **kwargs: More API parameters, ``headers``.
        """
        await self._call("transfer/setDownloadLimit", {"limit": limit, **kwargs})

    async def transfer_set_upload_limit(self, /, limit: int, **kwargs: Any) -> None:
        """Set the upload limit of the set in force (normal or alternative).

        Args:
            limit: Bytes per second; 0 or -1 for unlimited.
            **kwargs: More API parameters, ``headers``.
        """
        await self._call("transfer/setUploadLimit", {"limit": limit, **kwargs})

    async def transfer_get_speed_limits(self, /, **kwargs: Any) -> Dictionary | None:
        """Return both limit sets: ``dl_limit``, ``up_limit``, ``alt_dl_limit``, ``alt_up_limit``.

        Web API 2.16 (qBittorrent 5.3.0) and newer.
        """
        limits: Dictionary | None = await self._json("transfer/getSpeedLimits", kwargs)
        return limits

    async def transfer_set_speed_limits(
        self,
        /,
        dl_limit: int | None = None,
        up_limit: int | None = None,
        alt_dl_limit: int | None = None,
        alt_up_limit: int | None = None,
        **kwargs: Any,
    ) -> None:
        """Set the normal and alternative limits in one call, in bytes per second.

        The server wants all four; those left out (None) are read first and sent
        unchanged. 0 means unlimited. Web API 2.16 (qBittorrent 5.3.0) and newer.
        """
        limits = {
            "dl_limit": dl_limit,
            "up_limit": up_limit,
            "alt_dl_limit": alt_dl_limit,
            "alt_up_limit": alt_up_limit,
        }
        if None in limits.values() and await self.has_endpoint(
            "transfer/setSpeedLimits"
        ):
            current = await self._call(
                "transfer/getSpeedLimits", {"headers": kwargs.get("headers")}
            )
            for key in SPEED_LIMIT_KEYS:
                if limits[key] is None:
                    limits[key] = current[key]
        await self._call("transfer/setSpeedLimits", {**limits, **kwargs})

    async def transfer_pause_session(self, /, **kwargs: Any) -> None:
        """Pause the whole BitTorrent session (every torrent, as one switch).

        ``sync/maindata``'s ``server_state.session_state`` reads true while paused.
        Web API 2.16.2 (qBittorrent 5.3.0) and newer.
        """
        await self._call("transfer/pauseSession", kwargs)

    async def transfer_resume_session(self, /, **kwargs: Any) -> None:
        """Resume the BitTorrent session paused by ``transfer_pause_session``.

        Web API 2.16.2 (qBittorrent 5.3.0) and newer.
        """
        await self._call("transfer/resumeSession", kwargs)

    async def transfer_ban_peers(
        self, /, peers: str | Iterable[str], **kwargs: Any
    ) -> None:
        """Ban peers by address; they join the ``banned_IPs`` preference.

        Args:
            peers: ``host:port`` (IPv6 as ``[addr]:port``), or several of them.
            **kwargs: More API parameters, ``headers``.

        Web API 2.3 (qBittorrent 4.2.0) and newer.
        """
        await self._call("transfer/banPeers", {"peers": join(peers), **kwargs})


class TransferAPI(Namespace):
    """``client.transfer``."""

    __slots__ = ()

    info = Delegate(TransferAPIMixIn.transfer_info)
    speed_limits_mode = Delegate(TransferAPIMixIn.transfer_speed_limits_mode)
    toggle_speed_limits_mode = Delegate(
        TransferAPIMixIn.transfer_toggle_speed_limits_mode
    )
    set_speed_limits_mode = Delegate(TransferAPIMixIn.transfer_set_speed_limits_mode)
    download_limit = Delegate(TransferAPIMixIn.transfer_download_limit)
    upload_limit = Delegate(TransferAPIMixIn.transfer_upload_limit)
    set_download_limit = Delegate(TransferAPIMixIn.transfer_set_download_limit)
    set_upload_limit = Delegate(TransferAPIMixIn.transfer_set_upload_limit)
    get_speed_limits = Delegate(TransferAPIMixIn.transfer_get_speed_limits)
    set_speed_limits = Delegate(TransferAPIMixIn.transfer_set_speed_limits)
    pause_session = Delegate(TransferAPIMixIn.transfer_pause_session)
    resume_session = Delegate(TransferAPIMixIn.transfer_resume_session)
    ban_peers = Delegate(TransferAPIMixIn.transfer_ban_peers)
