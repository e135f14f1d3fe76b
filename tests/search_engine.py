"""A search plugin (a nova3 engine) that finds local results, for search tests.

qBittorrent runs plugins with Python: ``nova2.py`` imports the engine module from its
``engines`` folder and calls ``search(what, cat)``, whose results are printed with
``novaprinter.prettyPrinter``. The file's ``#VERSION:`` line is the plugin's version;
the module, the class and the plugin are named alike. This engine reaches no network:
its results point wherever the test says, and the server downloads a result's
``fileUrl`` itself (``nova2dl.py`` with ``helpers.download_file``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# A pattern containing this word keeps the search running after the first result
# until it is stopped, so a test can watch a running search.
SLOW_WORD = "slow"

_ENGINE = """\
#VERSION: {version}
#AUTHORS: qBittorrent Plus tests

import sys
import time

from novaprinter import prettyPrinter

RESULTS = {results!r}


class {name}:
    url = {url!r}
    name = {full_name!r}
    supported_categories = {{"all": "0", "software": "3"}}

    def search(self, what, cat="all"):
        for result in RESULTS:
            # The category and the (URL-quoted) pattern show in each result's name.
            prettyPrinter(dict(result, name=f"{{result['name']}} {{cat}} {{what}}"))
        if {slow_word!r} in what:
            # Older nova2 versions leave stdout buffered: show the results first.
            sys.stdout.flush()
            time.sleep(30)
"""


@dataclass(frozen=True)
class EngineResult:
    """One result the engine prints."""

    name: str
    link: str
    """The result's ``fileUrl``: a .torrent file or a magnet link."""
    size: str = "1 MB"
    seeds: int = 5
    leech: int = 1


@dataclass(frozen=True)
class Engine:
    """A plugin file written for a test."""

    name: str
    path: Path
    url: str
    full_name: str
    version: str


def write_engine(
    directory: Path,
    name: str,
    *,
    url: str,
    results: list[EngineResult],
    version: str = "1.00",
) -> Engine:
    """Write a plugin named ``name`` under ``directory``; return where it is."""
    full_name = f"Plus {name}"
    printed = [
        {
            "link": result.link,
            "name": result.name,
            "size": result.size,
            "seeds": result.seeds,
            "leech": result.leech,
            "engine_url": url,
            "desc_link": f"{url}/about/{index}",
            "pub_date": 1_700_000_000 + index,
        }
        for index, result in enumerate(results)
    ]
    path = directory / f"{name}.py"
    path.write_text(
        _ENGINE.format(
            version=version,
            results=printed,
            name=name,
            url=url,
            full_name=full_name,
            slow_word=SLOW_WORD,
        )
    )
    return Engine(name=name, path=path, url=url, full_name=full_name, version=version)
