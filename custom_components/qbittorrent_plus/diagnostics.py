"""Diagnostics for qBittorrent Plus, with every secret redacted.

What a bug report needs: the entry, the server's versions and build, its
preferences, its transfer state and torrent counts, and a few torrents. Redacted:
credentials and API keys, the WebUI's certificate and key paths, mail, proxy and
dynamic DNS accounts, programs qBittorrent runs, local paths, IP addresses, torrent
names and hashes, and any text that holds a URL or a magnet link (tracker URLs carry
passkeys). The session cookie is never part of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
import re
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .api import APIError
from .const import CONF_API_KEY
from .data import QbittorrentConfigEntry

ENTRY_SECRETS = frozenset({CONF_API_KEY, CONF_PASSWORD, CONF_USERNAME})
PREFERENCE_SECRETS = frozenset(
    {
        # Accounts and keys.
        "web_ui_username",
        "web_ui_password",
        "web_ui_api_key",
        "proxy_username",
        "proxy_password",
        "mail_notification_email",
        "mail_notification_sender",
        "mail_notification_smtp",
        "mail_notification_username",
        "mail_notification_password",
        "dyndns_domain",
        "dyndns_username",
        "dyndns_password",
        # The WebUI's certificate and key (their content, before 4.2).
        "web_ui_https_cert_path",
        "web_ui_https_key_path",
        "ssl_cert",
        "ssl_key",
        # What qBittorrent runs, sends, or adds to torrents.
        "autorun_program",
        "autorun_on_torrent_added_program",
        "web_ui_custom_http_headers",
        "add_trackers",
        "add_trackers_url",
        "add_trackers_url_list",
        # Addresses, names and networks.
        "announce_ip",
        "banned_IPs",
        "bypass_auth_subnet_whitelist",
        "current_interface_address",
        "i2p_address",
        "proxy_ip",
        "web_ui_address",
        "web_ui_domain_list",
        "web_ui_reverse_proxies_list",
    }
)
# Folders and files: redacted by name, as the list grows with each release.
PATH_SUFFIXES = ("_path", "_dir", "_dirs", "_dir_fin")
SERVER_STATE_SECRETS = frozenset(
    {"external_address", "last_external_address_v4", "last_external_address_v6"}
)
# Its tracker and magnet link are URLs, redacted as all URLs are.
TORRENT_SECRETS = frozenset(
    {
        "name",
        "hash",
        "infohash_v1",
        "infohash_v2",
        "comment",
        "save_path",
        "download_path",
        "content_path",
        "root_path",
    }
)
TORRENT_SAMPLE_SIZE = 5

# Text holding a URL (http, udp, wss ... trackers) or a magnet link.
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://|\bmagnet:\?", re.IGNORECASE)


def redact_urls(value: Any) -> Any:
    """Return ``value`` with every string that holds a URL or a magnet link redacted.

    Tracker URLs carry passkeys in their path or query, and such URLs end up in
    many places (a torrent's tracker and magnet link, the preferences' list of
    trackers added to new torrents, a torrent's comment).
    """
    if isinstance(value, Mapping):
        return {key: redact_urls(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_urls(item) for item in value]
    if isinstance(value, str) and _URL.search(value):
        return REDACTED
    return value


def redact(value: Any, keys: frozenset[str]) -> Any:
    """Redact ``keys`` (wherever they are), then every URL."""
    return redact_urls(async_redact_data(value, keys))


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: QbittorrentConfigEntry
) -> dict[str, Any]:
    """Return the diagnostics of a loaded entry."""
    runtime = entry.runtime_data
    client = runtime.client
    coordinator = runtime.coordinator
    maindata = coordinator.maindata
    preferences = await _read(client.app_preferences, simple_responses=True)
    if "error" not in preferences:
        preference_secrets = PREFERENCE_SECRETS | {
            key for key in preferences if key.endswith(PATH_SUFFIXES)
        }
        preferences = redact(preferences, preference_secrets)
    torrents = sorted(
        maindata.torrents.values(),
        key=lambda torrent: (torrent.get("added_on", 0), torrent["hash"]),
    )
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(entry.data, ENTRY_SECRETS),
            "options": dict(entry.options),
        },
        "server": {
            "version": runtime.version,
            "web_api_version": runtime.api_version,
            "build_info": await _read(client.app_build_info, simple_responses=True),
        },
        "preferences": preferences,
        "coordinator": {
            "last_update_success": coordinator.last_update_success,
            "update_interval": (
                coordinator.update_interval
                and coordinator.update_interval.total_seconds()
            ),
        },
        "server_state": redact(maindata.server_state, SERVER_STATE_SECRETS),
        "torrent_counts": dict(coordinator.data.torrent_counts),
        "maindata": {
            "torrents": len(maindata.torrents),
            "categories": len(maindata.categories),
            "tags": len(maindata.tags),
            "trackers": len(maindata.trackers),
        },
        "torrents_sample": redact(torrents[:TORRENT_SAMPLE_SIZE], TORRENT_SECRETS),
    }


async def _read(call: Callable[..., Awaitable[Any]], **kwargs: Any) -> dict[str, Any]:
    """Return what the server answers, or the error (its text names no secret)."""
    try:
        answer = await call(**kwargs)
    except APIError as err:
        return {"error": f"{type(err).__name__}: {err}"}
    return dict(answer or {})
