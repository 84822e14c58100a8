"""HTTP security headers on every response, static files and errors included.

The Content-Security-Policy is the app's strict one, unless the handler sent a policy of its own
for its response (a report page allows its one inline stylesheet by hash): that one is kept as it
is. Every other header here is always the app's.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SECURITY_HEADERS", "security_headers"]

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


def security_headers(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent = list(message.get("headers", []))
                own_policy = [(k, v) for k, v in sent if k.lower() == _CSP][-1:]
                headers = [(k, v) for k, v in sent if k.lower() not in _NAMES]
                ours = [(k, v) for k, v in SECURITY_HEADERS if not (own_policy and k == _CSP)]
                message["headers"] = [*headers, *own_policy, *ours]
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware
