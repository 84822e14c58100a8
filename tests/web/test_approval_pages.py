"""The Personalrat's pages of a staff questionnaire version and of a staff wave, and their JSON twins,
on SQLite and PostgreSQL: everything decided on is shown (every item in every language, scales,
values, the diff to the version in use and which trends stay comparable, units with headcounts,
thresholds, the content hash in words); approving and rejecting with a reason (refused next to the
field without one), Post/Redirect/Get; the survey office sees the rejection and its reason; a
change after a decision is named. In German and English, never with command text.

Each test walks one whole story (the portal fixtures are built once per run and copied per test).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from every_language import in_every_language
from litestar.testing import AsyncTestClient
from portal_helpers import QUESTIONNAIRES, Portal, app_call, sign_in

from survey.services.audit import audit_log
from survey.services.waves import create_wave, edit_wave
from survey.settings import Settings
from survey.web.app import create_app
from survey.web.i18n import LANGUAGES

TODAY = dt.date.today()
LIST = "/personalrat/freigaben"
V3 = "/personalrat/freigaben/version/staff-pulse/3"
WAVE = "/personalrat/freigaben/runde/entwurf"
#: what only a command line shows: code marks, options, `survey` commands
COMMAND = re.compile(r"`|--by|\bsurvey (?:approve|wave|questionnaires|org|db|user)\b")
NOTICE = re.compile(r'<div class="(notice|error-summary)" role="(?:status|alert)"[^>]*>(.*?)</div>', re.S)
REASON = "Die Schwelle k_text ist für das Jugendamt zu niedrig: bitte 12."


def _v3(folder: Path) -> dict[str, Any]:
    """staff-pulse v3 from v2: one editorial rewording, one substantive replacement (transparenz
    then has no comparable item left), one item retired, one new one."""
    version = yaml.safe_load((folder / "staff-pulse" / "v2.yaml").read_text(encoding="utf-8"))
    version["version"] = 3
    items = []
    for item in version["items"]:
        item.pop("change", None)
        item.pop("replaces", None)
        if item["id"] == "entscheidungen-nachvollziehbar":
            continue  # retired
        if item["id"] == "schnell-unbuerokratisch":
            item["text"] = in_every_language(
                "Wir lösen Anliegen ohne unnötigen Papierkram.",
                "We solve requests without needless paperwork.",
                version["languages"],
            )
            item["change"] = "editorial"
        if item["id"] == "verstaendlich-erklaert":
            item = {
                "id": "klar-erklaert",
                "text": in_every_language(
                    "Bescheide erklären wir in klaren Worten.",
                    "We explain decisions in plain words.",
                    version["languages"],
                ),
                "scale": "agree5",
                "values": ["transparenz"],
                "replaces": "verstaendlich-erklaert",
            }
        items.append(item)
    items.append(
        {
            "id": "ideen-willkommen",
            "text": in_every_language(
                "Neue Ideen sind bei uns willkommen.", "New ideas are welcome here.", version["languages"]
            ),
            "scale": "agree5",
            "values": ["unbuerokratisch"],
        }
    )
    version["items"] = items
    (folder / "staff-pulse" / "v3.yaml").write_text(
        yaml.safe_dump(version, allow_unicode=True), encoding="utf-8"
    )
    return version


@pytest.fixture
async def council(portal: Portal, tmp_path: Path) -> AsyncIterator[tuple[AsyncTestClient, dict[str, Any]]]:
    """The app over the portal's demo Kommune (its waves closed, staff-pulse v1 and v2 approved), a
    private questionnaire folder with an unpublished staff-pulse v3, and a draft staff wave
    `entwurf` of v2 for the Jugendamt; and v3 as its file reads."""
    folder = tmp_path / "questionnaires"
    shutil.copytree(QUESTIONNAIRES, folder)
    v3 = _v3(folder)
    settings = Settings(database_url=portal.database_url, questionnaires=folder)
    async with AsyncTestClient(app=create_app(settings)) as client:
        client.follow_redirects = False
        await app_call(
            client,
            create_wave,
            key="entwurf",
            questionnaires=folder,
            questionnaire="staff-pulse",
            version=2,
            units=["jugendamt"],
            opens_on=TODAY + dt.timedelta(days=7),
            closes_on=TODAY + dt.timedelta(days=21),
        )
        yield client, v3


def _text(page: str) -> str:
    """The main part of a page as text: tags gone, spaces joined, entities read."""
    main = page.split('<main id="main">', 1)[-1].split("</main>", 1)[0]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())
    return re.sub(r" ([:;,.])", r"\1", text)  # where a tag ended right before the mark


def _notice(page: str) -> str | None:
    found = NOTICE.search(page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split()) if found else None


def _no_command(page: str, what: str) -> None:
    assert not COMMAND.search(page), f"{what}: command text {COMMAND.search(page)!r}"


async def _post(client: AsyncTestClient, path: str, csrf: str, **data: str) -> Any:
    return await client.post(path, data={"csrf_token": csrf, **data})


async def _then_list(client: AsyncTestClient, sent: Any) -> tuple[str, str]:
    """A form's 303 to the list; the list's notice (shown once) and its text."""
    assert sent.status_code == 303 and sent.headers["location"] == LIST, (sent.status_code, sent.text)
    shown = await client.get(LIST)
    assert shown.status_code == 200
    notice = _notice(shown.text)
    assert notice, "no result shown"
    assert _notice((await client.get(LIST)).text) is None  # once
    return notice, _text(shown.text)


async def _office_sees(client: AsyncTestClient, expected: str) -> None:
    """The survey office's waves page says why `entwurf` may not open (German)."""
    await sign_in(client, "buero")
    client.cookies.set("lp_lang", "de")
    page = _text((await client.get("/buero/runden")).text)
    assert expected in page, page
    _no_command(page, "the office's waves page")


async def test_the_personalrat_sees_everything_and_rejects_then_approves(
    council: tuple[AsyncTestClient, dict[str, Any]],
) -> None:
    client, v3 = council
    csrf = await sign_in(client, "personalrat")

    # The list links each version and wave to its page and says where it stands, in words.
    listing = await client.get(LIST)
    assert listing.status_code == 200
    for href in (V3, "/personalrat/freigaben/version/staff-pulse/2", WAVE):
        assert f'href="{href}"' in listing.text, href
    words = _text(listing.text)
    assert "staff-pulse v3 noch nicht veröffentlicht wartet auf Freigabe" in words
    assert re.search(r"staff-pulse v2 veröffentlicht freigegeben am \d\d\.\d\d\.\d{4} von personalrat", words)
    assert "entwurf Entwurf wartet auf Freigabe" in words
    assert 'action="/personalrat/freigaben/' not in listing.text  # nobody approves unseen
    _no_command(listing.text, "the list")

    # The version's page: every item in every language, with scale, value and number.
    page = await client.get(V3)
    assert page.status_code == 200
    _no_command(page.text, "the version page")
    shown = _text(page.text)
    for number, item in enumerate(v3["items"], start=1):
        for text in item["text"].values():
            assert html.unescape(text) in shown, text
        assert re.search(rf'<th scope="row" class="num"[^>]*>{number}</th>\s*<td lang="de"', page.text)
    for label in ("Trifft gar nicht zu", "Completely true", "überhaupt nicht", "definitely", "keine Angabe"):
        assert label in shown, label
    for said in (
        "Freigabe von staff-pulse v3",
        "Sprachen " + ", ".join(LANGUAGES[tag].native for tag in v3["languages"]),  # Deutsch, ..., Русский
        "Leitbild der Stadtverwaltung Lindenau",
        "Zustimmung in fünf Stufen",
        "Offen und nachvollziehbar",  # the value transparenz by its name
        "Freitext mit höchstens 1000 Zeichen",
        # the diff to the version in use: v2, which the demo's closed waves asked
        "Verglichen mit staff-pulse v2, der Version der zuletzt abgeschlossenen Befragungsrunde",
        "Nur die Formulierung geändert (1): Der Trend bleibt vergleichbar",
        "vorher: Wir lösen Anliegen ohne unnötige Bürokratie. jetzt: Wir lösen Anliegen ohne unnötigen",
        "Durch eine neue Frage ersetzt (1): Der Trend bricht ab",
        "Nicht mehr gefragt (1) Die Leitung begründet ihre Entscheidungen",
        "Neu (1) Nr. 17 Neue Ideen sind bei uns willkommen.",
        "Offen und nachvollziehbar bricht ab: Keine Frage misst ihn in beiden Versionen gleich",
        "Unbürokratisch lösen bleibt vergleichbar, über die Fragen Nr. 9, 10, 11",
        "Unveröffentlichte Fassung, Prüfsumme",
        "wartet auf Freigabe",
        "Begründung der Ablehnung",
    ):
        assert said in shown, said
    digest = re.search(r"Prüfsumme ([0-9a-f]{4}) ([0-9a-f]{4}) ([0-9a-f]{4})", shown)
    assert digest
    whole = re.search(r"<summary>Ganze Prüfsumme</summary>\s*<code>([0-9a-f ]+)</code>", page.text)
    assert whole and whole.group(1).replace(" ", "").startswith("".join(digest.groups()))
    assert len(whole.group(1).replace(" ", "")) == 64
    english = _text((await client.get(f"{V3}?lang=en")).text)
    for said in (
        "Approval of staff-pulse v3",
        "Compared with staff-pulse v2, the version of the last closed wave",
        "Unpublished content, checksum",
        "Reason for the rejection",
    ):
        assert said in english, said
    assert "Open and comprehensible breaks: no question measures it in both versions alike" in english
    for german in ("Fassung", "Begründung", "Verglichen", "wartet auf"):
        assert german not in english, german
    client.cookies.set("lp_lang", "de")

    # The wave's page: its version (linked), period, units with headcounts, thresholds, reminders.
    wave_page = await client.get(WAVE)
    assert wave_page.status_code == 200
    _no_command(wave_page.text, "the wave page")
    assert 'href="/personalrat/freigaben/version/staff-pulse/2"' in wave_page.text
    shown = _text(wave_page.text)
    for said in (
        "Freigabe der Befragungsrunde entwurf",
        "Entscheidung über diese Version: freigegeben am",
        "Schwelle für Kennzahlen: k = 5 Mittelwerte und Anteile einer Gruppe werden erst gezeigt, wenn",
        "Schwelle für Freitexte und Verteilungen: k_text = 10 Kommentare und die Verteilung",
        "Keine Erinnerungen",
        "Befragte Einheiten (3,",
        "Abteilung Allgemeiner Sozialer Dienst",
        f"Fassung vom {TODAY:%d.%m.%Y}, Prüfsumme",
    ):
        assert said in shown, said
    assert re.search(r"Abteilung Kita-Verwaltung \d+", shown)

    # Rejecting without a reason, or with one too long: the page again, the problem at the field,
    # what was typed kept, nothing recorded.
    for reason, problem in (
        ("   ", "Bitte begründen Sie, warum der Personalrat entwurf ablehnt: Die Begründung ist Pflicht"),
        ("x" * 2001, "Die Begründung hat 2001 Zeichen: Bitte kürzen Sie sie auf höchstens 2000"),
    ):
        refused = await _post(client, f"{WAVE}/ablehnen", csrf, reason=reason)
        assert refused.status_code == 400
        _no_command(refused.text, "a refused rejection")
        assert f'id="reason-error">{problem}' in html.unescape(refused.text)
        control = re.search(r'<textarea id="reason"[^>]*>([^<]*)</textarea>', refused.text)
        assert control and 'aria-describedby="reason-hint reason-error"' in control.group(0)
        assert 'aria-invalid="true"' in control.group(0) and control.group(1) == reason
        assert '<a href="#reason">' in refused.text  # the summary leads to the field
    assert await app_call(client, audit_log, action="approval.rejected_wave") == []
    forged = await _post(client, f"{WAVE}/ablehnen", "falsch", reason=REASON)
    assert forged.status_code == 403

    # Rejecting with a reason: 303 to the list, which says so once and shows the reason.
    notice, words = await _then_list(client, await _post(client, f"{WAVE}/ablehnen", csrf, reason=REASON))
    assert notice.startswith("entwurf ist abgelehnt (Inhalts-Prüfsumme")
    assert re.search(
        rf"entwurf Entwurf abgelehnt am \d\d\.\d\d\.\d{{4}} von personalrat: {re.escape(REASON)}", words
    )
    notice, _ = await _then_list(client, await _post(client, f"{WAVE}/ablehnen", csrf, reason="noch einmal"))
    assert "entwurf ist in dieser Fassung bereits abgelehnt (von personalrat am" in notice
    [entry] = await app_call(client, audit_log, action="approval.rejected_wave")
    assert (entry.username, entry.target) == ("personalrat", "entwurf") and entry.detail.startswith("sha256 ")
    day = f"{dt.datetime.now(dt.UTC):%Y-%m-%d}"
    await _office_sees(
        client, f"Der Personalrat hat die Befragungsrunde entwurf am {day} abgelehnt: {REASON}"
    )

    # The office changes k_text: the rejection no longer counts, and the change is named.
    await app_call(client, edit_wave, "entwurf", k_text=12, questionnaires=QUESTIONNAIRES)
    await sign_in(client, "personalrat")
    client.cookies.set("lp_lang", "de")
    words = _text((await client.get(LIST)).text)
    assert re.search(
        r"entwurf Entwurf seit der Ablehnung vom \S+ geändert: k_text von 10 auf 12 – wartet auf Freigabe",
        words,
    )
    shown = _text((await client.get(WAVE)).text)
    assert "Derzeit: seit der Ablehnung vom" in shown and "Bisherige Entscheidungen" in shown
    assert "frühere Fassung (Prüfsumme" in shown and REASON in shown

    # Approving: the wave may open as far as its own approval goes; a later change is named.
    csrf = await sign_in(client, "personalrat")
    notice, words = await _then_list(client, await _post(client, WAVE, csrf))
    assert notice.startswith("entwurf ist freigegeben (Inhalts-Prüfsumme")
    assert re.search(r"entwurf Entwurf freigegeben am \S+ von personalrat", words)
    await app_call(client, edit_wave, "entwurf", k=6, questionnaires=QUESTIONNAIRES)
    await _office_sees(client, "seit der Personalrat sie am")
    await _office_sees(client, "k von 5 auf 6; sie braucht eine neue Freigabe")

    # A version is rejected the same way; its waves may not open while the rejection counts.
    csrf = await sign_in(client, "personalrat")
    notice, words = await _then_list(
        client, await _post(client, f"{V3}/ablehnen", csrf, reason="Frage 17 ist zu unbestimmt.")
    )
    assert notice.startswith("staff-pulse v3 ist abgelehnt")
    assert "staff-pulse v3 noch nicht veröffentlicht abgelehnt am" in words
    assert "Frage 17 ist zu unbestimmt." in words


async def test_the_json_twins_show_the_same_and_refuse_in_words(
    council: tuple[AsyncTestClient, dict[str, Any]],
) -> None:
    client, v3 = council
    csrf = await sign_in(client, "personalrat")
    headers = {"X-CSRF-Token": csrf}

    version = (await client.get("/api/v1/approvals/versions/staff-pulse/3")).json()
    assert [i["id"] for s in version["sections"] for i in s["items"]] == [i["id"] for i in v3["items"]]
    assert version["fingerprint"]["dated"] is None and len(version["fingerprint"]["content_hash"]) == 64
    assert version["status"]["decision"] == "waiting" and version["status"]["state"] == "unpublished"
    diff = version["diff"]
    assert (diff["base"], diff["why"]) == (2, "closed_wave")
    assert diff["replaced"] == [{"before": "verstaendlich-erklaert", "after": "klar-erklaert"}]
    assert diff["retired"] == ["entscheidungen-nachvollziehbar"] and diff["added"] == ["ideen-willkommen"]
    assert {t["value"]: t["comparable"] for t in diff["values"]}["transparenz"] is False
    scales = {s["id"]: s for s in version["scales"]}
    anchors = v3["scales"]["recommend10"]["anchors"]
    assert scales["recommend10"]["options"][1] == {
        "code": 10,
        "label": {tag: anchors[tag][1] for tag in v3["languages"]},
    }
    assert scales["recommend10"]["options"][1]["label"]["en"] == "definitely"
    assert scales["comment"]["max_length"] == 1000
    wave = (await client.get("/api/v1/approvals/waves/entwurf")).json()
    assert (
        wave["k"],
        wave["k_text"],
        wave["reminder_mode"],
        wave["reminder_dates"],
        wave["version_subject"],
    ) == (
        5,
        10,
        "all",
        [],
        "staff-pulse v2",
    )
    assert wave["headcount"] == sum(u["headcount"] for u in wave["units"]) and len(wave["units"]) == 3

    # Rejecting: a body with the reason (400 naming the field), a reason (409 saying what to do),
    # then done (200), then refused (409).
    for body, status_code, said in (
        ({}, 400, "reason"),
        ({"reason": "ok", "mehr": 1}, 400, "mehr"),
        ({"reason": ""}, 409, "say why the Personalrat rejects `entwurf`: the reason is required"),
        ({"reason": " \n "}, 409, "the reason is required, and the survey office is shown it"),
        ({"reason": "x" * 2001}, 409, "the reason has 2001 characters: shorten it to 2000 at most"),
    ):
        refused = await client.post("/api/v1/approvals/waves/entwurf/reject", json=body, headers=headers)
        assert (refused.status_code, said in refused.text) == (status_code, True), (body, refused.text)
    done = await client.post(
        "/api/v1/approvals/waves/entwurf/reject", json={"reason": REASON}, headers=headers
    )
    assert done.status_code == 200 and done.json()["ok"], done.text
    assert done.json()["message"].startswith("`entwurf` is rejected (content hash")
    again = await client.post(
        "/api/v1/approvals/waves/entwurf/reject", json={"reason": REASON}, headers=headers
    )
    assert again.status_code == 409 and "is rejected already as it is now" in again.json()["message"]
    wave = (await client.get("/api/v1/approvals/waves/entwurf")).json()
    assert wave["status"]["decision"] == "rejected" and wave["status"]["rejection"]["reason"] == REASON
    assert [h["decision"] for h in wave["history"]] == ["rejected"]
    status = {s["subject"]: s for s in (await client.get("/api/v1/approvals")).json()["waves"]}
    assert status["entwurf"]["decision"] == "rejected"

    # The version: rejected, then approved after all (the newest decision counts).
    path = "/api/v1/approvals/versions/staff-pulse/3"
    done = await client.post(f"{path}/reject", json={"reason": "unklar"}, headers=headers)
    assert done.status_code == 200, done.text
    assert (await client.post(path, headers=headers)).status_code == 200
    version = (await client.get(path)).json()
    assert version["status"]["decision"] == "approved" and version["status"]["approved"] is True
    assert [h["decision"] for h in version["history"]] == ["approved", "rejected"]

    # What does not exist, or needs no approval: said in words, never a command.
    for path, status_code in (
        ("/api/v1/approvals/versions/staff-pulse/99", 404),
        ("/api/v1/approvals/versions/citizen-contact/1", 404),
        ("/api/v1/approvals/waves/gibt-es-nicht", 404),
    ):
        answer = await client.get(path)
        assert answer.status_code == status_code and "survey " not in answer.text and "--" not in answer.text
    missing = await client.post(
        "/api/v1/approvals/waves/gibt-es-nicht/reject", json={"reason": "x"}, headers=headers
    )
    assert missing.status_code == 409 and missing.json()["message"] == "there is no wave `gibt-es-nicht`"
    page = await client.get("/personalrat/freigaben/runde/gibt-es-nicht")
    assert page.status_code == 404 and "Es gibt keine Befragungsrunde gibt-es-nicht" in page.text
