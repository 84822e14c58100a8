"""The references of the HTTP benchmarks: bare litestar routes doing the same job without the app.

- `POST /api/v1/responses` takes the same request body as the app's, decoded and validated by
  msgspec into the real endpoint's own struct, and answers in the same shape, without touching a
  database;
- `GET /health` answers the app's health body without asking a database;
- `/static/…` is litestar's own static files router over the app's stylesheets.

It is served by uvicorn with the same options as `survey serve`.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, get, post
from litestar.static_files import create_static_files_router

import survey.web
from survey.services.overview import Health
from survey.web.api import ResponseIn, ResponseOut

STATIC = Path(survey.web.__file__).parent / "static"


@post("/api/v1/responses", status_code=201)
async def respond(data: ResponseIn) -> ResponseOut:
    return ResponseOut("stored", f"{len(data.answers)} answers")


@get("/health")
async def health() -> Health:
    return Health("ok", "sqlite")


def create_app() -> Litestar:
    return Litestar([respond, health, create_static_files_router(path="/static", directories=[STATIC])])
