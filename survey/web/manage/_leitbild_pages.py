"""The Leitbild in the browser (survey office): a new Leitbild, started from a published one under a
new key (survey/web/manage/_questionnaires.py), edited here: its name, description and values in
every declared language side by side, checked on every save as `survey questionnaires check`
checks a Leitbild file; then published (frozen) or discarded, each asked first. A published
Leitbild is shown, never changed: questionnaire versions and their waves keep the one they name.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.domain.catalog import yaml_text
from survey.errors import N_, Code, Message, SurveyError
from survey.services.drafts import DraftError, DraftStale, may_edit_questionnaires
from survey.services.leitbild_drafts import (
    LeitbildState,
    check_leitbild_draft,
    discard_leitbild,
    leitbild_yaml,
    open_leitbild_draft,
    publish_leitbild,
    save_leitbild,
)
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, require
from survey.web.manage._catalog_problems import language_label
from survey.web.manage._leitbild_form import apply_leitbild_form, leitbild_editable, leitbild_view
from survey.web.manage._questionnaire_editor import EDITOR_BODY_BYTES
from survey.web.manage._questionnaire_shared import (
    QUESTIONNAIRES_PAGE,
    leitbild_url,
    moment,
    office_only,
    shown_problems,
)
from survey.web.notices import Notice, forget_notice, redirect_with, say, show, take_notice
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang

__all__ = ["LEITBILD_ROUTES"]

_LEITBILD = "/buero/leitbilder/{key:str}"


async def _editor(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    state: LeitbildState,
    *,
    data: dict[str, Any] | None = None,
    typed: dict[str, Message] | None = None,
    status: int = 200,
    refusal: str | None = None,
) -> Template:
    lang = portal_lang(request)
    _ = page_text(request)
    shown = data if data is not None else state.checked.data
    problems = state.problems
    if data is not None:
        problems = (await check_leitbild_draft(state.draft.key, yaml_text(data))).problems
    editable = leitbild_editable(shown)
    view = (
        leitbild_view(
            shown, state.origin, problems, lang, _, {n: say(m, lang) for n, m in (typed or {}).items()}
        )
        if editable
        else None
    )
    response = page(
        request,
        "portal/leitbild_editor.html",
        title=_("Leitbild %(key)s (draft)", key=state.draft.key),
        status=status,
        draft=state.draft,
        state=state,
        view=view,
        problems=[] if editable else shown_problems(problems, lang, state.draft.text),
        saved=moment(state.draft.saved_at, lang),
        languages_said=", ".join(language_label(t, lang) for t in view.languages) if view else "",
        result=show(take_notice(request, viewer), lang) if status == 200 else None,
        refusal=refusal,
    )
    forget_notice(request, response)
    return response


@get(_LEITBILD, name="office-leitbild", include_in_schema=False)
async def leitbild_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, key: FromPath[str]
) -> Template:
    await require(viewer, may_edit_questionnaires, f"leitbild {key}")
    try:
        return await _editor(request, viewer, await open_leitbild_draft(key))
    except DraftError as exc:
        lang = portal_lang(request)
        try:
            text, _state = await leitbild_yaml(key)
        except DraftError:
            raise NotFoundException(say(exc.message, lang)) from None
        _ = page_text(request)
        return page(
            request,
            "portal/questionnaire_show.html",
            title=_("Leitbild %(key)s", key=key),
            preview_url=None,
            download_url=leitbild_url(key, "/yaml"),
            download_name=f"leitbild-{key}.yaml",
            text=text,
            frozen=say(exc.message, lang),
        )


@post(
    _LEITBILD,
    name="office-leitbild-save",
    include_in_schema=False,
    request_max_body_size=EDITOR_BODY_BYTES,
    guards=[office_only],
)
async def leitbild_save(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, key: FromPath[str]
) -> Template | Redirect:
    try:
        state = await open_leitbild_draft(key)
    except DraftError as exc:
        return redirect_with(request, viewer, QUESTIONNAIRES_PAGE, Notice(False, exc.message))
    form = await request.form()
    revision = form.get("revision")
    based_on = int(revision) if isinstance(revision, str) and revision.isdigit() else 0
    edited = apply_leitbild_form(state.checked.data, form)  # type: ignore[arg-type]
    if edited.problems or not leitbild_editable(state.checked.data):
        return await _editor(request, viewer, state, data=edited.data, typed=edited.problems, status=400)
    try:
        saved = await save_leitbild(key, yaml_text(edited.data), based_on, viewer.username)
    except DraftStale as exc:
        lang = portal_lang(request)
        current = await open_leitbild_draft(key)
        refusal = f"{say(exc.message, lang)} ({moment(exc.current.saved_at, lang)})."
        return await _editor(request, viewer, current, data=edited.data, status=409, refusal=refusal)
    except SurveyError as exc:
        return redirect_with(request, viewer, QUESTIONNAIRES_PAGE, Notice(False, exc.message))
    count = len(saved.problems)
    message = (
        Message(
            N_(
                "saved (revision %(revision)s); the check finds %(count)s problem(s), each shown at its field"
            ),
            {"revision": saved.draft.revision, "count": count},
        )
        if count
        else Message(
            N_("saved (revision %(revision)s); the check finds no problem"),
            {"revision": saved.draft.revision},
        )
    )
    anchor = f"#f-values-{len(edited.data['values']) - 1}-key" if edited.action == "add-value" else ""
    return redirect_with(request, viewer, leitbild_url(key) + anchor, Notice(True, message))


@get(f"{_LEITBILD}/veroeffentlichen", name="office-leitbild-review", include_in_schema=False)
async def leitbild_review(
    request: Request[Any, Any, Any], viewer: CurrentViewer, key: FromPath[str]
) -> Template:
    await require(viewer, may_edit_questionnaires, f"leitbild review {key}")
    lang = portal_lang(request)
    try:
        state = await open_leitbild_draft(key)
    except DraftError as exc:
        raise NotFoundException(say(exc.message, lang)) from None
    _ = page_text(request)
    leitbild = state.checked.leitbild
    origin = state.origin
    added = (
        [v for v in leitbild.values if origin is None or v.key not in origin.value_keys] if leitbild else []
    )
    dropped = (
        [v for v in origin.values if leitbild is not None and v.key not in leitbild.value_keys]
        if origin
        else []
    )
    return page(
        request,
        "portal/leitbild_publish.html",
        title=_("Publish the Leitbild %(key)s", key=key),
        state=state,
        draft=state.draft,
        leitbild=leitbild,
        added=added,
        dropped=dropped,
        pick=lambda texts: texts.get(lang) or texts.get("de") or next(iter(texts.values()), ""),
        result=show(take_notice(request, viewer), lang),
    )


@post(f"{_LEITBILD}/veroeffentlichen", name="office-leitbild-publish", include_in_schema=False)
async def leitbild_publish(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, key: FromPath[str]
) -> Redirect:
    await require(viewer, may_edit_questionnaires, f"leitbild publish {key}")
    revision = (await request.form()).get("revision")
    based_on = int(revision) if isinstance(revision, str) and revision.isdigit() else 0
    try:
        await publish_leitbild(key, based_on, viewer.username)
    except SurveyError as exc:
        return redirect_with(request, viewer, QUESTIONNAIRES_PAGE + "#leitbild", Notice(False, exc.message))
    message = Message(
        N_("the Leitbild %(key)s is published; a new questionnaire can measure its values"),
        {"key": Code(key)},
    )
    return redirect_with(request, viewer, QUESTIONNAIRES_PAGE + "#leitbild", Notice(True, message))


@get(f"{_LEITBILD}/verwerfen", name="office-leitbild-discard-ask", include_in_schema=False)
async def leitbild_discard_ask(
    request: Request[Any, Any, Any], viewer: CurrentViewer, key: FromPath[str]
) -> Template:
    await require(viewer, may_edit_questionnaires, f"leitbild discard {key} (asked)")
    lang = portal_lang(request)
    try:
        state = await open_leitbild_draft(key)
    except DraftError as exc:
        raise NotFoundException(say(exc.message, lang)) from None
    _ = page_text(request)
    return page(
        request,
        "portal/questionnaire_discard.html",
        title=_("Discard the draft of the Leitbild %(key)s", key=key),
        draft=state.draft,
        saved=moment(state.draft.saved_at, lang),
        action=leitbild_url(key, "/verwerfen"),
        back=leitbild_url(key),
    )


@post(f"{_LEITBILD}/verwerfen", name="office-leitbild-discard", include_in_schema=False)
async def leitbild_discard(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, key: FromPath[str]
) -> Redirect:
    await require(viewer, may_edit_questionnaires, f"leitbild discard {key}")
    try:
        await discard_leitbild(key, viewer.username)
    except SurveyError as exc:
        return redirect_with(request, viewer, QUESTIONNAIRES_PAGE + "#leitbild", Notice(False, exc.message))
    message = Message(N_("the draft of the Leitbild %(key)s is discarded"), {"key": Code(key)})
    return redirect_with(request, viewer, QUESTIONNAIRES_PAGE + "#leitbild", Notice(True, message))


LEITBILD_ROUTES = [
    leitbild_page,
    leitbild_save,
    leitbild_review,
    leitbild_publish,
    leitbild_discard_ask,
    leitbild_discard,
]
