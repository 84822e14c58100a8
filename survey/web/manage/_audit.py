"""The audit log: the Personalrat reads it (page and JSON); each reading is written to it too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Template

from survey.services.audit import audit_log, record
from survey.services.permissions import may_read_audit
from survey.web.api import refusals
from survey.web.auth import CurrentViewer, Viewer, require
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page
from survey.web.security import OptionalQueryText

__all__ = ["AUDIT_ROUTES", "AuditOut"]


class AuditOut(msgspec.Struct, frozen=True):
    at: dt.datetime
    username: str
    action: str
    target: str
    detail: str


async def _audit(viewer: Viewer, action: str | None) -> list[AuditOut]:
    await require(viewer, may_read_audit, "audit log")
    entries = await audit_log(limit=500, action=action or None)
    await record(viewer.username, "audit.view", action or "")
    return [AuditOut(e.at, e.username, e.action, e.target, e.detail) for e in entries]


@get("/protokoll", name="audit", include_in_schema=False)
async def audit_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, aktion: FromQuery[str | None] = None
) -> Template:
    entries = await _audit(viewer, aktion)
    _ = page_text(request)
    return page(request, "portal/audit.html", title=_("Audit log"), entries=entries, action=aktion or "")


@get(
    "/api/v1/audit",
    name="api-audit",
    tags=["personalrat"],
    summary="The audit log, newest first (500 entries)",
    responses=refusals(401, 403),
)
async def audit_api(viewer: CurrentViewer, action: OptionalQueryText = None) -> list[AuditOut]:
    return await _audit(viewer, action)


AUDIT_ROUTES = [audit_page, audit_api]
