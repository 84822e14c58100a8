"""A staff wave's e-mail invitations in the browser and through the JSON API, and the stop link of
the mails, on SQLite and PostgreSQL.

The Kommune is the `field` (an open staff wave `puls` over Dezernat kjfs, an open citizen wave
`buerger`); the app runs without a mail relay (the page says so in words), and a test that needs
mails to go out sends them through a real SMTP server on 127.0.0.1 (tests/mail_server.py) with
`send_due`, as a worker of the app would. What the office may see is counted through the service
(`mail_overview`), never read from the tables: a list refused is refused whole.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from bs4 import BeautifulSoup
from litestar.testing import AsyncTestClient
from mail_server import MailServer, relay_settings
from portal_helpers import PASSWORD, app_call, sign_in

from survey.domain.mailing import reminder_dates
from survey.services.accounts import add_user
from survey.services.answering import answer, new_submission_key
from survey.services.audit import audit_log
from survey.services.mailing import MailOverview, mail_overview, send_due
from survey.services.waves import close_wave, create_wave, open_wave, wave_detail
from survey.web.app import create_app

PAGE = "/buero/runden/puls/einladungen"
USERS = {"buero": ["office"], "leitung": ["lead:jugendamt"], "personalrat": ["personalrat"]}
TOKEN = re.compile(r"/abmelden/([0-9]+-[0-9a-f]+)")
CODE = re.compile(r"/i/([A-Z0-9-]{10,})")
JUGENDAMT, ASD, KITA = (
    "Fachbereich Jugendamt",
    "Abteilung Allgemeiner Sozialer Dienst",
    "Abteilung Kita-Verwaltung",
)


@pytest.fixture
async def client(field) -> AsyncIterator[AsyncTestClient]:  # type: ignore[no-untyped-def]
    from survey.store.submissions import stop_writer

    await stop_writer()  # the app's lifespan runs its own writer
    async with AsyncTestClient(app=create_app(field.settings)) as test_client:
        test_client.follow_redirects = False
        for user, grants in USERS.items():
            await app_call(test_client, add_user, user, user.title(), PASSWORD, grants)
        yield test_client


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


async def _overview(client: AsyncTestClient, field, key: str = "puls") -> MailOverview:  # type: ignore[no-untyped-def]
    async def read() -> MailOverview:
        return await mail_overview(field.settings, (await wave_detail(key)).wave)

    return await app_call(client, read)


def _table(page: str, caption: str) -> dict[str, list[str]]:
    """A table of the page by its caption: the row's header → its cells."""
    soup = BeautifulSoup(page, "html.parser")
    found = soup.find("caption", string=caption)
    assert found is not None, f"no table {caption!r}"
    rows = {}
    for row in found.find_parent("table").find_all("tr"):
        head = row.find("th", scope="row")
        if head is not None:
            rows[" ".join(head.get_text(" ").split())] = [
                td.get_text(strip=True) for td in row.find_all("td")
            ]
    return rows


def _relay(field, server: MailServer):  # type: ignore[no-untyped-def]
    """The field's settings with the test's SMTP server as the relay (the app itself has none)."""
    return relay_settings(field.settings, server)


async def _send(client: AsyncTestClient, settings: Any, day: dt.date) -> None:
    """What a worker's sender does on `day`, until nothing is left."""
    for _ in range(50):
        run = await app_call(client, send_due, settings, worker="test", today=day)
        assert not run.relay_problem, run.relay_problem
        if run.held and not run.remaining:
            return
    raise AssertionError("the mails did not go out")


async def _staff_wave(
    client: AsyncTestClient, field, approve: Callable[..., Awaitable[None]], key: str, mode: str
) -> dt.date:  # type: ignore[no-untyped-def]
    """An open staff wave over Jugendamt (and its two Abteilungen) with a reminder after 7 days;
    the reminder's day."""

    async def make() -> None:
        await create_wave(
            key=key,
            questionnaires=field.questionnaires,
            questionnaire="staff-pulse",
            version=None,
            units=["jugendamt"],
            opens_on=field.today - dt.timedelta(days=1),
            closes_on=field.today + dt.timedelta(days=30),
            reminder_mode=mode,
            reminder_days=(7,),
        )
        await approve(key, field.questionnaires)
        await open_wave(key, field.today, field.questionnaires)

    await app_call(client, make)
    return reminder_dates(field.today - dt.timedelta(days=1), (7,))[0]


async def _post_list(client: AsyncTestClient, key: str, csrf: str, text: str) -> None:
    sent = await client.post(
        f"/api/v1/waves/{key}/addresses", json={"csv": text}, headers={"X-CSRF-Token": csrf}
    )
    assert sent.status_code == 201, sent.text


# --- the page: a list taken ------------------------------------------------------------------------


async def test_the_office_adds_a_csv_file_and_a_pasted_list_and_sees_the_counts(
    client: AsyncTestClient, field
) -> None:  # type: ignore[no-untyped-def]
    csrf = await sign_in(client, "buero")
    wave_page = await client.get("/buero/runden/puls")
    assert f'href="{PAGE}"' in wave_page.text  # the wave's page links here
    page = await client.get(PAGE)
    assert page.status_code == 200
    text = _text(page.text)
    assert "Der Versand von E-Mails ist noch nicht eingerichtet: Die IT der Kommune muss" in text
    assert "SURVEY_" not in page.text and "SMTP" not in page.text and "survey " not in text
    assert "einheit;email;sprache" in text and "UTF-8" in text  # the format, explained
    assert "Keine Erinnerungen" in text  # the field's wave has none
    units = re.findall(r'<option value="([^"]*)"', page.text)
    assert units[0] == "" and {"kjfs", "jugendamt", "asd", "kita-verwaltung"} <= set(units)

    # a CSV file as "CSV UTF-8" saves it (with a BOM); the list's own units, the language optional
    csv = (
        "\ufeffeinheit;email;sprache\njugendamt;anna@lindenau.example;de\n"
        "asd;ben@lindenau.example;en\nasd;cem@lindenau.example\n"
    )
    sent = await client.post(
        PAGE, data={"csrf_token": csrf}, files={"file": ("liste.csv", csv.encode(), "text/csv")}
    )
    assert sent.status_code == 303 and sent.headers["location"] == PAGE
    shown = await client.get(PAGE)
    assert (
        f"Adressen aufgenommen: 3 (je Organisationseinheit: {ASD} 2, {JUGENDAMT} 1); schon auf der Liste: 0"
        in _text(shown.text)
    )
    invitations = _table(shown.text, "Einladungen je Organisationseinheit")
    assert invitations[ASD] == ["2", "2", "0", "0", "0", "0"]  # on the list, waiting, sent, …
    assert invitations[JUGENDAMT][:2] == ["1", "1"]
    assert invitations["Die ganze Befragungsrunde"][:2] == ["3", "3"]
    assert "Adressen aufgenommen" not in (await client.get(PAGE)).text  # said once

    # a file saved as plain "CSV" from Excel on German Windows (Windows-1252), commas
    ansi = "einheit,email\nkita-verwaltung,jürgen.müller@lindenau.example\n".encode("cp1252")
    sent = await client.post(PAGE, data={"csrf_token": csrf}, files={"file": ("liste.csv", ansi, "text/csv")})
    assert sent.status_code == 303

    # pasted, one address per line, for the unit chosen; one of them is on the list already
    sent = await client.post(
        PAGE,
        data={
            "csrf_token": csrf,
            "addresses": "dora@lindenau.example\nAnna@lindenau.example\n",
            "unit": "asd",
        },
    )
    assert sent.status_code == 303
    said = _text((await client.get(PAGE)).text)
    assert f"Adressen aufgenommen: 1 (je Organisationseinheit: {ASD} 1); schon auf der Liste: 1" in said

    overview = await _overview(client, field)
    assert {u.key: u.addresses for u in overview.units if u.addresses} == {
        "jugendamt": 1,
        "asd": 3,
        "kita-verwaltung": 1,
    }
    assert overview.total.invitations.waiting == 5
    assert len(await app_call(client, audit_log, action="mail.list")) == 3

    # in English, the same page in English only
    english = await client.get(f"{PAGE}?lang=en")
    words = _text(english.text)
    assert "Sending e-mails is not set up yet" in words and "Invitations per unit" in words
    for german in ("Einladungen", "Versand", "Organisationseinheit", "Adressen"):
        assert german not in words, german


# --- the page: every bad list refused, with its line, nothing taken ---------------------------------

#: (what is sent, as a file or pasted, what the page says about it)
BAD_LISTS = [
    (
        "xlsx",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 4,
        "Das ist keine CSV-Datei",
    ),
    ("binary", bytes(range(256)), "Das ist keine CSV-Datei"),
    (
        "columns",
        "name;vorname\nAnna;Bauer\n",
        "Zeile 1: Die Kopfzeile nennt die Spalten name;vorname; "
        "die Liste braucht die Spalten einheit;email;sprache",
    ),
    (
        "address",
        "einheit;email\njugendamt;kein-at-zeichen\n",
        "Zeile 2: kein-at-zeichen ist keine E-Mail-Adresse",
    ),
    (
        "duplicate",
        "einheit;email\njugendamt;a@lindenau.example\nasd;A@lindenau.example\n",
        "Zeile 3: A@lindenau.example steht schon in Zeile 2",
    ),
    (
        "unit",
        "einheit;email\nbauhof;a@lindenau.example\n",
        "Zeile 2: bauhof ist keine Organisationseinheit dieser Befragungsrunde",
    ),
]


def _error_summary(page: str) -> str:
    soup = BeautifulSoup(page, "html.parser")
    summary = soup.find(id="error-summary")
    assert summary is not None, "the page has no error summary"
    return " ".join(summary.get_text(" ").split())


async def test_each_bad_list_is_refused_naming_its_line_and_nothing_is_taken(
    client: AsyncTestClient, field
) -> None:  # type: ignore[no-untyped-def]
    csrf = await sign_in(client, "buero")
    posts = 0
    for name, content, said in BAD_LISTS:
        raw = content if isinstance(content, bytes) else content.encode()
        refused = await client.post(
            PAGE, data={"csrf_token": csrf}, files={"file": (f"{name}.csv", raw, "text/csv")}
        )
        posts += 1
        assert refused.status_code == 400, name
        summary = _error_summary(refused.text)
        assert said in summary, (name, summary)
        if isinstance(content, str):  # the same pasted: the page keeps what was pasted
            pasted = await client.post(PAGE, data={"csrf_token": csrf, "addresses": content})
            posts += 1
            assert pasted.status_code == 400 and said in _error_summary(pasted.text), name
            textarea = BeautifulSoup(pasted.text, "html.parser").find("textarea", id="addresses")
            assert textarea is not None and textarea.get_text() == content
    # every problem of a list at once, each with its line
    many = "einheit;email\njugendamt;eins\nasd;zwei@lindenau.example\nasd;drei\njugendamt;eins@x\n"
    summary = _error_summary((await client.post(PAGE, data={"csrf_token": csrf, "addresses": many})).text)
    posts += 1
    for line in ("Zeile 2: eins ist", "Zeile 4: drei ist", "Zeile 5: eins@x ist"):
        assert line in summary, line
    # nothing at all, or a file and pasted text at once
    empty = await client.post(PAGE, data={"csrf_token": csrf, "addresses": "  "})
    both = await client.post(
        PAGE,
        data={"csrf_token": csrf, "addresses": "a@lindenau.example"},
        files={"file": ("l.csv", b"einheit;email\nasd;b@lindenau.example\n", "text/csv")},
    )
    posts += 2
    assert empty.status_code == both.status_code == 400
    assert "Wählen Sie eine CSV-Datei oder fügen Sie die Adressen ein" in _error_summary(empty.text)
    assert "nicht beides" in _error_summary(both.text)
    # in English, the lines in English
    english = await client.post(f"{PAGE}?lang=en", data={"csrf_token": csrf, "addresses": many})
    posts += 1
    assert "Line 2: eins is not an e-mail address" in _error_summary(english.text)

    overview = await _overview(client, field)
    assert overview.total.addresses == 0 and overview.total.invitations.waiting == 0
    assert await app_call(client, audit_log, action="mail.list") == []
    assert len(await app_call(client, audit_log, action="mail.list_refused")) == posts


async def test_a_file_over_the_limit_is_refused_with_its_size(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    from survey.web.manage._mail_api import MAX_LIST_BYTES

    csrf = await sign_in(client, "buero")
    huge = b"einheit;email\n" + b"x" * (MAX_LIST_BYTES + 100 * 1024)
    sent = await client.post(PAGE, data={"csrf_token": csrf}, files={"file": ("gross.csv", huge, "text/csv")})
    assert sent.status_code == 303 and sent.headers["location"] == f"{PAGE}#add"
    said = _text((await client.get(PAGE)).text)
    assert f"Die Datei ist größer als {MAX_LIST_BYTES // (1024 * 1024)} MB" in said
    assert (await _overview(client, field)).total.addresses == 0


# --- the JSON twins ---------------------------------------------------------------------------------


async def test_the_api_shows_the_counts_and_takes_a_list_or_names_every_wrong_line(
    client: AsyncTestClient, field
) -> None:  # type: ignore[no-untyped-def]
    csrf = await sign_in(client, "buero")
    headers = {"X-CSRF-Token": csrf}
    shown = await client.get("/api/v1/waves/puls/mail")
    assert shown.status_code == 200
    body = shown.json()
    assert body["enabled"] is False and body["reminder_mode"] == "all" and body["reminder_dates"] == []
    assert {"kjfs", "jugendamt", "asd"} <= {u["unit"] for u in body["units"]}
    assert body["total"]["addresses"] == 0 and body["list_refusal"] == ""

    taken = await client.post(
        "/api/v1/waves/puls/addresses",
        json={"csv": "einheit;email\njugendamt;x@lindenau.example\nasd;y@lindenau.example\n"},
        headers=headers,
    )
    assert taken.status_code == 201, taken.text
    assert taken.json() == {"wave": "puls", "added": {"asd": 1, "jugendamt": 1}, "added_total": 2, "known": 0}
    pasted = await client.post(
        "/api/v1/waves/puls/addresses",
        json={"csv": "z@lindenau.example\nx@lindenau.example\n", "unit": "asd"},
        headers=headers,
    )
    assert pasted.json() == {"wave": "puls", "added": {"asd": 1}, "added_total": 1, "known": 1}

    bad = await client.post(
        "/api/v1/waves/puls/addresses",
        json={"csv": "einheit;email\njugendamt;kaputt\nasd;q@lindenau.example\nasd;nix\n"},
        headers=headers,
    )
    assert bad.status_code == 409
    refusal = bad.json()
    assert refusal["ok"] is False and refusal["message"].startswith("nothing was taken from the list")
    assert [p["line"] for p in refusal["problems"]] == [2, 4]
    assert "`kaputt` is not an e-mail address" in refusal["problems"][0]["message"]
    assert refusal["details"] == [p["message"] for p in refusal["problems"]]
    # the units are checked once every address is one
    unit = await client.post(
        "/api/v1/waves/puls/addresses",
        json={"csv": "einheit;email\nbauhof;q@lindenau.example\n"},
        headers=headers,
    )
    assert unit.status_code == 409
    assert [p["line"] for p in unit.json()["problems"]] == [2]
    assert "`bauhof` is not a unit of this wave" in unit.json()["problems"][0]["message"]

    citizens = await client.post(
        "/api/v1/waves/buerger/addresses", json={"csv": "a@b.example"}, headers=headers
    )
    assert citizens.status_code == 409
    assert citizens.json()["problems"] == [{"line": None, "message": citizens.json()["message"]}]
    assert "for staff waves" in citizens.json()["message"]
    assert (await client.get("/api/v1/waves/buerger/mail")).status_code == 404
    assert (await client.get("/api/v1/waves/gibt-es-nicht/mail")).status_code == 404
    nowhere = await client.post("/api/v1/waves/gibt-es-nicht/addresses", json={"csv": ""}, headers=headers)
    assert nowhere.status_code == 404
    unknown_field = await client.post(
        "/api/v1/waves/puls/addresses", json={"csv": "", "einheit": "asd"}, headers=headers
    )
    assert unknown_field.status_code == 400
    without_csrf = await client.post("/api/v1/waves/puls/addresses", json={"csv": "w@lindenau.example"})
    assert without_csrf.status_code == 403

    counts = (await client.get("/api/v1/waves/puls/mail")).json()
    assert counts["total"]["addresses"] == 3 and counts["total"]["invitations"]["waiting"] == 3
    assert len(await app_call(client, audit_log, action="mail.list_refused")) == 3  # 2 lists, citizens


async def test_leads_and_the_personalrat_get_403_on_the_page_and_the_api(
    client: AsyncTestClient, field
) -> None:  # type: ignore[no-untyped-def]
    for user in ("leitung", "personalrat"):
        csrf = await sign_in(client, user)
        assert (await client.get(PAGE)).status_code == 403, user
        page_post = await client.post(PAGE, data={"csrf_token": csrf, "addresses": "a@lindenau.example"})
        assert page_post.status_code == 403, user
        assert (await client.get("/api/v1/waves/puls/mail")).status_code == 403, user
        api_post = await client.post(
            "/api/v1/waves/puls/addresses", json={"csv": "a@lindenau.example"}, headers={"X-CSRF-Token": csrf}
        )
        assert api_post.status_code == 403, user
    assert (await _overview(client, field)).total.addresses == 0
    # a citizen wave has no page of e-mail invitations, and its page no link to one
    csrf = await sign_in(client, "buero")
    assert (await client.get("/buero/runden/buerger/einladungen")).status_code == 404
    assert "/einladungen" not in (await client.get("/buero/runden/buerger")).text


# --- the stop link -----------------------------------------------------------------------------------


async def test_the_stop_link_asks_on_get_and_stops_on_post_or_one_click(
    client: AsyncTestClient, field, approve, smtp_server: MailServer
) -> None:  # type: ignore[no-untyped-def]
    csrf = await sign_in(client, "buero")
    reminder_day = await _staff_wave(client, field, approve, "stopp", "all")
    people = [f"person{i}@lindenau.example" for i in range(4)]
    await _post_list(client, "stopp", csrf, "einheit;email\n" + "".join(f"asd;{p}\n" for p in people))
    relay = _relay(field, smtp_server)
    await _send(client, relay, field.today)
    token = {
        p: TOKEN.search(smtp_server.to(p)[0].message.get_body(("plain",)).get_content()).group(1)
        for p in people
    }  # type: ignore[union-attr]
    client.cookies.clear()  # whoever follows the link is not signed in

    # GET asks and stops nothing (mail scanners open links)
    asked = await client.get(f"/abmelden/{token[people[0]]}")
    assert asked.status_code == 200 and '<html lang="de"' in asked.text
    assert "Keine weiteren E-Mails zu dieser Befragung?" in _text(asked.text)
    form = BeautifulSoup(asked.text, "html.parser").find("form")
    assert form is not None and form["method"] == "post"
    english = await client.get(f"/abmelden/{token[people[0]]}", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en"' in english.text and "No more e-mails about this survey?" in english.text
    assert "Keine" not in _text(english.text)
    assert '<html lang="en"' in (await client.get(f"/abmelden/{token[people[3]]}?lang=en")).text

    # the button's POST stops, and says so (again the same: a reload changes nothing)
    for _ in range(2):
        stopped = await client.post(f"/abmelden/{token[people[1]]}?lang=de", data={})
        assert stopped.status_code == 200
        assert "Sie erhalten keine weiteren E-Mails zu dieser Befragung" in _text(stopped.text)
    # a mail program's one-click unsubscribe (RFC 8058): no cookie, no CSRF token, a short text
    one_click = await client.post(f"/abmelden/{token[people[2]]}", data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and one_click.headers["content-type"].startswith("text/plain")
    assert one_click.text == "An diese Adresse gehen keine weiteren E-Mails zu dieser Befragung."
    for page in (asked.text, english.text, stopped.text, one_click.text):  # never a word about answering
        assert "geantwortet" not in page and "answered" not in page and "Antwort" not in page

    # a link that is none: 404 in words, for the page and the one-click alike
    bogus = token[people[0]][:-1] + ("0" if token[people[0]][-1] != "0" else "1")
    for response in (
        await client.get(f"/abmelden/{bogus}"),
        await client.post(f"/abmelden/{bogus}", data={}),
    ):
        assert response.status_code == 404 and "Dieser Link funktioniert nicht" in _text(response.text)
    refused = await client.post(f"/abmelden/{bogus}", data={"List-Unsubscribe": "One-Click"})
    assert refused.status_code == 404 and refused.text == "Dieser Link funktioniert nicht."
    assert (await client.get("/abmelden/kein-link")).status_code == 404

    # the reminder reaches those who only opened the page, not those who stopped
    smtp_server.clear()
    await _send(client, relay, reminder_day)
    assert sorted(to for m in smtp_server.messages() for to in m.rcpt_tos) == [people[0], people[3]]
    overview = await _overview(client, field, "stopp")
    assert overview.total.reminders is not None
    assert (overview.total.reminders.sent, overview.total.reminders.waiting) == (2, 0)

    # after the wave's last reminder the page says the addresses are deleted and takes no list
    await sign_in(client, "buero")
    page = _text((await client.get("/buero/runden/stopp/einladungen")).text)
    assert "Die Adressen dieser Befragungsrunde sind gelöscht" in page
    assert "Die letzte Erinnerung zu stopp ist verschickt" in page and "Liste prüfen" not in page
    await app_call(client, close_wave, "stopp")
    closed = _text((await client.get("/buero/runden/stopp/einladungen")).text)
    assert "stopp ist geschlossen: Es gehen keine Einladungen mehr hinaus" in closed


async def _answer(client: AsyncTestClient, field, codes: list[str]) -> None:  # type: ignore[no-untyped-def]
    for code in codes:
        await app_call(
            client,
            answer,
            field.settings,
            "invitation",
            code,
            answers={"fachbereiche-ziehen-mit": "4"},
            language="de",
            submission_key=await app_call(client, new_submission_key, field.settings),
            today=field.today,
        )


async def _expire_count(client: AsyncTestClient, key: str) -> None:
    """The wave's participation as counted this hour forgotten, as if the hour had passed."""
    from survey.store.tables import WaveParticipationRow, WaveRow

    async def expire() -> None:
        wave = await WaveRow.select(WaveRow.id).where(WaveRow.key == key).first().run()
        await WaveParticipationRow.delete().where(WaveParticipationRow.wave == wave["id"]).run()

    await app_call(client, expire)


# --- mode nur offene Codes: the reminders of the whole wave only, "unter 5" under k ----------------


async def test_open_codes_never_shows_reminders_per_unit_and_says_unter_5_under_k(
    client: AsyncTestClient, field, approve, smtp_server: MailServer
) -> None:  # type: ignore[no-untyped-def]
    csrf = await sign_in(client, "buero")
    reminder_day = await _staff_wave(client, field, approve, "offen", "open_codes")
    units = ["jugendamt", "asd", "asd", "kita-verwaltung"] * 2
    await _post_list(
        client,
        "offen",
        csrf,
        "einheit;email\n" + "".join(f"{u};p{i}@lindenau.example\n" for i, u in enumerate(units)),
    )
    relay = _relay(field, smtp_server)
    await _send(client, relay, field.today)
    codes = [
        CODE.search(m.message.get_body(("plain",)).get_content()).group(1) for m in smtp_server.messages()
    ]  # type: ignore[union-attr]
    assert len(codes) == 8
    page_url = "/buero/runden/offen/einladungen"

    await _answer(client, field, codes[:2])
    page = await client.get(page_url)
    said = _text(page.text)
    assert (
        "Die Erinnerungen werden gezählt, sobald die Befragungsrunde 5 Antworten hat (bisher: unter 5)"
        in (said)
    )
    assert "Erinnerungen je Organisationseinheit" not in said
    assert "Nur an Adressen, deren Code noch nicht benutzt ist" in said  # the mode in words
    api = (await client.get("/api/v1/waves/offen/mail")).json()
    assert api["reminders_open_codes"] is None and api["reminders_open_codes_hidden"]["reason"] == "below_k"
    assert all(u["reminders"] is None for u in [*api["units"], api["total"]])

    # three more answer (the count of the hour renewed), the reminder goes to the other three:
    # counted for the whole wave only
    await _answer(client, field, codes[2:5])
    await _expire_count(client, "offen")
    smtp_server.clear()
    await _send(client, relay, reminder_day)
    assert len(smtp_server.messages()) == 3
    page = await client.get(page_url)
    said = _text(page.text)
    assert "unter 5" not in said and "Erinnerungen je Organisationseinheit" not in said
    whole = _table(page.text, "Erinnerungen der ganzen Befragungsrunde (alle Erinnerungen zusammen)")
    assert whole == {"Die ganze Befragungsrunde": ["0", "3", "0", "0", "0"]}
    invitations = _table(page.text, "Einladungen je Organisationseinheit")
    assert invitations[ASD][:3] == ["4", "0", "4"]  # invitations per unit stay: everyone got one
    api = (await client.get("/api/v1/waves/offen/mail")).json()
    assert api["reminders_open_codes"]["sent"] == 3 and api["reminders_open_codes_hidden"] is None
    assert all(u["reminders"] is None for u in [*api["units"], api["total"]])
