"""Tests for the qBittorrent Web API client."""
