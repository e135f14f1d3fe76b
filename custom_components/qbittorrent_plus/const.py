"""Constants for qBittorrent Plus."""

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "qbittorrent_plus"
DEFAULT_TITLE: Final = "qBittorrent"
LOGGER = logging.getLogger(__package__)

CONF_API_KEY: Final = "api_key"
CONF_SCAN_INTERVAL: Final = "scan_interval"

# An idle poll is one small delta request (about a millisecond of work on both
# sides even with 10,000 torrents), so a short interval keeps dashboards fresh.
DEFAULT_SCAN_INTERVAL: Final = timedelta(seconds=5)
MIN_SCAN_INTERVAL: Final = timedelta(seconds=1)
MAX_SCAN_INTERVAL: Final = timedelta(minutes=10)

# qBittorrent's default ban after too many failed logins; polling again earlier
# would only be refused (and, with a wrong password, prolong the ban).
DEFAULT_BAN_DURATION: Final = timedelta(hours=1)

# Which torrents get a device of their own: none, all, those of one category or
# those with one tag; at most so many, the most recently added first.
CONF_TORRENT_ENTITIES: Final = "torrent_entities"
CONF_TORRENT_CATEGORY: Final = "torrent_category"
CONF_TORRENT_TAG: Final = "torrent_tag"
CONF_TORRENT_LIMIT: Final = "torrent_limit"
TORRENTS_NONE: Final = "none"
TORRENTS_ALL: Final = "all"
TORRENTS_CATEGORY: Final = "category"
TORRENTS_TAG: Final = "tag"
TORRENT_SELECTIONS: Final = (
    TORRENTS_NONE,
    TORRENTS_ALL,
    TORRENTS_CATEGORY,
    TORRENTS_TAG,
)
DEFAULT_TORRENT_LIMIT: Final = 50
# Each torrent has nine entities; a few hundred torrents keep a dashboard usable
# and the entity registry small.
MAX_TORRENT_LIMIT: Final = 300

# qBittorrent keeps speed limits in whole KiB/s and shows them so; 0 is unlimited.
KIB: Final = 1024
# The largest speed limit qBittorrent's own dialogs accept, in KiB/s.
MAX_SPEED_LIMIT: Final = 2_000_000
