"""The editor of a questionnaire draft (survey office), and the page of a published version.

GET /buero/frageboegen/Q/N shows the draft's form: every text in every declared language side by
side (a missing translation marked), the answer scales, sections, and each question with its
scale, Leitbild values, section and direction, and, for a question of the version before, what
kind of change it is. The same checks as `survey questionnaires check` run on every save; each
problem is shown at its field (aria-describedby) and in a summary at the top that links to it.
POST saves (Post/Redirect/Get) the revision the form was read at: a save that came in between is
never overwritten, the form comes back with what was typed. A draft whose text the form cannot
show (broken YAML) is edited as text (GET …/text). A published version is shown, not edited.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.domain.catalog import yaml_text
from survey.errors import N_, Message, SurveyError
from survey.services.drafts import (
    DraftError,
    DraftStale,
    DraftState,
    check_draft_text,
    may_edit_questionnaires,
    open_version_draft,
    published_refusal,
    save_version,
    version_yaml,
)
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, require
from survey.web.manage._draft_form import KINDS, apply_form, editable
from survey.web.manage._draft_view import editor_view, language_label
from survey.web.manage._questionnaire_shared import (
    QUESTIONNAIRES_PAGE,
    editor_url,
    moment,
    office_only,
    shown_problems,
)
from survey.web.notices import Notice, forget_notice, redirect_with, say, show, take_notice
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang

__all__ = ["EDITOR_BODY_BYTES", "EDITOR_ROUTES"]

#: a questionnaire's form, with every text in every language: a few dozen kilobytes
EDITOR_BODY_BYTES = 2 * 1024 * 1024
_EDITOR = f"{QUESTIONNAIRES_PAGE}/{{questionnaire:str}}/{{version:int}}"


async def _draft_or_404(request: Request[Any, Any, Any], questionnaire: str, version: int) -> DraftState:
    try:
        return await open_version_draft(questionnaire, version)
    except DraftError as exc:
        raise NotFoundException(say(exc.message, portal_lang(request))) from None


async def _editor_page(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    state: DraftState,
    *,
    data: dict[str, Any] | None = None,
    typed: dict[str, Message] | None = None,
    status: int = 200,
    refusal: str | None = None,
) -> Template:
    """The editor of the draft, or of what was typed into it (`data`, with the form's own
    refusals `typed` and the checks run on it) where that was not saved."""
    lang = portal_lang(request)
    _ = page_text(request)
    shown = data if data is not None else state.data
    problems = state.problems
    if data is not None:
        problems = (await check_draft_text(state.draft.key, state.draft.version, yaml_text(data))).problems
    form_ok = editable(shown)
    view = (
        editor_view(
            shown,
            state.previous,
            state.leitbild,
            problems,
            lang,
            _,
            {name: say(message, lang) for name, message in (typed or {}).items()},
        )
        if form_ok
        else None
    )
    draft = state.draft
    response = page(
        request,
        "portal/questionnaire_editor.html",
        title=_(
            "%(questionnaire)s, version %(version)s (draft)", questionnaire=draft.key, version=draft.version
        ),
        status=status,
        draft=draft,
        state=state,
        view=view,
        problems=[] if form_ok else shown_problems(problems, lang, draft.text),
        problem_count=len(problems) + len(typed or {}),
        audience=shown.get("audience"),
        leitbild_key=shown.get("leitbild"),
        kinds=KINDS,
        saved=moment(draft.saved_at, lang),
        languages_said=", ".join(language_label(t, lang) for t in view.languages) if view else "",
        result=show(take_notice(request, viewer), lang) if status == 200 else None,
        refusal=refusal,
    )
    forget_notice(request, response)
    return response


async def _published_page(request: Request[Any, Any, Any], questionnaire: str, version: int) -> Template:
    """A published version: shown as it was frozen, with its state; it can no longer be edited."""
    lang = portal_lang(request)
    _ = page_text(request)
    try:
        text, _state = await version_yaml(questionnaire, version)
    except DraftError as exc:
        raise NotFoundException(say(exc.message, lang)) from None
    refusal = await published_refusal(questionnaire, version)
    return page(
        request,
        "portal/questionnaire_show.html",
        title=_("%(questionnaire)s, version %(version)s", questionnaire=questionnaire, version=version),
        preview_url=editor_url(questionnaire, version, "/vorschau"),
        download_url=editor_url(questionnaire, version, "/yaml"),
        download_name=f"{questionnaire}-v{version}.yaml",
        text=text,
        frozen=say(refusal.message, lang) if refusal else "",
    )


@get(_EDITOR, name="office-questionnaire-editor", include_in_schema=False)
async def editor_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    questionnaire: FromPath[str],
    version: FromPath[int],
) -> Template:
    await require(viewer, may_edit_questionnaires, f"questionnaire editor {questionnaire} v{version}")
    try:
        state = await open_version_draft(questionnaire, version)
    except DraftError:
        return await _published_page(request, questionnaire, version)
    return await _editor_page(request, viewer, state)


def _saved_notice(state: DraftState) -> Notice:
    count = len(state.problems)
    if count:
        message = Message(
            N_(
                "saved (revision %(revision)s); the check finds %(count)s problem(s), each shown at its field"
            ),
            {"revision": state.draft.revision, "count": count},
        )
    else:
        message = Message(
            N_("saved (revision %(revision)s); the check finds no problem"),
            {"revision": state.draft.revision},
        )
    return Notice(True, message)


def _anchor(action: str, data: dict[str, Any]) -> str:
    """Where the page goes on after an action of the form: to what was added."""
    if action == "add-item":
        return f"#f-items-{len(data['items']) - 1}-id"
    if action == "add-section":
        return f"#f-sections-{len(data.get('sections', [])) - 1}-id"
    if action == "add-language":
        return "#f-languages"
    return ""


@post(
    _EDITOR,
    name="office-questionnaire-save",
    include_in_schema=False,
    request_max_body_size=EDITOR_BODY_BYTES,
    guards=[office_only],
)
async def save_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    questionnaire: FromPath[str],
    version: FromPath[int],
) -> Template | Redirect:
    """Save the editor's form (or the text of …/text) over the revision it was read at."""
    lang = portal_lang(request)
    try:
        state = await open_version_draft(questionnaire, version)
    except DraftError as exc:
        return redirect_with(request, viewer, QUESTIONNAIRES_PAGE, Notice(False, exc.message))
    form = await request.form()
    revision = form.get("revision")
    based_on = int(revision) if isinstance(revision, str) and revision.isdigit() else 0
    if form.get("mode") == "text":
        text = form.get("text")
        return await _save_text(request, viewer, state, text if isinstance(text, str) else "", based_on)
    edited = apply_form(state.data, form, state.previous)  # type: ignore[arg-type]
    if edited.problems or not editable(state.data):
        return await _editor_page(request, viewer, state, data=edited.data, typed=edited.problems, status=400)
    try:
        saved = await save_version(questionnaire, version, yaml_text(edited.data), based_on, viewer.username)
    except DraftStale as exc:
        current = await open_version_draft(questionnaire, version)
        return await _editor_page(
            request, viewer, current, data=edited.data, status=409, refusal=_stale_text(exc, lang)
        )
    except SurveyError as exc:
        return redirect_with(request, viewer, QUESTIONNAIRES_PAGE, Notice(False, exc.message))
    target = editor_url(questionnaire, version) + _anchor(edited.action, edited.data)
    return redirect_with(request, viewer, target, _saved_notice(saved))


def _stale_text(exc: DraftStale, lang: str) -> str:
    when = moment(exc.current.saved_at, lang)
    return f"{say(exc.message, lang)} ({when})."


async def _save_text(
    request: Request[Any, Any, Any], viewer: Viewer, state: DraftState, text: str, based_on: int
) -> Template | Redirect:
    lang = portal_lang(request)
    draft = state.draft
    try:
        saved = await save_version(
            draft.key, draft.version, text.replace("\r\n", "\n"), based_on, viewer.username
        )
    except DraftStale as exc:
        current = await open_version_draft(draft.key, draft.version)
        return await _text_page(request, current, text=text, status=409, refusal=_stale_text(exc, lang))
    except SurveyError as exc:
        return redirect_with(request, viewer, QUESTIONNAIRES_PAGE, Notice(False, exc.message))
    target = editor_url(draft.key, draft.version)
    if not editable(saved.data):
        target += "/text"
    return redirect_with(request, viewer, target, _saved_notice(saved))


async def _text_page(
    request: Request[Any, Any, Any],
    state: DraftState,
    *,
    text: str | None = None,
    status: int = 200,
    refusal: str | None = None,
) -> Template:
    lang = portal_lang(request)
    _ = page_text(request)
    draft = state.draft
    problems = state.problems
    if text is not None:
        problems = (await check_draft_text(draft.key, draft.version, text)).problems
    viewer = request.state.get("viewer")
    response = page(
        request,
        "portal/questionnaire_text.html",
        title=_(
            "%(questionnaire)s, version %(version)s (draft) as text",
            questionnaire=draft.key,
            version=draft.version,
        ),
        status=status,
        draft=draft,
        text=draft.text if text is None else text,
        problems=shown_problems(problems, lang, draft.text if text is None else text),
        result=show(take_notice(request, viewer), lang) if status == 200 and viewer else None,
        refusal=refusal,
    )
    forget_notice(request, response)
    return response


@get(f"{_EDITOR}/text", name="office-questionnaire-text", include_in_schema=False)
async def text_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    questionnaire: FromPath[str],
    version: FromPath[int],
) -> Template:
    """The draft as its file (YAML), to edit as text: for what the form does not show."""
    await require(viewer, may_edit_questionnaires, f"questionnaire text {questionnaire} v{version}")
    return await _text_page(request, await _draft_or_404(request, questionnaire, version))


EDITOR_ROUTES = [editor_page, save_page, text_page]
