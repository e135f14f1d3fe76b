"""An async client for the qBittorrent Web API. Imports nothing from Home Assistant."""

from .client import Client
from .errors import (
    APIConnectionError,
    APIError,
    APIKeyRefused,
    BadRequest400Error,
    Banned,
    Conflict409Error,
    FileError,
    Forbidden403Error,
    HTTP4XXError,
    HTTP5XXError,
    HTTPError,
    InternalServerError500Error,
    LoginFailed,
    MethodNotAllowed405Error,
    NotFound404Error,
    TorrentFileError,
    TorrentFileNotFoundError,
    TorrentFilePermissionError,
    Unauthorized401Error,
    UnsupportedMediaType415Error,
    UnsupportedQbittorrentVersion,
)
from .maindata import MainData, MainDataChanges, TorrentPeers, TorrentPeersChanges
from .models import Dictionary, JSONObject
from .torrentcreator import TaskStatus
from .torrents import Torrent, TorrentInfoList, TorrentsAddResult
from .transport import base_url
from .versions import ENDPOINTS, APIVersion, Endpoint

__all__ = [
    "ENDPOINTS",
    "APIConnectionError",
    "APIError",
    "APIKeyRefused",
    "APIVersion",
    "BadRequest400Error",
    "Banned",
    "Client",
    "Conflict409Error",
    "Dictionary",
    "Endpoint",
    "FileError",
    "Forbidden403Error",
    "HTTP4XXError",
    "HTTP5XXError",
    "HTTPError",
    "InternalServerError500Error",
    "JSONObject",
    "LoginFailed",
    "MainData",
    "MainDataChanges",
    "MethodNotAllowed405Error",
    "NotFound404Error",
    "TaskStatus",
    "Torrent",
    "TorrentFileError",
    "TorrentFileNotFoundError",
    "TorrentFilePermissionError",
    "TorrentInfoList",
    "TorrentPeers",
    "TorrentPeersChanges",
    "TorrentsAddResult",
    "Unauthorized401Error",
    "UnsupportedMediaType415Error",
    "UnsupportedQbittorrentVersion",
    "base_url",
]
