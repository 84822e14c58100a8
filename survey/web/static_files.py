"""The stylesheets under /static: read once per worker, named by their content, kept for a year.

At start-up every file of survey/web/static is read into memory with a name that carries the
first 12 hex digits of its SHA-256 (`site.css` → `site.3f9a0c1b2d4e.css`), and its gzip and
Brotli forms where they are smaller. Pages link the content-hashed name (the template function
`static('site.css')`), which is answered with `Cache-Control: public, max-age=31536000,
immutable`: a browser never asks again, and a changed file has a new name. The plain name is
still answered (an old bookmark, a page cached before an update), but only to be kept an hour
and checked by its ETag.

A request is answered from memory by a plain ASGI handler (no file is opened, no thread asked),
in the encoding the client takes (Brotli, gzip or none; `Vary: Accept-Encoding`); If-None-Match
with the file's ETag gets 304. The app's middleware still adds the security headers.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import brotli
from litestar import asgi
from litestar.exceptions import NotFoundException
from litestar.types import Receive, Scope, Send

__all__ = ["IMMUTABLE", "StaticFiles", "static_files"]

HERE = Path(__file__).parent / "static"
IMMUTABLE = b"public, max-age=31536000, immutable"
_REVALIDATE = b"public, max-age=3600, must-revalidate"
_COMPRESSIBLE = {".css", ".js", ".svg", ".txt", ".json", ".html", ".map"}


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzip: bytes | None
    brotli: bytes | None
    content_type: bytes
    etag: bytes


class StaticFiles:
    """The files of a folder, in memory, by their plain and their content-hashed names."""

    def __init__(self, folder: Path = HERE) -> None:
        #: plain name → content-hashed name
        self.hashed: dict[str, str] = {}
        #: name (either kind) → (asset, immutable?)
        self.assets: dict[str, tuple[Asset, bool]] = {}
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:12]
            stem, dot, suffix = name.rpartition(".")
            hashed = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind.endswith(("javascript", "json", "svg+xml")):
                kind += "; charset=utf-8"
            asset = Asset(
                body,
                *_compressed(body, path.suffix),
                content_type=kind.encode(),
                etag=f'"{digest}"'.encode(),
            )
            self.hashed[name] = hashed
            self.assets[name] = (asset, False)
            self.assets[hashed] = (asset, True)

    def url(self, name: str) -> str:
        """The address of a static file by its content (a name not in the folder stays as it is)."""
        return f"/static/{self.hashed.get(name, name)}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path"].strip("/")
        found = self.assets.get(name)
        if found is None or scope.get("method") not in ("GET", "HEAD"):
            raise NotFoundException(f"/static/{name}: there is no such file")
        asset, immutable = found
        headers = {key.lower(): value for key, value in scope.get("headers", [])}
        common = [
            (b"cache-control", IMMUTABLE if immutable else _REVALIDATE),
            (b"etag", asset.etag),
            (b"vary", b"accept-encoding"),
        ]
        if asset.etag in headers.get(b"if-none-match", b""):
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
        accepted = headers.get(b"accept-encoding", b"")
        body, encoding = asset.body, b""
        if asset.brotli is not None and b"br" in accepted:
            body, encoding = asset.brotli, b"br"
        elif asset.gzip is not None and b"gzip" in accepted:
            body, encoding = asset.gzip, b"gzip"
        response_headers = [
            (b"content-type", asset.content_type),
            (b"content-length", str(len(body)).encode()),
            *common,
            *([(b"content-encoding", encoding)] if encoding else []),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": response_headers})
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})


def _compressed(body: bytes, suffix: str) -> tuple[bytes | None, bytes | None]:
    """The gzip and Brotli forms of a text file, each only where it is smaller."""
    if suffix not in _COMPRESSIBLE:
        return None, None
    zipped = gzip.compress(body, compresslevel=9, mtime=0)
    squeezed = brotli.compress(body, quality=11)
    return (zipped if len(zipped) < len(body) else None, squeezed if len(squeezed) < len(body) else None)


def static_files(files: StaticFiles) -> asgi:
    """The route of `files` under /static."""

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        await files(scope, receive, send)

    return asgi("/static", is_static=True, copy_scope=True, name="static", include_in_schema=False)(serve)
