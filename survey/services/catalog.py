"""Publish questionnaire versions: freeze what was asked, refuse edits of frozen versions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from survey.domain import (
    Catalog,
    QuestionnaireVersion,
    VersionDiff,
    check_catalog,
    content_hash,
    diff_versions,
    load_catalog,
)
from survey.errors import Problem, PublishedVersionChanged, UnknownVersion
from survey.store import catalog as store
from survey.store.engine import write_transaction

__all__ = [
    "PublishResult",
    "check_folder",
    "compare_versions",
    "publish_catalog",
    "publish_folder",
    "published_versions",
    "read_folder",
    "version_for_wave",
]

published_versions = store.published_versions


@dataclass
class PublishResult:
    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


async def publish_folder(root: Path) -> tuple[Catalog, PublishResult]:
    catalog = load_catalog(root)
    return catalog, await publish_catalog(catalog)


async def publish_catalog(catalog: Catalog, only: set[tuple[str, int]] | None = None) -> PublishResult:
    """Store every new version with its content hash; unchanged ones are left alone.

    If any file of an already published version or Leitbild has changed, nothing at all is
    stored and PublishedVersionChanged lists every such file.
    """
    result = PublishResult()
    now = dt.datetime.now(dt.UTC)
    async with write_transaction():
        known = await store.published_versions()
        known_leitbilder = await store.published_leitbilder()
        changed: list[str] = []
        new_leitbilder = []
        for key, leitbild in sorted(catalog.leitbilder.items()):
            digest = content_hash(leitbild)
            record = known_leitbilder.get(key)
            if record is None:
                new_leitbilder.append((leitbild, digest))
            elif record.content_hash != digest:
                changed.append(
                    f"{catalog.root}: Leitbild `{key}` was published on "
                    f"{record.published_at:%Y-%m-%d} and its file has changed since: restore the "
                    "published text (a Leitbild is versioned by giving it a new key)"
                )
        new_versions: list[QuestionnaireVersion] = []
        for ref, version in sorted(catalog.versions.items()):
            if only is not None and ref not in only:
                continue
            record = known.get(ref)
            if record is None:
                new_versions.append(version)
            elif record.content_hash != version.content_hash:
                newest = max(v for q, v in set(known) | set(catalog.versions) if q == ref[0])
                changed.append(
                    f"{catalog.files[ref]}: {version.label} was published on "
                    f"{record.published_at:%Y-%m-%d} and is frozen, but the file has changed "
                    f"since: undo the change and create v{newest + 1} instead"
                )
            else:
                result.unchanged.append(version.label)
        if changed:
            raise PublishedVersionChanged("\n".join(changed))
        for leitbild, digest in new_leitbilder:
            await store.insert_leitbild(leitbild, digest, now)
            result.published.append(f"Leitbild {leitbild.key}")
        for version in new_versions:
            await store.insert_version(version, now)
            result.published.append(version.label)
    return result


def _folder_catalog(root: Path) -> Catalog:
    """The folder's catalog; an empty one where there is no folder (the database holds it all)."""
    return load_catalog(root) if root.is_dir() else Catalog(root)


async def version_for_wave(root: Path, questionnaire: str, number: int | None) -> QuestionnaireVersion:
    """The version a new wave asks: without a number the newest one. The database is the record:
    a version published there (from the browser or an earlier publish) is used as it was frozen;
    a version only in the folder is published now. A folder file of a published version that has
    changed since is refused (PublishedVersionChanged), as `publish_catalog` does. Without the
    folder, only the database counts."""
    catalog = _folder_catalog(root)
    published = await store.published_versions()
    numbers = {v for q, v in published if q == questionnaire}
    numbers |= {v.version for v in catalog.versions_of(questionnaire)}
    chosen = number or max(numbers, default=1)
    ref = (questionnaire, chosen)
    if ref in catalog.versions:
        await publish_catalog(catalog, only={ref})
        return catalog.versions[ref]
    if ref in published:
        stored = await store.load_published_version(questionnaire, chosen)
        assert stored is not None
        return stored
    known = sorted(numbers)
    if not known:
        names = ", ".join(sorted({q for q, _ in published} | set(catalog.questionnaires()))) or "none"
        raise UnknownVersion(f"there is no questionnaire `{questionnaire}` (questionnaires: {names})")
    raise UnknownVersion(
        f"{questionnaire} has no version {chosen} (versions: {', '.join(f'v{v}' for v in known)})"
    )


def read_folder(root: Path) -> Catalog:
    """Every Leitbild and questionnaire version in the folder; the first problem stops it."""
    return load_catalog(root)


def check_folder(root: Path) -> tuple[Catalog, list[Problem]]:
    """Every file in the folder checked, with every problem found (none: the catalog is sound)."""
    return check_catalog(root)


def compare_versions(root: Path, questionnaire: str, a: int, b: int) -> VersionDiff:
    """What changed from version `a` to `b` of `questionnaire`, and which trends stay comparable."""
    return diff_versions(load_catalog(root), questionnaire, a, b)
