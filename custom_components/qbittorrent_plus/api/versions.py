"""Web API versions and the catalog of every endpoint with the versions it exists in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

type APIVersion = tuple[int, int, int]

MIN_SUPPORTED: APIVersion = (2, 0, 0)
MAX_SUPPORTED: APIVersion = (2, 16, 2)

# First Web API version of each qBittorrent release line, for messages that tell a
# user which qBittorrent to upgrade to.
_FIRST_RELEASE: dict[APIVersion, str] = {
    (2, 0, 0): "4.1.0",
    (2, 0, 1): "4.1.1",
    (2, 0, 2): "4.1.2",
    (2, 1, 0): "4.1.3",
    (2, 1, 1): "4.1.4",
    (2, 2, 0): "4.1.5",
    (2, 2, 1): "4.1.8",
    (2, 3, 0): "4.2.0",
    (2, 4, 0): "4.2.1",
    (2, 5, 1): "4.2.5",
    (2, 6, 0): "4.3.0",
    (2, 7, 0): "4.3.3",
    (2, 8, 2): "4.3.5",
    (2, 8, 4): "4.4.0",
    (2, 8, 14): "4.5.0",
    (2, 8, 19): "4.5.1",
    (2, 9, 2): "4.6.0",
    (2, 9, 3): "4.6.1",
    (2, 10, 3): "5.0.0",
    (2, 11, 2): "5.0.0",
    # 2.11.3 was only 5.1.0's first beta.
    (2, 11, 4): "5.1.0",
    (2, 11, 9): "5.2.0",
    (2, 12, 1): "5.2.0",
    (2, 13, 1): "5.2.0",
    (2, 14, 1): "5.2.0",
    (2, 15, 1): "5.2.0",
    (2, 15, 2): "5.3.0",
    (2, 16, 0): "5.3.0",
    (2, 16, 2): "5.3.0",
}


def parse_version(text: str) -> APIVersion:
    """Parse ``"2.8.19"`` or ``"2.3"`` (servers drop a trailing ``.0``)."""
    try:
        parts = [int(part) for part in text.strip().removeprefix("v").split(".")]
    except ValueError:
        parts = []
    if not 1 <= len(parts) <= 3:
        msg = f"not a Web API version: {text!r}"
        raise ValueError(msg)
    parts += [0] * (3 - len(parts))
    return (parts[0], parts[1], parts[2])


def format_version(version: APIVersion) -> str:
    """Return ``2.8.19`` for (2, 8, 19) and ``2.3`` for (2, 3, 0)."""
    return ".".join(map(str, version[:2] if version[2] == 0 else version))


def first_release(version: APIVersion) -> str:
    """Return the first qBittorrent release that answers with at least ``version``."""
    candidates = [app for api, app in _FIRST_RELEASE.items() if api >= version]
    return min(candidates, key=parse_version) if candidates else "a newer release"


def needs_version(what: str, introduced: APIVersion, version: APIVersion) -> str:
    """Explain, for a person, that ``what`` is newer than the server's ``version``."""
    return (
        f"{what} needs Web API {format_version(introduced)} "
        f"(qBittorrent {first_release(introduced)} or newer); "
        f"this server has Web API {format_version(version)}"
    )


def is_supported(version: APIVersion) -> bool:
    """Return whether this client supports a server of this Web API version."""
    return MIN_SUPPORTED <= version <= MAX_SUPPORTED


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One Web API endpoint and the versions that have it."""

    path: str
    """``namespace/method``, as in the URL after ``/api/v2/``."""
    http_method: Literal["GET", "POST"]
    introduced: APIVersion = MIN_SUPPORTED
    removed: APIVersion | None = None
    """The first version without it (removed, or renamed to ``replaced_by``)."""
    replaced_by: str | None = None

    def exists_in(self, version: APIVersion) -> bool:
        """Return whether a server of this Web API version has the endpoint."""
        return self.introduced <= version and (
            self.removed is None or version < self.removed
        )

    def describe_absence(self, version: APIVersion) -> str:
        """Explain, for a person, why a server of ``version`` lacks the endpoint."""
        if version < self.introduced:
            return needs_version(self.path, self.introduced, version)
        instead = f"; use {self.replaced_by}" if self.replaced_by else ""
        removed = format_version(self.removed) if self.removed else "?"
        return f"{self.path} was removed in Web API {removed}{instead}"


# path, HTTP method, introduced ("-": since 2.0), removed ("-": still there), replaced by.
# GET marks reads, which the server also takes as POST; POST marks changes, which
# newer servers refuse as GET (405).
_CATALOG = """
auth/login                       POST  -       -       -
auth/logout                      POST  -       -       -
app/version                      GET   -       -       -
app/webapiVersion                GET   -       -       -
app/buildInfo                    GET   2.3     -       -
app/processInfo                  GET   2.15.1  -       -
app/shutdown                     POST  -       -       -
app/preferences                  GET   -       -       -
app/setPreferences               POST  -       -       -
app/defaultSavePath              GET   -       -       -
app/networkInterfaceList         GET   2.3     -       -
app/networkInterfaceAddressList  GET   2.3     -       -
app/sendTestEmail                POST  2.10.4  -       -
app/getDirectoryContent          GET   2.11    -       -
app/getFreeSpaceAtPath           GET   2.15.2  -       -
app/cookies                      GET   2.11.3  -       -
app/setCookies                   POST  2.11.3  -       -
app/rotateAPIKey                 POST  2.14.1  -       -
app/deleteAPIKey                 POST  2.14.1  -       -
log/main                         GET   -       -       -
log/peers                        GET   -       -       -
sync/maindata                    GET   -       -       -
sync/torrentPeers                GET   -       -       -
transfer/info                    GET   -       -       -
transfer/speedLimitsMode         GET   -       -       -
transfer/toggleSpeedLimitsMode   POST  -       -       -
transfer/setSpeedLimitsMode      POST  2.8.14  -       -
transfer/downloadLimit           GET   -       -       -
transfer/uploadLimit             GET   -       -       -
transfer/setDownloadLimit        POST  -       -       -
transfer/setUploadLimit          POST  -       -       -
transfer/getSpeedLimits          GET   2.16    -       -
transfer/setSpeedLimits          POST  2.16    -       -
transfer/pauseSession            POST  2.16.2  -       -
transfer/resumeSession           POST  2.16.2  -       -
transfer/banPeers                POST  2.3     -       -
torrents/info                    GET   -       -       -
torrents/count                   GET   2.9.3   -       -
torrents/properties              GET   -       -       -
torrents/trackers                GET   -       -       -
torrents/webseeds                GET   -       -       -
torrents/addWebSeeds             POST  2.11.3  -       -
torrents/editWebSeed             POST  2.11.3  -       -
torrents/removeWebSeeds          POST  2.11.3  -       -
torrents/files                   GET   -       -       -
torrents/pieceStates             GET   -       -       -
torrents/pieceHashes             GET   -       -       -
torrents/pieceAvailability       GET   2.15.1  -       -
torrents/pause                   POST  -       2.11    torrents/stop
torrents/resume                  POST  -       2.11    torrents/start
torrents/stop                    POST  2.11    -       -
torrents/start                   POST  2.11    -       -
torrents/delete                  POST  -       -       -
torrents/recheck                 POST  -       -       -
torrents/reannounce              POST  2.0.2   -       -
torrents/add                     POST  -       -       -
torrents/addTrackers             POST  -       -       -
torrents/editTracker             POST  2.2     -       -
torrents/removeTrackers          POST  2.2     -       -
torrents/addPeers                POST  2.3     -       -
torrents/increasePrio            POST  -       -       -
torrents/decreasePrio            POST  -       -       -
torrents/topPrio                 POST  -       -       -
torrents/bottomPrio              POST  -       -       -
torrents/filePrio                POST  -       -       -
torrents/downloadLimit           GET   -       -       -
torrents/uploadLimit             GET   -       -       -
torrents/setDownloadLimit        POST  -       -       -
torrents/setUploadLimit          POST  -       -       -
torrents/setShareLimits          POST  2.0.1   -       -
torrents/setLocation             POST  -       -       -
torrents/setSavePath             POST  2.8.4   -       -
torrents/setDownloadPath         POST  2.8.4   -       -
torrents/rename                  POST  -       -       -
torrents/setComment              POST  2.12.1  -       -
torrents/setCategory             POST  -       -       -
torrents/categories              GET   2.1.1   -       -
torrents/createCategory          POST  -       -       -
torrents/editCategory            POST  2.1     -       -
torrents/removeCategories        POST  -       -       -
torrents/tags                    GET   2.3     -       -
torrents/addTags                 POST  2.3     -       -
torrents/removeTags              POST  2.3     -       -
torrents/setTags                 POST  2.11.4  -       -
torrents/createTags              POST  2.3     -       -
torrents/deleteTags              POST  2.3     -       -
torrents/setAutoManagement       POST  -       -       -
torrents/toggleSequentialDownload POST -       -       -
torrents/toggleFirstLastPiecePrio POST -       -       -
torrents/setForceStart           POST  -       -       -
torrents/setSuperSeeding         POST  -       -       -
torrents/renameFile              POST  2.4     -       -
torrents/renameFolder            POST  2.7     -       -
torrents/export                  GET   2.8.14  -       -
torrents/SSLParameters           GET   2.10.3  -       -
torrents/setSSLParameters        POST  2.10.3  -       -
torrents/fetchMetadata           POST  2.11.9  -       -
torrents/parseMetadata           POST  2.11.9  -       -
torrents/saveMetadata            GET   2.11.9  -       -
torrents/downloadFile            GET   2.16    -       -
rss/addFolder                    POST  -       -       -
rss/addFeed                      POST  -       -       -
rss/setFeedURL                   POST  2.9.1   -       -
rss/setFeedRefreshInterval       POST  2.11.5  -       -
rss/removeItem                   POST  -       -       -
rss/moveItem                     POST  -       -       -
rss/items                        GET   -       -       -
rss/markAsRead                   POST  2.5.1   -       -
rss/refreshItem                  POST  2.2     -       -
rss/setRule                      POST  -       -       -
rss/renameRule                   POST  -       -       -
rss/cloneRule                    POST  2.15.4  -       -
rss/removeRule                   POST  -       -       -
rss/rules                        GET   -       -       -
rss/matchingArticles             GET   2.5.1   -       -
rss/exportRules                  GET   2.16.2  -       -
rss/importRules                  POST  2.16.2  -       -
search/start                     POST  2.1.1   -       -
search/stop                      POST  2.1.1   -       -
search/status                    GET   2.1.1   -       -
search/results                   GET   2.1.1   -       -
search/delete                    POST  2.1.1   -       -
search/categories                GET   2.1.1   2.6     search/plugins
search/plugins                   GET   2.1.1   -       -
search/installPlugin             POST  2.1.1   -       -
search/uninstallPlugin           POST  2.1.1   -       -
search/enablePlugin              POST  2.1.1   -       -
search/updatePlugins             POST  2.1.1   -       -
search/downloadTorrent           POST  2.11    -       -
torrentcreator/addTask           POST  2.10.4  -       -
torrentcreator/status            GET   2.10.4  -       -
torrentcreator/torrentFile       GET   2.10.4  -       -
torrentcreator/deleteTask        POST  2.10.4  -       -
clientdata/load                  GET   2.13.1  -       -
clientdata/store                 POST  2.13.1  -       -
"""


def _parse_catalog(text: str) -> dict[str, Endpoint]:
    def version(cell: str) -> APIVersion | None:
        return None if cell == "-" else parse_version(cell)

    catalog = {}
    for line in text.strip().splitlines():
        path, method, introduced, removed, replaced_by = line.split()
        catalog[path] = Endpoint(
            path=path,
            http_method="GET" if method == "GET" else "POST",
            introduced=version(introduced) or MIN_SUPPORTED,
            removed=version(removed),
            replaced_by=None if replaced_by == "-" else replaced_by,
        )
    return catalog


ENDPOINTS: dict[str, Endpoint] = _parse_catalog(_CATALOG)
