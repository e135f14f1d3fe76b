"""A tiny local web server for RSS feeds and .torrent files, with no network.

qBittorrent fetches feeds, and the torrents their articles or search results link to,
from here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web

from .local_server import LocalServer
from .torrents import MadeTorrent

# One fixed date keeps the feeds' articles identical from one fetch to the next.
PUB_DATE = "Mon, 06 Jan 2025 10:00:00 GMT"


@dataclass(frozen=True)
class Article:
    """One item of an RSS 2.0 feed."""

    title: str
    link: str
    """Where the article's torrent is; also its enclosure."""
    guid: str = ""
    """The article's id in qBittorrent; the title when empty."""
    description: str = ""

    @property
    def id(self) -> str:
        """Return the id qBittorrent gives the article."""
        return self.guid or self.title


def rss_document(title: str, link: str, articles: list[Article]) -> str:
    """Return an RSS 2.0 document with these articles."""
    items = "".join(
        f"<item><title>{escape(article.title)}</title>"
        f"<link>{escape(article.link)}</link>"
        f"<guid isPermaLink={quoteattr('false')}>{escape(article.id)}</guid>"
        f"<pubDate>{PUB_DATE}</pubDate>"
        f"<description>{escape(article.description)}</description>"
        f"<enclosure url={quoteattr(article.link)} length={quoteattr('0')}"
        f" type={quoteattr('application/x-bittorrent')}/></item>"
        for article in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<description>{escape(title)}</description>{items}</channel></rss>"
    )


class FeedsServer(LocalServer):
    """Serves whatever a test puts at a path; counts the requests per path."""

    def __init__(self) -> None:
        """Prepare an empty server; start it with ``async with``."""
        super().__init__()
        self._files: dict[str, tuple[bytes, str]] = {}
        self.hits: Counter[str] = Counter()

    def _routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/{path:.*}", self._handle)

    def url(self, path: str) -> str:
        """Return the URL of a path on this server."""
        return f"http://127.0.0.1:{self.port}/{path}"

    def serve(self, path: str, body: bytes, content_type: str) -> str:
        """Serve ``body`` at ``path`` (replacing what was there); return its URL."""
        self._files[path] = (body, content_type)
        return self.url(path)

    def serve_feed(self, path: str, title: str, articles: list[Article]) -> str:
        """Serve an RSS 2.0 feed at ``path``; return its URL."""
        document = rss_document(title, self.url(""), articles)
        return self.serve(path, document.encode(), "application/rss+xml")

    def serve_torrent(self, torrent: MadeTorrent) -> str:
        """Serve a made torrent's .torrent file; return its URL."""
        return self.serve(
            f"torrents/{torrent.path.name}", torrent.data, "application/x-bittorrent"
        )

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        self.hits[path] += 1
        if path not in self._files:
            raise web.HTTPNotFound
        body, content_type = self._files[path]
        return web.Response(body=body, content_type=content_type)
