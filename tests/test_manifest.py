"""The files HACS and hassfest read are complete and ordered as they require."""

from __future__ import annotations

import json
from pathlib import Path

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "qbittorrent_plus"


def test_manifest_keys() -> None:
    """Domain, name, then the rest alphabetically, with every key HACS requires."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    keys = list(manifest)

    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == INTEGRATION.name
    assert {"codeowners", "documentation", "issue_tracker", "version"} <= set(keys)
    assert manifest["config_flow"] is True
    assert (INTEGRATION / "config_flow.py").exists()


def test_hacs_manifest() -> None:
    """hacs.json names the integration and the Home Assistant version it needs."""
    hacs = json.loads((INTEGRATION.parent.parent / "hacs.json").read_text())

    assert hacs["name"] == "qBittorrent Plus"
    assert hacs["homeassistant"]
