"""From the thank-you page to what came of the answers ("Sie haben gesagt – wir haben gehandelt").

After a citizen's answers, /danke carries the service point's key (`stelle`, printed on its poster
anyway); after a staff member's, their unit signed with the installation's secret (`einheit`):
/danke then links the unit's feedback link, where it has one. The submission itself reads
nothing more from the database for it. Nothing new is learnt about anyone: the person knows their
unit, the link is the one posted in the unit, and the redirect is made after the answers are
stored (nothing of it is stored, and no log keeps it). The thank-you page links a page only if
the key or the signature is a real one. survey.web.respond calls these two, and only these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from litestar import Request

from survey.services.answering import Channel, Entry
from survey.services.public_results import (
    feedback_token_of_reference,
    public_page_exists,
    thanks_reference,
)
from survey.settings import Settings
from survey.web.i18n import Language
from survey.web.public._citizens import public_path
from survey.web.public._feedback import feedback_path

__all__ = ["next_link", "next_step"]


async def next_step(channel: Channel, entry: Entry | None, settings: Settings) -> dict[str, str]:
    """What the redirect to /danke carries besides the language, after stored answers."""
    if entry is None:
        return {}
    if channel == "service_point":
        return {"stelle": entry.reference}
    return {"einheit": await thanks_reference(entry.unit_id, settings)}


async def next_link(
    request: Request[Any, Any, Any], gettext: Callable[..., str], lang: Language
) -> tuple[str, str] | None:
    """(address, words) of the page of what came of the answers, if /danke names a real one."""
    point, unit = request.query_params.get("stelle"), request.query_params.get("einheit")
    query = urlencode({"lang": lang.tag})
    if point and await public_page_exists(point):
        words = gettext("What happens next: results and measures of this service point")
        return f"{public_path(point)}?{query}", words
    settings: Settings = request.app.state["settings"]
    token = await feedback_token_of_reference(unit, settings) if unit else None
    if token:
        words = gettext("What happens next: results and measures of your unit")
        return f"{feedback_path(token)}?{query}", words
    return None
