"""HTTP-level protections: security headers on every response, and a guard in front of the handlers.

Headers: the Content-Security-Policy is the app's strict one, unless the handler sent a policy of
its own for its response (a report page allows its one inline stylesheet by hash): that one is
kept as it is. Every other header of SECURITY_HEADERS is always the app's. Every response but a
static file is `Cache-Control: no-store` unless its handler chose otherwise: pages and API
answers may hold one unit's figures, answers typed a moment ago or a CSRF token, and none of
that belongs in a browser's or a proxy's cache.

`security_headers` is the app's middleware. litestar runs app middleware per route, so what the
router answers itself (404 for an unknown path, 405 for a wrong method) passes it by:
`add_security_headers`, as a `before_send` hook of the app, gives those the same headers.

The guard answers before any handler runs, each time with a message that says what is wrong:

- 400 for a path or query with a NUL or another control character: no key, code or file name
  has one, and PostgreSQL cannot even compare a text holding NUL;
- for a request that sends a body to the JSON API (`/api/…`): 415 unless the body is declared
  JSON; 413 above the app's body limit, also for a body sent in chunks without Content-Length;
  400 for a body that is not UTF-8, not JSON, nested too deeply, holds a NUL character or a
  number out of range. The handler then reads the same body, already checked.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["MAX_JSON_DEPTH", "SECURITY_HEADERS", "add_security_headers", "security_headers"]

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
_NAMES = {name for name, _ in SECURITY_HEADERS}
_CSP = b"content-security-policy"
_CACHE_CONTROL = b"cache-control"
_NO_STORE = (_CACHE_CONTROL, b"no-store, max-age=0")
_STATIC = "/static/"
#: a response is an object of answers: two levels; anything far deeper is not a response
MAX_JSON_DEPTH = 32
#: the body limit where a route has none of its own (the app's is smaller: survey.web.app)
_FALLBACK_LIMIT = 1024 * 1024
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _secured(sent: Iterable[tuple[bytes, bytes]], path: str) -> list[tuple[bytes, bytes]]:
    """The response headers with the app's security headers (and no-store) in place."""
    sent = list(sent)
    own_policy = [(k, v) for k, v in sent if k.lower() == _CSP][-1:]
    headers = [(k, v) for k, v in sent if k.lower() not in _NAMES]
    ours = [(k, v) for k, v in SECURITY_HEADERS if not (own_policy and k == _CSP)]
    chosen = path.startswith(_STATIC) or any(k.lower() == _CACHE_CONTROL for k, _ in sent)
    cache = [] if chosen else [_NO_STORE]
    return [*headers, *own_policy, *ours, *cache]


async def add_security_headers(message: Message, scope: Scope) -> None:
    """`before_send` hook: the security headers on every response, the router's own included."""
    if message["type"] == "http.response.start":
        message["headers"] = _secured(message.get("headers", []), scope.get("path", ""))


def security_headers(app: ASGIApp) -> ASGIApp:
    """The app's middleware: the request guard, and the security headers on whatever goes out."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _secured(message.get("headers", []), path)
            await send(message)

        await _guard(app, scope, receive, send_with_headers)

    return middleware


# --- the guard ------------------------------------------------------------------------------------


class _Refusal(Exception):
    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        self.detail = detail


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = msgspec.json.encode({"status_code": status, "detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                _NO_STORE,
                # the rest of a refused body is not read: the connection cannot carry another request
                *([(b"connection", b"close")] if status == 413 else []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _control_character(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _limit(scope: Scope) -> int:
    handler = scope.get("route_handler")
    try:
        limit = handler.resolve_request_max_body_size() if handler is not None else None
    except Exception:  # a handler of another kind: the fallback
        limit = None
    return int(limit) if limit else _FALLBACK_LIMIT


async def _guard(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    path = scope.get("path", "")
    query = scope.get("query_string", b"").decode("latin-1")
    if _control_character(path) or "%00" in query or _control_character(query):
        await _refuse(
            send,
            400,
            "the address holds a control character (such as %00): check the link, no address of "
            "this app has one",
        )
        return
    if scope.get("method") not in _WRITES or not path.startswith("/api/"):
        await app(scope, receive, send)
        return
    length = _header(scope, b"content-length")
    chunked = "chunked" in (_header(scope, b"transfer-encoding") or "").lower()
    if not chunked and (length is None or length.strip() == "0"):
        await app(scope, receive, send)  # no body: the handler says whether it needed one
        return
    try:
        body = await _json_body(scope, receive, length)
    except _Refusal as refusal:
        await _refuse(send, refusal.status, refusal.detail)
        return
    if body is None:  # the client went away
        return
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    await app(scope, replay, send)


async def _json_body(scope: Scope, receive: Receive, length: str | None) -> bytes | None:
    """The whole body of a JSON API request, checked; _Refusal says what is wrong with it."""
    media_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise _Refusal(
            415,
            f"the body is sent as {media_type or 'no declared type'}: send JSON with "
            "Content-Type: application/json",
        )
    limit = _limit(scope)
    too_large = _Refusal(
        413,
        f"the body is larger than {limit:,} bytes, the most this app takes: one response is a few "
        "kilobytes; shorten the free text",
    )
    if length is not None and length.strip().isdigit() and int(length) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    _check_json(body)
    return body


def _check_json(body: bytes) -> None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        detail = f"the body is not UTF-8 (byte {exc.start}): send the JSON encoded as UTF-8"
        raise _Refusal(400, detail) from None
    if "\\u0000" in text.lower():
        detail = "the body holds a NUL character (\\u0000): no answer, code or key may contain one"
        raise _Refusal(400, detail)
    try:
        data = msgspec.json.decode(body)
    except msgspec.ValidationError:  # a number JSON allows but Python does not hold (a DecodeError too)
        where = _out_of_range(text)
        at = f" at `{where}`" if where else ""
        raise _Refusal(400, f"the number{at} is out of range: answer codes are small whole numbers") from None
    except msgspec.DecodeError as exc:
        raise _Refusal(400, f"the body is not valid JSON: {exc}") from None
    except RecursionError:
        raise _Refusal(400, _too_deep()) from None
    if _depth_over(data, MAX_JSON_DEPTH):
        raise _Refusal(400, _too_deep())


def _too_deep() -> str:
    return (
        f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep: a response is one object "
        "whose `answers` map item ids to codes or texts"
    )


def _depth_over(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


class _Huge(str):
    """A number too large for any answer, kept as its digits (only to say where it is)."""


def _out_of_range(text: str) -> str:
    """Where the first number out of range sits, e.g. `answers.gesamturteil` ("" if unknown)."""

    def whole(digits: str) -> object:
        return _Huge(digits) if len(digits.lstrip("-")) > 18 else 0

    def real(digits: str) -> object:
        return _Huge(digits) if not math.isfinite(float(digits)) else 0.0

    def find(value: Any, where: str) -> str | None:
        if isinstance(value, _Huge):
            return where
        if isinstance(value, dict):
            children: Iterable[tuple[str, Any]] = (
                (f"{where}.{k}" if where else str(k), v) for k, v in value.items()
            )
        elif isinstance(value, list):
            children = ((f"{where}[{i}]", v) for i, v in enumerate(value))
        else:
            return None
        for child_where, child in children:
            found = find(child, child_where)
            if found is not None:
                return found
        return None

    try:
        return find(json.loads(text, parse_int=whole, parse_float=real), "") or ""
    except (ValueError, RecursionError):
        return ""
