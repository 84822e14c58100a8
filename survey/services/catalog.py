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
from survey.errors import Problem, PublishedVersionChanged
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


def read_folder(root: Path) -> Catalog:
    """Every Leitbild and questionnaire version in the folder; the first problem stops it."""
    return load_catalog(root)


def check_folder(root: Path) -> tuple[Catalog, list[Problem]]:
    """Every file in the folder checked, with every problem found (none: the catalog is sound)."""
    return check_catalog(root)


def compare_versions(root: Path, questionnaire: str, a: int, b: int) -> VersionDiff:
    """What changed from version `a` to `b` of `questionnaire`, and which trends stay comparable."""
    return diff_versions(load_catalog(root), questionnaire, a, b)
