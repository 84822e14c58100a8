"""Static files: pages link them by a content-hashed name that a browser keeps for a year, in the
encoding it takes; the plain name is still answered, to be checked again (on SQLite and
PostgreSQL: the app starts on either)."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import brotli
import pytest
from litestar.testing import AsyncTestClient

from survey.settings import Settings
from survey.web.app import create_app
from survey.web.static_files import StaticFiles

STATIC = Path(__file__).resolve().parents[2] / "survey" / "web" / "static"


@pytest.fixture
async def client(db: str) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=create_app(Settings(database_url=db))) as test_client:
        yield test_client


async def test_pages_link_the_content_hashed_name_kept_for_a_year(client: AsyncTestClient) -> None:
    page = (await client.get("/anmelden")).text
    links = re.findall(r'href="(/static/[^"]+)"', page)
    assert links and all(re.fullmatch(r"/static/[a-z_-]+\.[0-9a-f]{12}\.css", link) for link in links), links
    site = next(link for link in links if link.startswith("/static/site."))
    original = (STATIC / "site.css").read_bytes()
    assert site == f"/static/site.{hashlib.sha256(original).hexdigest()[:12]}.css"

    plain = await client.get(site, headers={"accept-encoding": "identity"})
    assert plain.status_code == 200 and plain.content == original
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert plain.headers["content-type"] == "text/css; charset=utf-8"
    assert "content-encoding" not in plain.headers and plain.headers["vary"] == "accept-encoding"
    assert plain.headers["x-content-type-options"] == "nosniff"  # the app's headers as on any answer

    squeezed = await client.get(site, headers={"accept-encoding": "gzip, deflate, br"})
    assert squeezed.headers["content-encoding"] == "br"
    assert int(squeezed.headers["content-length"]) < len(original)
    zipped = await client.get(site, headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.content == original  # httpx unzips
    assert brotli.decompress(StaticFiles().assets["site.css"][0].brotli or b"") == original
    assert gzip.decompress(StaticFiles().assets["site.css"][0].gzip or b"") == original

    etag = plain.headers["etag"]
    again = await client.get(site, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    head = await client.head(site)
    assert head.status_code == 200 and head.content == b""


async def test_the_plain_name_is_answered_but_checked_again(client: AsyncTestClient) -> None:
    response = await client.get("/static/site.css")
    assert response.status_code == 200 and response.content == (STATIC / "site.css").read_bytes()
    assert response.headers["cache-control"] == "public, max-age=3600, must-revalidate"
    assert "no-store" not in response.headers["cache-control"]
    for missing in ("/static/nirgends.css", "/static/site.000000000000.css", "/static/"):
        refused = await client.get(missing)
        assert refused.status_code == 404, missing
        assert refused.headers["x-content-type-options"] == "nosniff"
    assert (await client.post("/static/site.css")).status_code in (404, 405)


def test_a_changed_file_gets_a_new_name(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("body { color: #000; }\n")
    before = StaticFiles(tmp_path).url("a.css")
    (tmp_path / "a.css").write_text("body { color: #111; }\n")
    after = StaticFiles(tmp_path).url("a.css")
    assert before != after and before.startswith("/static/a.") and after.endswith(".css")
    assert StaticFiles(tmp_path).url("nirgends.css") == "/static/nirgends.css"
