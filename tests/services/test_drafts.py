"""Questionnaire versions and Leitbilder as drafts in the database: checked as their files are,
saved with optimistic locking, published frozen, imported and exported to the same content hash;
on SQLite and PostgreSQL (the text checks without a database)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from survey.domain import check_catalog, content_hash, load_catalog
from survey.domain.catalog import check_leitbild_text, check_version_text, yaml_text
from survey.errors import QuestionnaireFileError
from survey.services.audit import audit_log
from survey.services.catalog import publish_folder
from survey.services.draft_import import import_text
from survey.services.drafts import (
    DraftError,
    DraftStale,
    discard_version,
    open_version_draft,
    publish_version,
    questionnaire_listings,
    save_version,
    start_version,
    version_yaml,
)
from survey.services.leitbild_drafts import (
    leitbild_lines,
    leitbild_yaml,
    open_leitbild_draft,
    publish_leitbild,
    save_leitbild,
    start_leitbild,
)

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
#: a new value's name in the languages of the shipped Leitbild
DIGITAL = {
    "de": "Digital handeln",
    "de-x-ls": "Digital arbeiten",
    "en": "Acting digitally",
    "tr": "Dijital çalışmak",
    "ar": "العمل الرقمي",
    "uk": "Працювати в цифровому форматі",
    "ru": "Работать в цифровом формате",
}


def _edited(text: str, change) -> str:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(text)
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _item(data: dict, item_id: str) -> dict:
    return next(i for i in data["items"] if i["id"] == item_id)


def test_a_text_is_checked_exactly_as_its_file(tmp_path: Path) -> None:
    """Every shipped version written out reads back to its content hash; a broken v2 gives the
    same problems (path, line, message) as text as `check_catalog` finds in its file."""
    catalog = load_catalog(QUESTIONNAIRES)
    for (key, number), version in catalog.versions.items():
        checked = check_version_text(
            yaml_text(version, f"{key} v{number}"),
            "x",
            leitbilder=catalog.leitbilder,
            previous=catalog.versions.get((key, number - 1)),
        )
        assert checked.ok and checked.version is not None, checked.problems
        assert checked.version.content_hash == version.content_hash
    for key, leitbild in catalog.leitbilder.items():
        again = check_leitbild_text(yaml_text(leitbild), "x", key=key)
        assert again.leitbild is not None and content_hash(again.leitbild) == content_hash(leitbild)

    def break_it(data: dict) -> None:
        _item(data, "wissen-geteilt").pop("change")  # reworded without saying so
        _item(data, "kommentar")["text"].pop("en")  # a translation missing
        _item(data, "spielraum-nutzen")["scale"] = "agree7"  # no such scale
        data["items"].append({"id": "kommentar", "text": {"de": "x", "en": "y"}, "scale": "comment"})

    folder = tmp_path / "questionnaires"
    shutil.copytree(QUESTIONNAIRES, folder)
    broken = _edited((folder / "staff-pulse" / "v2.yaml").read_text(encoding="utf-8"), break_it)
    (folder / "staff-pulse" / "v2.yaml").write_text(broken, encoding="utf-8")
    _, in_files = check_catalog(folder)
    as_text = check_version_text(
        broken,
        "staff-pulse v2",
        leitbilder=catalog.leitbilder,
        previous=catalog.version("staff-pulse", 1),
        questionnaire="staff-pulse",
        number=2,
    )
    assert {(p.path, p.line, p.message) for p in in_files} == {
        (p.path, p.line, p.message) for p in as_text.problems
    }
    paths = {p.path for p in as_text.problems}
    assert {"items[2].text", "items[16].text", "items[10].scale", "items[17].id"} <= paths, paths
    assert as_text.version is None
    # a text that says it is another questionnaire or version than its draft, or that skips one
    other = check_version_text(
        broken, "x", leitbilder=catalog.leitbilder, previous=None, questionnaire="staff-pulse", number=3
    )
    messages = [p.message for p in other.problems if p.path == "version"]
    assert "is 2 but this draft is version 3: they must be equal" in messages
    assert any("there is no version 1 of `staff-pulse` to compare with" in m for m in messages)
    unreadable = check_version_text("items: [\n  - id: x\n", "upload.yaml", leitbilder={}, previous=None)
    assert unreadable.problems and unreadable.problems[0].line and unreadable.version is None


async def test_a_new_version_from_draft_to_frozen(db: str) -> None:
    await publish_folder(QUESTIONNAIRES)
    draft = await start_version("staff-pulse", "buero")
    assert (draft.key, draft.version, draft.revision) == ("staff-pulse", 3, 1)
    state = await open_version_draft("staff-pulse", 3)
    assert state.problems == [] and state.previous is not None and state.previous.version == 2
    assert "change:" not in draft.text and "replaces:" not in draft.text, "v2's own marks are cleared"
    with pytest.raises(DraftError, match="there is a draft of `staff-pulse` version 3 already"):
        await start_version("staff-pulse", "admin")

    def reword(data: dict) -> None:
        _item(data, "zutrauen-fuehrung")["text"]["de"] = "Meine Führungskraft traut mir Entscheidungen zu."

    reworded = _edited(draft.text, reword)
    saved = await save_version("staff-pulse", 3, reworded, 1, "buero")
    assert saved.draft.revision == 2
    assert [(p.path, p.message.split(":")[0]) for p in saved.problems] == [
        ("items[5].text", "the wording differs from v2 but the id stays")
    ]
    # a save based on revision 1 came too late: refused, naming who saved in between
    with pytest.raises(DraftStale) as stale:
        await save_version("staff-pulse", 3, draft.text, 1, "admin")
    assert stale.value.current.saved_by == "buero" and stale.value.current.revision == 2
    with pytest.raises(DraftError, match="still has 1 problem"):
        await publish_version("staff-pulse", 3, 2, "buero")

    def editorial(data: dict) -> None:
        _item(data, "zutrauen-fuehrung")["change"] = "editorial"

    fixed = await save_version("staff-pulse", 3, _edited(reworded, editorial), 2, "buero")
    assert fixed.problems == [] and fixed.draft.revision == 3
    listing = {q.questionnaire: q for q in await questionnaire_listings()}
    states = {v.version: v.state for v in listing["staff-pulse"].versions}
    assert states == {3: "draft", 2: "published", 1: "published"}
    assert listing["staff-pulse"].next_version is None and listing["citizen-contact"].next_version == 2
    with pytest.raises(DraftStale):
        await publish_version("staff-pulse", 3, 2, "buero")
    frozen = await publish_version("staff-pulse", 3, 3, "buero")
    assert frozen.item("zutrauen-fuehrung").change == "editorial"
    # frozen: no draft any more, no edit, and the export reads back to the very content hash
    with pytest.raises(DraftError, match=r"was published on .* can no longer be changed"):
        await open_version_draft("staff-pulse", 3)
    with pytest.raises(DraftError, match="can no longer be changed"):
        await save_version("staff-pulse", 3, reworded, 3, "buero")
    exported, state_name = await version_yaml("staff-pulse", 3)
    assert state_name == "published" and frozen.content_hash in exported
    again = await import_text(exported, "staff-pulse-v3.yaml", "buero")
    assert again.kind == "unchanged" and again.content_hash == frozen.content_hash
    with pytest.raises(DraftError, match="can no longer be changed"):
        await import_text(reworded, "v3.yaml", "buero")
    actions = [(e.action, e.target) for e in await audit_log(action=None)]
    for action in ("questionnaire.draft_new", "questionnaire.save", "questionnaire.publish"):
        assert (action, "staff-pulse v3") in actions, actions


async def test_uploads_become_drafts_or_are_refused_by_line(db: str) -> None:
    await publish_folder(QUESTIONNAIRES)
    base, _ = await version_yaml("citizen-contact", 1)
    with pytest.raises(QuestionnaireFileError) as unreadable:
        await import_text("questionnaire: citizen-contact\nversion: 2\n  title: x\n", "kaputt.yaml", "buero")
    assert unreadable.value.problems[0].line == 3
    with pytest.raises(QuestionnaireFileError) as neither:
        await import_text("title: Hallo\n", "anderes.yaml", "buero")
    assert "neither a questionnaire version" in neither.value.problems[0].message

    def second(data: dict) -> None:
        data["version"] = 2
        data["items"][0]["text"].pop("en")

    outcome = await import_text(_edited(base, second), "v2.yaml", "buero")
    assert outcome.kind == "created" and outcome.version == 2
    assert [p.path for p in outcome.problems] == ["items[0].text", "items[0].text"], outcome.problems
    with pytest.raises(DraftError, match="there is a draft of `citizen-contact v2` already"):
        await import_text(_edited(base, second), "v2.yaml", "buero")
    fine = _edited(base, lambda d: d.update(version=2))
    replaced = await import_text(fine, "v2.yaml", "buero", replace=True, publish=True)
    assert replaced.kind == "published"
    assert (await version_yaml("citizen-contact", 2))[1] == "published"
    # a later draft, then discarded: nothing of it stays
    fourth = _edited(base, lambda d: d.update(version=4))
    skipped = await import_text(fourth, "v4.yaml", "buero")
    assert any("there is no version 3" in p.message for p in skipped.problems)
    with pytest.raises(DraftError, match="publish `citizen-contact` version 3 first"):
        await publish_version("citizen-contact", 4, 1, "buero")
    await discard_version("citizen-contact", 4, "buero")
    with pytest.raises(DraftError, match="there is no draft"):
        await discard_version("citizen-contact", 4, "buero")


async def test_a_new_leitbild_under_a_new_key(db: str) -> None:
    await publish_folder(QUESTIONNAIRES)
    for bad in ("Lindenau 2027", "lindenau"):
        with pytest.raises(DraftError, match=r"no key|is taken"):
            await start_leitbild("lindenau", bad, "buero")
    draft = await start_leitbild("lindenau", "lindenau-2027", "buero")
    state = await open_leitbild_draft("lindenau-2027")
    assert state.problems == [] and state.origin is not None and state.origin.key == "lindenau"

    def add_value(data: dict) -> None:
        data["values"].append({"key": "digital", "name": {"de": "Digital handeln"}})

    saved = await save_leitbild("lindenau-2027", _edited(draft.text, add_value), 1, "buero")
    translations = [lang for lang in yaml.safe_load(draft.text)["languages"] if lang != "de"]
    assert [p.path for p in saved.problems] == ["values[6].name"] * len(translations), saved.problems
    assert {p.message.split("`")[1] for p in saved.problems} == set(translations)  # "no text for `en`: ..."
    with pytest.raises(DraftStale):
        await save_leitbild("lindenau-2027", draft.text, 1, "admin")

    def complete(data: dict) -> None:
        add_value(data)
        data["values"][-1]["name"].update({lang: DIGITAL[lang] for lang in data["languages"]})

    await save_leitbild("lindenau-2027", _edited(draft.text, complete), 2, "buero")
    published = await publish_leitbild("lindenau-2027", 3, "buero")
    assert published.value_keys[-1] == "digital"
    lines = {line.key: line.state for line in await leitbild_lines()}
    assert lines == {"lindenau": "in_use", "lindenau-2027": "published"}
    text, state_name = await leitbild_yaml("lindenau-2027")
    assert state_name == "published" and "Acting digitally" in text
    assert (await import_text(text, "lb.yaml", "buero")).kind == "unchanged"
    with pytest.raises(DraftError, match="can no longer be changed"):
        await open_leitbild_draft("lindenau")
