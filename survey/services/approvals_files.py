"""A staff questionnaire version as the Personalrat decides on it: as published, or as its file reads.

The database is the record of a published version (versions made in the browser have no file at
all); a version only in the questionnaire folder is decided on as its file reads now. A published
version whose file has changed since is refused: what would be decided on is ambiguous.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from survey.domain import Catalog, QuestionnaireVersion, check_catalog
from survey.errors import N_, Code, Message, Problem
from survey.services.approvals_decisions import ApprovalError, version_subject
from survey.store import catalog as catalog_store
from survey.store.catalog import PublishedRecord

__all__ = ["CurrentVersion", "OnDisk", "changed_file", "current_version", "on_disk", "unknown_version"]


@dataclass(frozen=True)
class OnDisk:
    """A version as its file is now: loaded, or why not (`problems`, or no file at all)."""

    version: QuestionnaireVersion | None
    file: str
    problems: list[Problem]
    catalog: Catalog


@dataclass(frozen=True)
class CurrentVersion:
    """The content of a version the Personalrat decides on, and where it comes from."""

    version: QuestionnaireVersion
    #: its record in the database; None: only in the folder, not published yet
    published: PublishedRecord | None
    disk: OnDisk
    #: every published version (questionnaire, number) → record
    all_published: dict[tuple[str, int], PublishedRecord]

    @property
    def file_changed(self) -> bool:
        """The published version's file differs from what was published."""
        on_disk = self.disk.version
        return (
            self.published is not None
            and on_disk is not None
            and on_disk.content_hash != self.published.content_hash
        )


def on_disk(root: Path, questionnaire: str, number: int) -> OnDisk:
    catalog, problems = check_catalog(root)
    ref = (questionnaire, number)
    file = catalog.files.get(ref, str(root / questionnaire / f"v{number}.yaml"))
    return OnDisk(
        catalog.versions.get(ref), file, [p for p in problems if Path(p.file) == Path(file)], catalog
    )


def unknown_version(
    catalog: Catalog, questionnaire: str, number: int, published: Iterable[tuple[str, int]] = ()
) -> Message:
    """Why there is no such version: the versions there are, in the folder and in the database."""
    known = sorted(
        {v.version for v in catalog.versions_of(questionnaire)}
        | {v for q, v in published if q == questionnaire}
    )
    if not known:
        names = sorted({*catalog.questionnaires(), *(q for q, _ in published)})
        return Message(
            N_("there is no questionnaire %(questionnaire)s in %(folder)s (questionnaires: %(names)s)"),
            {
                "questionnaire": Code(questionnaire),
                "folder": str(catalog.root),
                "names": ", ".join(names) or "–",
            },
        )
    return Message(
        N_("%(questionnaire)s has no version %(number)d in %(folder)s (versions: %(known)s)"),
        {
            "questionnaire": questionnaire,
            "number": number,
            "folder": str(catalog.root),
            "known": ", ".join(f"v{v}" for v in known),
        },
    )


def changed_file(
    disk: OnDisk, questionnaire: str, number: int, published: dict[tuple[str, int], PublishedRecord]
) -> Message:
    newest = max(
        v for q, v in {*disk.catalog.versions, *published, (questionnaire, number)} if q == questionnaire
    )
    return Message(
        N_(
            "the file %(file)s of %(subject)s has changed since it was approved/published (published "
            "%(day)s): undo the change or create v%(next)d and have it approved"
        ),
        {
            "file": disk.file,
            "subject": version_subject(questionnaire, number),
            "day": f"{published[(questionnaire, number)].published_at:%Y-%m-%d}",
            "next": newest + 1,
        },
    )


async def current_version(
    questionnaire: str, number: int, questionnaires: Path, *, deciding: bool = True
) -> CurrentVersion:
    """The version as the Personalrat decides on it: published (the database's content), or as
    its file reads. Refused for a version that is nowhere, whose file has problems, and for a
    citizen questionnaire; when `deciding`, also for a published version whose file has changed
    since (to look at it, its published content is shown)."""
    subject = version_subject(questionnaire, number)
    disk = on_disk(questionnaires, questionnaire, number)
    published = await catalog_store.published_versions()
    record = published.get((questionnaire, number))
    current = disk.version
    differs = current is None or (record is not None and current.content_hash != record.content_hash)
    # made in the browser, published from a folder that is gone, or only looked at
    if record is not None and differs and ((current is None and not disk.problems) or not deciding):
        current = await catalog_store.load_published_version(questionnaire, number)
    if current is None:
        if disk.problems:
            listed = "\n".join(f"    {p}" for p in disk.problems)
            raise ApprovalError(
                N_("%(subject)s cannot be approved: its file has problems, which must be fixed first"),
                subject=subject,
                hint=f"`survey questionnaires check` lists them:\n{listed}",
            )
        raise ApprovalError(unknown_version(disk.catalog, questionnaire, number, published))
    if current.audience != "staff":
        raise ApprovalError(
            N_(
                "%(subject)s is a citizen questionnaire: only staff questionnaires need the "
                "Personalrat's approval"
            ),
            subject=subject,
        )
    if record is not None and record.content_hash != current.content_hash:
        raise ApprovalError(changed_file(disk, questionnaire, number, published))
    return CurrentVersion(current, record, disk, published)
