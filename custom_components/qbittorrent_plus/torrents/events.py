"""Torrent events: what happened to torrents between two polls, for automations.

Each poll's changes (never the whole library, except at the first poll) become
events: a torrent was added, a download completed, a torrent was removed, got an
error, was stopped or started. Each goes on Home Assistant's bus as
``qbittorrent_plus_<type>`` and to the server's event entity.

A download completed when a torrent seen in a downloading state (checking aside) is
later complete. A recheck of a complete torrent only passes through checking
states, so it is no download; a torrent that had to download again (files added,
data lost) is one.

Torrents present at the first poll after a start are not "added". What outlives a
restart is kept in storage, rewritten only when it changes: the torrents seen
downloading and not yet reported complete, and the latest completion time seen
(the server's clock). At the first poll after a start, a torrent of that list that
is now complete, or one that has downloaded something and completed after that
time, completed while Home Assistant was not watching: it is reported once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import CALLBACK_TYPE, CoreState, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store

from ..api import (
    ERRORED_STATES,
    STATE_GROUPS,
    STOPPED_STATES,
    MainDataChanges,
    torrent_tags,
)
from ..const import DOMAIN, LOGGER
from ..helpers import server_identifier

ATTR_ENTRY_ID: Final = "entry_id"

STORAGE_VERSION: Final = 1
# Seconds a change waits to be written, so a burst of polls is written once.
SAVE_DELAY: Final = 10


class TorrentEventType(StrEnum):
    """What happened to a torrent; the bus event is ``qbittorrent_plus_<value>``."""

    ADDED = "torrent_added"
    DOWNLOAD_COMPLETED = "download_completed"
    REMOVED = "torrent_removed"
    ERRORED = "torrent_errored"
    STOPPED = "torrent_stopped"
    STARTED = "torrent_started"


EVENT_TYPES: Final = [event_type.value for event_type in TorrentEventType]

# States by what they say about a torrent's data (the client reports every
# server's states with the newest names). Any other state (checking, moving) is
# passing through: a change is judged from the state before it.
DOWNLOADING: Final = STATE_GROUPS["downloading"] - STATE_GROUPS["checking"]
COMPLETE: Final = STATE_GROUPS["completed"] - STATE_GROUPS["checking"]
_WORKING: Final = DOWNLOADING | COMPLETE
_SETTLED: Final = _WORKING | ERRORED_STATES
# The state before, for a torrent added while passing through: none.
_NEW: Final = ""


def bus_event_type(event_type: str) -> str:
    """Return the bus event fired for a torrent event type."""
    return f"{DOMAIN}_{event_type}"


def storage_key(entry_id: str) -> str:
    """Return the storage key of a config entry's torrent events."""
    return f"{DOMAIN}.{entry_id}.torrent_events"


def torrent_attributes(info_hash: str, torrent: Mapping[str, Any]) -> dict[str, Any]:
    """Return what an event tells about its torrent."""
    return {
        "hash": info_hash,
        "name": torrent.get("name"),
        "category": torrent.get("category") or None,
        "tags": torrent_tags(torrent),
        "save_path": torrent.get("save_path"),
        "content_path": torrent.get("content_path"),
        "size": torrent.get("size"),
    }


@dataclass(frozen=True, slots=True)
class TorrentEvent:
    """One thing that happened to one torrent."""

    type: TorrentEventType
    attributes: Mapping[str, Any]
    """``torrent_attributes`` of the torrent, as it was at the event."""

    @classmethod
    def of(
        cls, event_type: TorrentEventType, info_hash: str, torrent: Mapping[str, Any]
    ) -> TorrentEvent:
        """Return an event about a torrent."""
        return cls(event_type, torrent_attributes(info_hash, torrent))


@dataclass(frozen=True, slots=True)
class StoredTorrents:
    """What the last run knew: see the module's description."""

    downloading: frozenset[str]
    completed_until: int

    @classmethod
    def parse(cls, data: object) -> StoredTorrents | None:
        """Read stored data; None when there is none, or none this version reads."""
        if not isinstance(data, dict):
            return None
        downloading = data.get("downloading")
        completed_until = data.get("completed_until")
        if not isinstance(downloading, list) or not isinstance(completed_until, int):
            return None
        return cls(frozenset(map(str, downloading)), completed_until)

    def as_dict(self) -> dict[str, Any]:
        """Return the data to store."""
        return {
            "downloading": sorted(self.downloading),
            "completed_until": self.completed_until,
        }


def _completion_time(torrent: Mapping[str, Any]) -> int:
    """Return when the torrent last completed (server time); 0 if never."""
    completion = torrent.get("completion_on")
    return completion if isinstance(completion, int) and completion > 0 else 0


def _has_downloaded(torrent: Mapping[str, Any]) -> bool:
    """Return whether a torrent downloaded anything, unlike one added as a seed.

    ``downloaded_session`` counts at once; ``downloaded`` (all time) follows about
    a second later, but outlives a restart of the server.
    """
    return any(
        isinstance(amount, int) and amount > 0
        for amount in (torrent.get("downloaded_session"), torrent.get("downloaded"))
    )


class TorrentTransitions:
    """Derives torrent events from polls; knows nothing of Home Assistant."""

    def __init__(self) -> None:
        """Start with no poll seen."""
        self.started = False
        self.downloading: set[str] = set()
        """Torrents seen downloading whose completion is still to be reported."""
        self.completed_until = 0
        """The latest completion time seen, on the server's clock."""
        self.dirty = False
        """Whether what is stored changed since it was last taken (``stored``)."""
        # Torrents passing through (checking, moving): the settled state before.
        self._passing: dict[str, str] = {}

    def stored(self) -> StoredTorrents:
        """Return what must outlive a restart, and note it as taken."""
        self.dirty = False
        return StoredTorrents(frozenset(self.downloading), self.completed_until)

    def first(
        self,
        torrents: Mapping[str, Mapping[str, Any]],
        stored: StoredTorrents | None,
    ) -> list[TorrentEvent]:
        """Take in the first poll: only completions missed since ``stored``."""
        self.started = True
        known = stored.downloading if stored is not None else frozenset()
        events = []
        for info_hash, torrent in torrents.items():
            self.completed_until = max(self.completed_until, _completion_time(torrent))
            state = torrent.get("state")
            if state in DOWNLOADING:
                self.downloading.add(info_hash)
            elif state in COMPLETE:
                if info_hash in known or (
                    stored is not None and _downloaded_since(torrent, stored)
                ):
                    events.append(
                        TorrentEvent.of(
                            TorrentEventType.DOWNLOAD_COMPLETED, info_hash, torrent
                        )
                    )
            elif info_hash in known:
                # Errored or passing through: its completion is still to come.
                self.downloading.add(info_hash)
        if stored is not None:
            self.completed_until = max(self.completed_until, stored.completed_until)
        self.dirty = stored is None or stored != StoredTorrents(
            frozenset(self.downloading), self.completed_until
        )
        return events

    def update(
        self,
        torrents: Mapping[str, Mapping[str, Any]],
        changes: MainDataChanges,
    ) -> list[TorrentEvent]:
        """Return the events of one poll after the first, from its changes only."""
        events: list[TorrentEvent] = []
        for info_hash in changes.torrents_removed:
            events.append(
                TorrentEvent.of(
                    TorrentEventType.REMOVED, info_hash, changes.previous[info_hash]
                )
            )
            self._passing.pop(info_hash, None)
            self._disarm(info_hash)
        for info_hash in changes.torrents_added:
            torrent = torrents[info_hash]
            events.append(TorrentEvent.of(TorrentEventType.ADDED, info_hash, torrent))
            self._note_completion_time(torrent)
            state = torrent.get("state")
            if state in DOWNLOADING:
                self._arm(info_hash)
            elif state in COMPLETE:
                # Downloaded between two polls, never seen downloading.
                if _has_downloaded(torrent):
                    events.append(
                        TorrentEvent.of(
                            TorrentEventType.DOWNLOAD_COMPLETED, info_hash, torrent
                        )
                    )
            elif state in ERRORED_STATES:
                events.append(
                    TorrentEvent.of(TorrentEventType.ERRORED, info_hash, torrent)
                )
            else:
                self._passing[info_hash] = _NEW
        for info_hash in changes.torrents_changed:
            before = changes.previous[info_hash]
            if "completion_on" in before:
                self._note_completion_time(torrents[info_hash])
            if "state" in before:
                events.extend(
                    self._state_changed(info_hash, before["state"], torrents[info_hash])
                )
        return events

    def _state_changed(
        self, info_hash: str, was: str, torrent: Mapping[str, Any]
    ) -> Iterable[TorrentEvent]:
        now = torrent.get("state")
        if now not in _SETTLED:
            if was in _SETTLED:
                self._passing[info_hash] = was
            return ()
        origin = self._passing.pop(info_hash, was)
        types = []
        if now in ERRORED_STATES:
            if origin not in ERRORED_STATES:
                types.append(TorrentEventType.ERRORED)
        else:
            working = origin in _WORKING
            if working and origin in STOPPED_STATES and now not in STOPPED_STATES:
                types.append(TorrentEventType.STARTED)
            if now in DOWNLOADING:
                self._arm(info_hash)
            elif self._disarm(info_hash) or (
                origin == _NEW and _has_downloaded(torrent)
            ):
                types.append(TorrentEventType.DOWNLOAD_COMPLETED)
            if working and origin not in STOPPED_STATES and now in STOPPED_STATES:
                types.append(TorrentEventType.STOPPED)
        return [TorrentEvent.of(kind, info_hash, torrent) for kind in types]

    def _arm(self, info_hash: str) -> None:
        if info_hash not in self.downloading:
            self.downloading.add(info_hash)
            self.dirty = True

    def _disarm(self, info_hash: str) -> bool:
        """Forget a torrent seen downloading; return whether it was."""
        if info_hash not in self.downloading:
            return False
        self.downloading.discard(info_hash)
        self.dirty = True
        return True

    def _note_completion_time(self, torrent: Mapping[str, Any]) -> None:
        completed = _completion_time(torrent)
        if completed > self.completed_until:
            self.completed_until = completed
            self.dirty = True


def _downloaded_since(torrent: Mapping[str, Any], stored: StoredTorrents) -> bool:
    """Return whether a torrent unknown to ``stored`` finished a download after it.

    A torrent added with its data already there (a seed) completes without having
    downloaded anything: that is no download.
    """
    completed_after = _completion_time(torrent) > stored.completed_until
    return completed_after and _has_downloaded(torrent)


type TorrentEventsListener = Callable[[Sequence[TorrentEvent]], None]


class TorrentEvents:
    """A config entry's torrent events: derived from its polls, stored, delivered.

    Events wait until Home Assistant has started, so the automations that follow
    them are listening (they start listening just before).
    """

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Prepare; ``async_load`` reads what the last run stored."""
        self.hass = hass
        self._entry = entry
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(entry.entry_id)
        )
        self._stored: StoredTorrents | None = None
        self._transitions = TorrentTransitions()
        self._save_pending = False
        self._listeners: list[TorrentEventsListener] = []
        self._held: list[TorrentEvent] = []
        self._cancel_hold: CALLBACK_TYPE | None = None
        self._device_id: str | None = None
        self.last_event: TorrentEvent | None = None
        """The latest event delivered, for an entity added after it."""

    async def async_load(self) -> None:
        """Read what the last run stored."""
        self._stored = StoredTorrents.parse(await self._store.async_load())

    @callback
    def async_add_listener(self, listener: TorrentEventsListener) -> CALLBACK_TYPE:
        """Call ``listener`` with each poll's events; return what stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def process(
        self, torrents: Mapping[str, Mapping[str, Any]], changes: MainDataChanges
    ) -> None:
        """Derive and deliver the events of a poll in which something changed."""
        transitions = self._transitions
        if not transitions.started:
            events = transitions.first(torrents, self._stored)
            self._stored = None
        elif changes.torrents_touched:
            events = transitions.update(torrents, changes)
        else:
            return
        if transitions.dirty:
            self._save_later()
        if events:
            self._deliver(events)

    async def async_shutdown(self) -> None:
        """Write what is pending at once (a reload reads it back at once).

        Completions still held are written as not yet reported, so the next start
        reports them.
        """
        if self._cancel_hold is not None:
            self._cancel_hold()
            self._cancel_hold = None
            self._save_pending = True
        if self._save_pending:
            await self._store.async_save(self._data_to_save())
        self._held = []

    @callback
    def _save_later(self) -> None:
        self._save_pending = True
        self._store.async_delay_save(self._data_to_save, SAVE_DELAY)

    @callback
    def _data_to_save(self) -> dict[str, Any]:
        self._save_pending = False
        stored = self._transitions.stored()
        # A completion still held (Home Assistant stopped while it started) is
        # stored as not yet reported: the next start reports it, not lost.
        held = {
            event.attributes["hash"]
            for event in self._held
            if event.type is TorrentEventType.DOWNLOAD_COMPLETED
        }
        return StoredTorrents(
            stored.downloading | held, stored.completed_until
        ).as_dict()

    @callback
    def _deliver(self, events: list[TorrentEvent]) -> None:
        if self.hass.state is CoreState.running:
            self._fire(events)
            return
        self._held.extend(events)
        if self._cancel_hold is None:
            self._cancel_hold = async_at_started(self.hass, self._fire_held)

    @callback
    def _fire_held(self, hass: HomeAssistant) -> None:
        self._cancel_hold = None
        # A write while they were held kept their completions as not yet reported.
        self._save_later()
        events, self._held = self._held, []
        self._fire(events)

    @callback
    def _fire(self, events: Sequence[TorrentEvent]) -> None:
        source = {ATTR_ENTRY_ID: self._entry.entry_id, ATTR_DEVICE_ID: self._device()}
        fire = self.hass.bus.async_fire
        for event in events:
            fire(bus_event_type(event.type), {**source, **event.attributes})
        LOGGER.debug("%s: %d torrent events", self._entry.title, len(events))
        self.last_event = events[-1]
        for listener in list(self._listeners):
            listener(events)

    def _device(self) -> str | None:
        """Return the id of the server's device (made with its first entity)."""
        if self._device_id is None:
            device = dr.async_get(self.hass).async_get_device_by_identifier(
                server_identifier(self._entry), self._entry.entry_id
            )
            self._device_id = device.id if device is not None else None
        return self._device_id


async def async_remove_stored_events(hass: HomeAssistant, entry_id: str) -> None:
    """Remove what a config entry's torrent events stored."""
    await Store[dict[str, Any]](
        hass, STORAGE_VERSION, storage_key(entry_id)
    ).async_remove()
