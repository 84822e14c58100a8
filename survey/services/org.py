"""Import the organisation from a file."""

from __future__ import annotations

from pathlib import Path

from survey.domain import Organisation, check_org, load_org
from survey.errors import Problem
from survey.store import org as store
from survey.store.engine import write_transaction

__all__ = ["check_org_file", "import_org", "organisation_listing"]


def check_org_file(path: Path) -> tuple[Organisation | None, list[Problem]]:
    """The organisation in the file, with every problem found in it (then no organisation)."""
    return check_org(path)


async def organisation_listing() -> tuple[str | None, list[store.StoredUnit], list[store.StoredServicePoint]]:
    """The Kommune's name, its active units (tree order) and service points."""
    return await store.kommune_name(), await store.list_units(), await store.list_service_points()


async def import_org(path: Path) -> tuple[Organisation, store.OrgChange]:
    """Check the whole file first, then store all of it in one transaction."""
    organisation = load_org(path)
    async with write_transaction():
        change = await store.save_organisation(organisation)
    return organisation, change
