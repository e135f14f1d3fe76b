"""The README's endpoint table is the one the catalog generates."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _endpoint_table_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "endpoint_table", ROOT / "scripts" / "endpoint_table.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_endpoint_table_is_current() -> None:
    """Run `python scripts/endpoint_table.py --write` after changing the catalog."""
    script = _endpoint_table_script()
    readme = (ROOT / "README.md").read_text()

    assert script.BEGIN in readme
    assert script.readme_with_table(readme) == readme


def test_table_lists_every_endpoint_once() -> None:
    """One row per catalog endpoint, with the removed ones saying what replaced them."""
    script = _endpoint_table_script()
    rows = script.table().splitlines()[2:]

    assert len(rows) == len(script.ENDPOINTS)
    assert "| `torrents/pause` | POST |  | 2.11 | `torrents/stop` |" in rows
    assert "| `transfer/pauseSession` | POST | 2.16.2 / 5.3.0 |  |  |" in rows
