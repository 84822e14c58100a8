"""The web app over real HTTP semantics (litestar's AsyncTestClient), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from survey.services.demo import DemoOptions, build_demo
from survey.settings import Settings
from survey.web.app import create_app

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


@pytest.fixture
async def client(db: str) -> AsyncIterator[AsyncTestClient]:
    app = create_app(Settings(database_url=db))
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


async def test_empty_installation_says_what_to_do_in_the_browser(client: AsyncTestClient) -> None:
    """Nothing set up yet: the page says who does what (the office in the browser, the first
    account by the IT), with the way to sign in, in German and English, and shows no command."""
    response = await client.get("/")
    assert response.status_code == 200
    assert '<html lang="de">' in response.text
    assert "Noch keine Kommune eingerichtet" in response.text
    assert "Das Befragungsbüro lädt sie im Browser hoch" in response.text
    assert 'href="/anmelden"' in response.text
    english = (await client.get("/?lang=en")).text
    assert '<html lang="en">' in english and "No Kommune set up yet" in english
    assert "The survey office uploads it in the browser" in english
    for page in (response.text, english):
        assert not re.search(r"survey (org|demo|user|db)\b", page) and "<code>" not in page


async def test_home_page_shows_the_demo_kommune(db: str) -> None:
    await build_demo(QUESTIONNAIRES, DemoOptions(waves=2, citizen_ratings=100, today=dt.date(2026, 11, 21)))
    async with AsyncTestClient(app=create_app(Settings(database_url=db))) as client:
        page = (await client.get("/")).text
        assert "<h1>Stadt Lindenau</h1>" in page
        assert "Mitarbeitendenpuls 3. Quartal 2026" in page
        assert "01.07.2026" in page  # babel, de_DE: the citizen wave opens on 1 July
        assert "abgeschlossen" in page
        assert "Kinder, Jugend, Familie und Soziales" in page
        english = (await client.get("/?lang=en")).text
        assert "1 Jul 2026" in english and "closed" in english and "survey rounds." in english
        assert "abgeschlossen" not in english and "Befragungsrunden" not in english
        data = (await client.get("/api/overview")).json()
        assert data["kommune"] == "Stadt Lindenau"
        assert len(data["waves"]) == 4
        assert all(w["responses"] > 0 for w in data["waves"])
        assert {v["key"] for v in data["values"]} >= {"gemeinsam", "transparenz"}


async def test_health_and_openapi(client: AsyncTestClient, db: str) -> None:
    health = (await client.get("/health")).json()
    assert health == {"status": "ok", "database": "sqlite" if db.startswith("sqlite") else "postgresql"}
    schema = (await client.get("/api/schema/openapi.json")).json()
    assert "/api/overview" in schema["paths"]


async def test_security_headers_on_every_response(client: AsyncTestClient) -> None:
    for path in ("/", "/health", "/static/site.css"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


async def test_no_inline_style_or_script(client: AsyncTestClient) -> None:
    page = (await client.get("/")).text
    assert "style=" not in page and "<script" not in page and "<style" not in page
