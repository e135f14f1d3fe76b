"""The files HACS and hassfest read are complete and ordered as they require."""

from __future__ import annotations

import json
from pathlib import Path
import re
import tomllib

from awesomeversion import AwesomeVersion

from homeassistant.util.yaml import load_yaml_dict

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "qbittorrent_plus"
BLUEPRINT = (
    ROOT / "blueprints" / "automation" / "qbittorrent_plus" / "download_completed.yaml"
)


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
    hacs = json.loads((ROOT / "hacs.json").read_text())

    assert hacs["name"] == "qBittorrent Plus"
    assert hacs["homeassistant"]
    # HACS installs the zip that the release workflow attaches.
    assert hacs["zip_release"] is True
    assert hacs["filename"] == f"{INTEGRATION.name}.zip"
    assert (
        hacs["filename"] in (ROOT / ".github" / "workflows" / "release.yml").read_text()
    )


def test_minimum_is_the_oldest_release_tested() -> None:
    """hacs.json and the blueprint ask for the oldest release scripts/test-window runs."""
    releases = [
        AwesomeVersion(path.stem.removeprefix("ha-"))
        for path in (ROOT / "requirements_window").glob("ha-*.txt")
    ]
    hacs = json.loads((ROOT / "hacs.json").read_text())
    blueprint = load_yaml_dict(str(BLUEPRINT))["blueprint"]

    assert hacs["homeassistant"] == str(min(releases))
    assert blueprint["homeassistant"]["min_version"] == str(min(releases))


def test_version_is_the_release() -> None:
    """manifest.json, pyproject.toml and the changelog's newest entry agree."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    releases = re.findall(
        r"^## (\S+)$", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE
    )

    assert manifest["version"] == project["version"] == releases[0]
