"""Units' feedback links: one row per unit (unique unit, unique token) for its staff's page of
results and measures without sign-in; renewing it replaces the token in place. (The counts and
value sums per service point of the public pages are count tables: survey.store.counts.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from survey.store.engine import fetch_tuples
from survey.store.tables import FeedbackLink

__all__ = [
    "StoredFeedbackLink",
    "feedback_link_of_unit",
    "list_feedback_links",
    "save_feedback_link",
    "unit_of_feedback_token",
]


@dataclass(frozen=True)
class StoredFeedbackLink:
    unit: str
    token: str
    created_by: str
    created_at: dt.datetime


async def list_feedback_links() -> list[StoredFeedbackLink]:
    rows = await FeedbackLink.select(
        FeedbackLink.unit.key.as_alias("unit_key"),
        FeedbackLink.token,
        FeedbackLink.created_by,
        FeedbackLink.created_at,
    ).run()
    return [StoredFeedbackLink(r["unit_key"], r["token"], r["created_by"], r["created_at"]) for r in rows]


async def save_feedback_link(unit_id: int, token: str, by: str, at: dt.datetime) -> None:
    """The unit's link, made or renewed (the old token is gone): call inside a write transaction."""
    found = await FeedbackLink.select(FeedbackLink.id).where(FeedbackLink.unit == unit_id).first().run()
    if found is None:
        await FeedbackLink.insert(FeedbackLink(token=token, unit=unit_id, created_by=by, created_at=at)).run()
    else:
        await (
            FeedbackLink.update(
                {FeedbackLink.token: token, FeedbackLink.created_by: by, FeedbackLink.created_at: at}
            )
            .where(FeedbackLink.id == found["id"])
            .run()
        )


async def unit_of_feedback_token(token: str) -> str | None:
    """The key of the unit whose link `token` is, if it is one (an indexed lookup)."""
    rows = await fetch_tuples(
        "SELECT u.key FROM feedback_link f JOIN org_unit u ON u.id = f.unit WHERE f.token = {}",
        token,
        quick=True,
    )
    return str(rows[0][0]) if rows else None


async def feedback_link_of_unit(unit_id: int) -> str | None:
    """The token of the unit's link, if it has one."""
    rows = await fetch_tuples("SELECT token FROM feedback_link WHERE unit = {}", int(unit_id), quick=True)
    return str(rows[0][0]) if rows else None
