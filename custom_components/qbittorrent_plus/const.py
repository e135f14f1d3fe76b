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
