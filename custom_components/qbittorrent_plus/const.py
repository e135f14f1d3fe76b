"""Constants for qBittorrent Plus."""

from typing import Final

DOMAIN: Final = "qbittorrent_plus"
