"""Respondent pages: staff invitations, unit links, citizen service points and kiosks.

Server-rendered, usable without JavaScript, nothing stored in the browser: every page is
`Cache-Control: no-store`, forms have `autocomplete="off"`, and a kiosk goes straight back to an
empty form after each submission, with a thank-you note on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

from babel.dates import format_date
from litestar import Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.domain import QuestionnaireVersion
from survey.services.answering import (
    Channel,
    Entry,
    EntryError,
    SubmitResult,
    answer,
    entry_for,
    kommune,
    new_submission_key,
    staff_languages,
)
from survey.settings import Settings
from survey.web.i18n import LANGUAGES, Language, language, pick_language, switch_links
from survey.web.public import next_link, next_step
from survey.web.respond_body import NotAForm, form_fields
from survey.web.respond_text import (
    ENTRY_PAGES,
    general_message,
    problem_message,
    scale_options,
    text_picker,
    translators,
)

__all__ = ["RESPONDENT_ROUTES"]

NO_STORE = {"Cache-Control": "no-store, max-age=0", "Pragma": "no-cache"}


def _settings(state: State) -> Settings:
    return state["settings"]


def _page(
    template: str,
    lang: Language,
    *,
    status: int = 200,
    offered: list[str] | None = None,
    path: str = "",
    query: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    gettext, ngettext = translators(lang)
    tags = offered if offered is not None else list(LANGUAGES)
    switch = switch_links(path, tags, lang.tag, query)
    return Template(
        template,
        context={"_": gettext, "ngettext": ngettext, "language": lang, "switch_languages": switch, **context},
        status_code=status,
        headers=NO_STORE,
    )


async def _offered(error: EntryError) -> list[str]:
    """The languages of the page that says why one cannot answer: the questionnaire's where the
    wave is known, the staff questionnaires' for codes and unit links, else every language."""
    if error.entry is not None:
        return list(error.entry.version.languages)
    if error.problem in ("code_unknown", "code_used", "link_unknown"):
        return await staff_languages()
    return list(LANGUAGES)


def _entry_page(
    error: EntryError,
    lang: Language,
    path: str,
    offered: list[str],
    typed: dict[str, str] | None = None,
    kommune: str | None = None,
) -> Template:
    status, title, paragraphs = ENTRY_PAGES[error.problem]
    gettext, _ = translators(lang)
    return _page(
        "respond/message.html",
        lang,
        status=status,
        path=path,
        offered=offered,
        page_title=gettext(title),
        paragraphs=[gettext(p) for p in paragraphs],
        kommune=kommune or (error.entry.kommune if error.entry else None),
        code_form=error.problem == "code_unknown",
        kept_texts=typed or {},
    )


# --- the form ----------------------------------------------------------------------------------


def _refusal_page(request: Request, refused: NotAForm) -> Template:
    lang = language(_lang_of(request, list(LANGUAGES)))
    gettext, _ = translators(lang)
    if refused.status == 413:
        limit = request.route_handler.resolve_request_max_body_size() or 0
        title = gettext("Your answers are too long")
        paragraph = gettext(
            "The form you sent is larger than %(size)s kilobytes, far more than a questionnaire "
            "needs. Please shorten your text and send the form again.",
            size=limit // 1024,
        )
    else:
        title = gettext("Something went wrong. Please send again.")
        paragraph = gettext(
            "This address takes answers only from the form on this page, as a browser sends it."
        )
    return _page(
        "respond/message.html",
        lang,
        status=refused.status,
        path=request.url.path,
        page_title=title,
        paragraphs=[paragraph],
    )


async def _form(
    request: Request,
    entry: Entry,
    lang_tag: str,
    *,
    action: str,
    values: dict[str, str] | None = None,
    result: SubmitResult | None = None,
    kiosk: bool = False,
    status: int = 200,
) -> Template:
    settings = _settings(request.app.state)
    lang = language(lang_tag)
    gettext, _ = translators(lang)
    version: QuestionnaireVersion = entry.version
    field_errors: dict[str, str] = {}
    errors: list[dict[str, str]] = []
    pick = text_picker(lang)
    if result is not None:
        for code in result.general:
            anchor, message = general_message(code, gettext)
            if anchor in ("access_code", "receipt_code"):
                field_errors[anchor] = message
            elif code == "empty":
                anchor = _item_anchor(version, version.items[0].id)
            errors.append({"anchor": anchor, "message": message})
        texts = {i.id: pick(i.text) for i in version.items}
        if any(p.item not in texts for p in result.problems) and "form_changed" not in result.general:
            # A field no question of this version has: the form was tampered with or is stale.
            anchor, message = general_message("form_changed", gettext)
            errors.append({"anchor": anchor, "message": message})
        for problem in result.problems:
            if problem.item not in texts:
                continue
            message = problem_message(problem, gettext)
            field_errors[problem.item] = message
            anchor = _item_anchor(version, problem.item)
            errors.append({"anchor": anchor, "message": f"{texts[problem.item]} – {message}", "item": "1"})
    query = {"beleg": request.query_params["beleg"]} if request.query_params.get("beleg") else {}
    return _page(
        "respond/form.html",
        lang,
        status=status,
        offered=[t for t in version.languages if t in LANGUAGES],
        path=request.url.path,
        query=query,
        page_title=pick(version.title),
        version=version,
        sections={section.id: section for section in version.sections},
        text=pick,
        options=scale_options(lang),
        kommune=entry.kommune,
        service_point_name=entry.service_point_name,
        action=action,
        submission_key=await new_submission_key(settings),
        values=values or {},
        errors=errors,
        field_errors=field_errors,
        ask_access_code=entry.kind == "unit",
        kiosk=kiosk,
        kiosk_thanks=_kiosk_thanks(request) if kiosk else None,
        # shown as a field once there is one, so that a wrong code can be corrected or removed
        receipt_code=(values or {}).get("receipt_code", request.query_params.get("beleg")),
        # staff are told what their answers count for and until when (citizens: the service point)
        counts_for=entry.unit_name if entry.kind != "service_point" else None,
        closes_on=format_date(entry.wave.closes_on, format="long", locale=lang.locale)
        if entry.kind != "service_point"
        else None,
    )


def _item_anchor(version: QuestionnaireVersion, item_id: str) -> str:
    """Where an error summary's link for a question leads: its text box, or its group of options."""
    return f"input-{item_id}" if version.scales[version.item(item_id).scale].is_text else f"item-{item_id}"


def _lang_of(request: Request, offered: list[str], requested: str | None = None) -> str:
    return pick_language(
        requested or request.query_params.get("lang"), offered, request.headers.get("accept-language")
    )


async def _show(
    request: Request, channel: Channel, reference: str, action: str, kiosk: bool = False
) -> Template:
    try:
        entry = await entry_for(_settings(request.app.state), channel, reference)
    except EntryError as error:
        offered = await _offered(error)
        return _entry_page(error, language(_lang_of(request, offered)), request.url.path, offered)
    return await _form(request, entry, _lang_of(request, entry.version.languages), action=action, kiosk=kiosk)


async def _receive(
    request: Request, channel: Channel, reference: str, action: str, thanks: str, kiosk: bool = False
) -> Template | Redirect:
    """One submission: the form read strictly, then one service call (survey.services.answering.
    answer) that looks the entry up once and stores the response, or says what is wrong."""
    try:
        values, broken = await form_fields(request)
    except NotAForm as refused:
        return _refusal_page(request, refused)
    submission_key = values.pop("submission_key", "")
    requested = values.pop("lang", None)
    access_code = values.pop("access_code", None)
    receipt_code = values.pop("receipt_code", None)

    def pick(offered: Sequence[str]) -> str:
        return _lang_of(request, list(offered), requested)

    try:
        result = await answer(
            _settings(request.app.state),
            channel,
            reference,
            answers=dict(values),
            language=pick,
            submission_key=submission_key,
            access_code=access_code,
            receipt_code=receipt_code,
            broken=broken,
        )
    except EntryError as error:
        offered = await _offered(error)
        lang_tag = _lang_of(request, offered, requested)
        if error.stored_before:
            return Redirect(f"{thanks}?{urlencode({'lang': lang_tag, 'again': '1'})}", status_code=303)
        typed = {k: v for k, v in values.items() if v and v != "na" and not v.isdigit()}
        return _entry_page(error, language(lang_tag), request.url.path, offered, typed)
    lang_tag = result.language
    if result.stored:
        again = {"again": "1"} if result.outcome and result.outcome.value == "duplicate" else {}
        if kiosk:
            # Straight back to an empty form in the default language, with a thank-you note in
            # the language just used: no timed refresh, nothing of this person left to go back to.
            return Redirect(f"{thanks}?{urlencode({'danke': lang_tag, **again})}", status_code=303)
        # issue 19: the thank-you page links what came of the answers (survey.web.public._thanks)
        onward = await next_step(channel, result.entry, _settings(request.app.state))
        return Redirect(f"{thanks}?{urlencode({'lang': lang_tag, **again, **onward})}", status_code=303)
    assert result.entry is not None
    if broken:
        # A field twice, a NUL character or bytes that are not UTF-8: no browser sends that
        # from this form, so it was changed; nothing was stored and what came back is shown.
        return await _form(
            request,
            result.entry,
            lang_tag,
            action=action,
            values=values,
            result=result,
            kiosk=kiosk,
            status=400,
        )
    kept = {
        **values,
        **({"access_code": access_code} if access_code else {}),
        # kept even when emptied: the field stays on the form, empty, and no code is sent
        **({"receipt_code": receipt_code} if receipt_code is not None else {}),
    }
    status = 429 if "flood" in result.general else 400
    return await _form(
        request, result.entry, lang_tag, action=action, values=kept, result=result, kiosk=kiosk, status=status
    )


async def _thanks(request: Request) -> Template:
    lang = language(request.query_params.get("lang") or "de")
    gettext, _ = translators(lang)
    paragraphs = [gettext("Your answers have been stored. Thank you for taking the time!")]
    if request.query_params.get("again"):
        paragraphs = [gettext("We had already received these answers; they are stored once.")]
    onward = await next_link(request, gettext, lang)  # issue 19: what came of the answers
    return _page(
        "respond/message.html",
        lang,
        path=request.url.path,
        offered=[],
        page_title=gettext("Thank you!"),
        paragraphs=paragraphs,
        kommune=await kommune(),
        next_url=onward[0] if onward else None,
        next_label=onward[1] if onward else None,
    )


def _kiosk_thanks(request: Request) -> dict[str, str] | None:
    """The note for the person who has just answered at a kiosk, in their language."""
    tag = request.query_params.get("danke")
    if tag not in LANGUAGES:
        return None
    gettext, _ = translators(LANGUAGES[tag])
    first = (
        gettext("We had already received these answers; they are stored once.")
        if request.query_params.get("again")
        else gettext("Thank you! Your answers have been stored.")
    )
    return {
        "lang": tag,
        "dir": LANGUAGES[tag].direction,
        "first": first,
        "second": gettext("The form is ready for the next person."),
    }


# --- routes ------------------------------------------------------------------------------------


@get("/i", name="code-entry", include_in_schema=False)
async def code_entry(request: Request) -> Template:
    offered = await staff_languages()
    lang = language(_lang_of(request, offered))
    gettext, _ = translators(lang)
    return _page(
        "respond/message.html",
        lang,
        path=request.url.path,
        offered=offered,
        page_title=gettext("Staff survey"),
        paragraphs=[gettext("Please enter the code from your invitation letter.")],
        code_form=True,
        kommune=await kommune(),
    )


@post("/i", name="code-entry-post", include_in_schema=False)
async def code_entry_post(request: Request) -> Template | Redirect:
    try:
        form, _broken = await form_fields(request)
    except NotAForm as refused:
        return _refusal_page(request, refused)
    code = form.get("code", "").strip()
    offered = await staff_languages()
    lang = language(_lang_of(request, offered, form.get("lang", "")))
    try:
        entry = await entry_for(_settings(request.app.state), "invitation", code)
    except EntryError as error:
        if error.problem in ("code_unknown", "code_used"):
            gettext, _ = translators(lang)
            status, title, paragraphs = ENTRY_PAGES[error.problem]
            return _page(
                "respond/message.html",
                lang,
                status=status,
                path=request.url.path,
                offered=offered,
                page_title=gettext("Staff survey"),
                paragraphs=[gettext("Please enter the code from your invitation letter.")],
                code_form=True,
                code_value=code,
                code_error=f"{gettext(title)}. {gettext(paragraphs[0])}",
            )
        return _entry_page(error, lang, request.url.path, offered)
    return Redirect(f"/i/{quote(entry.reference)}?{urlencode({'lang': lang.tag})}", status_code=303)


@get("/i/{code:str}", name="invitation", include_in_schema=False)
async def invitation_form(request: Request, code: FromPath[str]) -> Template:
    return await _show(request, "invitation", code, f"/i/{quote(code)}")


@post("/i/{code:str}", name="invitation-post", include_in_schema=False)
async def invitation_post(request: Request, code: FromPath[str]) -> Template | Redirect:
    return await _receive(request, "invitation", code, f"/i/{quote(code)}", "/danke")


@get("/t/{token:str}", name="unit-link", include_in_schema=False)
async def unit_link_form(request: Request, token: FromPath[str]) -> Template:
    return await _show(request, "unit", token, f"/t/{quote(token)}")


@post("/t/{token:str}", name="unit-link-post", include_in_schema=False)
async def unit_link_post(request: Request, token: FromPath[str]) -> Template | Redirect:
    return await _receive(request, "unit", token, f"/t/{quote(token)}", "/danke")


@get("/s/{key:str}", name="service-point", include_in_schema=False)
async def service_point_form(request: Request, key: FromPath[str]) -> Template:
    return await _show(request, "service_point", key, f"/s/{quote(key)}")


@post("/s/{key:str}", name="service-point-post", include_in_schema=False)
async def service_point_post(request: Request, key: FromPath[str]) -> Template | Redirect:
    return await _receive(request, "service_point", key, f"/s/{quote(key)}", "/danke")


@get("/s/{key:str}/kiosk", name="kiosk", include_in_schema=False)
async def kiosk_form(request: Request, key: FromPath[str]) -> Template:
    return await _show(request, "service_point", key, f"/s/{quote(key)}/kiosk", kiosk=True)


@post("/s/{key:str}/kiosk", name="kiosk-post", include_in_schema=False)
async def kiosk_post(request: Request, key: FromPath[str]) -> Template | Redirect:
    return await _receive(
        request, "service_point", key, f"/s/{quote(key)}/kiosk", f"/s/{quote(key)}/kiosk", kiosk=True
    )


@get("/danke", name="thanks", include_in_schema=False)
async def thanks(request: Request) -> Template:
    return await _thanks(request)


RESPONDENT_ROUTES = [
    code_entry,
    code_entry_post,
    invitation_form,
    invitation_post,
    unit_link_form,
    unit_link_post,
    service_point_form,
    service_point_post,
    kiosk_form,
    kiosk_post,
    thanks,
]
