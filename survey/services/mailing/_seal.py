"""Addresses and codes sealed with the installation key; the keys of addresses and stop links.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with a key derived from the
installation's secret by HKDF, so that the mail key is never the key that hashes access codes.
Whoever holds the database alone (a backup, a dump) reads no address where SURVEY_SECRET_KEY is
set; where it is not, the secret is kept in the database too (survey.services.secret), and the
seal only keeps addresses out of plain sight.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["Sealer"]


class Sealer:
    def __init__(self, secret: bytes) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"leitbild-puls mail").derive(
            secret
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))
        self._keyed = hmac.new(secret, b"leitbild-puls mail keys", hashlib.sha256).digest()

    def seal(self, address: str, code: str = "") -> str:
        payload = {"a": address, "c": code} if code else {"a": address}
        return self._fernet.encrypt(json.dumps(payload).encode()).decode()

    def unseal(self, sealed: str) -> tuple[str, str]:
        """(address, code); the code is "" once it is no longer kept. ValueError where the seal was
        made with another key (SURVEY_SECRET_KEY changed while addresses were kept)."""
        try:
            payload = json.loads(self._fernet.decrypt(sealed.encode()))
        except InvalidToken:
            raise ValueError("sealed with another installation key") from None
        return str(payload["a"]), str(payload.get("c", ""))

    def address_key(self, wave_id: int, address: str) -> str:
        """ "<wave id>:<keyed hash>" of an address (lower case): one entry per address and wave."""
        digest = hmac.new(self._keyed, address.casefold().encode(), hashlib.sha256).hexdigest()[:40]
        return f"{wave_id}:{digest}"

    def stop_token(self, recipient_id: int) -> str:
        """The token of an address's stop link: its id and a keyed check, so that no one can stop
        another person's mails by counting."""
        check = hmac.new(self._keyed, f"stop:{recipient_id}".encode(), hashlib.sha256).hexdigest()[:24]
        return f"{recipient_id}-{check}"

    def recipient_of(self, token: str) -> int | None:
        """The id a stop token was made for; None where it is not one of ours."""
        head, _, _check = token.partition("-")
        if not head.isascii() or not head.isdigit() or len(head) > 18:
            return None
        recipient = int(head)
        return recipient if hmac.compare_digest(self.stop_token(recipient), token) else None
