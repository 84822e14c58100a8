"""The survey office's questionnaires and Leitbilder: the list with each version's state (draft,
published, in use), a new version started from the newest one, a new Leitbild from a published
one, a file uploaded as a draft, and every version or Leitbild downloaded as a file (YAML).

The drafts live in the database (survey.services.drafts), so any worker of any host shows and
edits the same. Every form that changes something answers 303 to the page that shows its result
(Post/Redirect/Get); a refused upload or key comes back at once, with each problem and its line
next to the field. The editor of a draft: `_questionnaire_editor`; publishing: `_questionnaire_publish`;
the JSON twins: `_questionnaires_api`.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.domain.yamlfile import MAX_FILE_BYTES
from survey.errors import N_, Message, QuestionnaireFileError, SurveyError
from survey.services.draft_import import import_text
from survey.services.drafts import (
    DraftError,
    may_edit_questionnaires,
    questionnaire_listings,
    start_version,
    version_yaml,
)
from survey.services.leitbild_drafts import leitbild_lines, leitbild_yaml, start_leitbild
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, require
from survey.web.manage._questionnaire_shared import (
    LEITBILD_PAGE,
    QUESTIONNAIRES_PAGE,
    editor_url,
    leitbild_url,
    moment,
    office_only,
    shown_problems,
)
from survey.web.notices import Notice, forget_notice, redirect_with, say, show, take_notice
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang

__all__ = ["LIST_ROUTES", "UPLOAD_BODY_BYTES"]

#: a version or Leitbild file may be as large as the checks take, and a form around it
UPLOAD_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024


def _text_in(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("de") or next(iter(texts.values()), "")


async def _list_page(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    *,
    status: int = 200,
    upload_error: str | None = None,
    problems: list[Any] | None = None,
    leitbild_error: str | None = None,
    typed: dict[str, str] | None = None,
) -> Template:
    await require(viewer, may_edit_questionnaires, "questionnaires")
    lang = portal_lang(request)
    _ = page_text(request)
    listings = await questionnaire_listings()
    leitbilder = await leitbild_lines()
    response = page(
        request,
        "portal/questionnaires.html",
        title=_("Questionnaires and Leitbild"),
        status=status,
        listings=listings,
        leitbilder=leitbilder,
        sources=[line.key for line in leitbilder if line.state != "draft"],
        text_in=lambda texts: _text_in(texts, lang),
        moment=lambda when: moment(when, lang),
        result=show(take_notice(request, viewer), lang) if status == 200 else None,
        upload_error=upload_error,
        problems=problems or [],
        leitbild_error=leitbild_error,
        typed=typed or {},
    )
    forget_notice(request, response)
    return response


@get(QUESTIONNAIRES_PAGE, name="office-questionnaires", include_in_schema=False)
async def questionnaires_page(request: Request[Any, Any, Any], viewer: CurrentViewer) -> Template:
    return await _list_page(request, viewer)


@post(
    f"{QUESTIONNAIRES_PAGE}/{{questionnaire:str}}", name="office-questionnaire-new", include_in_schema=False
)
async def new_version_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, questionnaire: FromPath[str]
) -> Redirect:
    """A draft of the next version, a copy of the newest published one; then its editor."""
    await require(viewer, may_edit_questionnaires, f"questionnaire new version {questionnaire}")
    try:
        draft = await start_version(questionnaire, viewer.username)
    except DraftError as exc:
        return redirect_with(request, viewer, QUESTIONNAIRES_PAGE, Notice(False, exc.message))
    notice = Notice(
        True,
        Message(
            N_(
                "version %(version)s of %(questionnaire)s is started as a draft, a copy of version "
                "%(previous)s: change it here, check it, then publish it"
            ),
            {"version": draft.version, "questionnaire": questionnaire, "previous": draft.version - 1},
        ),
    )
    return redirect_with(request, viewer, editor_url(questionnaire, draft.version), notice)


def _too_large(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """413 of an upload: back to the list, which says how large a file may be."""
    viewer = request.state.get("viewer")
    if viewer is None or exc.status_code != 413:
        return Response({"status_code": exc.status_code, "detail": exc.detail}, status_code=exc.status_code)
    mb = MAX_FILE_BYTES // (1024 * 1024)
    notice = Notice(
        False, Message(N_("the file is larger than %(mb)s MB: check it is the right file"), {"mb": mb})
    )
    return redirect_with(request, viewer, f"{QUESTIONNAIRES_PAGE}#upload", notice)


async def _upload_text(sent: UploadFile) -> str | None:
    content = await sent.read()
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


@post(
    QUESTIONNAIRES_PAGE,
    name="office-questionnaire-upload",
    include_in_schema=False,
    request_max_body_size=UPLOAD_BODY_BYTES,
    exception_handlers={413: _too_large},
    guards=[office_only],
)
async def upload_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked
) -> Template | Redirect:
    """A version or Leitbild file checked and kept as a draft; then its editor (or the list)."""
    _ = page_text(request)
    lang = portal_lang(request)
    form = await request.form()
    sent = form.get("file")
    if not isinstance(sent, UploadFile) or (not sent.filename and not await sent.read(1)):
        return await _list_page(
            request, viewer, status=400, upload_error=_("Choose the file (YAML) to upload.")
        )
    await sent.seek(0)
    filename = (sent.filename or "upload.yaml")[:200]
    text = await _upload_text(sent)
    if text is None:
        return await _list_page(
            request,
            viewer,
            status=400,
            upload_error=_("The file is not UTF-8 text: save it as UTF-8 and upload it again."),
        )
    try:
        outcome = await import_text(text, filename, viewer.username, replace=form.get("replace") == "1")
    except QuestionnaireFileError as exc:
        return await _list_page(
            request,
            viewer,
            status=400,
            upload_error=_(
                "The file %(file)s cannot be read as a questionnaire version or a Leitbild; nothing "
                "has been stored. Fix it and upload it again:",
                file=filename,
            ),
            problems=shown_problems(exc.problems, lang, text),
        )
    except SurveyError as exc:
        return await _list_page(request, viewer, status=409, upload_error=say(exc.message, lang))
    notice = Notice(True, outcome.message)
    if outcome.kind == "unchanged":
        return redirect_with(request, viewer, QUESTIONNAIRES_PAGE, notice)
    target = editor_url(outcome.key, outcome.version) if outcome.version else leitbild_url(outcome.key)
    return redirect_with(request, viewer, target, notice)


def _yaml_response(text: str, filename: str) -> Response[str]:
    return Response(
        text,
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@get(
    f"{QUESTIONNAIRES_PAGE}/{{questionnaire:str}}/{{version:int}}/yaml",
    name="office-questionnaire-yaml",
    include_in_schema=False,
)
async def version_download(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    questionnaire: FromPath[str],
    version: FromPath[int],
) -> Response[str]:
    """A version as a file: a draft as saved, a published one written out (same content hash)."""
    await require(viewer, may_edit_questionnaires, f"questionnaire download {questionnaire} v{version}")
    try:
        text, _state = await version_yaml(questionnaire, version)
    except DraftError as exc:
        raise NotFoundException(say(exc.message, portal_lang(request))) from None
    return _yaml_response(text, f"{questionnaire}-v{version}.yaml")


@post(LEITBILD_PAGE, name="office-leitbild-new", include_in_schema=False)
async def new_leitbild_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked
) -> Template | Redirect:
    """A draft of a new Leitbild under a new key, a copy of a published one; then its editor."""
    await require(viewer, may_edit_questionnaires, "leitbild new")
    form = await request.form()
    source, key = form.get("source"), form.get("key")
    source = source if isinstance(source, str) else ""
    key = key if isinstance(key, str) else ""
    try:
        draft = await start_leitbild(source, key, viewer.username)
    except DraftError as exc:
        lang = portal_lang(request)
        return await _list_page(
            request,
            viewer,
            status=400,
            leitbild_error=say(exc.message, lang),
            typed={"source": source, "key": key},
        )
    notice = Notice(
        True,
        Message(
            N_(
                "the Leitbild %(key)s is started as a draft, a copy of %(source)s: change it here, "
                "then publish it"
            ),
            {"key": draft.key, "source": source},
        ),
    )
    return redirect_with(request, viewer, leitbild_url(draft.key), notice)


@get(f"{LEITBILD_PAGE}/{{key:str}}/yaml", name="office-leitbild-yaml", include_in_schema=False)
async def leitbild_download(
    request: Request[Any, Any, Any], viewer: CurrentViewer, key: FromPath[str]
) -> Response[str]:
    await require(viewer, may_edit_questionnaires, f"leitbild download {key}")
    try:
        text, _state = await leitbild_yaml(key)
    except DraftError as exc:
        raise NotFoundException(say(exc.message, portal_lang(request))) from None
    return _yaml_response(text, f"leitbild-{key}.yaml")


LIST_ROUTES = [
    questionnaires_page,
    new_version_page,
    upload_page,
    version_download,
    new_leitbild_page,
    leitbild_download,
]
