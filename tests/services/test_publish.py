"""Publishing freezes a version; an edited published version is refused and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from survey.domain import load_catalog
from survey.errors import PublishedVersionChanged
from survey.services.catalog import publish_catalog, publish_folder
from survey.store.catalog import load_published_version, published_versions
from survey.store.tables import LeitbildRow, QuestionnaireVersionRow


async def _snapshot() -> list[tuple]:
    rows = (
        await QuestionnaireVersionRow.select(
            QuestionnaireVersionRow.questionnaire,
            QuestionnaireVersionRow.version,
            QuestionnaireVersionRow.content_hash,
            QuestionnaireVersionRow.content,
        )
        .order_by(QuestionnaireVersionRow.id)
        .run()
    )
    return [tuple(r.values()) for r in rows]


async def test_publish_stores_every_version_with_its_hash(db: str, questionnaires_copy: Path) -> None:
    catalog, result = await publish_folder(questionnaires_copy)
    assert sorted(result.published) == [
        "Leitbild lindenau",
        "citizen-contact v1",
        "staff-pulse v1",
        "staff-pulse v2",
    ]
    stored = await published_versions()
    for ref, version in catalog.versions.items():
        assert stored[ref].content_hash == version.content_hash
        assert len(stored[ref].content_hash) == 64
    assert await load_published_version("staff-pulse", 2) == catalog.version("staff-pulse", 2)
    assert await LeitbildRow.count().run() == 1


async def test_publishing_again_changes_nothing(db: str, questionnaires_copy: Path) -> None:
    await publish_folder(questionnaires_copy)
    before = await _snapshot()
    _, result = await publish_folder(questionnaires_copy)
    assert result.published == []
    assert sorted(result.unchanged) == ["citizen-contact v1", "staff-pulse v1", "staff-pulse v2"]
    assert await _snapshot() == before


async def test_comments_and_layout_are_not_a_change(db: str, questionnaires_copy: Path) -> None:
    await publish_folder(questionnaires_copy)
    path = questionnaires_copy / "staff-pulse" / "v1.yaml"
    path.write_text("# a new comment\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    _, result = await publish_folder(questionnaires_copy)
    assert result.published == []


async def test_edited_published_version_is_refused_and_the_database_unchanged(
    db: str, questionnaires_copy: Path
) -> None:
    await publish_folder(questionnaires_copy)
    before = await _snapshot()
    path = questionnaires_copy / "staff-pulse" / "v1.yaml"
    text = path.read_text(encoding="utf-8")
    catalog = load_catalog(questionnaires_copy)
    old = catalog.version("staff-pulse", 1).title["de"]
    assert old in text
    path.write_text(text.replace(old, old + " (geändert)"), encoding="utf-8")
    # A brand-new v3 in the same run must not slip in either: nothing is stored.
    v3 = yaml.safe_load((questionnaires_copy / "staff-pulse" / "v2.yaml").read_text(encoding="utf-8"))
    v3["version"] = 3
    for item in v3["items"]:
        item.pop("change", None)
        item.pop("replaces", None)
    (questionnaires_copy / "staff-pulse" / "v3.yaml").write_text(
        yaml.safe_dump(v3, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(PublishedVersionChanged) as caught:
        await publish_folder(questionnaires_copy)
    message = str(caught.value)
    assert "staff-pulse/v1.yaml" in message
    assert "staff-pulse v1 was published on" in message
    assert "create v4 instead" in message  # v3 exists on disk now, so the next free number is 4
    assert await _snapshot() == before


async def test_message_names_the_next_free_version(db: str, questionnaires_copy: Path) -> None:
    await publish_folder(questionnaires_copy)
    path = questionnaires_copy / "staff-pulse" / "v2.yaml"
    catalog = load_catalog(questionnaires_copy)
    old = catalog.version("staff-pulse", 2).title["en"]
    path.write_text(path.read_text(encoding="utf-8").replace(old, old + "!"), encoding="utf-8")
    with pytest.raises(PublishedVersionChanged, match="undo the change and create v3 instead"):
        await publish_catalog(load_catalog(questionnaires_copy))
