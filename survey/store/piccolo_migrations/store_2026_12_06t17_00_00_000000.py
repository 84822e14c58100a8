"""E-mail invitations and reminders: a wave's reminder mode and days, the address lists (sealed),
the outbox, the tallies of what was sent, the reminder rounds and the sender's lease.

`wave.reminder_mode` is all (every wave before: reminders, if any, go to everyone) or open_codes;
`wave.reminder_days` the days after the first day ("7,14"; empty: no reminders). Created through
piccolo's own table operations, so that SQLite and PostgreSQL get the same column types as every
other table. Applied after 2026-12-06T14:40 (comments redacted), the newest migration before it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


def _id() -> Serial:
    return Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class OrgUnitRow(Table, tablename="org_unit", schema=None):
    id = _id()


class WaveRow(Table, tablename="wave", schema=None):
    id = _id()


class MailRecipient(Table, tablename="mail_recipient", schema=None):
    id = _id()


ID = "2026-12-06T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "e-mail invitations and reminders: reminder mode and days, address lists, outbox, tallies"


def _params(**changes: object) -> dict[str, object]:
    params: dict[str, object] = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(changes)
    return params


def _key(table: type[Table], on_delete: OnDelete, **changes: object) -> tuple[type, dict[str, object]]:
    return ForeignKey, _params(
        references=table,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        default=None,
        **changes,
    )


def _wave() -> tuple[type, dict[str, object]]:
    return _key(WaveRow, OnDelete.cascade, index=True)


def _unit() -> tuple[type, dict[str, object]]:
    return _key(OrgUnitRow, OnDelete.restrict)


TABLES: dict[tuple[str, str], list[tuple[str, tuple[type, dict[str, object]]]]] = {
    ("MailRecipient", "mail_recipient"): [
        ("wave", _wave()),
        ("unit", _unit()),
        ("language", (Varchar, _params(length=16, default=""))),
        ("address_key", (Varchar, _params(length=100, default="", unique=True))),
        ("sealed", (Text, _params(default=""))),
        ("stopped", (Boolean, _params(default=False))),
    ],
    ("MailOutbox", "mail_outbox"): [
        ("recipient", _key(MailRecipient, OnDelete.cascade, index=True)),
        ("wave", _wave()),
        ("unit", _unit()),
        ("kind", (Varchar, _params(length=16, default=""))),
        ("mail_key", (Varchar, _params(length=64, default="", unique=True))),
        ("due_on", (Date, _params(default=DateNow()))),
        ("state", (Varchar, _params(length=16, default="due", index=True))),
        ("worker", (Varchar, _params(length=100, default=""))),
        ("claimed_at", (Timestamptz, _params(default=None, null=True))),
    ],
    ("MailTally", "mail_tally"): [
        ("tally_key", (Varchar, _params(length=100, default="", unique=True))),
        ("wave", _wave()),
        ("unit", _unit()),
        ("kind", (Varchar, _params(length=16, default=""))),
        ("sent", (Integer, _params(default=0))),
        ("refused", (Integer, _params(default=0))),
        ("uncertain", (Integer, _params(default=0))),
        ("stopped", (Integer, _params(default=0))),
    ],
    ("MailRound", "mail_round"): [
        ("round_key", (Varchar, _params(length=64, default="", unique=True))),
        ("wave", _wave()),
        ("number", (Integer, _params(default=0))),
        ("queued_at", (Timestamptz, _params(default=TimestamptzNow()))),
    ],
    ("MailLease", "mail_lease"): [
        ("name", (Varchar, _params(length=32, default="", unique=True))),
        ("holder", (Varchar, _params(length=100, default=""))),
        ("until", (Timestamptz, _params(default=TimestamptzNow()))),
    ],
    ("WaveRow", "wave"): [
        ("reminder_mode", (Varchar, _params(length=16, default="all"))),
        ("reminder_days", (Varchar, _params(length=64, default=""))),
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)
    for class_name, tablename in TABLES:
        if tablename != "wave":
            manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
    for (class_name, tablename), columns in TABLES.items():
        for name, (column_class, params) in columns:
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params=params,
                schema=None,
            )
    return manager
