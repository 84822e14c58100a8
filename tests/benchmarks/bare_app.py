"""The reference of the submit benchmark: a bare litestar JSON endpoint.

It takes the same request body as `POST /api/v1/responses` (decoded and validated by msgspec into
a struct of the same shape) and answers as the real endpoint does, without touching a database.
It is served by uvicorn with the same options as `survey serve`.
"""

from __future__ import annotations

import msgspec
from litestar import Litestar, post


class ResponseIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    channel: str
    reference: str
    language: str = "de"
    submission_key: str = ""
    answers: dict[str, int | str | None] = {}
    access_code: str | None = None
    receipt_code: str | None = None


class ResponseOut(msgspec.Struct, frozen=True):
    status: str
    message: str = ""


@post("/api/v1/responses", status_code=201)
async def respond(data: ResponseIn) -> ResponseOut:
    return ResponseOut("stored", f"{len(data.answers)} answers")


def create_app() -> Litestar:
    return Litestar([respond])
