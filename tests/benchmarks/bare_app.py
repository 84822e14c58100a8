"""The reference of the submit benchmark: a bare litestar JSON endpoint.

It takes the same request body as `POST /api/v1/responses`, decoded and validated by msgspec into
the real endpoint's own struct, and answers in the same shape, without touching a database.
It is served by uvicorn with the same options as `survey serve`.
"""

from __future__ import annotations

from litestar import Litestar, post

from survey.web.api import ResponseIn, ResponseOut


@post("/api/v1/responses", status_code=201)
async def respond(data: ResponseIn) -> ResponseOut:
    return ResponseOut("stored", f"{len(data.answers)} answers")


def create_app() -> Litestar:
    return Litestar([respond])
