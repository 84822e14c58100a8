"""Reading the body of a respondent form strictly: what a browser sends from the form, or a refusal.

Litestar's form parser takes repeated fields, multipart files and broken UTF-8 (as U+FFFD)
without a word; a respondent form must notice each, so that nothing changed is stored.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from litestar import Request
from litestar.exceptions import HTTPException

__all__ = ["FORM_TYPE", "MAX_FORM_FIELDS", "NotAForm", "form_fields"]

MAX_FORM_FIELDS = 200
#: how respondent forms come: a browser sends a form without `enctype` this way
FORM_TYPE = "application/x-www-form-urlencoded"


class NotAForm(Exception):
    """A request to a respondent form that is not one: too large, or not sent as a form."""

    def __init__(self, status: int) -> None:
        self.status = status


async def form_fields(request: Request) -> tuple[dict[str, str], bool]:
    """The fields of a respondent form, the first of each name, and whether the form is broken:
    a field sent twice, a NUL character, or text that is not UTF-8.

    The body is read here rather than by litestar's form parser, which takes repeated fields,
    multipart files and broken UTF-8 (as U+FFFD) without a word. NotAForm: too large (413), not
    sent as a browser sends this form (415), or too many fields (413)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM_TYPE:
        raise NotAForm(415)
    try:
        body = await request.body()
    except HTTPException as exc:
        if exc.status_code == 413:
            raise NotAForm(413) from None
        raise
    try:
        pairs = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except UnicodeDecodeError:  # raw bytes, or percent-escapes that are not UTF-8
        return {}, True
    except ValueError:  # more fields than any questionnaire has
        raise NotAForm(413) from None
    values: dict[str, str] = {}
    broken = False
    for name, value in pairs:
        broken = broken or name in values or "\x00" in name or "\x00" in value
        values.setdefault(name, value)
    if broken:
        values = {k: v.replace("\x00", "") for k, v in values.items() if "\x00" not in k}
    return values, broken
