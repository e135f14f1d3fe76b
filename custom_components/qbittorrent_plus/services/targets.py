"""Which torrents an action is for, resolved from the last poll without a request.

An action names its torrents by info hash (``torrents``), by ``all: true``, or by
filters (``state``, ``category``, ``tag``); everything given must match, as the
WebUI's filters do. The last poll knows every torrent, category and tag, so a call
that names something the server does not have is refused before anything is sent.
A name the last poll does not know may be new (a torrent added a moment ago), so
the coordinator polls once before the call is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import voluptuous as vol

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv

from ..api import STATE_GROUPS, MainData, TorrentHashes, is_active, torrent_tags
from ..const import DOMAIN
from ..coordinator import QbittorrentCoordinator
from .action import ATTR_CATEGORY, refused

ATTR_TORRENTS: Final = "torrents"
ATTR_ALL: Final = "all"
ATTR_STATE: Final = "state"
ATTR_TAG: Final = "tag"

STATES: Final = (*STATE_GROUPS, "active", "inactive")

TARGET_FIELDS: Final[Mapping[Any, Any]] = {
    vol.Optional(ATTR_TORRENTS): vol.All(cv.ensure_list, [cv.string]),
    vol.Optional(ATTR_ALL): cv.boolean,
    vol.Optional(ATTR_STATE): vol.In(STATES),
    vol.Optional(ATTR_CATEGORY): cv.string,
    vol.Optional(ATTR_TAG): cv.string,
}
"""The fields of every action on torrents; ``""`` as category or tag means none."""

# Tags as a list, or as text with commas between them (no tag holds a comma).
TAGS: Final = vol.All(cv.ensure_list_csv, [cv.string])


class RefusedByLastPollError(ServiceValidationError):
    """A refusal the last poll's data gives, which a newer poll may not.

    The call names a torrent, category or tag the poll did not have, or asks for
    what the server's settings did not allow then.
    """


@dataclass(frozen=True, slots=True)
class Targets:
    """The torrents a call is for."""

    hashes: tuple[str, ...]
    """Each torrent that matches, as the last poll knows them."""
    everything: bool = False
    """The call asked for every torrent, with nothing narrowing it down."""

    @property
    def wire(self) -> TorrentHashes:
        """Return the torrents as the server takes them: ``all`` only when asked."""
        return "all" if self.everything else self.hashes

    def __bool__(self) -> bool:
        """Return whether there is any torrent to act on."""
        return self.everything or bool(self.hashes)


def torrent_hashes(given: Iterable[str]) -> list[str]:
    """Return hashes as the server lists them (lower case), each once, in order."""
    return list(dict.fromkeys(text.strip().lower() for text in given))


async def resolve_targets(
    coordinator: QbittorrentCoordinator,
    data: Mapping[str, Any],
    *,
    everything_by_default: bool = False,
) -> Targets:
    """Return the torrents a call's target fields select.

    Without any target field the call is refused, unless ``everything_by_default``
    (for actions that only read).
    """
    filtered = bool(data.get(ATTR_TORRENTS)) or any(
        key in data for key in (ATTR_STATE, ATTR_CATEGORY, ATTR_TAG)
    )
    if not filtered and not data.get(ATTR_ALL) and not everything_by_default:
        raise refused("torrent_target_missing")
    if not filtered:
        return Targets(tuple(coordinator.data.maindata.torrents), everything=True)
    return await known(coordinator, lambda maindata: _matching(maindata, data))


async def resolve_torrent(coordinator: QbittorrentCoordinator, given: str) -> str:
    """Return the hash of the one torrent a call names."""
    (info_hash,) = torrent_hashes([given])
    await known(coordinator, lambda maindata: _check_torrents(maindata, [info_hash]))
    return info_hash


async def known[T](
    coordinator: QbittorrentCoordinator, resolve: Callable[[MainData], T]
) -> T:
    """Run ``resolve`` on the last poll, and on a new one if that refuses the call.

    ``resolve`` raises ``RefusedByLastPollError`` when the poll refuses the call.
    """
    try:
        return resolve(coordinator.data.maindata)
    except RefusedByLastPollError:
        await poll_now(coordinator)
        return resolve(coordinator.data.maindata)


async def poll_now(coordinator: QbittorrentCoordinator) -> None:
    """Poll the server at once; fail when it does not answer."""
    await coordinator.async_refresh()
    if not coordinator.last_update_success:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="torrents_poll_failed",
            translation_placeholders={"error": str(coordinator.last_exception)},
        )


async def require_known_category(
    coordinator: QbittorrentCoordinator, category: str
) -> None:
    """Refuse a category the server does not have (``""`` is no category)."""
    await known(coordinator, lambda maindata: _check_category(maindata, category))


def check_tags(tags: Iterable[str]) -> None:
    """Refuse tags qBittorrent cannot hold: empty ones, or with a comma."""
    for tag in tags:
        if not tag.strip() or "," in tag:
            raise refused("torrent_tag_invalid", tag=tag)


def _check_category(maindata: MainData, category: str) -> None:
    """Refuse a category the server does not have (``""`` is no category)."""
    if category and category not in maindata.categories:
        raise RefusedByLastPollError(
            translation_domain=DOMAIN,
            translation_key="torrent_category_not_found",
            translation_placeholders={"category": category},
        )


def _check_tag(maindata: MainData, tag: str) -> None:
    if tag and tag not in maindata.tags:
        raise RefusedByLastPollError(
            translation_domain=DOMAIN,
            translation_key="torrent_tag_not_found",
            translation_placeholders={"tag": tag},
        )


def _check_torrents(maindata: MainData, hashes: Iterable[str]) -> None:
    if unknown := [h for h in hashes if h not in maindata.torrents]:
        raise RefusedByLastPollError(
            translation_domain=DOMAIN,
            translation_key="torrents_not_found",
            translation_placeholders={"torrents": ", ".join(unknown)},
        )


def _matching(maindata: MainData, data: Mapping[str, Any]) -> Targets:
    """Return the torrents matching every target field the call gives."""
    torrents = maindata.torrents
    candidates: Iterable[str] = torrents
    if data.get(ATTR_TORRENTS):
        candidates = torrent_hashes(data[ATTR_TORRENTS])
        _check_torrents(maindata, candidates)
    tests = [_state_test(data[ATTR_STATE])] if ATTR_STATE in data else []
    if (category := data.get(ATTR_CATEGORY)) is not None:
        _check_category(maindata, category)
        tests.append(_category_test(category))
    if (tag := data.get(ATTR_TAG)) is not None:
        _check_tag(maindata, tag)
        tests.append(_tag_test(tag))
    return Targets(
        tuple(
            info_hash
            for info_hash in candidates
            if all(test(torrents[info_hash]) for test in tests)
        )
    )


type _TorrentTest = Callable[[Mapping[str, Any]], bool]


def _state_test(state: str) -> _TorrentTest:
    """Return a test of whether a torrent is in a state group."""
    if state in ("active", "inactive"):
        active = state == "active"
        return lambda torrent: is_active(torrent) is active
    members = STATE_GROUPS[state]
    return lambda torrent: torrent.get("state") in members


def _category_test(category: str) -> _TorrentTest:
    """Return a test of a torrent's category (``""``: it has none)."""
    return lambda torrent: torrent.get("category", "") == category


def _tag_test(tag: str) -> _TorrentTest:
    """Return a test of whether a torrent has a tag (``""``: it has no tag)."""
    if tag:
        return lambda torrent: tag in torrent_tags(torrent)
    return lambda torrent: not torrent_tags(torrent)
