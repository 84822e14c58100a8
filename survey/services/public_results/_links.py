"""Feedback links: one per unit, for its staff's page of results and measures without sign-in.

The survey office makes or renews a unit's link in the browser (audited); renewing replaces the
token, and the old link stops working at once. The token is random (144 bits) and kept as it is,
like a unit link's: the office shows and prints the link again whenever it needs to, and the staff
thank-you page links it. A hash would hide it from nobody who matters: the link opens only what k
and suppression let every reader of the unit's figures see, and it is meant to be posted in the
unit. What it must not be is guessable, and 144 random bits are not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from survey.domain.codes import new_token
from survey.services.audit import record
from survey.services.secret import installation_secret
from survey.settings import Settings
from survey.store import org as org_store
from survey.store import public as store
from survey.store.engine import write_transaction

__all__ = [
    "FEEDBACK_PATH",
    "FeedbackLinkRow",
    "NoSuchUnit",
    "feedback_links",
    "feedback_token_of",
    "feedback_token_of_reference",
    "feedback_unit",
    "renew_feedback_link",
    "thanks_reference",
]

#: where a unit's feedback page is: FEEDBACK_PATH + "/" + its token
FEEDBACK_PATH = "/rueckmeldung"
#: characters of a token: 144 random bits in URL-safe base64
TOKEN_LENGTH = 24


class NoSuchUnit(LookupError):
    """No active unit has the key asked for."""


@dataclass(frozen=True)
class FeedbackLinkRow:
    """A unit as the office's page lists it, with its link if it has one."""

    unit: str
    name: str
    kind: str
    depth: int
    token: str | None
    created_by: str | None
    created_at: dt.datetime | None


async def feedback_links() -> list[FeedbackLinkRow]:
    """Every active unit in tree order, with its feedback link's token where it has one."""
    links = {link.unit: link for link in await store.list_feedback_links()}
    rows = []
    for unit in await org_store.list_units():
        link = links.get(unit.key)
        rows.append(
            FeedbackLinkRow(
                unit.key,
                unit.name,
                unit.kind,
                unit.depth,
                link.token if link else None,
                link.created_by if link else None,
                link.created_at if link else None,
            )
        )
    return rows


async def renew_feedback_link(unit_key: str, *, by: str) -> str:
    """A new link for the unit (its first, or one that replaces the old): the new token. Audited."""
    unit = next((u for u in await org_store.list_units() if u.key == unit_key), None)
    if unit is None:
        raise NoSuchUnit(unit_key)
    token = new_token(TOKEN_LENGTH)
    renewed = await store.feedback_link_of_unit(unit.id) is not None
    async with write_transaction():
        await store.save_feedback_link(unit.id, token, by, dt.datetime.now(dt.UTC))
    await record(
        by, "access.feedback_link", unit.key, "feedback link renewed" if renewed else "first feedback link"
    )
    return token


async def feedback_unit(token: str) -> str | None:
    """The key of the active unit whose link `token` is, if it is one."""
    if not token or len(token) > 64:
        return None
    key = await store.unit_of_feedback_token(token)
    if key is None:
        return None
    return key if any(u.key == key for u in await org_store.list_units()) else None


async def feedback_token_of(unit_id: int) -> str | None:
    """The token of the unit's feedback link, if it has one (for the staff thank-you page)."""
    return await store.feedback_link_of_unit(unit_id)


def _unit_mac(unit_id: int, secret: bytes) -> str:
    return hmac.new(secret, f"thanks-unit:{unit_id}".encode(), hashlib.sha256).hexdigest()[:16]


async def thanks_reference(unit_id: int, settings: Settings) -> str:
    """What the redirect after a staff member's answers carries to /danke: the unit, signed with the
    installation's secret. Nothing is read from the database on the submission path (the secret is
    kept per worker); /danke reads the unit's feedback link, and only for a reference made here, so
    nobody can ask /danke for another unit's link by its number."""
    return f"{unit_id}.{_unit_mac(unit_id, await installation_secret(settings))}"


async def feedback_token_of_reference(reference: str, settings: Settings) -> str | None:
    """The feedback link's token of the unit a `thanks_reference` names; None for anything else."""
    unit, _, mac = reference.partition(".")
    if not unit.isdigit() or len(reference) > 40:
        return None
    secret = await installation_secret(settings)
    if not hmac.compare_digest(mac, _unit_mac(int(unit), secret)):
        return None
    return await feedback_token_of(int(unit))
