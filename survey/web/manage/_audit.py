"""The audit log: the Personalrat (and the admin) read it as a page, a CSV file and JSON; each
reading is written to it too.

Every entry reads as a sentence in the page's language (survey.services.audit_events), filtered by
who, what, from which day to which and which unit, 50 to a page, older and newer pages by entry id
(keeping the filters). Checksums show their first 12 characters; the whole one opens on demand.
The CSV file is UTF-8 with a byte order mark and ";" between the fields: German Excel opens it
as it is, umlauts and columns right.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import msgspec
from babel.dates import format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from litestar import Request, Response, get
from litestar.exceptions import NotFoundException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template
from markupsafe import Markup, escape

from survey.errors import Message
from survey.services.audit import (
    AuditRecord,
    LogFilter,
    LogFilterError,
    LogPage,
    filter_summary,
    log_extract,
    read_log,
    record,
)
from survey.services.audit_events import EVENTS, GROUPS, READINGS, Reader, codes_of, describe, say
from survey.services.org import organisation_listing
from survey.services.permissions import may_read_audit
from survey.web.api import Refusal, refusals
from survey.web.auth import CurrentViewer, require
from survey.web.i18n import LOCALE_DIR, PORTAL_DOMAIN, portal_translations
from survey.web.portal import page, portal_lang, translator
from survey.web.security import OptionalQueryText

__all__ = ["AUDIT_ROUTES", "AuditOut", "AuditPageOut"]

PAGE_SIZE = 50
API_MOST = 500
_BIGGEST_ID = 2**63 - 1
#: a checksum in a target or detail (sha256 and the like): shown short, whole on demand
_HASH = re.compile(r"(?<![0-9a-f])[0-9a-f]{40,128}(?![0-9a-f])")
SHORT_HASH = 12
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_GERMAN_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ENTRY_ID = re.compile(r"[1-9][0-9]{0,17}")
#: the "what" filter: the groups that have codes, and the codes
CHOICES = tuple(g for g in GROUPS if codes_of(g)) + tuple(EVENTS)
ActionChoice = Literal[CHOICES]  # type: ignore[valid-type]


class AuditOut(msgspec.Struct, frozen=True):
    #: the entry's number: pass it as `before` or `after` to page on
    id: int
    at: dt.datetime
    username: str
    #: the action code (`approval.wave`)
    action: str
    #: what the entry says, in English ("approved the wave puls-2026"); an unknown code: the code
    description: str
    target: str
    detail: str


class AuditPageOut(msgspec.Struct, frozen=True):
    entries: list[AuditOut]
    #: how many entries match the filters (on every page)
    total: int
    #: the next older page: pass as `before`; null on the oldest page
    older: int | None
    #: the next newer page: pass as `after`; null on the newest page
    newer: int | None


# --- reading the entries ------------------------------------------------------------------------


@functools.cache
def _reader() -> Reader:
    """The registry's readings and the portal catalog's msgids (errors recorded as details)."""
    with (LOCALE_DIR / "de" / "LC_MESSAGES" / f"{PORTAL_DOMAIN}.po").open("rb") as po:
        msgids = [m.id for m in read_po(po, locale="de") if isinstance(m.id, str)]
    return Reader(READINGS, extra=msgids)


def _marked(text: str, whole: str) -> Markup:
    """The text, escaped, with each checksum shortened and the whole one in a disclosure."""

    def disclosure(found: re.Match[str]) -> str:
        value = found.group(0)
        return (
            f'<details class="hash"><summary><code>{value[:SHORT_HASH]}…</code> '
            f'<span>{escape(whole)}</span></summary><code class="whole">{value}</code></details>'
        )

    return Markup(_HASH.sub(disclosure, str(escape(text))))


@dataclass(frozen=True)
class ShownEntry:
    when: str
    who: str
    what: Markup
    detail: Markup


def _who(username: str, _: Any) -> str:
    return {"cli": _("command line (IT)"), "-": _("nobody signed in")}.get(username, username)


def _readable(entry: AuditRecord, gettext: Any) -> tuple[str, str]:
    """What the entry says and its detail, in words (translated by `gettext`, or English)."""
    description = describe(entry.action, entry.target, entry.detail, _reader())
    if description.sentence is None:
        what = f"{entry.action} {entry.target}".strip()
    else:
        what = say(description.sentence, gettext)
    return what, "; ".join(say(part, gettext) for part in description.detail)


def _shown(entries: list[AuditRecord], lang: str) -> list[ShownEntry]:
    _ = translator(lang)
    gettext = portal_translations(lang).gettext
    locale = "de_DE" if lang == "de" else "en_GB"
    rows = []
    for entry in entries:
        what, detail = _readable(entry, gettext)
        if entry.action not in EVENTS:
            what = Markup("<code>{}</code> {}").format(entry.action, entry.target)
        rows.append(
            ShownEntry(
                format_datetime(entry.at, "medium", tzinfo=dt.UTC, locale=locale),
                _who(entry.username, _),
                what if isinstance(what, Markup) else _marked(what, _("whole checksum")),
                _marked(detail, _("whole checksum")),
            )
        )
    return rows


# --- the page's filters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Typed:
    """The filters as typed, shown again in the form (the page's query parameters)."""

    wer: str = ""
    was: str = ""
    von: str = ""
    bis: str = ""
    einheit: str = ""

    def query(self, **paging: int) -> str:
        values = {**{k: v for k, v in vars(self).items() if v}, **{k: str(v) for k, v in paging.items()}}
        return urlencode(values)


def _day(text: str) -> dt.date | None:
    text = text.strip()
    german = _GERMAN_DAY.fullmatch(text)
    try:
        if german:
            return dt.date(int(german.group(3)), int(german.group(2)), int(german.group(1)))
        if _ISO_DAY.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        return None
    return None


def _checked(typed: Typed, _: Any) -> tuple[LogFilter, Typed, dict[str, str]]:
    """The filter; the filters to show again (a day as the date field takes it); and a message
    per field that is wrong (field name → what to do)."""
    errors: dict[str, str] = {}
    if len(typed.wer.strip()) > 64:
        errors["wer"] = _("A user name has at most 64 characters: shorten it.")
    if typed.was and typed.was not in CHOICES:
        errors["was"] = _("Choose a kind of event from the list.")
    days: dict[str, dt.date | None] = {}
    for field in ("von", "bis"):
        text = getattr(typed, field).strip()
        days[field] = _day(text) if text else None
        if text and days[field] is None:
            errors[field] = _(
                "%(typed)s is not a day: enter one as 21.11.2026, or leave the field empty.",
                typed=text[:40],
            )
    if days["von"] and days["bis"] and days["von"] > days["bis"]:
        errors["bis"] = _("The last day is before the first day: swap them or change one.")
    chosen = LogFilter(typed.wer, typed.was, days["von"], days["bis"], typed.einheit)
    shown = replace(typed, **{field: day.isoformat() for field, day in days.items() if day is not None})
    return chosen, shown, errors


def _entry_id(text: str | None) -> int | None:
    if text is None:
        return None
    if not _ENTRY_ID.fullmatch(text):
        raise ValueError(text)
    return int(text)


def _select_groups(lang: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    gettext = portal_translations(lang).gettext
    groups = []
    for key, label in GROUPS.items():
        codes = [(c, say(Message(EVENTS[c].says, {"target": "…"}), gettext)) for c in codes_of(key)]
        if codes:
            groups.append((key, gettext(label), codes))
    return groups


async def _page_context(request: Request[Any, Any, Any], typed: Typed) -> dict[str, Any]:
    _kommune, units, _points = await organisation_listing()
    return {
        "typed": typed,
        "groups": _select_groups(portal_lang(request)),
        "units": units,
        "csv_url": "/protokoll/csv" + (f"?{typed.query()}" if typed.query() else ""),
    }


def _refused(request: Request[Any, Any, Any], context: dict[str, Any], **problems: Any) -> Template:
    _ = translator(portal_lang(request))
    return page(request, "portal/audit.html", title=_("Audit log"), status=400, **context, **problems)


@get("/protokoll", name="audit", include_in_schema=False)
async def audit_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    wer: FromQuery[str] = "",
    was: FromQuery[str] = "",
    von: FromQuery[str] = "",
    bis: FromQuery[str] = "",
    einheit: FromQuery[str] = "",
    vor: FromQuery[str | None] = None,
    nach: FromQuery[str | None] = None,
) -> Template:
    await require(viewer, may_read_audit, "audit log")
    lang = portal_lang(request)
    _ = translator(lang)
    chosen, typed, errors = _checked(Typed(wer, was, von, bis, einheit), _)
    context = await _page_context(request, typed)
    try:
        before, after = _entry_id(vor), _entry_id(nach)
    except ValueError:
        broken = _("This link to a page of the log is broken: start again from the newest entries.")
        return _refused(request, context, problem=broken)
    if errors:
        return _refused(request, context, errors=errors)
    try:
        found = await read_log(chosen, before=before, after=after, size=PAGE_SIZE)
    except LogFilterError as exc:
        field = {"unit": "einheit", "what": "was"}.get(exc.field, "einheit")
        return _refused(request, context, errors={field: exc.message.text(portal_translations(lang).gettext)})
    await record(viewer.username, "audit.view", "", filter_summary(chosen, before=before, after=after))
    return page(
        request,
        "portal/audit.html",
        title=_("Audit log"),
        **context,
        found=found,
        rows=_shown(found.entries, lang),
        total=format_decimal(found.total, locale="de_DE" if lang == "de" else "en_GB"),
        older_url=f"/protokoll?{typed.query(vor=found.older)}" if found.older else "",
        newer_url=f"/protokoll?{typed.query(nach=found.newer)}" if found.newer else "",
        newest_url=f"/protokoll?{typed.query()}" if (before or after) else "",
    )


# --- the CSV file ---------------------------------------------------------------------------------

#: a spreadsheet reads a cell starting with one of these as a formula (CSV injection, OWASP)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv(entries: list[AuditRecord], lang: str) -> bytes:
    _ = translator(lang)
    gettext = portal_translations(lang).gettext
    table = io.StringIO(newline="")
    writer = csv.writer(table, delimiter=";")
    writer.writerow(
        [
            _("When (UTC)"),
            _("Who"),
            _("What"),
            _("Detail"),
            _("Code"),
            _("Target (as written)"),
            _("Detail (as written)"),
        ]
    )
    for entry in entries:
        what, detail = _readable(entry, gettext)
        at = entry.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        row = [at, entry.username, what, detail, entry.action, entry.target, entry.detail]
        writer.writerow([_cell(v) for v in row])
    return table.getvalue().encode("utf-8-sig")


@get("/protokoll/csv", name="audit-csv", include_in_schema=False)
async def audit_csv(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    wer: FromQuery[str] = "",
    was: FromQuery[str] = "",
    von: FromQuery[str] = "",
    bis: FromQuery[str] = "",
    einheit: FromQuery[str] = "",
) -> Response[bytes] | Template:
    await require(viewer, may_read_audit, "audit log")
    lang = portal_lang(request)
    _ = translator(lang)
    chosen, typed, errors = _checked(Typed(wer, was, von, bis, einheit), _)
    if errors:
        return _refused(request, await _page_context(request, typed), errors=errors)
    try:
        entries = await log_extract(chosen)
    except LogFilterError as exc:
        problem = exc.message.text(portal_translations(lang).gettext)
        if exc.field:
            field = {"unit": "einheit", "what": "was"}[exc.field]
            return _refused(request, await _page_context(request, typed), errors={field: problem})
        return _refused(request, await _page_context(request, typed), problem=problem)
    await record(
        viewer.username,
        "audit.export",
        "",
        "; ".join(filter(None, [filter_summary(chosen), f"entries={len(entries)}"])),
    )
    day = dt.datetime.now(dt.UTC).date().isoformat()
    return Response(
        _csv(entries, lang),
        media_type="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="protokoll-{day}.csv"',
            "Cache-Control": "no-store, max-age=0",
        },
    )


# --- the JSON twin --------------------------------------------------------------------------------

#: what each query parameter takes, for the 400 that names it
_TAKES = {
    "user": "a user name",
    "action": "a kind of event: a group ("
    + ", ".join(g for g in CHOICES if g in GROUPS)
    + ") or an action code",
    "from": "a day as YYYY-MM-DD, e.g. 2026-11-21 (UTC)",
    "to": "a day as YYYY-MM-DD, e.g. 2026-11-21 (UTC)",
    "unit": "a unit key (GET /api/v1/units)",
    "before": "the id of an entry, a whole number of 1 or more",
    "after": "the id of an entry, a whole number of 1 or more",
    "limit": f"a whole number from 1 to {API_MOST}",
}


def _bad_parameter(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Refusal]:
    """litestar's own 400 for a parameter, with a sentence that names it and what it takes."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    # litestar names a parameter by its Python name: `from_` is the query's `from`
    named = [str(e.get("key")).rstrip("_") for e in extra if isinstance(e, dict)]
    keys = [key for key in named if key in _TAKES]
    detail = "; ".join(f"query parameter `{k}` takes {_TAKES[k]}" for k in keys) or str(exc.detail)
    return Response(Refusal(400, detail, extra), status_code=400)


def _api_entry(entry: AuditRecord) -> AuditOut:
    what, _detail = _readable(entry, None)
    return AuditOut(entry.id, entry.at, entry.username, entry.action, what, entry.target, entry.detail)


_DAY = "UTC, included; YYYY-MM-DD"


@get(
    "/api/v1/audit",
    name="api-audit",
    tags=["personalrat"],
    summary="The audit log, newest first, filtered and paged",
    description=(
        "Every filter given must hold. `unit` finds the entries whose target or detail names the unit "
        "or a unit below it. Pages hold `limit` entries: pass `older` of an answer as `before` for the "
        "next older page, `newer` as `after` for the next newer one. Each call is written to the log."
    ),
    responses={
        400: ResponseSpec(
            Refusal, generate_examples=False, description="A query parameter is wrong: `detail` names it"
        ),
        404: ResponseSpec(Refusal, generate_examples=False, description="There is no such unit"),
        **refusals(401, 403),
    },
    exception_handlers={ValidationException: _bad_parameter},
)
async def audit_api(
    viewer: CurrentViewer,
    user: OptionalQueryText = None,
    action: Annotated[ActionChoice | None, QueryParameter(description="a group or an action code")] = None,
    from_: Annotated[
        dt.date | None, QueryParameter(name="from", description=f"the first day ({_DAY})")
    ] = None,
    to: Annotated[dt.date | None, QueryParameter(description=f"the last day ({_DAY})")] = None,
    unit: OptionalQueryText = None,
    before: Annotated[
        int | None, QueryParameter(ge=1, le=_BIGGEST_ID, description="entries older than this id")
    ] = None,
    after: Annotated[
        int | None, QueryParameter(ge=1, le=_BIGGEST_ID, description="entries newer than this id")
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=API_MOST, description="entries per page")] = PAGE_SIZE,
) -> AuditPageOut:
    await require(viewer, may_read_audit, "audit log")
    chosen = LogFilter(user or "", action or "", from_, to, unit or "")
    try:
        found: LogPage = await read_log(chosen, before=before, after=after, size=limit)
    except LogFilterError as exc:
        raise NotFoundException(
            f"{exc.message.text(code=True)}: query parameter `unit` takes {_TAKES['unit']}"
        ) from None
    await record(viewer.username, "audit.view", "", filter_summary(chosen, before=before, after=after))
    return AuditPageOut([_api_entry(e) for e in found.entries], found.total, found.older, found.newer)


AUDIT_ROUTES = [audit_page, audit_csv, audit_api]
