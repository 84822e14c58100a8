"""Access codes: staff invitations, unit access codes, citizen receipt codes.

A code is 12 characters of Crockford's base32 (no I, L, O, U), shown as `K7QM-2XHD-9RTC`:
nine random characters (45 bits) and three check characters, a keyed MAC of the random part.
The check tells a mistyped code ("unknown") from a genuine one whose row is gone ("already
used") without keeping any record of which code was used. Codes are stored only as a keyed
hash; the key is the installation's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["CodeKind", "code_hash", "is_genuine", "new_code", "new_token", "normalise_code"]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM = 9
_CHECK = 3
#: common misreadings fixed, spaces and hyphens dropped (of the upper-cased text)
_CLEAN = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V", " ": None, "-": None, "\t": None})
_LETTERS = frozenset(ALPHABET)

CodeKind = str  # "invitation", "receipt", "unit"


def _check(kind: CodeKind, body: str, secret: bytes) -> str:
    digest = hmac.new(secret, f"check:{kind}:{body}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:4], "big")
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(_CHECK))


def new_code(kind: CodeKind, secret: bytes) -> str:
    # one draw of 45 random bits, five per character: the same uniform code as nine choices, in a
    # fraction of the time (100,000 receipt codes are one request)
    number = secrets.randbits(5 * _RANDOM)
    body = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(_RANDOM))
    raw = body + _check(kind, body, secret)
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(text: str) -> str | None:
    """Upper-case, without spaces and hyphens, common misreadings fixed; None if not a code."""
    raw = text.upper().translate(_CLEAN)
    if len(raw) != _RANDOM + _CHECK or not _LETTERS.issuperset(raw):
        return None
    return raw


def is_genuine(kind: CodeKind, normalised: str, secret: bytes) -> bool:
    """Was this code made by this installation (used or not)?"""
    body, check = normalised[:_RANDOM], normalised[_RANDOM:]
    return hmac.compare_digest(check, _check(kind, body, secret))


def code_hash(kind: CodeKind, normalised: str, secret: bytes) -> str:
    """What is stored instead of the code."""
    return hmac.new(secret, f"store:{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


def new_token(length: int = 16) -> str:
    """A random, URL-safe token for links."""
    return secrets.token_urlsafe(length)[:length]
