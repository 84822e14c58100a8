"""The survey office's waves and the Personalrat's approvals as pages, on SQLite and PostgreSQL.

Every refusal and confirmation of these pages is said in the page's language (German, English),
never with command-line text; every form answers 303 to its page (Post/Redirect/Get), which shows
the result once, so that reloading repeats nothing; opening and closing a wave are asked about
first, on a page that says what the step means.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from litestar.testing import AsyncTestClient
from portal_helpers import QUESTIONNAIRES, Portal, app_call, sign_in

from survey.services.audit import audit_log
from survey.services.waves import create_wave, list_waves, open_wave
from survey.settings import Settings
from survey.web.app import create_app

TODAY = dt.date.today()
#: what only a command line shows: code marks, options, `survey` commands
COMMAND = re.compile(r"`|--by|--closes|\bsurvey (?:approve|wave|questionnaires|org|db|user|export)\b")
NOTICE = re.compile(r'<div class="(notice|error-summary)" role="(?:status|alert)">(.*?)</div>', re.S)
#: words that give away a message in the other language
ENGLISH = re.compile(r"\b(the|is|cannot|already|wave|approved|not|has|there)\b")
GERMAN = re.compile(r"\b(der|die|ist|nicht|bereits|Befragungsrunde|freigegeben|kann|gibt)\b")
#: the waves these tests add to the portal's demo Kommune: (key, questionnaire, first day, last day)
WAVES = [
    ("entwurf", "staff-pulse", TODAY, TODAY + dt.timedelta(days=14)),
    ("entwurf-de", "staff-pulse", TODAY, TODAY + dt.timedelta(days=14)),
    ("entwurf-en", "staff-pulse", TODAY, TODAY + dt.timedelta(days=14)),
    ("verpasst", "staff-pulse", TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=2)),
    ("buerger-laufend", "citizen-contact", TODAY, TODAY + dt.timedelta(days=14)),
    ("buerger-de", "citizen-contact", TODAY, TODAY + dt.timedelta(days=14)),
    ("buerger-en", "citizen-contact", TODAY, TODAY + dt.timedelta(days=14)),
]


@pytest.fixture
async def office(portal: Portal, tmp_path: Path) -> AsyncIterator[AsyncTestClient]:
    """The app over the portal's demo Kommune (every demo wave closed, staff-pulse v1 and v2
    approved), with the waves of WAVES as drafts but `buerger-laufend`, which is open, and a private
    copy of the questionnaire files in which the published staff-pulse v1 has been edited since."""
    folder = tmp_path / "questionnaires"
    shutil.copytree(QUESTIONNAIRES, folder)
    v1 = folder / "staff-pulse" / "v1.yaml"
    title = yaml.safe_load(v1.read_text(encoding="utf-8"))["title"]["de"]
    v1.write_text(v1.read_text(encoding="utf-8").replace(title, "Ein anderer Titel"), encoding="utf-8")
    settings = Settings(database_url=portal.database_url, questionnaires=folder)
    async with AsyncTestClient(app=create_app(settings)) as client:
        client.follow_redirects = False
        for key, questionnaire, opens_on, closes_on in WAVES:
            await app_call(
                client,
                create_wave,
                key=key,
                questionnaires=folder,
                questionnaire=questionnaire,
                version=None,
                units=["jugendamt"] if questionnaire == "staff-pulse" else ["verwaltung"],
                opens_on=opens_on,
                closes_on=closes_on,
            )
        await app_call(client, open_wave, "buerger-laufend", TODAY, folder)
        yield client


async def _closed_staff_wave(client: AsyncTestClient) -> str:
    waves = await app_call(client, list_waves)
    return next(w.wave.key for w in waves if w.wave.status == "closed" and w.wave.audience == "staff")


async def _status(client: AsyncTestClient, key: str) -> str:
    waves = await app_call(client, list_waves)
    return next(w.wave.status for w in waves if w.wave.key == key)


async def _audit(client: AsyncTestClient, action: str) -> int:
    return len(await app_call(client, audit_log, action=action))


def _notice(page: str) -> str | None:
    """The text of the page's result box, tags removed; None without one."""
    found = NOTICE.search(page)
    if found is None:
        return None
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())


async def _act(client: AsyncTestClient, csrf: str, path: str, page: str) -> tuple[str, str]:
    """POST the form at `path`: 303 to `page`; that page's result box and the page itself."""
    sent = await client.post(path, data={"csrf_token": csrf})
    assert sent.status_code == 303, (path, sent.status_code, sent.text)
    assert sent.headers["location"] == page
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    notice = _notice(shown.text)
    assert notice, f"{path}: no result on {page}"
    return notice, shown.text


def _said_in(lang: str, notice: str, page: str, expected: dict[str, str], what: str) -> None:
    other = "en" if lang == "de" else "de"
    assert expected[lang] in notice, f"{what} ({lang}): {notice!r}"
    assert expected[other] not in notice, f"{what} ({lang}): the other language: {notice!r}"
    # values are no words: file paths and keys (gibt-es-nicht, staff-pulse) are left out
    words = re.sub(r"\S*[/-]\S*", "", notice)
    foreign = (ENGLISH if lang == "de" else GERMAN).findall(words)
    assert not foreign, f"{what} ({lang}): words of the other language {foreign}: {notice!r}"
    assert not COMMAND.search(page), f"{what} ({lang}): command text {COMMAND.search(page)!r}"


@pytest.mark.parametrize("lang", ["de", "en"])
async def test_every_refusal_and_confirmation_is_said_in_the_page_language(
    office: AsyncTestClient, lang: str
) -> None:
    closed = await _closed_staff_wave(office)
    day = (TODAY - dt.timedelta(days=2)).isoformat()
    office_cases = [
        (
            "open a wave the Personalrat has not approved",
            "/buero/runden/entwurf/open",
            {
                "de": "entwurf kann nicht geöffnet werden (Mitbestimmung durch den Personalrat) "
                "Der Personalrat hat die Befragungsrunde entwurf noch nicht freigegeben (ihre Version, "
                "die Schwellen k=5, k_text=10 und die Einheiten)",
                "en": "entwurf cannot open (co-determination by the Personalrat) The Personalrat has "
                "not approved the wave entwurf (its version, thresholds k=5, k_text=10 and units)",
            },
        ),
        (
            "open a wave past its last day",
            "/buero/runden/verpasst/open",
            {
                "de": f"verpasst endet am {day}, und dieser Tag ist vorbei",
                "en": f"verpasst closes on {day}, which has passed",
            },
        ),
        (
            "open a wave that is open",
            "/buero/runden/buerger-laufend/open",
            {"de": "buerger-laufend ist bereits geöffnet", "en": "buerger-laufend is open already"},
        ),
        (
            "open a closed wave",
            f"/buero/runden/{closed}/open",
            {
                "de": f"{closed} ist abgeschlossen; eine abgeschlossene Befragungsrunde wird nicht "
                "wieder geöffnet",
                "en": f"{closed} is closed; a closed wave is not opened again",
            },
        ),
        (
            "close a closed wave",
            f"/buero/runden/{closed}/close",
            {"de": f"{closed} ist bereits abgeschlossen", "en": f"{closed} is closed already"},
        ),
        (
            "close a wave that does not exist",
            "/buero/runden/gibt-es-nicht/close",
            {
                "de": "Es gibt keine Befragungsrunde gibt-es-nicht",
                "en": "There is no wave gibt-es-nicht",
            },
        ),
        (
            "open a citizen wave",
            f"/buero/runden/buerger-{lang}/open",
            {
                "de": f"(buerger-{lang}) ist geöffnet: Antworten werden vom {TODAY.isoformat()} bis zum",
                "en": f"(buerger-{lang}) is open: answers are taken from {TODAY.isoformat()} to",
            },
        ),
        (
            "close it",
            f"/buero/runden/buerger-{lang}/close",
            {
                "de": f"(buerger-{lang}) ist abgeschlossen: Sie nimmt keine Antworten mehr an",
                "en": f"(buerger-{lang}) is closed: it takes no more answers",
            },
        ),
    ]
    personalrat_cases = [
        (
            "approve a staff wave",
            f"/personalrat/freigaben/runde/entwurf-{lang}",
            {
                "de": f"entwurf-{lang} ist freigegeben (Inhalts-Prüfsumme",
                "en": f"entwurf-{lang} is approved (content hash",
            },
        ),
        (
            "approve it twice",
            f"/personalrat/freigaben/runde/entwurf-{lang}",
            {
                "de": f"entwurf-{lang} ist in dieser Fassung bereits freigegeben (von personalrat am "
                f"{TODAY.isoformat()}): nichts geändert",
                "en": f"entwurf-{lang} is approved already as it is now (by personalrat on "
                f"{TODAY.isoformat()}): nothing changed",
            },
        ),
        (
            "approve a version approved already",
            "/personalrat/freigaben/version/staff-pulse/2",
            {
                "de": "staff-pulse v2 ist in dieser Fassung bereits freigegeben (von personalrat am",
                "en": "staff-pulse v2 is approved already as it is now (by personalrat on",
            },
        ),
        (
            "approve a version whose file has changed",
            "/personalrat/freigaben/version/staff-pulse/1",
            {
                "de": "von staff-pulse v1 wurde geändert, seit sie freigegeben bzw. veröffentlicht wurde",
                "en": "of staff-pulse v1 has changed since it was approved/published",
            },
        ),
        (
            "approve a version that does not exist",
            "/personalrat/freigaben/version/staff-pulse/99",
            {"de": "keine Version 99 (Versionen: v1, v2)", "en": "has no version 99"},
        ),
        (
            "approve a closed wave",
            f"/personalrat/freigaben/runde/{closed}",
            {
                "de": f"{closed} ist abgeschlossen: Es gibt nichts mehr freizugeben",
                "en": f"{closed} is closed: there is nothing left to approve",
            },
        ),
        (
            "approve a citizen wave",
            "/personalrat/freigaben/runde/buerger-laufend",
            {
                "de": "buerger-laufend ist eine Befragungsrunde der Bürgerinnen und Bürger",
                "en": "buerger-laufend is a citizen wave: only staff waves need the Personalrat's approval",
            },
        ),
        (
            "approve a wave that does not exist",
            "/personalrat/freigaben/runde/gibt-es-nicht",
            {
                "de": "Es gibt keine Befragungsrunde gibt-es-nicht",
                "en": "There is no wave gibt-es-nicht",
            },
        ),
    ]
    for user, page, cases in (
        ("buero", "/buero/runden", office_cases),
        ("personalrat", "/personalrat/freigaben", personalrat_cases),
    ):
        csrf = await sign_in(office, user)
        office.cookies.set("lp_lang", lang)
        for what, path, expected in cases:
            notice, shown = await _act(office, csrf, path, page)
            _said_in(lang, notice, shown, expected, what)

    # The office's list says why a staff wave may not open yet, in the page's language too.
    csrf = await sign_in(office, "buero")
    office.cookies.set("lp_lang", lang)
    listing = (await office.get("/buero/runden")).text
    why = {
        "de": "Der Personalrat hat die Befragungsrunde entwurf noch nicht freigegeben",
        "en": "The Personalrat has not approved the wave entwurf",
    }
    assert why[lang] in listing and why["en" if lang == "de" else "de"] not in listing
    assert not COMMAND.search(listing)
    # ... and so does the page that asks before opening it, which then offers no button to go on.
    asked = (await office.get("/buero/runden/entwurf/open")).text
    refusal = _notice(asked)
    assert refusal is not None
    _said_in(
        lang,
        refusal,
        asked,
        {
            "de": "entwurf kann nicht geöffnet werden (Mitbestimmung durch den Personalrat)",
            "en": "entwurf cannot open (co-determination by the Personalrat)",
        },
        "ask to open an unapproved wave",
    )
    assert 'action="/buero/runden/entwurf/open"' not in asked
    assert await _status(office, "entwurf") == "draft"


async def test_reloading_after_an_action_repeats_nothing(office: AsyncTestClient) -> None:
    csrf = await sign_in(office, "buero")

    # Opening is asked first: a page that names the wave and says what opening means.
    asked = await office.get("/buero/runden/buerger-de/open")
    assert asked.status_code == 200
    page = html.unescape(asked.text)
    for said in (
        "Befragungsrunde öffnen: ",
        "(buerger-de)",
        "citizen-contact, Version 1",
        "Befragung der Bürgerinnen und Bürger",
        f"{TODAY.isoformat()} – {(TODAY + dt.timedelta(days=14)).isoformat()}",
        "Organisationseinheiten (",
        "Werte ab 5 Antwortenden (k), Verteilungen und Freitexte ab 10 (k_text)",
        "Was das bedeutet",
        "sind Fragebogenversion und Schwellen festgeschrieben",
        "zeigt sie nur die Beteiligung",
    ):
        assert said in page, said
    assert re.search(
        r'<form method="post" action="/buero/runden/buerger-de/open">\s*<input type="hidden" '
        rf'name="csrf_token" value="{re.escape(csrf)}">',
        asked.text,
    )
    assert '<a href="/buero/runden">Abbrechen</a>' in asked.text
    assert await _status(office, "buerger-de") == "draft"
    # its form needs the CSRF token like every other
    forged = await office.post("/buero/runden/buerger-de/open", data={"csrf_token": "falsch"})
    assert forged.status_code == 403 and await _status(office, "buerger-de") == "draft"

    # Opening: 303 to the list, which shows the result once; reloading it changes nothing.
    opened = await office.post("/buero/runden/buerger-de/open", data={"csrf_token": csrf})
    assert opened.status_code == 303 and opened.headers["location"] == "/buero/runden"
    assert "lp_notice=" in opened.headers["set-cookie"]
    first = await office.get("/buero/runden")
    assert "(buerger-de) ist geöffnet" in (_notice(first.text) or "")
    assert 'lp_notice=""' in first.headers["set-cookie"]  # shown once: the page forgets it
    assert await _audit(office, "wave.open") == 1
    for _ in range(2):
        again = await office.get("/buero/runden")
        assert again.status_code == 200 and _notice(again.text) is None
        assert await _audit(office, "wave.open") == 1
        assert await _status(office, "buerger-de") == "open"

    # Closing is asked too, and says that it is for good.
    asked = html.unescape((await office.get("/buero/runden/buerger-de/close")).text)
    assert "Befragungsrunde schließen: " in asked and "Das Antworten endet endgültig" in asked
    assert "Bisherige Antworten" in asked and "Befragungsrunde jetzt schließen" in asked
    closed = await office.post("/buero/runden/buerger-de/close", data={"csrf_token": csrf})
    assert closed.status_code == 303
    assert "ist abgeschlossen" in (_notice((await office.get("/buero/runden")).text) or "")
    assert _notice((await office.get("/buero/runden")).text) is None
    assert await _audit(office, "wave.close") == 1 and await _status(office, "buerger-de") == "closed"

    # A result left for another session is not shown there, nor is a forged one.
    await office.post("/buero/runden/buerger-laufend/close", data={"csrf_token": csrf})
    left = office.cookies["lp_notice"]
    csrf = await sign_in(office, "buero")  # a new session
    for value in (left, "e30.falsch", "kaputt"):
        office.cookies.set("lp_notice", value)
        page = await office.get("/buero/runden")
        assert page.status_code == 200 and _notice(page.text) is None, value

    # The Personalrat's approvals: the same, and an approval is recorded once.
    csrf = await sign_in(office, "personalrat")
    approved = await office.post("/personalrat/freigaben/runde/entwurf", data={"csrf_token": csrf})
    assert approved.status_code == 303 and approved.headers["location"] == "/personalrat/freigaben"
    assert "entwurf ist freigegeben" in (_notice((await office.get("/personalrat/freigaben")).text) or "")
    for _ in range(2):
        again = await office.get("/personalrat/freigaben")
        assert again.status_code == 200 and _notice(again.text) is None
    entries = await app_call(office, audit_log, action="approval.wave")
    assert [e.target for e in entries].count("entwurf") == 1


async def test_the_api_says_its_refusals_without_commands(office: AsyncTestClient) -> None:
    csrf = await sign_in(office, "buero")
    headers = {"X-CSRF-Token": csrf}
    refused = await office.post("/api/v1/waves/entwurf/open", headers=headers)
    assert refused.status_code == 409
    body = refused.json()
    assert body["ok"] is False
    assert body["message"] == "`entwurf` cannot open (co-determination by the Personalrat)"
    assert body["details"] == [
        "the Personalrat has not approved the wave `entwurf` "
        "(its version, thresholds k=5, k_text=10 and units)"
    ]
    listing = {w["key"]: w for w in (await office.get("/api/v1/waves")).json()}
    assert listing["entwurf"]["approval_problems"] == body["details"]
    done = await office.post("/api/v1/waves/buerger-en/open", headers=headers)
    assert done.status_code == 200 and done.json()["ok"] and "is open" in done.json()["message"]
    for response in (refused, done, await office.post("/api/v1/waves/gibt-es-nicht/close", headers=headers)):
        text = response.text
        assert "survey " not in text and "--by" not in text, text
