"""The coordinator: one sync/maindata request per poll, merged from deltas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import APIError, Client, MainData, MainDataChanges, format_version
from .const import (
    CONF_SCAN_INTERVAL,
    DEFAULT_BAN_DURATION,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
)
from .errors import Failure, entry_error, failure_of
from .helpers import (
    ISSUE_HOST_REJECTED,
    async_create_issue,
    async_delete_issue,
    server_identifier,
    server_model,
    server_sw_version,
)
from .torrents.counts import count_torrents, recount_torrents
from .torrents.events import TorrentEvents

# The four speed limits in preferences (bytes per second, 0 = unlimited). The main
# data carries only the two in force (``dl_rate_limit``, ``up_rate_limit``), so the
# others are read from the preferences: at the first poll, after a new session (the
# server may have restarted with other settings), after an action changed them, and
# otherwise every PREFERENCES_INTERVAL, the only time an idle poll makes a second
# request. A timer of their own would poll no less and log a second failure line.
SPEED_LIMITS = ("dl_limit", "up_limit", "alt_dl_limit", "alt_up_limit")
PREFERENCES_INTERVAL = timedelta(minutes=10)


@dataclass(frozen=True, eq=False)
class QbittorrentData:
    """What one poll produced; a new object only when something changed.

    The coordinator compares data by identity, so an idle poll hands back the same
    object and no entity is asked to write its state.
    """

    maindata: MainData
    changes: MainDataChanges
    torrent_counts: Mapping[str, int]
    speed_limits: Mapping[str, int]
    """``dl_limit``, ``up_limit``, ``alt_dl_limit``, ``alt_up_limit`` in bytes/s."""

    @property
    def server_state(self) -> Mapping[str, Any]:
        """Return the transfer and session values (speeds, limits, free space ...)."""
        return self.maindata.server_state


class QbittorrentCoordinator(DataUpdateCoordinator[QbittorrentData]):
    """Polls one server's main data."""

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, client: Client) -> None:
        """Prepare the poll; nothing is fetched until the first refresh."""
        interval = entry.options.get(CONF_SCAN_INTERVAL)
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=(
                DEFAULT_SCAN_INTERVAL
                if interval is None
                else timedelta(seconds=interval)
            ),
            always_update=False,
        )
        self.client = client
        self.version = ""
        """qBittorrent's version ("v5.3.0"), read at setup and after each new login."""
        self.api_version = ""
        """The Web API's version ("2.16.2"), read with it."""
        self.maindata = MainData(client)
        self.ban_duration = DEFAULT_BAN_DURATION
        self._speed_limits: dict[str, int] = {}
        self._preferences_session: int | None = None
        self._preferences_due = dt_util.utcnow()
        self._versions_session: int | None = None
        self.torrent_events = TorrentEvents(hass, entry)

    @override
    async def _async_setup(self) -> None:
        await self.torrent_events.async_load()
        # Torrent events come from the polls, so polling goes on even when every
        # entity is disabled.
        self.config_entry.async_on_unload(self.async_add_listener(_keep_polling))

    @override
    async def async_shutdown(self) -> None:
        await super().async_shutdown()
        await self.torrent_events.async_shutdown()

    def request_preferences(self) -> None:
        """Read the preferences again at the next poll (after an action set them)."""
        self._preferences_due = dt_util.utcnow()

    @override
    async def _async_update_data(self) -> QbittorrentData:
        try:
            # Versions and preferences first: a failure then loses no main-data delta.
            await self._read_versions_after_login()
            limits_read = await self._read_preferences_when_due()
            changes = await self.maindata.update()
        except APIError as err:
            raise self._poll_error(err) from err
        async_delete_issue(self.hass, self.config_entry, ISSUE_HOST_REJECTED)
        if changes.server_state_changed or limits_read:
            self._apply_limits_in_force()
        if (
            self.data is not None
            and not changes
            and self.data.speed_limits == self._speed_limits
        ):
            return self.data
        self.torrent_events.process(self.maindata.torrents, changes)
        counts: Mapping[str, int]
        if self.data is None or changes.full_update:
            counts = count_torrents(self.maindata.torrents.values())
        elif changes.torrents_touched:
            counts = recount_torrents(
                self.data.torrent_counts, self.maindata.torrents, changes
            )
        else:
            counts = self.data.torrent_counts
        return QbittorrentData(self.maindata, changes, counts, dict(self._speed_limits))

    def _poll_error(self, err: APIError) -> Exception:
        """Return what a failed poll raises, and raise the repair issue it calls for."""
        failure = failure_of(err)
        if failure is Failure.BANNED:
            # Every attempt during a ban is refused and may prolong it.
            return UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="banned",
                retry_after=self.ban_duration.total_seconds(),
            )
        if failure is Failure.HOST_REJECTED:
            async_create_issue(self.hass, self.config_entry, ISSUE_HOST_REJECTED)
        return entry_error(failure, err, UpdateFailed)

    async def _read_versions_after_login(self) -> None:
        """Read the versions again after a new login: the server may be upgraded.

        An upgrade restarts qBittorrent, which ends the session, and the client logs
        in again at the next request. The login reads the Web API version, so only
        ``app/version`` is one more request, at the poll after the login.
        """
        generation = self.client.session_generation
        if self._versions_session is None:
            # The first poll: setup has just read both in this session.
            self._versions_session = generation
        if generation == self._versions_session:
            return
        version = await self.client.app_version()
        api_version = format_version(await self.client.api_version())
        self._versions_session = generation
        if (version, api_version) != (self.version, self.api_version):
            self.version, self.api_version = version, api_version
            self._update_server_device()

    def _update_server_device(self) -> None:
        """Show the versions read last on the server's device."""
        entry = self.config_entry
        devices = dr.async_get(self.hass)
        if device := devices.async_get_device_by_identifier(
            server_identifier(entry), entry.entry_id
        ):
            devices.async_update_device(
                device.id,
                model=server_model(self.api_version),
                sw_version=server_sw_version(self.version),
            )

    async def _read_preferences_when_due(self) -> bool:
        """Read the speed limits and ban duration if due; return whether read."""
        now = dt_util.utcnow()
        if (
            now < self._preferences_due
            and self.client.session_generation == self._preferences_session
        ):
            return False
        preferences = await self.client.app_preferences()
        self._preferences_session = self.client.session_generation
        self._preferences_due = now + PREFERENCES_INTERVAL
        self._speed_limits = {
            key: int(preferences[key]) for key in SPEED_LIMITS if key in preferences
        }
        ban_seconds = preferences.get("web_ui_ban_duration")
        self.ban_duration = (
            timedelta(seconds=int(ban_seconds)) if ban_seconds else DEFAULT_BAN_DURATION
        )
        return True

    def _apply_limits_in_force(self) -> None:
        """Take the limits in force from the main data, which has them first-hand.

        ``dl_rate_limit`` and ``up_rate_limit`` are the limits of the set in force
        (the alternative one while ``use_alt_speed_limits``), so a change made
        anywhere shows at the next poll; only the other set waits for preferences.
        """
        state = self.maindata.server_state
        alternative = bool(state.get("use_alt_speed_limits"))
        self._speed_limits.update(
            {
                alt if alternative else normal: int(state[rate])
                for rate, normal, alt in (
                    ("dl_rate_limit", "dl_limit", "alt_dl_limit"),
                    ("up_rate_limit", "up_limit", "alt_up_limit"),
                )
                if rate in state
            }
        )


def _keep_polling() -> None:
    """Listen to the coordinator without doing anything: it keeps polling."""
