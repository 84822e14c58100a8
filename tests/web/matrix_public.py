"""The access matrix's rows of the pages without sign-in (survey/web/public/): the citizens' public
pages, Open Data, a unit's feedback page and the e-mails' stop link are for everyone, signed in or
not (`anonymous`); the survey office's page of feedback links is for the office (and admins). The
feedback page, the stop link and the office's steps aim at a link or unit that does not exist, so
that trying them changes nothing (404); tests/web/test_public_pages.py and
tests/web/test_mail_pages.py try them on real ones."""

from __future__ import annotations

from matrix_rules import Route, everyone, only

OFFICE = only("admin", "buero")

ROUTES = [
    Route("GET", "/oeffentlich", everyone, anonymous=True),
    Route(
        "GET", "/oeffentlich/buergerbuero-mitte?lang=ar", everyone, "/oeffentlich/{key:str}", anonymous=True
    ),
    Route("GET", "/oeffentlich/daten.csv", everyone, anonymous=True),
    Route("GET", "/oeffentlich/daten.json", everyone, anonymous=True),
    Route("GET", "/oeffentlich/datenbeschreibung", everyone, anonymous=True),
    Route("GET", "/oeffentlich/datenbeschreibung.json", everyone, anonymous=True),
    Route("GET", "/rueckmeldung/kein-link", everyone, "/rueckmeldung/{token:str}", anonymous=True),
    Route("GET", "/rueckmeldung/kein-link/pdf", everyone, "/rueckmeldung/{token:str}/pdf", anonymous=True),
    # the stop link of the e-mails: a link that does not exist stops nothing (404)
    Route("GET", "/abmelden/kein-link", everyone, "/abmelden/{token:str}", anonymous=True),
    Route("POST", "/abmelden/kein-link", everyone, "/abmelden/{token:str}", anonymous=True),
    Route("GET", "/buero/rueckmeldung", OFFICE),
    Route("POST", "/buero/rueckmeldung/gibt-es-nicht", OFFICE, "/buero/rueckmeldung/{unit:str}"),
    Route(
        "GET",
        "/buero/rueckmeldung/gibt-es-nicht/aushang.pdf",
        OFFICE,
        "/buero/rueckmeldung/{unit:str}/aushang.pdf",
    ),
]
