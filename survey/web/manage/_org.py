"""The organisation in the browser (survey office): the tree with its headcounts, a unit's
headcount, and an organisation file uploaded, previewed and applied (JSON twins: `_org_api`).

An organisation file goes in two steps. The upload (POST /buero/organisation/datei) is checked as
`survey org import` checks a file: with problems, the page comes again, each problem next to the
file field with its line and field; without, the file is kept in the database and the browser
goes on to its preview (GET /buero/organisation/vorschau/TOKEN), which changes nothing. Its form
confirms (POST, same address) with the file's hash and the stamp of the organisation the preview
showed: applied only while the organisation is still that one (on any worker or host), then 303
to the organisation page, which shows the result once.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from babel.lists import format_list
from babel.numbers import format_decimal, format_percent
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.domain.yamlfile import MAX_FILE_BYTES
from survey.errors import N_, Message, OrgError, OrgFileError
from survey.services.org import (
    may_manage_organisation,
    org_preview,
    organisation_file,
    parse_headcount,
    upload_org_file,
)
from survey.services.org_questions import LineageAnswer, LineageRefused, answer_lineage, lineage_questions
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, require
from survey.web.manage._file_problems import shown_problems
from survey.web.manage._org_api import (
    ORG_API_ROUTES,
    UPLOAD_BODY_BYTES,
    apply_notice,
    headcount_notice,
    organisation_out,
)
from survey.web.notices import Notice, forget_notice, redirect_with, say, show, take_notice
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang

__all__ = ["ORG_ROUTES"]

ORG_PAGE = "/buero/organisation"
PREVIEW_PAGE = "/buero/organisation/vorschau"
_NOT_FITTING = N_("the answers do not fit the file: %(why)s")
_ANSWERED = N_("your answers are now the file's changes section: check the preview and apply it")


def _number(lang: str) -> Callable[[int], str]:
    locale = "de_DE" if lang == "de" else "en_GB"
    return lambda value: format_decimal(value, locale=locale)


def _shares(lang: str) -> Callable[[list[tuple[str, float]]], list[str]]:
    """A split's shares as "Schulverwaltung 74,1 %" (German) or "Schulverwaltung 74.1%"."""
    locale = "de_DE" if lang == "de" else "en_GB"
    return lambda shares: [
        f"{name} {format_percent(Decimal(str(share)) / 100, locale=locale, decimal_quantization=False)}"
        for name, share in shares
    ]


def _listed(lang: str) -> Callable[[list[str]], str]:
    """Names as a list in words: "A, B und C"."""
    locale = "de_DE" if lang == "de" else "en_GB"
    return lambda names: format_list(list(names), locale=locale) if names else ""


# --- pages -----------------------------------------------------------------------------------------


async def _organisation_page(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    *,
    status: int = 200,
    problems: list[Any] | None = None,
    file_error: str | None = None,
    file_summary: str | None = None,
    headcount_error: tuple[str, str, str] | None = None,
) -> Template:
    """The organisation page; with a refused upload (`problems`, `file_error` and its line in the
    summary at the top, `file_summary`) or a refused
    headcount (`headcount_error`: unit key, what was typed, why) shown next to its field."""
    organisation = await organisation_out(viewer)
    lang = portal_lang(request)
    _ = page_text(request)
    response = page(
        request,
        "portal/organisation.html",
        title=_("Organisation"),
        status=status,
        organisation=organisation,
        result=show(take_notice(request, viewer), lang) if status == 200 else None,
        problems=problems or [],
        file_error=file_error,
        file_summary=file_summary,
        headcount_error=headcount_error,
        unit_names={u.key: u.name for u in organisation.units},
        number=_number(lang),
    )
    forget_notice(request, response)
    return response


@get(ORG_PAGE, name="office-organisation", include_in_schema=False)
async def organisation_page(request: Request[Any, Any, Any], viewer: CurrentViewer) -> Template:
    return await _organisation_page(request, viewer)


@get(f"{ORG_PAGE}/datei", name="office-organisation-file", include_in_schema=False)
async def organisation_file_download(viewer: CurrentViewer) -> Response[str]:
    """The organisation as stored, as an organisation file to edit and upload again."""
    await require(viewer, may_manage_organisation, "organisation file")
    return Response(
        await organisation_file(),
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="organisation.yaml"'},
    )


def _too_large(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """413 of an upload: back to the page, which says how large a file may be."""
    viewer = request.state.get("viewer")
    if viewer is None or exc.status_code != 413:
        return Response({"status_code": exc.status_code, "detail": exc.detail}, status_code=exc.status_code)
    mb = MAX_FILE_BYTES // (1024 * 1024)
    notice = Notice(
        False, Message(N_("the file is larger than %(mb)s MB: check it is the right file"), {"mb": mb})
    )
    return redirect_with(request, viewer, ORG_PAGE, notice)


@post(
    f"{ORG_PAGE}/datei",
    name="office-organisation-upload",
    include_in_schema=False,
    request_max_body_size=UPLOAD_BODY_BYTES,
    exception_handlers={413: _too_large},
)
async def organisation_upload_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked
) -> Template | Redirect:
    await require(viewer, may_manage_organisation, "organisation upload")
    _ = page_text(request)
    lang = portal_lang(request)
    sent = (await request.form()).get("file")
    if not isinstance(sent, UploadFile) or (not sent.filename and not await sent.read(1)):
        return await _organisation_page(
            request, viewer, status=400, file_error=_("Choose the organisation file (YAML) to upload.")
        )
    await sent.seek(0)
    content = await sent.read()
    filename = sent.filename or "organisation.yaml"
    try:
        preview = await upload_org_file(content, filename, by=viewer.username)
    except OrgFileError as exc:
        return await _organisation_page(
            request,
            viewer,
            status=400,
            problems=shown_problems(exc.problems, lang, content),
            file_error=_(
                "The file %(file)s has problems; nothing has changed. "
                "Fix them in the file and upload it again:",
                file=filename,
            ),
            file_summary=_(
                "The file %(file)s has problems (%(count)s): each is listed at the file field",
                file=filename,
                count=len(exc.problems),
            ),
        )
    except OrgError as exc:
        return await _organisation_page(request, viewer, status=400, file_error=say(exc.message, lang))
    return Redirect(f"{PREVIEW_PAGE}/{preview.token}", status_code=303)


async def _preview_page(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    token: str,
    *,
    status: int = 200,
    answers: dict[str, LineageAnswer] | None = None,
    problems: dict[str, Message] | None = None,
) -> Template:
    """The preview of an uploaded file; with answers the office gave on how its units follow from
    each other that do not fit (`problems` per ended unit), those answers again and why."""
    lang = portal_lang(request)
    try:
        preview = await org_preview(token)
    except OrgError as exc:
        raise NotFoundException(say(exc.message, lang)) from None
    _ = page_text(request)
    response = page(
        request,
        "portal/organisation_preview.html",
        title=_("Preview of an organisation file"),
        status=status,
        preview=preview,
        diff=preview.diff,
        questions=lineage_questions(preview),
        answers=answers or {},
        lineage_problems={key: say(message, lang) for key, message in (problems or {}).items()},
        result=show(take_notice(request, viewer), lang) if status == 200 else None,
        number=_number(lang),
        listed=_listed(lang),
        shares=_shares(lang),
    )
    forget_notice(request, response)
    return response


@get(f"{PREVIEW_PAGE}/{{token:str}}", name="office-organisation-preview", include_in_schema=False)
async def organisation_preview_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, token: FromPath[str]
) -> Template:
    """What the uploaded file would change, and the form that applies it. Changes nothing."""
    await require(viewer, may_manage_organisation, "organisation preview")
    return await _preview_page(request, viewer, token)


@post(f"{PREVIEW_PAGE}/{{token:str}}/neuordnung", name="office-organisation-lineage", include_in_schema=False)
async def organisation_lineage_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, token: FromPath[str]
) -> Template | Redirect:
    """The office's answers on what became of each unit that ends: kept as the file's `changes:`,
    then the preview of the file with them (nothing applied)."""
    await require(viewer, may_manage_organisation, "organisation lineage")
    form = await request.form()
    answers = {}
    for key in {name.removeprefix("fate-") for name in form if name.startswith("fate-")} | {
        name.removeprefix("into-") for name in form if name.startswith("into-")
    }:
        fate = form.get(f"fate-{key}")
        into = [v for v in form.getall(f"into-{key}", []) if isinstance(v, str)]
        shares = {
            name.removeprefix(f"share-{key}--"): value
            for name, value in form.items()
            if name.startswith(f"share-{key}--") and isinstance(value, str)
        }
        answers[key] = LineageAnswer(fate if isinstance(fate, str) else "", into, shares)
    lang = portal_lang(request)
    try:
        answered = await answer_lineage(token, answers, viewer.username)
    except LineageRefused as exc:
        return await _preview_page(request, viewer, token, status=400, answers=answers, problems=exc.problems)
    except OrgFileError as exc:
        problems = shown_problems(exc.problems, lang, b"")
        notice = Notice(False, Message(_NOT_FITTING, {"why": problems[0].text}))
        return redirect_with(request, viewer, f"{PREVIEW_PAGE}/{token}", notice)
    except OrgError as exc:
        return redirect_with(request, viewer, ORG_PAGE, Notice(False, exc.message))
    notice = Notice(True, Message(_ANSWERED))
    return redirect_with(request, viewer, f"{PREVIEW_PAGE}/{answered.token}#trends", notice)


@post(f"{PREVIEW_PAGE}/{{token:str}}", name="office-organisation-apply", include_in_schema=False)
async def organisation_apply_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, token: FromPath[str]
) -> Redirect:
    form = await request.form()
    content_hash, stamp = form.get("content_hash"), form.get("organisation_stamp")
    notice, look_again = await apply_notice(
        viewer,
        token,
        content_hash if isinstance(content_hash, str) else "",
        stamp if isinstance(stamp, str) else "",
    )
    return redirect_with(request, viewer, f"{PREVIEW_PAGE}/{token}" if look_again else ORG_PAGE, notice)


@post(
    f"{ORG_PAGE}/einheiten/{{key:str}}/mitarbeitende",
    name="office-organisation-headcount",
    include_in_schema=False,
)
async def headcount_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, key: FromPath[str]
) -> Template | Redirect:
    await require(viewer, may_manage_organisation, f"organisation headcount {key}")
    typed = (await request.form()).get("headcount")
    typed = typed if isinstance(typed, str) else ""
    lang = portal_lang(request)
    try:
        headcount = parse_headcount(typed)
    except OrgError as exc:
        return await _organisation_page(
            request, viewer, status=400, headcount_error=(key, typed, say(exc.message, lang))
        )
    notice = await headcount_notice(viewer, key, headcount)
    if not notice.ok:
        return await _organisation_page(
            request, viewer, status=400, headcount_error=(key, typed, say(notice.message, lang))
        )
    return redirect_with(request, viewer, f"{ORG_PAGE}#unit-{key}", notice)


ORG_ROUTES = [
    organisation_page,
    organisation_file_download,
    organisation_upload_page,
    organisation_preview_page,
    organisation_lineage_page,
    organisation_apply_page,
    headcount_page,
    *ORG_API_ROUTES,
]
