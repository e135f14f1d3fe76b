"""Print the README's endpoint table from the client's catalog, or check it is current.

python scripts/endpoint_table.py           print the table
python scripts/endpoint_table.py --write   rewrite it in README.md
"""

from __future__ import annotations

from pathlib import Path
import sys

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from custom_components.qbittorrent_plus.api.versions import (  # noqa: E402
    ENDPOINTS,
    MIN_SUPPORTED,
    first_release,
    format_version,
)

BEGIN = "<!-- endpoint table: begin (scripts/endpoint_table.py --write) -->"
END = "<!-- endpoint table: end -->"


def table() -> str:
    """Return the endpoint table as Markdown."""
    rows = [
        "| Endpoint | Method | Since (Web API / qBittorrent) | Removed | Instead |",
        "|---|---|---|---|---|",
    ]
    for endpoint in ENDPOINTS.values():
        since = (
            ""
            if endpoint.introduced == MIN_SUPPORTED
            else f"{format_version(endpoint.introduced)} / {first_release(endpoint.introduced)}"
        )
        removed = format_version(endpoint.removed) if endpoint.removed else ""
        rows.append(
            f"| `{endpoint.path}` | {endpoint.http_method} | {since} | {removed} "
            f"| {f'`{endpoint.replaced_by}`' if endpoint.replaced_by else ''} |"
        )
    return "\n".join(rows)


def readme_with_table(readme: str) -> str:
    """Return the README text with its table replaced by the current one."""
    head, _, rest = readme.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        path = ROOT / "README.md"
        path.write_text(readme_with_table(path.read_text()))
    else:
        print(table())
