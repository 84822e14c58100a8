"""Organisation versions: every applied organisation, how its units follow from the ones before,
and the organisation each closed wave ran with (docs/reorganisations.md)."""

from __future__ import annotations

from piccolo.columns import Boolean, Date, DoublePrecision, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from survey.store.tables._core import OrgUnitRow, WaveRow

__all__ = ["OrgVersion", "UnitLineage", "WaveOrgUnit"]


class OrgVersion(Table, tablename="org_version"):
    """One applied organisation file (or the organisation found when versions began)."""

    valid_from = Date()
    applied_at = Timestamptz()
    #: who applied it (a name, as in the audit log); "" for the first, made by the upgrade
    applied_by = Varchar(length=200, default="")
    #: sha256 of the file applied; "" for the first
    content_hash = Varchar(length=64, default="")


class UnitLineage(Table, tablename="unit_lineage"):
    """One edge of a declared change: `predecessor` → `successor` (renamed and moved: the same
    unit; merged: one edge per merged unit; split: one per successor, with its share; dissolved:
    no successor; new: no predecessor)."""

    version = ForeignKey(OrgVersion, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16)
    predecessor = ForeignKey(OrgUnitRow, null=True, on_delete=OnDelete.restrict)
    successor = ForeignKey(OrgUnitRow, null=True, on_delete=OnDelete.restrict)
    #: split: the successor's share of the predecessor's staff, 0 to 1
    share = DoublePrecision(null=True, default=None)
    #: the predecessor's name before the change (a renamed unit's row has only its new name);
    #: empty on edges stored before 2026-12-07T06:00
    name_before = Varchar(length=200, default="")


class WaveOrgUnit(Table, tablename="wave_org_unit"):
    """A closed wave's organisation: each unit's place and headcount when the wave closed, so
    that its response rates and parent figures stay what they were after a reorganisation."""

    wave = ForeignKey(WaveRow, null=False, on_delete=OnDelete.cascade, index=True)
    unit = ForeignKey(OrgUnitRow, null=False, on_delete=OnDelete.restrict)
    #: the org_unit id of its parent then (no key: the parent may be renamed or retired since)
    parent = Integer(null=True, default=None)
    path = Varchar(length=1000)
    depth = Integer(default=0)
    headcount = Integer(default=0)
    active = Boolean(default=True)
