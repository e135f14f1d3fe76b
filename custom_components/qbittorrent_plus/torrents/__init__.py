"""The torrent features: their counts, their devices and their events."""
