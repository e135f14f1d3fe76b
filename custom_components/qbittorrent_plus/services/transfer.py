"""Actions on the whole transfer: speed limits, their mode, banned peers, the session."""

from __future__ import annotations

import ipaddress
from typing import Final

import voluptuous as vol

from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv

from ..const import KIB
from ..data import QbittorrentConfigEntry
from .action import SPEED_LIMIT, QbittorrentAction, refused

# Action field -> preference.
LIMIT_FIELDS: Final = {
    "download_limit": "dl_limit",
    "upload_limit": "up_limit",
    "alternative_download_limit": "alt_dl_limit",
    "alternative_upload_limit": "alt_up_limit",
}

ATTR_ENABLED: Final = "enabled"
ATTR_PEERS: Final = "peers"


async def _set_speed_limits(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    preferences = {
        preference: call.data[field] * KIB
        for field, preference in LIMIT_FIELDS.items()
        if field in call.data
    }
    if not preferences:
        raise refused("speed_limit_required")
    # Preferences set any of the four limits on every server version, whichever
    # set is in force.
    await entry.runtime_data.client.app_set_preferences(preferences)
    # The main data shows only the limits in force; read the others too.
    entry.runtime_data.coordinator.request_preferences()
    return None


async def _set_alternative_speed_limits(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    client = entry.runtime_data.client
    await client.transfer_set_speed_limits_mode(call.data[ATTR_ENABLED])
    return None


def peer_address(peer: str) -> str:
    """Return a peer as qBittorrent reads it (``ip:port``, ``[ipv6]:port``).

    qBittorrent takes IP addresses only, not host names, and silently skips
    anything else, so a typo would ban nobody without a word.
    """
    host, _, port = peer.strip().rpartition(":")
    bracketed = host.startswith("[") and host.endswith("]")
    try:
        address = ipaddress.ip_address(host[1:-1] if bracketed else host)
    except ValueError:
        address = None
    if (
        address is None
        or (address.version == 6) != bracketed
        or not port.isdecimal()
        or not 0 < int(port) < 65536
    ):
        raise refused("invalid_peer", peer=peer)
    return f"[{address}]:{int(port)}" if bracketed else f"{address}:{int(port)}"


async def _ban_peers(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    peers = [peer_address(peer) for peer in call.data[ATTR_PEERS]]
    await entry.runtime_data.client.transfer_ban_peers(peers)
    return None


# A server before qBittorrent 5.3 has no session to pause: the client refuses the
# request before sending it.


async def _pause_session(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    await entry.runtime_data.client.transfer_pause_session()
    return None


async def _resume_session(
    entry: QbittorrentConfigEntry, call: ServiceCall
) -> ServiceResponse:
    await entry.runtime_data.client.transfer_resume_session()
    return None


TRANSFER_ACTIONS: Final = (
    QbittorrentAction(
        name="set_speed_limits",
        fields={vol.Optional(field): SPEED_LIMIT for field in LIMIT_FIELDS},
        handler=_set_speed_limits,
    ),
    QbittorrentAction(
        name="set_alternative_speed_limits",
        fields={vol.Required(ATTR_ENABLED): cv.boolean},
        handler=_set_alternative_speed_limits,
    ),
    QbittorrentAction(
        name="ban_peers",
        fields={
            vol.Required(ATTR_PEERS): vol.All(
                cv.ensure_list, [cv.string], vol.Length(min=1)
            )
        },
        handler=_ban_peers,
    ),
    QbittorrentAction(name="pause_session", fields={}, handler=_pause_session),
    QbittorrentAction(name="resume_session", fields={}, handler=_resume_session),
)
