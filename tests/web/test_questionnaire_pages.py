"""The survey office makes questionnaire versions and Leitbilder in the browser: drafts in the
database, the editor with every language side by side, the checks at each field, the preview, the
review before publishing, uploads and downloads (YAML) and the JSON twins; on SQLite and
PostgreSQL.

The forms are sent as a browser sends them: every field the page holds, as it holds it, with the
changes a person makes (tests/web/test_questionnaire_pages.py's `Form`)."""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import yaml
from every_language import LANGUAGES, in_every_language
from litestar.testing import AsyncTestClient
from portal_helpers import QUESTIONNAIRES, app_call, sign_in

from survey.domain import check_catalog
from survey.errors import Problem
from survey.services.audit import audit_log
from survey.web.manage._catalog_problems import catalog_problem_text, is_known

#: no page of the office shows a command line
COMMAND = re.compile(r"\bsurvey (questionnaires|wave|approve|org|user)\b|--[a-z]")
#: a new questionnaire in German and English only, to which the office adds a language
TWO_LANGUAGES = """\
questionnaire: team-check
version: 1
audience: staff
leitbild: lindenau
languages: [de, en]
title: {de: Team-Check, en: Team check}
scales:
  agree5:
    type: likert-5
    labels:
      de: [Trifft gar nicht zu, Trifft eher nicht zu, Teils teils, Trifft eher zu, Trifft voll zu]
      en: [Not true at all, Mostly not true, Partly true, Mostly true, Completely true]
    no_answer: {de: keine Angabe, en: no answer}
items:
  - id: gut-informiert
    text: {de: Ich fühle mich gut informiert., en: I feel well informed.}
    scale: agree5
    values: [transparenz]
"""


def _in_fields(prefix: str, texts: dict[str, str]) -> dict[str, str]:
    """`texts` as the editor's fields of one text (`items.6.text.de`, `items.6.text.de-x-ls`, ...)."""
    return {f"{prefix}.{lang}": text for lang, text in texts.items()}


class Form(HTMLParser):
    """The fields of the form with `action` on a page, as a browser would send them."""

    def __init__(self, page: str, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input" and a.get("type") not in ("submit", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            name, value = self.fields[-1]
            self.fields[-1] = (name, html.unescape(value).removeprefix("\n"))
            self._textarea = None
        elif tag == "select" and self._select:
            chosen = [v for v, s in self._options if s] or [v for v, _ in self._options[:1]]
            self.fields.extend((self._select, v) for v in chosen)
            self._select = None
        elif tag == "form":
            self.inside = False

    def value(self, name: str) -> str:
        return next(v for n, v in self.fields if n == name)

    def send(self, **changes: str | list[str]) -> dict[str, list[str]]:
        """The fields with `changes` (a list: every value of a name, e.g. checkboxes)."""
        out: dict[str, list[str]] = {}
        for name, value in self.fields:
            out.setdefault(name, []).append(value)
        for name, value in changes.items():
            out[name.replace("__", ".")] = value if isinstance(value, list) else [value]
        return out


async def _editor(client: AsyncTestClient, path: str) -> Form:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return Form(page.text, path)


async def _save(client: AsyncTestClient, path: str, fields: dict[str, list[str]]) -> str:
    """Send the editor; the page it leads to (303, Post/Redirect/Get)."""
    sent = await client.post(path, data=fields)  # type: ignore[arg-type]
    assert sent.status_code == 303, sent.text
    page = await client.get(sent.headers["location"])
    assert page.status_code == 200
    return page.text


def _problem_at(page: str, field_id: str) -> str:
    """The problem shown at a field, which names it in aria-describedby."""
    found = re.search(rf'<p class="field-error" id="{field_id}-error">([^<]*)</p>', page)
    assert found, f"no problem at {field_id}"
    assert re.search(rf'id="{field_id}"[^>]*aria-describedby="[^"]*{field_id}-error', page), field_id
    assert f'href="#{field_id}"' in page, "the summary links to the field"
    return html.unescape(found.group(1))


async def test_the_office_makes_a_version_in_the_browser(
    portal_client: AsyncTestClient, tmp_path: Path
) -> None:
    """staff-pulse v3 from v2: an editorial rewording, a substantive replacement, a new question
    written in English first (the check marks the missing German, then passes); the review says
    which value trends stay comparable; the preview shows the form; published, downloaded, the file
    passes `survey questionnaires check` beside its predecessors and reads back to the same hash."""
    csrf = await sign_in(portal_client, "buero")
    listing = await portal_client.get("/buero/frageboegen")
    assert listing.status_code == 200 and "Fragebögen und Leitbild" in listing.text
    started = await portal_client.post("/buero/frageboegen/staff-pulse", data={"csrf_token": csrf})
    assert started.status_code == 303 and started.headers["location"] == "/buero/frageboegen/staff-pulse/3"
    path = "/buero/frageboegen/staff-pulse/3"
    form = await _editor(portal_client, path)
    assert form.value("items.5.id") == "zutrauen-fuehrung" and form.value("items.5.kind") == "unchanged"

    # reworded without saying what kind of change it is: the check asks, at the question's kinds
    reworded = "Meine Führungskraft traut mir zu, selbst zu entscheiden."
    page = await _save(portal_client, path, form.send(items__5__text__de=reworded))
    assert "Wortlaut" in _problem_at(page, "f-items-5-kind")
    # editorial; a substantive replacement needs a new id (the form refuses it, keeping what was typed)
    form = Form(page, path)
    new_text = "In meiner Abteilung sprechen wir Fehler an und lernen daraus."
    refused = await portal_client.post(
        path,
        data=form.send(items__5__kind="editorial", items__6__kind="substantive", items__6__text__de=new_text),  # type: ignore[arg-type]
    )
    assert refused.status_code == 400 and new_text in refused.text
    assert "neue Kennung" in _problem_at(refused.text, "f-items-6-id")
    page = await _save(
        portal_client,
        path,
        form.send(
            items__5__kind="editorial",
            items__6__kind="substantive",
            items__6__id="fehler-lernen",
            **_in_fields(
                "items.6.text",
                in_every_language(new_text, "In my unit we raise mistakes and learn from them."),
            ),
            action="add-item",
        ),
    )
    # a new question, written in every language but German: the missing German is marked and named
    # at its field
    form = Form(page, path)
    assert form.value("items.17.kind") == "new"
    digital = in_every_language(
        "Digitale Werkzeuge erleichtern meine Arbeit.", "Digital tools make my work easier."
    )
    page = await _save(
        portal_client,
        path,
        form.send(
            items__17__id="digital-arbeiten",
            **_in_fields("items.17.text", {lang: text for lang, text in digital.items() if lang != "de"}),
            items__17__values=["unbuerokratisch"],
        ),
    )
    assert "Übersetzung fehlt" in page
    assert "Deutsch" in _problem_at(page, "f-items-17-text-de")
    form = Form(page, path)
    page = await _save(portal_client, path, form.send(items__17__text__de=digital["de"]))
    assert "Die Prüfung findet kein Problem" in page and "Übersetzung fehlt" not in page

    # the review: the diff, and which value trends stay comparable
    review = await portal_client.get(f"{path}/veroeffentlichen")
    assert review.status_code == 200
    for words in (
        "fehler-lernen",
        "ersetzt fehler-offen-ansprechen",
        "redaktionell",
        "digital-arbeiten",
        "vergleichbar",
    ):
        assert words in review.text, words
    # the preview, in each language, as respondents see it; trying it stores nothing
    for tag, text in (("de", "Digitale Werkzeuge"), ("en", "Digital tools")):
        preview = await portal_client.get(f"{path}/vorschau?sprache={tag}")
        assert preview.status_code == 200 and text in preview.text and f'lang="{tag}"' in preview.text
    tried = await portal_client.post(f"{path}/vorschau?sprache=de", data={"digital-arbeiten": "4"})
    assert tried.status_code == 200 and "nichts wurde gespeichert" in tried.text

    revision = Form(review.text, f"{path}/veroeffentlichen").value("revision")
    published = await portal_client.post(
        f"{path}/veroeffentlichen", data={"csrf_token": csrf, "revision": revision}
    )
    assert published.status_code == 303
    listing = await portal_client.get("/buero/frageboegen")
    assert "Personalrat" in listing.text and "veröffentlicht" in listing.text
    edit_again = await portal_client.get(path)
    assert (
        "kann nicht mehr geändert werden" in edit_again.text
        and "<form" not in edit_again.text.split("<main")[1]
    )

    # acceptance 5: the file passes the folder check beside its predecessors, and reads back the same
    download = await portal_client.get(f"{path}/yaml")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    folder = tmp_path / "questionnaires"
    shutil.copytree(QUESTIONNAIRES, folder)
    (folder / "staff-pulse" / "v3.yaml").write_text(download.text, encoding="utf-8")
    catalog, problems = check_catalog(folder)
    assert problems == []
    v3 = catalog.version("staff-pulse", 3)
    assert v3.content_hash in download.text and v3.item("zutrauen-fuehrung").change == "editorial"
    assert v3.item("fehler-lernen").replaces == "fehler-offen-ansprechen"
    again = await portal_client.post(
        "/buero/frageboegen",
        data={"csrf_token": csrf},
        files={"file": ("staff-pulse-v3.yaml", download.content, "application/yaml")},
    )
    assert again.status_code == 303
    notice = await portal_client.get(again.headers["location"])
    assert "mit genau diesem Inhalt veröffentlicht" in notice.text
    actions = {(e.action, e.target) for e in await app_call(portal_client, audit_log, limit=50)}
    for action in (
        "questionnaire.draft_new",
        "questionnaire.save",
        "questionnaire.publish",
        "questionnaire.upload",
    ):
        assert any(a == action and "staff-pulse" in t for a, t in actions), action


async def test_refusals_say_what_to_do_in_the_browser(portal_client: AsyncTestClient) -> None:
    """Two people on one draft: the later save is refused with what was typed kept; broken files
    are refused by line; published versions cannot be edited; in German and English, never a
    command, and every sentence of the checks met here said in the page's language."""
    csrf = await sign_in(portal_client, "buero")
    await portal_client.post("/buero/frageboegen/citizen-contact", data={"csrf_token": csrf})
    path = "/buero/frageboegen/citizen-contact/2"
    first = await _editor(portal_client, path)
    second = await _editor(portal_client, path)
    await _save(portal_client, path, first.send(title__de="Wie war Ihr Besuch?"))
    stale = await portal_client.post(path, data=second.send(title__de="Wie war es bei uns?"))  # type: ignore[arg-type]
    assert stale.status_code == 409 and "Wie war es bei uns?" in stale.text and "buero" in stale.text
    assert Form(stale.text, path).value("revision") == "2", "saving again takes the current revision"

    # a broken text: saved as text, the form cannot show it, the problems come by line
    text_page = await portal_client.get(f"{path}/text")
    assert text_page.status_code == 200
    broken = await portal_client.post(
        path,
        data={
            "csrf_token": csrf,
            "revision": "2",
            "mode": "text",
            "text": "questionnaire: citizen-contact\n  version: 2\n",
        },
    )
    assert broken.status_code == 303 and broken.headers["location"].endswith("/text")
    shown = await portal_client.get(broken.headers["location"])
    assert "Zeile 2" in shown.text and "kein gültiges YAML" in shown.text.replace("ist kein", "kein")
    editor = await portal_client.get(path)
    assert "Als Text (YAML) bearbeiten" in editor.text

    for upload, words in (
        (b"questionnaire: staff-pulse\nversion: [2\n", "Zeile"),
        ("title: Ä".encode("latin-1"), "UTF-8"),
        (b"title: Hallo\n", "weder"),
    ):
        refused = await portal_client.post(
            "/buero/frageboegen", data={"csrf_token": csrf}, files={"file": ("x.yaml", upload, "text/plain")}
        )
        assert refused.status_code == 400 and words in refused.text, refused.text
        assert 'aria-invalid="true"' in refused.text and not COMMAND.search(refused.text)
    frozen = await portal_client.post(
        "/buero/frageboegen/staff-pulse/2", data={"csrf_token": csrf, "revision": "1"}
    )
    notice = await portal_client.get(frozen.headers["location"])
    assert "kann nicht mehr geändert werden" in notice.text
    english = await portal_client.get("/buero/frageboegen/staff-pulse/2?lang=en")
    assert "can no longer be changed" in english.text and "geändert" not in english.text
    for lang in ("de", "en"):
        page = await portal_client.get(f"/buero/frageboegen/citizen-contact/2/text?lang={lang}")
        assert not COMMAND.search(page.text)


def test_every_problem_of_the_checks_is_said_in_both_languages() -> None:
    """Each sentence the catalog's checks write for a draft or an upload is known to the pages."""
    messages = [
        "no text for `en`: add `en: ...` (the file declares the languages de, en)",
        "text in `tr`, which the file does not declare: add it to `languages` or remove it",
        "`xx` is not a known language: use tags such as de, en, tr, ar, uk, ru or de-x-ls",
        "the wording differs from v2 but the id stays: add `change: editorial` if it still measures the "
        "same thing, or give it a new id with `replaces: a` if it does not",
        "the text is the same as in v2: remove `change: editorial`",
        "`values` is missing: list the Leitbild values this item measures, e.g. values: [vertrauen]",
        "`a` is still in this version: remove it from the items or remove `replaces`",
        "`Foo Bar` is not valid here: use lower-case letters, digits and single hyphens, "
        "e.g. `team-spirit-1`",
        "`text` is missing: add it",
        "is empty: give one text per language, e.g. {de: ..., en: ...}",
        "no scale named `agree7` (defined: agree5, comment): fix the name or define it under `scales`",
        "there is no version 2 of `staff-pulse` to compare with: number versions without gaps",
    ]
    unknown = [m for m in messages if not is_known(m)]
    assert not unknown, unknown
    german = catalog_problem_text(messages[0], "de")
    assert german.startswith("Übersetzung fehlt") and "`" not in german
    assert catalog_problem_text(messages[0], "en").startswith("Translation missing")
    assert str(Problem("x", "", messages[1])), "Problems keep their English sentence for the command line"


async def test_the_json_twins(portal_client: AsyncTestClient) -> None:
    csrf = await sign_in(portal_client, "admin")
    headers = {"X-CSRF-Token": csrf}
    listing = (await portal_client.get("/api/v1/questionnaires")).json()
    staff = next(q for q in listing["questionnaires"] if q["questionnaire"] == "staff-pulse")
    assert staff["next_version"] == 3 and {v["state"] for v in staff["versions"]} <= {"published", "in_use"}
    draft = await portal_client.post("/api/v1/questionnaires/staff-pulse/versions", headers=headers)
    assert draft.status_code == 200 and draft.json()["revision"] == 1
    text = draft.json()["text"]
    data = yaml.safe_load(text)
    data["items"][0]["text"]["de"] = "Neu formuliert."
    changed = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    saved = await portal_client.post(
        "/api/v1/questionnaires/staff-pulse/versions/3/text",
        json={"text": changed, "revision": 1},
        headers=headers,
    )
    assert saved.status_code == 200 and saved.json()["problems"][0]["path"] == "items[0].text"
    stale = await portal_client.post(
        "/api/v1/questionnaires/staff-pulse/versions/3/text",
        json={"text": text, "revision": 1},
        headers=headers,
    )
    assert stale.status_code == 409 and "saved this draft in the meantime" in stale.json()["message"]
    review = (await portal_client.get("/api/v1/questionnaires/staff-pulse/versions/3/review")).json()
    assert review["can_publish"] is False and review["blockers"]
    refused = await portal_client.post(
        "/api/v1/questionnaires/staff-pulse/versions/3/publish", json={"revision": 2}, headers=headers
    )
    assert refused.status_code == 409 and "problem" in refused.json()["message"]
    discarded = await portal_client.post(
        "/api/v1/questionnaires/staff-pulse/versions/3/discard", headers=headers
    )
    assert discarded.status_code == 200
    exported = await portal_client.get("/api/v1/questionnaires/staff-pulse/versions/2/yaml")
    imported = await portal_client.post(
        "/api/v1/questionnaires", json={"text": exported.text}, headers=headers
    )
    assert imported.status_code == 200 and imported.json()["kind"] == "unchanged"
    broken = await portal_client.post(
        "/api/v1/questionnaires", json={"text": "version: [\n"}, headers=headers
    )
    assert broken.status_code == 409 and broken.json()["problems"][0]["line"]
    assert (await portal_client.get("/api/v1/questionnaires/staff-pulse/versions/77")).status_code == 404
    # a new Leitbild, through the API
    new = await portal_client.post(
        "/api/v1/leitbilder", json={"source": "lindenau", "key": "lindenau-2027"}, headers=headers
    )
    assert new.status_code == 200 and new.json()["problems"] == []
    published = await portal_client.post(
        "/api/v1/leitbilder/lindenau-2027/publish", json={"revision": 1}, headers=headers
    )
    assert published.status_code == 200 and published.json()["ok"]
    taken = await portal_client.post(
        "/api/v1/leitbilder", json={"source": "lindenau", "key": "lindenau-2027"}, headers=headers
    )
    assert taken.status_code == 409 and "taken" in taken.json()["message"]


async def test_a_new_leitbild_in_the_browser(portal_client: AsyncTestClient) -> None:
    csrf = await sign_in(portal_client, "buero")
    bad = await portal_client.post(
        "/buero/leitbilder", data={"csrf_token": csrf, "source": "lindenau", "key": "Lindenau 2027"}
    )
    assert bad.status_code == 400 and "Lindenau 2027" in bad.text
    assert re.search(r'id="leitbild-key"[^>]*aria-describedby="[^"]*leitbild-key-error', bad.text)
    started = await portal_client.post(
        "/buero/leitbilder", data={"csrf_token": csrf, "source": "lindenau", "key": "lindenau-2027"}
    )
    path = started.headers["location"]
    assert path == "/buero/leitbilder/lindenau-2027"
    form = await _editor(portal_client, path)
    page = await _save(portal_client, path, form.send(action="add-value"))
    form = Form(page, path)
    page = await _save(
        portal_client, path, form.send(values__6__key="digital", values__6__name__de="Digital handeln")
    )
    assert "Übersetzung fehlt" in page and "Englisch" in _problem_at(page, "f-values-6-name-en")
    form = Form(page, path)
    names = in_every_language("Digital handeln", "Acting digitally")
    page = await _save(portal_client, path, form.send(**_in_fields("values.6.name", names)))
    assert "Die Prüfung findet kein Problem" in page
    review = await portal_client.get(f"{path}/veroeffentlichen")
    assert "digital" in review.text
    revision = Form(review.text, f"{path}/veroeffentlichen").value("revision")
    done = await portal_client.post(
        f"{path}/veroeffentlichen", data={"csrf_token": csrf, "revision": revision}
    )
    assert done.status_code == 303
    shown = await portal_client.get(path)
    assert "Acting digitally" in shown.text and "kann nicht mehr geändert werden" in shown.text


async def test_languages_order_and_retired_questions(portal_client: AsyncTestClient) -> None:
    """A language added (its texts marked missing), an unknown one refused at its field; a question
    moved, retired (its trend ends: listed below) and asked again."""
    csrf = await sign_in(portal_client, "buero")
    # staff-pulse asks in every language the editor knows: a new questionnaire in two gets a third
    uploaded = await portal_client.post(
        "/buero/frageboegen",
        data={"csrf_token": csrf},
        files={"file": ("team-check.yaml", TWO_LANGUAGES.encode(), "application/yaml")},
    )
    assert uploaded.status_code == 303 and uploaded.headers["location"] == "/buero/frageboegen/team-check/1"
    path = "/buero/frageboegen/team-check/1"
    form = await _editor(portal_client, path)
    refused = await portal_client.post(path, data=form.send(action="add-language", new_language="xx"))  # type: ignore[arg-type]
    assert refused.status_code == 400 and "Sprache" in _problem_at(refused.text, "f-new_language")
    page = await _save(portal_client, path, form.send(action="add-language", new_language="uk"))
    assert "Ukrainisch (uk)" in page
    for field in ("title-uk", "scales-agree5-labels-uk-0", "scales-agree5-no_answer-uk", "items-0-text-uk"):
        assert "Ukrainisch" in _problem_at(page, f"f-{field}"), field
    # marked at each missing text: the title, the five labels, "no answer" and the question
    assert page.count('<span class="missing">Übersetzung fehlt</span>') == 8
    assert 'lang="uk"' in page
    two_languages = path

    await portal_client.post("/buero/frageboegen/staff-pulse", data={"csrf_token": csrf})
    path = "/buero/frageboegen/staff-pulse/3"
    page = (await portal_client.get(path)).text
    assert "Sprache hinzufügen" not in page, "every language the editor knows is there already"
    assert all(f'id="f-title-{lang}"' in page for lang in LANGUAGES)
    form = Form(page, path)
    page = await _save(portal_client, path, form.send(action="down:0", items__1__kind="retired"))
    form = Form(page, path)
    assert form.value("items.0.id") == "fachbereiche-ziehen-mit", "moved down, then the one below retired"
    assert (
        "Nicht mehr gestellte Fragen" in page and "eine-anlaufstelle" in page.split("Nicht mehr gestellte")[1]
    )
    page = await _save(portal_client, path, form.send(action="restore:eine-anlaufstelle"))
    form = Form(page, path)
    assert form.value("items.16.id") == "eine-anlaufstelle" and "Nicht mehr gestellte Fragen" not in page
    english = await portal_client.get(f"{two_languages}?lang=en")
    assert "Translation missing" in english.text and "Übersetzung" not in english.text
