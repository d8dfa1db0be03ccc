"""Documents and datasets addressed by fsspec URL (s3://, gs://, hdfs://, file://) beside local paths.

A URL is read through the fsspec backend of its scheme (s3fs, gcsfs, pyarrow's HDFS, ...), which must be
installed where the URL is read: on the client to list a folder, on every worker to read a document.
Local paths never go through fsspec, so nothing here changes how they are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

# A scheme followed by "://": s3://bucket/key, file:///abs/path. A Windows drive (C:\) has no "//".
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


class URLError(OSError):
    """A URL whose file system cannot be used here; the message says what to install or check."""


def is_url(location: object) -> bool:
    """Whether `location` is an fsspec URL (a str with a scheme), not a local path."""
    return isinstance(location, str) and _URL.match(location) is not None


def filesystem(url: str) -> tuple[Any, str]:
    """(fsspec file system, path within it) for `url`; URLError when its backend is missing."""
    import fsspec

    scheme = url.split("://", 1)[0]
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:
        raise URLError(f"no fsspec backend for {scheme}:// here ({exc}): install it where the URL is read") from None
    except ValueError as exc:
        raise URLError(f"fsspec cannot open {scheme}:// URLs ({exc}): give a local path or another URL") from None


def name(url: str) -> str:
    """The file name a URL ends with (what a local path's .name would be)."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def open_binary(location: str | Path) -> IO[bytes]:
    """Open a local path or a URL for reading bytes."""
    if not is_url(location):
        return Path(location).open("rb")
    fs, path = filesystem(str(location))
    return fs.open(path, "rb")


def file_size(location: str | Path) -> int:
    """The size in bytes of a local file or of the file at a URL (OSError as for a local file)."""
    if not is_url(location):
        return Path(location).stat().st_size
    fs, path = filesystem(str(location))
    return int(fs.size(path))


def read_bytes(url: str) -> bytes:
    """The whole content of the file at `url` (FileNotFoundError/OSError as for a local file)."""
    fs, path = filesystem(url)
    return fs.cat_file(path)


def list_files(url: str, suffixes: Iterable[str]) -> list[str]:
    """The URL itself when it names a file, else the files under it with one of `suffixes`, sorted."""
    fs, path = filesystem(url)
    try:
        if not fs.isdir(path):
            return [url] if fs.exists(path) else []
        found = fs.find(path)
    except OSError as exc:
        raise URLError(f"cannot list {url}: {exc}") from None
    wanted = tuple(s.lower() for s in suffixes)
    return sorted(fs.unstrip_protocol(p) for p in found if p.lower().endswith(wanted))
