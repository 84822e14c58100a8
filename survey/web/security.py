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

The guard answers before any handler runs, each time with a message that says what is wrong, where
(`extra`: the parameter or field, the way litestar names those its own validation refuses) and what
to do:

- 400 for a path parameter, or a query parameter's name or value, with a C0 control character or
  DEL (`ADDRESS_FORBIDDEN`): no key, code, token, file name or language has one, and PostgreSQL
  cannot even compare a text holding NUL;
- for a request that sends a body to the JSON API (`/api/…`): 415 unless the body is declared
  JSON; 413 above the app's body limit, also for a body sent in chunks without Content-Length;
  400 for a body that is not UTF-8, not JSON, nested too deeply, holds a NUL character in a text
  or a name (`BODY_FORBIDDEN`) or a number out of range. The handler then reads the same body,
  already checked.

The OpenAPI document states the two character rules from the same constants, as `not: {pattern:
…}` of every text parameter (`PathText`, `QueryText`, …) and of every text and name of a request
body (`BodyText`, `BODY_NAMES`): it promises exactly what the guard takes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Annotated, Any
from urllib.parse import parse_qsl

import msgspec
from litestar.openapi.spec import Schema
from litestar.params import KwargDefinition, PathParameter, QueryParameter
from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "ADDRESS_FORBIDDEN",
    "BODY_FORBIDDEN",
    "BODY_NAMES",
    "MAX_JSON_DEPTH",
    "SECURITY_HEADERS",
    "BodyText",
    "OptionalQueryText",
    "PathText",
    "QueryText",
    "QueryTexts",
    "add_security_headers",
    "security_headers",
]

# --- the rules of the guard, and their declarations for the OpenAPI document -----------------------

#: the rule for a path parameter and a query parameter's name and value: none of these characters
#: (C0 control characters and DEL). A regular expression read alike by ECMA-262 (JSON Schema) and
#: Python; a text keeps the rule where the expression finds nothing in it.
ADDRESS_FORBIDDEN = "[\\u0000-\\u001f\\u007f]"
#: the rule for a text anywhere in a JSON request body, a value or a name: no NUL
BODY_FORBIDDEN = "[\\u0000]"
_CONTROL_CHARACTER = re.compile(ADDRESS_FORBIDDEN)
_NUL = re.compile(BODY_FORBIDDEN)


@dataclass(frozen=True)
class _Documented(KwargDefinition):
    """Only `schema_extra`, hashable (a type inside a union must be)."""

    def __hash__(self) -> int:
        return hash(tuple(sorted((self.schema_extra or {}).items())))


# The declarations are documentation, `not: {pattern: …}` in the document: the guard is the one
# place that enforces the rules, for every route, before any handler or validation runs
# (`schema_extra` is no constraint litestar checks; msgspec, which decodes request bodies, reads no
# litestar metadata).
_ADDRESS = {"schema_not": Schema(pattern=ADDRESS_FORBIDDEN)}
_BODY = {"schema_not": Schema(pattern=BODY_FORBIDDEN)}
_AddressText = Annotated[str, _Documented(schema_extra=_ADDRESS)]
#: a text path parameter (a key, code or token) as the guard takes it
PathText = Annotated[str, PathParameter(schema_extra=_ADDRESS)]
#: a text query parameter as the guard takes it
QueryText = Annotated[str, QueryParameter(schema_extra=_ADDRESS)]
#: an optional text query parameter as the guard takes it
OptionalQueryText = Annotated[_AddressText | None, QueryParameter()]
#: a repeatable text query parameter (`?wave=a&wave=b`) as the guard takes it
QueryTexts = Annotated[list[_AddressText] | None, QueryParameter()]
#: a text of a JSON request body as the guard takes it
BodyText = Annotated[str, _Documented(schema_extra=_BODY)]
#: the names of a mapping in a JSON request body as the guard takes them (`dict[str, …]`)
BODY_NAMES = _Documented(schema_extra={"property_names": Schema(schema_not=Schema(pattern=BODY_FORBIDDEN))})

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


#: set in the scope by the middleware, whose answers carry the headers already
_SECURED = "leitbild_puls.secured"


async def add_security_headers(message: Message, scope: Scope) -> None:
    """`before_send` hook: the security headers on every response, the router's own included."""
    if message["type"] == "http.response.start" and not scope.get(_SECURED):
        message["headers"] = _secured(message.get("headers", []), scope.get("path", ""))


def security_headers(app: ASGIApp) -> ASGIApp:
    """The app's middleware: the request guard, and the security headers on whatever goes out."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        path = scope.get("path", "")
        scope[_SECURED] = True  # type: ignore[literal-required]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _secured(message.get("headers", []), path)
            await send(message)

        await _guard(app, scope, receive, send_with_headers)

    return middleware


# --- the guard ------------------------------------------------------------------------------------


class _Refusal(Exception):
    def __init__(
        self, status: int, detail: str, where: tuple[str, str] | None = None, problem: str = ""
    ) -> None:
        self.status = status
        #: what is wrong, where, and what to do
        self.detail = detail
        #: (source, key) of what is wrong: ("path", "key"), ("query", "lang"), ("body", "reference")
        self.where = where
        #: what is wrong there, in a few words (`extra`)
        self.problem = problem or detail


async def _refuse(send: Send, refusal: _Refusal) -> None:
    problem: dict[str, Any] = {"status_code": refusal.status, "detail": refusal.detail}
    if refusal.where is not None:
        source, key = refusal.where
        problem["extra"] = [{"message": refusal.problem, "key": key, "source": source}]
    body = msgspec.json.encode(problem)
    await send(
        {
            "type": "http.response.start",
            "status": refusal.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                _NO_STORE,
                # the rest of a refused body is not read: the connection cannot carry another request
                *([(b"connection", b"close")] if refusal.status == 413 else []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _control_character(text: str) -> str | None:
    """The first control character of `text` as U+XXXX, or None."""
    found = _CONTROL_CHARACTER.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def _check_address(scope: Scope) -> None:
    """ADDRESS_FORBIDDEN for every path parameter and every query parameter's name and value."""
    for name, value in (scope.get("path_params") or {}).items():
        text = str(value) if isinstance(value, str | PurePath) else ""
        if character := _control_character(text):
            raise _Refusal(
                400,
                f"the path parameter `{name}` holds a control character ({character}): no key, code, "
                "token or file name of this app has one; check the link",
                ("path", name),
                f"holds a control character ({character})",
            )
    if _control_character(scope.get("path", "")):  # not in a parameter (a route of another kind)
        raise _Refusal(
            400,
            "the address holds a control character (such as %00): check the link, no address of "
            "this app has one",
        )
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
        if character := _control_character(name):
            shown = name.encode("unicode_escape").decode()
            raise _Refusal(
                400,
                f"the name of the query parameter `{shown}` holds a control character ({character}): "
                "no parameter of this app has one; check the link",
                ("query", name),
                f"the name holds a control character ({character})",
            )
        if character := _control_character(value):
            raise _Refusal(
                400,
                f"the query parameter `{name}` holds a control character ({character}): no key, code "
                "or language this app takes has one; check the link",
                ("query", name),
                f"holds a control character ({character})",
            )


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
    try:
        _check_address(scope)
    except _Refusal as refusal:
        await _refuse(send, refusal)
        return
    path = scope.get("path", "")
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
        await _refuse(send, refusal)
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
    try:
        data = msgspec.json.decode(body)
    except msgspec.ValidationError:  # a number JSON allows but Python does not hold (a DecodeError too)
        where = _out_of_range(text)
        at = f" at `{where}`" if where else ""
        raise _Refusal(
            400,
            f"the number{at} is out of range: answer codes are small whole numbers",
            ("body", where) if where else None,
            "the number is out of range",
        ) from None
    except msgspec.DecodeError as exc:
        raise _Refusal(400, f"the body is not valid JSON: {exc}") from None
    except RecursionError:
        raise _Refusal(400, _too_deep()) from None
    # Nesting is never deeper than the brackets opened, and JSON writes NUL only as \u0000: a
    # body with few brackets and no such escape (every submission) needs neither walk.
    if body.count(b"{") + body.count(b"[") > MAX_JSON_DEPTH and _depth_over(data, MAX_JSON_DEPTH):
        raise _Refusal(400, _too_deep())
    found = _nul_at(data) if b"\\u0000" in body or b"\x00" in body else None
    if found is not None:
        where, name = found
        at = f"`{where}`" if where else "the body"
        place = f"a name in {at}" if name else at
        raise _Refusal(
            400,
            f"the body holds a NUL character (\\u0000) in {place}: no answer, code, key or name may "
            "contain one; remove it",
            ("body", where),
            "a name holds a NUL character (\\u0000)" if name else "holds a NUL character (\\u0000)",
        )


def _nul_at(data: Any) -> tuple[str, bool] | None:
    """Where a text holding NUL sits (BODY_FORBIDDEN): (`answers.kommentar`, False) for a value,
    (`answers`, True) for a name in `answers`; None if there is none."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            if _NUL.search(value):
                return where, False
        elif isinstance(value, dict):
            if any(_NUL.search(key) for key in value):
                return where, True
            stack.extend((child, f"{where}.{key}" if where else key) for key, child in value.items())
        elif isinstance(value, list):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(value))
    return None


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
