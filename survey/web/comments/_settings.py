"""The survey office's settings for free text: `/buero/schwaerzung` (further names and rules the
redaction adds, and what each language cannot be checked for) and `/buero/codebuch` (the codebook
of themes per Leitbild value). A refused save shows the typed text again with every problem."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from survey.errors import N_, Message, Problem
from survey.services.codebooks import CodebookSaveError, codebook_page, leitbild_key, save_codebook_text
from survey.services.permissions import may_edit_redaction
from survey.services.redaction import RedactionSettingsError, redaction_settings, save_redaction_settings
from survey.settings import Settings
from survey.web.auth import CsrfChecked, CurrentViewer, require
from survey.web.i18n import LANGUAGES
from survey.web.notices import Notice, forget_notice, redirect_with, show, take_notice
from survey.web.portal import page, portal_lang, translator

__all__ = ["SETTINGS_ROUTES"]

REDACTION_PAGE = "/buero/schwaerzung"
CODEBOOK_PAGE = "/buero/codebuch"
#: the longest text a field is read with (the names list, the rules, a codebook)
_FIELD_LIMIT = 400_000


def _settings(request: Request[Any, Any, Any]) -> Settings:
    return request.app.state["settings"]


def _problems(problems: list[Problem]) -> list[str]:
    return [f"{_line(p)}{p.path + ': ' if p.path else ''}{p.message}" for p in problems]


def _line(p: Problem) -> str:
    return f"{p.line}: " if p.line else ""


async def _redaction_page(
    request: Request[Any, Any, Any],
    names: str | None = None,
    rules: str | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> Template:
    _ = translator(portal_lang(request))
    current = await redaction_settings(_settings(request).questionnaires)
    viewer = request.state.get("viewer")
    response = page(
        request,
        "portal/redaction_settings.html",
        title=_("Redaction of comments"),
        names=current.names if names is None else names,
        rules=current.rules if rules is None else rules,
        own_rules=current.own_rules,
        limits=current.limits_de if portal_lang(request) == "de" else current.limits,
        language_names={tag: lang.native for tag, lang in LANGUAGES.items()},
        problems=problems or [],
        page_url=REDACTION_PAGE,
        result=show(take_notice(request, viewer), portal_lang(request)) if viewer else None,
        status=status,
    )
    return response


@get(REDACTION_PAGE, name="office-redaction", include_in_schema=False)
async def redaction_page(request: Request[Any, Any, Any], viewer: CurrentViewer) -> Template:
    await require(viewer, may_edit_redaction, "redaction settings")
    response = await _redaction_page(request)
    forget_notice(request, response)
    return response


@post(REDACTION_PAGE, name="office-redaction-save", include_in_schema=False)
async def save_redaction(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked
) -> Template | Redirect:
    await require(viewer, may_edit_redaction, "redaction settings")
    form = await request.form()
    if "names" not in form and "rules" not in form:
        _ = translator(portal_lang(request))
        return await _redaction_page(
            request, problems=[_("The form came without its fields: nothing was saved.")], status=422
        )
    names = str(form.get("names") or "")[:_FIELD_LIMIT]
    rules = str(form.get("rules") or "")[:_FIELD_LIMIT]
    try:
        await save_redaction_settings(names, rules, viewer.username)
    except RedactionSettingsError as exc:
        return await _redaction_page(request, names, rules, _problems(exc.problems), 422)
    done = N_("Saved: every comment stored from now on is redacted with these names and rules")
    return redirect_with(request, viewer, REDACTION_PAGE, Notice(True, Message(done)))


async def _codebook_page(
    request: Request[Any, Any, Any],
    text: str | None = None,
    problems: list[str] | None = None,
    stale: bool = False,
    status: int = 200,
) -> Template:
    _ = translator(portal_lang(request))
    key = await leitbild_key()
    current = await codebook_page(key) if key else None
    viewer = request.state.get("viewer")
    return page(
        request,
        "portal/codebook.html",
        title=_("Themes of comments (codebook)"),
        leitbild=key,
        text=(current.text if current else "") if text is None else text,
        revision=current.revision if current else None,
        updated_by=current.updated_by if current else "",
        problems=problems or [],
        stale=stale,
        page_url=CODEBOOK_PAGE,
        result=show(take_notice(request, viewer), portal_lang(request)) if viewer else None,
        status=status,
    )


@get(CODEBOOK_PAGE, name="office-codebook", include_in_schema=False)
async def codebook_view(request: Request[Any, Any, Any], viewer: CurrentViewer) -> Template:
    await require(viewer, may_edit_redaction, "codebook")
    response = await _codebook_page(request)
    forget_notice(request, response)
    return response


@post(CODEBOOK_PAGE, name="office-codebook-save", include_in_schema=False)
async def codebook_save(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked
) -> Template | Redirect:
    await require(viewer, may_edit_redaction, "codebook")
    form = await request.form()
    if "text" not in form:
        _ = translator(portal_lang(request))
        return await _codebook_page(
            request, problems=[_("The form came without its fields: nothing was saved.")], status=422
        )
    text = str(form.get("text") or "")[:_FIELD_LIMIT]
    revision = str(form.get("revision") or "")
    key = await leitbild_key()
    try:
        if key is None:
            raise CodebookSaveError([Problem("codebook.yaml", "", "no Leitbild is published yet")])
        await save_codebook_text(key, text, int(revision) if revision.isdigit() else None, viewer.username)
    except CodebookSaveError as exc:
        return await _codebook_page(
            request, text, _problems(exc.problems), exc.stale, 409 if exc.stale else 422
        )
    done = N_("The codebook is saved: comment pages group by it from now on")
    return redirect_with(request, viewer, CODEBOOK_PAGE, Notice(True, Message(done)))


SETTINGS_ROUTES = [redaction_page, save_redaction, codebook_view, codebook_save]
