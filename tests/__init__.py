"""Tests for qBittorrent Plus."""
