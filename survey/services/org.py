"""Import the organisation from a file."""

from __future__ import annotations

from pathlib import Path

from survey.domain import Organisation, load_org
from survey.store import org as store
from survey.store.engine import write_transaction

__all__ = ["import_org"]


async def import_org(path: Path) -> tuple[Organisation, store.OrgChange]:
    """Check the whole file first, then store all of it in one transaction."""
    organisation = load_org(path)
    async with write_transaction():
        change = await store.save_organisation(organisation)
    return organisation, change
