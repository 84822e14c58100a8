"""What the pages without sign-in share: the language (asked for, else the browser's, else
German, among those the page offers), the language switch, and the page that says an address
leads nowhere, in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request
from litestar.response import Template
from markupsafe import Markup

from survey.services.answering import kommune
from survey.web.i18n import LANGUAGES, Language, language, pick_language, switch_links
from survey.web.public._show import PublicShow
from survey.web.respond_text import ENTRY_PAGES, translators

__all__ = ["NO_STORE", "lang_of", "not_found", "offered", "public_template"]

#: like every page: figures of the latest data, nothing kept by a browser or a proxy
NO_STORE = {"Cache-Control": "no-store, max-age=0"}


def offered(languages: Sequence[str]) -> list[str]:
    """The page's languages: those of the questionnaire the app has pages in (German at least)."""
    return [t for t in languages if t in LANGUAGES] or ["de"]


def lang_of(request: Request[Any, Any, Any], languages: Sequence[str]) -> Language:
    tags = offered(languages)
    return language(
        pick_language(request.query_params.get("lang"), tags, request.headers.get("accept-language"))
    )


def public_template(
    request: Request[Any, Any, Any],
    template: str,
    lang: Language,
    languages: Sequence[str],
    *,
    status: int = 200,
    **context: Any,
) -> Template:
    gettext, ngettext = translators(lang)
    switch = switch_links(request.url.path, offered(languages), lang.tag)
    # names the Kommune typed (units, service points, measures) are German: said so, for screen
    # readers (in a <bdi>, so that their punctuation stays in place on right-to-left pages)
    german = Markup("") if lang.tag.startswith("de") else Markup(' lang="de"')
    return Template(
        template,
        context={
            "_": gettext,
            "ngettext": ngettext,
            "language": lang,
            "switch_languages": switch,
            "show": PublicShow(lang),
            "german": german,
            **context,
        },
        status_code=status,
        headers=NO_STORE,
    )


async def not_found(
    request: Request[Any, Any, Any], languages: Sequence[str], problem: str = "link_unknown"
) -> Template:
    """404 in the reader's language: an unknown service point, feedback link or address."""
    lang = lang_of(request, languages)
    gettext, _ = translators(lang)
    _status, title, paragraphs = ENTRY_PAGES[problem]
    return public_template(
        request,
        "public/message.html",
        lang,
        languages,
        status=404,
        page_title=gettext(title),
        paragraphs=[gettext(p) for p in paragraphs],
        kommune=await kommune(),
    )
