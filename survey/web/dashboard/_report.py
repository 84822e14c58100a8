"""The reports inside the app: the same HTML file as `survey report`, with a bar on top.

The file itself stays self-contained (it is also mailed and archived); only the page the app serves
gets a bar with the Kommune, the way back to the unit's page, a print button and the PDF. The print
button's one line of script is allowed by its hash in the page's Content-Security-Policy.
"""

from __future__ import annotations

import functools
import re

import anyio.to_thread
from litestar import Response
from markupsafe import Markup

from survey.report.printing import html_to_pdf
from survey.web.dashboard._scope import NO_STORE_HEADER, Gettext

__all__ = ["PRINT_SCRIPT", "pdf_response", "with_app_bar"]

#: the print button's script: the whole of the JavaScript of a report page
PRINT_SCRIPT = 'document.getElementById("print-report").addEventListener("click",function(){window.print()});'

_KOMMUNE = re.compile(r'<p class="kommune">(.*?)</p>', re.DOTALL)
_BODY = re.compile(r"<body\b[^>]*>")


def with_app_bar(
    page_html: str, _: Gettext, *, back: tuple[str, str], trail: list[tuple[str, str]], pdf: str
) -> str:
    """The report with the app's bar after `<body>`: Kommune, breadcrumb, print and PDF.

    `back` is the address and name of the page the report belongs to, `trail` the breadcrumb before
    it (address, name), `pdf` the address of the same report as PDF.
    """
    found = _KOMMUNE.search(page_html)
    kommune = Markup(found.group(1).strip()) if found else Markup("")  # already escaped by the report
    crumbs = Markup("").join(
        Markup('<li><a href="{}">{}</a></li>').format(href, name) for href, name in [*trail, back]
    )
    bar = Markup(
        '<div class="app-bar">'
        '<p class="app-kommune">{kommune}</p>'
        '<nav class="app-breadcrumbs" aria-label="{where}"><ol>{crumbs}'
        '<li><span aria-current="page">{report}</span></li></ol></nav>'
        '<p class="app-actions"><a class="app-back" href="{back_href}">{back_text}</a> '
        '<button type="button" id="print-report">{print}</button> '
        '<a class="app-pdf" href="{pdf}" download>{pdf_text}</a></p>'
        "</div>"
    ).format(
        kommune=kommune,
        where=_("Where you are"),
        crumbs=crumbs,
        report=_("Report"),
        back_href=back[0],
        back_text=_("Back to %(page)s", page=back[1]),
        print=_("Print"),
        pdf=pdf,
        pdf_text=_("Download as PDF"),
    )
    body = _BODY.search(page_html)
    if body is None:  # pragma: no cover - the report templates always have a <body>
        return page_html
    script = Markup("<script>{}</script>").format(Markup(PRINT_SCRIPT))
    page = page_html[: body.end()] + str(bar) + page_html[body.end() :]
    return page.replace("</body>", f"{script}\n</body>", 1)


#: the PDFs of the last reports asked for, by their HTML: a report printed by several people, or
#: again, is rendered once per worker (a report's HTML changes with every new figure, so a hit is
#: always the same content; 16 reports of a few hundred kB at most)
_cached_pdf = functools.lru_cache(maxsize=16)(html_to_pdf)


async def pdf_response(page_html: str, filename: str) -> Response[bytes]:
    """The report file as PDF (WeasyPrint, in a thread: it takes a moment of CPU)."""
    pdf = await anyio.to_thread.run_sync(_cached_pdf, page_html)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            **NO_STORE_HEADER,
            "x-content-type-options": "nosniff",
        },
    )
