"""The integration's modules import one another without a circle, and api/ stands alone."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

PACKAGE = "custom_components.qbittorrent_plus"
ROOT = Path(__file__).parent.parent / "custom_components" / "qbittorrent_plus"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def _imported(path: Path, tree: ast.Module) -> Iterator[str]:
    """Yield every module ``path`` imports, type-checking imports included."""
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}" if base else parent
            yield base
            # "from . import x" may import the submodule x.
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _graph() -> dict[str, set[str]]:
    """Return, for each module of the integration, the modules of it that it imports."""
    sources = {_module_name(path): path for path in ROOT.rglob("*.py")}
    return {
        name: {
            imported
            for imported in _imported(path, ast.parse(path.read_text()))
            if imported in sources and imported != name
        }
        for name, path in sources.items()
    }


def _circle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """Return a circle of imports, if there is one."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        for imported in sorted(graph[module]):
            if circle := visit(imported, [*path, module]):
                return circle
        done.add(module)
        return None

    for module in sorted(graph):
        if circle := visit(module, []):
            return circle
    return None


def test_no_import_circle() -> None:
    """No module of the integration imports itself, however indirectly."""
    graph = _graph()
    assert len(graph) > 30
    assert _circle(graph) is None


def test_circle_is_found() -> None:
    """The walk finds a circle where there is one."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circle(graph) == ["a", "b", "c", "a"]


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "api").glob("*.py")),
    ids=lambda path: path.name,
)
def test_api_imports_nothing_of_home_assistant(path: Path) -> None:
    """The client is a library: no Home Assistant, nothing of the integration."""
    for imported in _imported(path, ast.parse(path.read_text())):
        assert not imported.startswith("homeassistant"), imported
        assert not imported.startswith(PACKAGE) or imported.startswith(
            f"{PACKAGE}.api"
        ), imported


def test_home_assistant_layer_uses_the_api_package() -> None:
    """Outside api/, the client is reached through its public surface only."""
    for path in ROOT.rglob("*.py"):
        if (ROOT / "api") in path.parents:
            continue
        for imported in _imported(path, ast.parse(path.read_text())):
            if imported.startswith(f"{PACKAGE}.api."):
                # "from .api import X" also yields ".api.X": a name, not a module.
                assert not (
                    ROOT / "api" / f"{imported.rpartition('.')[2]}.py"
                ).exists(), f"{path.name} imports {imported}"
